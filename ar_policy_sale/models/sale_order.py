import dataclasses

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

from odoo.addons.ar_policy.exceptions import ArCreditRefusal
from odoo.addons.ar_policy.guards import is_policy_write, policy_write
from odoo.addons.ar_policy.models.ar_credit_check import CreditDocument, DocumentKind
from odoo.addons.ar_policy.rules import deposit as deposit_rules

QUOTATION_STATES = ("draft", "sent")
# The customer can read its own orders in the portal: credit reasons stay internal.
INTERNAL = "base.group_user"
CONFIRMED_DEPOSIT = {
    "ar_deposit_confirmed_percent": "ar_deposit_percent",
    "ar_deposit_confirmed_amount": "ar_deposit_amount",
    "ar_deposit_confirmed_reason": "ar_deposit_reason",
}


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # computed after the order's amounts, so that they can follow its deposit
    require_payment = fields.Boolean(precompute=False)
    prepayment_percent = fields.Float(precompute=False)
    # A quotation's deposit follows the credit file, the exposure, the company's rules
    # and today's rate, none of which a stored field can depend on: it is computed when
    # read (the Waiting for Deposit list searches it). A confirmed order keeps the
    # deposit it was confirmed with (the ar_deposit_confirmed_* fields).
    ar_deposit_percent = fields.Float(string="Deposit (%)", compute="_compute_ar_deposit")
    ar_deposit_amount = fields.Monetary(
        string="Required Deposit", compute="_compute_ar_deposit",
        help="Deposit the customer pays before this order is confirmed.",
    )
    ar_deposit_reason = fields.Char(
        string="Deposit Reason", compute="_compute_ar_deposit", groups=INTERNAL
    )
    ar_deposit_since = fields.Date(
        string="Waiting Since", compute="_compute_ar_deposit",
        help="The quotation's date, while it waits for its deposit.",
    )
    ar_deposit_confirmed_percent = fields.Float(readonly=True, copy=False)
    ar_deposit_confirmed_amount = fields.Monetary(readonly=True, copy=False)
    ar_deposit_confirmed_reason = fields.Char(readonly=True, copy=False, groups=INTERNAL)
    ar_deposit_assignment_ids = fields.One2many(
        "ar.deposit.assignment", "order_id", string="Assigned Payments", copy=False,
    )
    ar_deposit_paid = fields.Monetary(
        string="Deposit Paid", compute="_compute_ar_deposit_paid",
        help="Paid online on the quotation, plus registered payments assigned to it.",
    )
    ar_deposit_due = fields.Monetary(string="Deposit Due", compute="_compute_ar_deposit_paid")
    ar_deposit_waiting = fields.Boolean(
        string="Waiting for Deposit", compute="_compute_ar_deposit_paid",
        search="_search_ar_deposit_waiting",
    )
    ar_deposit_age = fields.Integer(string="Days Waiting", compute="_compute_ar_deposit_paid")
    ar_deposit_move_id = fields.Many2one(
        "account.move", string="Deposit Invoice", readonly=True, copy=False,
    )
    ar_credit_hold = fields.Boolean(
        string="Customer on Hold", compute="_compute_ar_credit_state", groups=INTERNAL
    )
    ar_credit_note = fields.Text(compute="_compute_ar_credit_state", groups=INTERNAL)
    ar_credit_note_level = fields.Selection(
        [("danger", "Blocked"), ("warning", "Warning"), ("info", "Information")],
        compute="_compute_ar_credit_state", groups=INTERNAL,
    )
    ar_concentration_banner = fields.Text(
        compute="_compute_ar_concentration_banner", groups=INTERNAL
    )

    @api.depends("partner_id", "company_id", "currency_id", "amount_total", "state",
                 "date_order", *CONFIRMED_DEPOSIT)
    def _compute_ar_deposit(self):
        quotations = self.filtered(lambda o: o.state in QUOTATION_STATES and o.partner_id)
        verdicts = self.env["ar.credit.check"]._ar_verdicts(
            quotations.sudo()._ar_credit_documents(), weigh_deposits=False,
        ) if quotations else {}
        for order in self:
            if order.state not in QUOTATION_STATES:
                for confirmed, live in CONFIRMED_DEPOSIT.items():
                    order[live] = order[confirmed]
                order.ar_deposit_since = False
                continue
            verdict = verdicts.get(order)
            requirement = verdict.requirement if verdict else deposit_rules.Requirement()
            order.ar_deposit_percent = requirement.percent
            order.ar_deposit_amount = requirement.amount
            order.ar_deposit_reason = requirement.required and self.env[
                "ar.credit.file"
            ]._ar_deposit_reason_text(requirement)
            order.ar_deposit_since = requirement.required and order.date_order and \
                fields.Date.context_today(order, order.date_order)

    @api.depends(
        "amount_paid", "ar_deposit_amount", "ar_deposit_assignment_ids.amount", "state",
        "ar_deposit_since",
    )
    def _compute_ar_deposit_paid(self):
        today = fields.Date.context_today(self)
        for order in self:
            paid = order.amount_paid + sum(order.ar_deposit_assignment_ids.mapped("amount"))
            order.ar_deposit_paid = paid
            rounding = order.currency_id.rounding or 0.01
            order.ar_deposit_due = deposit_rules.outstanding(order.ar_deposit_amount, paid, rounding)
            order.ar_deposit_waiting = bool(
                order.state in QUOTATION_STATES
                and order.ar_deposit_amount
                and not deposit_rules.is_paid(order.ar_deposit_amount, paid, rounding)
            )
            order.ar_deposit_age = (
                (today - order.ar_deposit_since).days
                if order.ar_deposit_waiting and order.ar_deposit_since else 0
            )

    def _search_ar_deposit_waiting(self, operator, value):
        """The quotations the policy checks, their deposits computed in bulk."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        candidates = self.search([
            ("state", "in", QUOTATION_STATES), ("partner_id", "!=", False),
            ("company_id.ar_enforcement_mode", "!=", "off"),
        ])
        waiting = candidates.filtered("ar_deposit_waiting").ids
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", waiting)]

    @api.depends("partner_id", "company_id", "currency_id", "amount_untaxed", "amount_total",
                 "state", "ar_deposit_amount", "ar_deposit_paid", "ar_concentration_banner")
    def _compute_ar_credit_state(self):
        """The quotation's one credit banner, its causes ranked: the hold (why, who
        releases it), then the deposit it waits for (the quotation's own figures,
        which the salesperson asks the customer for), then concentration. Never the
        amounts behind the customer's exposure (DESIGN 4)."""
        self.ar_credit_hold = False
        self.ar_credit_note = False
        self.ar_credit_note_level = False
        File = self.env["ar.credit.file"].sudo()
        Check = self.env["ar.credit.check"]
        orders = self.filtered(lambda o: o.partner_id and o.state in QUOTATION_STATES)
        for company, company_orders in orders.grouped(lambda o: o.company_id.root_id).items():
            enforced = company.ar_enforcement_mode != "off"
            files = File._ar_files_for(company_orders.partner_id, company) if enforced else {}
            for order in company_orders:
                partner = order.partner_id.commercial_partner_id
                file = files.get(partner.id)
                lines = []
                if file and file.credit_hold:
                    order.ar_credit_hold = True
                    lines.append(Check._ar_hold_message(partner, file, company))
                if order.ar_deposit_waiting:
                    lines.append(order._ar_deposit_waiting_text())
                elif order.ar_deposit_amount:
                    lines.append(self.env._(
                        "Deposit of %(amount)s paid: the quotation can be confirmed.",
                        amount=format_amount(self.env, order.ar_deposit_amount,
                                             order.currency_id),
                    ))
                if order.ar_concentration_banner:
                    lines.append(order.ar_concentration_banner)
                order.ar_credit_note = "\n".join(lines) or False
                order.ar_credit_note_level = (
                    "danger" if order.ar_credit_hold or order.ar_deposit_waiting
                    else "warning" if order.ar_concentration_banner
                    else "info" if lines else False
                )

    def _ar_deposit_waiting_text(self):
        self.ensure_one()
        verdict = self.env["ar.credit.check"]._ar_verdicts(
            self.sudo()._ar_credit_documents(), weigh_deposits=False,
        ).get(self)
        requirement = verdict.requirement if verdict else deposit_rules.Requirement()
        return self.env._(
            "Waiting for a deposit of %(amount)s (%(percent)s%% of the order: %(reasons)s). "
            "Paid: %(paid)s, due: %(due)s. Send the customer the deposit request (Request "
            "Deposit): the quotation is confirmed once the deposit is paid.",
            amount=format_amount(self.env, self.ar_deposit_amount, self.currency_id),
            percent=format(self.ar_deposit_percent, "g"),
            reasons=self.env["ar.credit.check"]._ar_deposit_reasons(requirement),
            paid=format_amount(self.env, self.ar_deposit_paid, self.currency_id),
            due=format_amount(self.env, self.ar_deposit_due, self.currency_id),
        )

    @api.depends("partner_id", "company_id", "currency_id", "amount_untaxed", "amount_total", "state")
    def _compute_ar_concentration_banner(self):
        """The quotation that would take its customer over a concentration threshold
        says so (issue 5); figures only for Billing users."""
        self.ar_concentration_banner = False
        Concentration = self.env["ar.concentration"].sudo()
        show_figures = self.env.user.has_group("account.group_account_invoice")
        orders = self.filtered(
            lambda o: o.partner_id and o.state in QUOTATION_STATES
            and o.company_id.root_id.ar_concentration_enabled
        )
        for order in orders:
            company = order.company_id
            date = order.date_order.date() if order.date_order else fields.Date.context_today(self)
            untaxed = order.currency_id._convert(order.amount_untaxed, company.currency_id, company, date)
            total = order.currency_id._convert(order.amount_total, company.currency_id, company, date)
            order.ar_concentration_banner = Concentration._ar_concentration_banner(
                order.partner_id, company, untaxed, show_figures, receivable_amount=total,
                action=self.env._("Confirming this quotation"),
            ) or False

    # ------------------------------------------------------------------
    # Onchange of Odoo's own prepayment
    # ------------------------------------------------------------------

    @api.depends("company_id", "ar_deposit_percent")
    def _compute_require_payment(self):
        res = super()._compute_require_payment()
        for order in self.filtered("ar_deposit_percent"):
            order.require_payment = True
        return res

    @api.depends("require_payment", "ar_deposit_percent")
    def _compute_prepayment_percent(self):
        """The portal asks for the deposit: Odoo's prepayment, at least its percentage."""
        res = super()._compute_prepayment_percent()
        for order in self.filtered("ar_deposit_percent"):
            percent = order.ar_deposit_percent / 100.0
            if order.company_id.portal_confirmation_pay:
                percent = max(percent, order.company_id.prepayment_percent or 0.0)
            order.prepayment_percent = percent
        return res

    # ------------------------------------------------------------------
    # The credit check (the document's side of ar.credit.check)
    # ------------------------------------------------------------------

    def _ar_credit_documents(self):
        """Quotations the credit check looks at, at their total in company currency at
        today's rate (DESIGN 7)."""
        orders = self.filtered(
            lambda o: o.state in QUOTATION_STATES and o.partner_id
            and o.company_id.ar_enforcement_mode != "off"
        )
        documents = []
        for company, company_orders in orders.grouped(lambda o: o.company_id.root_id).items():
            today = fields.Date.context_today(self.with_company(company))
            documents += [
                CreditDocument(
                    order, order.partner_id.commercial_partner_id,
                    self.env["ar.credit.file"]._ar_to_company_currency(
                        order.amount_total, order.currency_id.id, company, today
                    ),
                    company,
                )
                for order in company_orders
            ]
        return documents

    def _ar_credit_deposits(self, verdicts, figures, company, weigh=True):
        """The ``verdicts`` with each order's required deposit (in the order's
        currency), weighed against what is paid on it (DESIGN 4)."""
        result = dict(verdicts)
        for order, verdict in verdicts.items():
            requirement = verdict.file._ar_deposit_requirement(
                verdict.document.amount, company, over_limit=verdict.decision.reason == "limit"
            )
            if requirement.required:
                requirement = dataclasses.replace(
                    requirement,
                    amount=order.currency_id.round(
                        order.amount_total * requirement.percent / 100.0
                    ),
                )
            decision = verdict.decision
            if weigh:
                decision = deposit_rules.apply_deposit(
                    decision, requirement, order.ar_deposit_paid, order.currency_id.rounding
                )
            result[order] = dataclasses.replace(
                verdict, decision=decision, requirement=requirement
            )
        return result

    def _ar_credit_kind(self):
        return DocumentKind(
            this=self.env._("this order"),
            this_first=self.env._("This order"),
            refuse=self.env._("The credit policy refuses to confirm:"),
            manager_only=self.env._("Only a Credit Manager can confirm over the credit policy."),
            override_note=self.env._(
                "Confirmed over the credit policy by %(user)s: %(message)s Reason: %(reason)s"
            ),
            warning_note=self.env._("Confirmed over the credit policy (warning only): %s"),
            button=self.env._("Confirm Anyway (Credit Manager)"),
            action="ar_policy_sale.action_ar_order_override_wizard",
            wizard_field="order_ids",
        )

    def _ar_deposit_message(self, decision, show_amounts):
        """The deposit and what is paid on it are the quotation's own figures: shown to
        salespeople too (they ask the customer for it)."""
        self.ensure_one()
        return self.env._(
            "%(customer)s owes a deposit of %(amount)s (%(percent)s%% of the order: "
            "%(reasons)s) before this order is confirmed. Paid: %(paid)s. Send the "
            "customer the deposit request (Request Deposit).",
            customer=self.partner_id.commercial_partner_id.display_name,
            amount=format_amount(self.env, decision.required, self.currency_id),
            percent=format(decision.percent, "g"),
            reasons=self.env["ar.credit.check"]._ar_deposit_reasons(decision),
            paid=format_amount(self.env, decision.paid, self.currency_id),
        )

    def _ar_credit_log_values(self, reason):
        return {"reason": f"{self.name}: {reason}"}

    def _ar_credit_interactive(self):
        """The portal and payment path never raises (a customer, or a payment provider)."""
        return not (self.env.context.get("ar_no_raise") or self.env.user._is_public()
                    or self.env.user.share)

    def _ar_credit_proceed(self):
        return self.action_confirm()

    def _ar_credit_blocked(self, verdict):
        """A quotation the customer signed or paid stays unconfirmed: tell why."""
        self.ensure_one()
        message = self.env["ar.credit.check"]._ar_verdict_message(verdict, False)
        note = self.env._("Not confirmed by the credit policy: %s", message)
        self.sudo().message_post(body=note)
        users = self.user_id | verdict.file.collector_id
        if not users:
            users = self.company_id.ar_credit_manager_id or self.env.ref("base.user_admin")
        for user in users:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Quotation blocked by the credit policy"),
                note=note,
                user_id=user.id,
            )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------

    def write(self, vals):
        if set(vals) & set(CONFIRMED_DEPOSIT) and not is_policy_write(self.env):
            raise AccessError(self.env._(
                "The deposit an order was confirmed with is set only by its confirmation."
            ))
        return super().write(vals)

    def action_confirm(self):
        """The credit check first; a credit manager is offered the override wizard."""
        Check = self.env["ar.credit.check"]
        try:
            allowed = Check._ar_enforce(self)
        except ArCreditRefusal as refusal:
            Check._ar_offer_manager_wizard(self, refusal)
        if not allowed:
            return True
        allowed._ar_keep_confirmed_deposit()
        return super(SaleOrder, allowed).action_confirm()

    def _ar_keep_confirmed_deposit(self):
        """The deposit as of the confirmation stays with the order."""
        for order in self.filtered(lambda o: o.state in QUOTATION_STATES):
            policy_write(order.sudo()).write({
                confirmed: order[live] for confirmed, live in CONFIRMED_DEPOSIT.items()
            })

    def _action_confirm(self):
        res = super()._action_confirm()
        self._ar_deposit_to_down_payment()
        return res

    def _ar_deposit_to_down_payment(self):
        """The paid deposit becomes a down payment on the order (Odoo's own mechanism),
        reconciled with the payments, so that the final invoice deducts it. Only where
        Odoo has not already made one. An order paid in full gets its own invoice
        instead: a down payment of everything would leave a final invoice of nothing."""
        for order in self.sudo():
            if not order.ar_deposit_amount or order.ar_deposit_move_id:
                continue
            paid = order.ar_deposit_paid
            if order.currency_id.compare_amounts(paid, 0.0) <= 0:
                continue
            if order.order_line.filtered(lambda line: line.is_downpayment and not line.display_type):
                continue
            paid_in_full = order.currency_id.compare_amounts(paid, order.amount_total) >= 0
            if paid_in_full:
                # as Odoo's automatic invoicing does for an order paid in full
                order._force_lines_to_invoice_policy_order()
                invoice = order.with_company(order.company_id).with_context(
                    raise_if_nothing_to_invoice=False
                )._create_invoices(final=True)
            else:
                wizard = self.env["sale.advance.payment.inv"].sudo().with_company(
                    order.company_id
                ).create({
                    "sale_order_ids": [fields.Command.set(order.ids)],
                    "advance_payment_method": "fixed",
                    "fixed_amount": paid,
                })
                invoice = wizard._create_invoices(order)
            if not invoice:
                continue
            invoice = invoice.sudo()
            policy_write(invoice).ar_origin = "deposit"
            invoice.action_post()
            order.ar_deposit_move_id = invoice
            payments = order.ar_deposit_assignment_ids.payment_id
            pending = self.env["payment.transaction"]
            for tx in order.transaction_ids.filtered(lambda t: t.state in ("authorized", "done")):
                if tx.payment_id:
                    payments |= tx.payment_id
                else:
                    pending |= tx
            if pending:
                pending.invoice_ids = [fields.Command.link(invoice.id)]
            order._ar_reconcile_deposit(invoice, payments)
            values = {
                "amount": format_amount(self.env, paid, order.currency_id),
                "invoice": Markup(invoice._get_html_link()),
            }
            order.message_post(body=(
                self.env._("Paid in full (%(amount)s) and invoiced: %(invoice)s", **values)
                if paid_in_full else
                self.env._("Deposit of %(amount)s invoiced as a down payment: %(invoice)s",
                           **values)
            ))

    def _ar_reconcile_deposit(self, invoice, payments):
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        pay_lines = payments.move_id.line_ids.filtered(
            lambda line: line.account_id == receivable.account_id[:1] and not line.reconciled
            and line.partner_id.commercial_partner_id == invoice.commercial_partner_id
        )
        if receivable and pay_lines:
            (receivable + pay_lines).reconcile()

    def _generate_downpayment_invoices(self):
        """Odoo's automatic invoicing after an online payment: the deposit's down payment,
        when the policy made one, is that down payment (never two)."""
        made = self.filtered("ar_deposit_move_id")
        invoices = made.ar_deposit_move_id
        if self - made:
            invoices |= super(SaleOrder, self - made)._generate_downpayment_invoices()
        return invoices

    def _is_confirmation_amount_reached(self):
        """One deposit paid everywhere: online payments plus assigned registered payments."""
        self.ensure_one()
        if not self.ar_deposit_amount:
            return super()._is_confirmation_amount_reached()
        required = max(self._get_prepayment_required_amount(), self.ar_deposit_amount)
        return self.currency_id.compare_amounts(required, self.ar_deposit_paid) <= 0

    def _get_default_payment_link_values(self):
        values = super()._get_default_payment_link_values()
        assigned = sum(self.ar_deposit_assignment_ids.mapped("amount"))
        if assigned and self.state in QUOTATION_STATES:
            values["amount"] = max(0.0, values["amount"] - assigned)
            values["amount_max"] = max(0.0, values["amount_max"] - assigned)
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_request_deposit(self):
        """Send the quotation with its payment link for the deposit, logged."""
        for order in self:
            if not order.ar_deposit_waiting:
                continue
            order.require_payment = True
            template = order._find_mail_template()
            order._send_order_notification_mail(template)
            if order.state == "draft":
                order.action_quotation_sent()
            order.message_post(body=self.env._(
                "Deposit requested from the customer: %(amount)s (%(reason)s), due %(due)s.",
                amount=format_amount(self.env, order.ar_deposit_amount, order.currency_id),
                reason=order.ar_deposit_reason,
                due=format_amount(self.env, order.ar_deposit_due, order.currency_id),
            ))
        return True

    def action_ar_assign_payment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Assign a Payment to the Deposit"),
            "res_model": "ar.deposit.assign.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    def _ar_notify_deposit_received(self):
        """The deposit arrived: the salesperson hears about it."""
        for order in self:
            order.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Deposit received"),
                note=self.env._(
                    "The deposit of %(amount)s on %(order)s is paid.",
                    amount=format_amount(self.env, order.ar_deposit_amount, order.currency_id),
                    order=order.name,
                ),
                user_id=(order.user_id or self.env.ref("base.user_admin")).id,
            )

    @api.depends("company_id.ar_enforcement_mode")
    def _compute_partner_credit_warning(self):
        """Odoo's own warning gives way to the policy's when the policy is on (and is
        not computed then: it reads the credit limit, which a salesperson may not)."""
        policed = self.filtered(lambda o: o.company_id.ar_enforcement_mode != "off")
        policed.partner_credit_warning = ""
        return super(SaleOrder, self - policed)._compute_partner_credit_warning()
