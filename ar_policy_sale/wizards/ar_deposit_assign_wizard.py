from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount


class ArDepositAssignWizard(models.TransientModel):
    """A credit controller assigns a registered customer payment to a deposit."""

    _name = "ar.deposit.assign.wizard"
    _description = "Assign a Payment to a Deposit"

    order_id = fields.Many2one("sale.order", required=True, readonly=True)
    currency_id = fields.Many2one(related="order_id.currency_id")
    commercial_partner_id = fields.Many2one(related="order_id.partner_id.commercial_partner_id")
    deposit_due = fields.Monetary(related="order_id.ar_deposit_due", string="Deposit Due")
    payment_id = fields.Many2one(
        "account.payment", required=True,
        domain="[('partner_id', 'child_of', commercial_partner_id), ('partner_type', '=', 'customer'),"
        " ('payment_type', '=', 'inbound'), ('state', 'in', ('in_process', 'paid')),"
        " ('is_reconciled', '=', False), ('currency_id', '=', currency_id)]",
    )
    unallocated = fields.Monetary(compute="_compute_unallocated")
    amount = fields.Monetary(compute="_compute_amount", store=True, readonly=False)

    @api.depends("payment_id")
    def _compute_unallocated(self):
        for wizard in self:
            wizard.unallocated = (
                wizard.payment_id._ar_unallocated_for_deposit() if wizard.payment_id else 0.0
            )

    @api.depends("payment_id", "order_id")
    def _compute_amount(self):
        for wizard in self:
            wizard.amount = max(0.0, min(wizard.order_id.ar_deposit_due, wizard.unallocated))

    def action_assign(self):
        self.ensure_one()
        if not self.env.user.has_group("ar_policy.group_credit_controller"):
            raise AccessError(self.env._("Only a Credit Controller assigns payments to deposits."))
        order = self.order_id.sudo()
        was_waiting = order.ar_deposit_waiting
        self.env["ar.deposit.assignment"].create({
            "order_id": order.id,
            "payment_id": self.payment_id.id,
            "amount": self.amount,
        })
        order.message_post(author_id=self.env.user.partner_id.id, body=self.env._(
            "%(user)s assigned %(amount)s of %(payment)s to the deposit.",
            user=self.env.user.name, payment=self.payment_id.display_name,
            amount=format_amount(self.env, self.amount, self.currency_id),
        ))
        order.invalidate_recordset(["ar_deposit_paid", "ar_deposit_waiting", "ar_deposit_due"])
        if was_waiting and not order.ar_deposit_waiting:
            order._ar_notify_deposit_received()
        return {"type": "ir.actions.act_window_close"}
