from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.ar_policy.rules import deposit as deposit_rules


class ArDepositAssignment(models.Model):
    """A registered customer payment that pays (part of) a quotation's deposit."""

    _name = "ar.deposit.assignment"
    _description = "Payment Assigned to a Deposit"
    _order = "id desc"
    _check_company_auto = True

    order_id = fields.Many2one(
        "sale.order", required=True, index=True, ondelete="cascade", check_company=True,
    )
    payment_id = fields.Many2one(
        "account.payment", required=True, index=True, ondelete="restrict",
    )
    company_id = fields.Many2one(related="order_id.company_id", store=True)
    partner_id = fields.Many2one(related="order_id.partner_id", string="Customer")
    currency_id = fields.Many2one(related="order_id.currency_id")
    amount = fields.Monetary(required=True)
    user_id = fields.Many2one(
        "res.users", string="Assigned By", default=lambda self: self.env.user, readonly=True,
    )

    @api.constrains("order_id", "payment_id", "amount")
    def _check_payment(self):
        for assignment in self:
            error = assignment._ar_allocation_error()
            if error:
                raise ValidationError(error)

    def _ar_allocation_error(self):
        """Why this payment cannot pay this deposit, or ''."""
        self.ensure_one()
        order, payment = self.order_id, self.payment_id
        if payment.state not in ("in_process", "paid") or not payment.move_id \
                or payment.partner_type != "customer" or payment.payment_type != "inbound":
            return self.env._("Payment: choose a posted incoming customer payment.")
        if payment.currency_id != order.currency_id:
            return self.env._("Payment: its currency (%(payment)s) is not the quotation's "
                              "(%(order)s).", payment=payment.currency_id.name,
                              order=order.currency_id.name)
        error = deposit_rules.allocation_error(
            self.amount, payment._ar_unallocated_for_deposit(exclude=self),
            same_customer=payment.partner_id.commercial_partner_id
            == order.partner_id.commercial_partner_id,
            same_company=payment.company_id.root_id == order.company_id.root_id
            and payment.company_id in self.env["res.company"].browse(
                self.env["ar.credit.file"]._ar_company_ids(order.company_id)
            ),
            rounding=order.currency_id.rounding,
        )
        return {
            "": "",
            "customer": self.env._(
                "Payment: %(payment)s is a payment of %(other)s, not of %(customer)s.",
                payment=payment.display_name, other=payment.partner_id.display_name,
                customer=order.partner_id.commercial_partner_id.display_name,
            ),
            "company": self.env._("Payment: %(payment)s belongs to another company.",
                                  payment=payment.display_name),
            "amount": self.env._("Amount: it must be above zero."),
            "unallocated": self.env._(
                "Amount: it is larger than what %(payment)s has left unallocated.",
                payment=payment.display_name,
            ),
        }[error]


class AccountPayment(models.Model):
    _inherit = "account.payment"

    ar_deposit_assignment_ids = fields.One2many("ar.deposit.assignment", "payment_id")

    def _ar_unallocated_for_deposit(self, exclude=None):
        """What this payment has not matched with an invoice nor promised to another
        quotation's deposit (payment currency)."""
        self.ensure_one()
        lines = self.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        residual = -sum(lines.mapped("amount_residual_currency"))
        promised = sum(
            a.amount for a in self.ar_deposit_assignment_ids
            if a != exclude and a.order_id.state in ("draft", "sent")
        )
        return residual - promised
