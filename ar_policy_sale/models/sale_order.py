import dataclasses

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

from odoo.addons.ar_policy.exceptions import manager_override_offer
from odoo.addons.ar_policy.guards import policy_write
from odoo.addons.ar_policy.models.account_move import ArCreditRefusal
from odoo.addons.ar_policy.rules import credit as rules
from odoo.addons.ar_policy.rules import deposit as deposit_rules

QUOTATION_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # computed after the order's amounts, so that they can follow its deposit
    require_payment = fields.Boolean(precompute=False)
    prepayment_percent = fields.Float(precompute=False)
    ar_deposit_percent = fields.Float(
        string="Deposit (%)", compute="_compute_ar_deposit", store=True, copy=False,
    )
    ar_deposit_amount = fields.Monetary(
        string="Required Deposit", compute="_compute_ar_deposit", store=True, copy=False,
        help="Deposit the customer pays before this order is confirmed.",
    )
    ar_deposit_reason = fields.Char(
        string="Deposit Reason", compute="_compute_ar_deposit", store=True, copy=False,
    )
    ar_deposit_since = fields.Date(
        string="Waiting Since", compute="_compute_ar_deposit", store=True, copy=False,
    )
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
    ar_credit_hold = fields.Boolean(string="Customer on Hold", compute="_compute_ar_credit_state")
    ar_credit_note = fields.Char(compute="_compute_ar_credit_state")
    ar_concentration_banner = fields.Text(compute="_compute_ar_concentration_banner")

    @api.depends("partner_id", "company_id", "currency_id", "amount_total", "state")
    def _compute_ar_deposit(self):
        quotations = self.filtered(lambda o: o.state in QUOTATION_STATES and o.partner_id)
        requirements = quotations._ar_deposit_requirements() if quotations else {}
        today = fields.Date.context_today(self)
        for order in self:
            if order.state not in QUOTATION_STATES:
                # a confirmed order keeps the deposit it was confirmed with
                order.ar_deposit_percent = order.ar_deposit_percent
                order.ar_deposit_amount = order.ar_deposit_amount
                order.ar_deposit_reason = order.ar_deposit_reason
                order.ar_deposit_since = order.ar_deposit_since
                continue
            requirement = requirements.get(order)
            if requirement and requirement.required:
                order.ar_deposit_percent = requirement.percent
                order.ar_deposit_amount = requirement.amount
                order.ar_deposit_reason = self.env["ar.credit.file"]._ar_deposit_reason_text(
                    requirement
                )
                order.ar_deposit_since = order._origin.ar_deposit_since or today
            else:
                order.ar_deposit_percent = 0.0
                order.ar_deposit_amount = 0.0
                order.ar_deposit_reason = False
                order.ar_deposit_since = False

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
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        candidates = self.search([
            ("state", "in", QUOTATION_STATES), ("ar_deposit_amount", ">", 0),
        ])
        waiting = candidates.filtered("ar_deposit_waiting").ids
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", waiting)]

    @api.depends("partner_id", "company_id")
    def _compute_ar_credit_state(self):
        """What a salesperson sees: blocked or not, and why, never the amounts."""
        self.ar_credit_hold = False
        self.ar_credit_note = False
        File = self.env["ar.credit.file"].sudo()
        orders = self.filtered(lambda o: o.partner_id and o.state in QUOTATION_STATES)
        for company, company_orders in orders.grouped(lambda o: o.company_id.root_id).items():
            if company.ar_enforcement_mode == "off":
                continue
            files = File._ar_files_for(company_orders.partner_id, company)
            for order in company_orders:
                file = files.get(order.partner_id.commercial_partner_id.id)
                if file and file.credit_hold:
                    order.ar_credit_hold = True
                    order.ar_credit_note = self.env._(
                        "%(customer)s is on credit hold (%(causes)s).",
                        customer=file.partner_id.display_name, causes=file.hold_causes,
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
    # Requirements and the credit check, in bulk
    # ------------------------------------------------------------------

    def _ar_amount_company(self, company, today):
        self.ensure_one()
        return self.env["ar.credit.file"]._ar_to_company_currency(
            self.amount_total, self.currency_id.id, company, today
        )

    def _ar_order_decisions(self, with_deposit=True):
        """{order: (file or empty, decision, requirement)}: the credit check of these
        orders, cumulatively per customer, then their deposit (DESIGN 4).

        A fixed number of queries however many orders and documents customers have.
        ``requirement.amount`` is in the order's currency.
        """
        File = self.env["ar.credit.file"].sudo()
        result = {}
        for company, orders in self.grouped(lambda o: o.company_id.root_id).items():
            today = fields.Date.context_today(self.with_company(company))
            partners = orders.partner_id.commercial_partner_id
            files = File._ar_files_for(partners, company)
            figures = File._ar_figures(partners, company)
            limits = File._ar_limits(partners, company)
            state = {}
            for partner in partners:
                file = files.get(partner.id)
                status = file.credit_status if file else company.ar_default_credit_status
                exposure = File._ar_exposure(figures[partner.id], company)
                if status == rules.PREPAYMENT:
                    exposure = dataclasses.replace(exposure, net_unallocated=True,
                                                   include_drafts=True)
                state[partner.id] = (
                    status, bool(file and file.credit_hold), limits[partner.id], exposure.total
                )
            amounts = {order: order._ar_amount_company(company, today) for order in orders}
            documents = [
                (order, order.partner_id.commercial_partner_id.id, amounts[order])
                for order in orders
            ]
            decisions = rules.check_batch(documents, state, company.currency_id.rounding)
            for order in orders:
                pid = order.partner_id.commercial_partner_id.id
                file = files.get(pid, File)
                decision = decisions[order]
                if company.ar_enforcement_mode == "off":
                    result[order] = (file, rules.Decision(False), deposit_rules.Requirement())
                    continue
                requirement = file._ar_deposit_requirement(
                    amounts[order], company, over_limit=decision.reason == "limit"
                )
                if requirement.required:
                    requirement = dataclasses.replace(
                        requirement,
                        amount=order.currency_id.round(
                            order.amount_total * requirement.percent / 100.0
                        ),
                    )
                if with_deposit:
                    decision = deposit_rules.apply_deposit(
                        decision, requirement, order.ar_deposit_paid, order.currency_id.rounding
                    )
                result[order] = (file, decision, requirement)
        return result

    def _ar_deposit_requirements(self):
        decisions = self._ar_order_decisions(with_deposit=False)
        return {order: req for order, (_f, _d, req) in decisions.items()}

    def _ar_refusal_message(self, file, decision, show_amounts):
        """Why the policy refuses to confirm this order; amounts only for Billing users."""
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id.display_name
        if decision.reason == "deposit":
            message = self.env._(
                "%(customer)s owes a deposit of %(amount)s (%(percent)s%%: %(reasons)s) "
                "before this order is confirmed. Paid: %(paid)s.",
                customer=customer,
                amount=format_amount(self.env, decision.required, self.currency_id),
                percent=format(decision.percent, "g"),
                reasons=self.env["ar.credit.file"]._ar_deposit_reason_text(decision),
                paid=format_amount(self.env, decision.paid, self.currency_id),
            )
            return message
        if decision.reason == "hold":
            return self.env._("%(customer)s is on credit hold (%(causes)s).",
                              customer=customer, causes=file.hold_causes if file else "")
        if decision.reason == "prepayment":
            return self.env._("%(customer)s pays in advance (prepayment only): this order is "
                              "not covered by its advance payments.", customer=customer)
        if not show_amounts:
            return self.env._("This order takes %(customer)s over its credit limit.",
                              customer=customer)
        currency = self.company_id.currency_id
        limit = self.env["ar.credit.file"].sudo()._ar_limits(
            self.partner_id.commercial_partner_id, self.company_id
        )[self.partner_id.commercial_partner_id.id]
        return self.env._(
            "%(customer)s would exceed its credit limit of %(limit)s: exposure after this "
            "order %(exposure)s, excess %(excess)s.",
            customer=customer, limit=format_amount(self.env, limit, currency),
            exposure=format_amount(self.env, decision.exposure_after, currency),
            excess=format_amount(self.env, decision.excess, currency),
        )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------

    def action_confirm(self):
        try:
            allowed = self._ar_confirmation_check()
        except ArCreditRefusal as refusal:
            if not self.env.user.has_group("ar_policy.group_credit_manager"):
                raise
            action = self.env["ir.actions.actions"]._for_xml_id(
                "ar_policy_sale.action_ar_order_override_wizard"
            )
            action["context"] = {"default_order_ids": self.ids}
            raise manager_override_offer(
                refusal, action, self.env._("Confirm Anyway (Credit Manager)")
            ) from refusal
        if not allowed:
            return True
        return super(SaleOrder, allowed).action_confirm()

    def _ar_non_interactive(self):
        """The portal and payment path never raises (a customer, or a payment provider)."""
        return bool(self.env.context.get("ar_no_raise") or self.env.user._is_public()
                    or self.env.user.share)

    def _ar_confirmation_check(self):
        """Orders of ``self`` that may be confirmed. Interactive: raises when any is
        refused (block mode, or a deposit not paid). Portal and payments: the refused
        ones stay quotations and the salesperson and collector get an activity."""
        checked = self.filtered(
            lambda o: o.state in QUOTATION_STATES and o.partner_id
            and o.company_id.ar_enforcement_mode != "off"
        )
        if not checked:
            return self
        override = self.env.context.get("ar_credit_override_reason")
        if override and not (
            self.env.su or self.env.user.has_group("ar_policy.group_credit_manager")
        ):
            raise AccessError(self.env._("Only a Credit Manager can confirm over the credit policy."))
        checked._ar_ensure_files()
        self.env["ar.credit.file"].sudo()._ar_serialize_credit_check(checked)
        checked._ar_refresh_deposit()
        decisions = checked.sudo()._ar_order_decisions()
        show_amounts = self.env.user.has_group("account.group_account_invoice")
        refused = [(o.with_env(self.env), f, d) for o, (f, d, _r) in decisions.items() if d.refused]
        blocked = [r for r in refused
                   if r[0].company_id.ar_enforcement_mode == "block" or r[2].reason == "deposit"]
        allowed = self
        if blocked and not override:
            if self._ar_non_interactive():
                for order, file, decision in blocked:
                    order._ar_notify_blocked(file, decision)
                    allowed -= order
                refused = [r for r in refused if r not in blocked]
            else:
                lines = [f"{order.name}: {order._ar_refusal_message(file, decision, show_amounts)}"
                         for order, file, decision in blocked]
                raise ArCreditRefusal(
                    self.env._("The credit policy refuses to confirm:") + "\n" + "\n".join(lines)
                )
        for order, file, decision in refused:
            message = order._ar_refusal_message(file, decision, True)
            if order.company_id.ar_enforcement_mode == "block" or decision.reason == "deposit":
                body = self.env._(
                    "Confirmed over the credit policy by %(user)s: %(message)s Reason: %(reason)s",
                    user=self.env.user.name, message=message, reason=override,
                )
                event, reason = "override", override
            else:
                body = self.env._("Confirmed over the credit policy (warning only): %s", message)
                event, reason = "warning", message
            order.message_post(body=body)
            if file:
                file._ar_log(event, reason=f"{order.name}: {reason}",
                             cause=message if event == "override" else "")
        for order, (file, decision, requirement) in decisions.items():
            if (order in allowed and file and getattr(decision, "covered", False)
                    and deposit_rules.REASON_RESTART in requirement.reasons):
                file._ar_deposit_paid_clear_restart(order)
        return allowed

    def _ar_refresh_deposit(self):
        """The requirement as of now (exposure moves): recompute the stored figures."""
        for fname in ("ar_deposit_percent", "ar_deposit_amount", "ar_deposit_reason",
                      "ar_deposit_since"):
            self.env.add_to_compute(self._fields[fname], self)
        self.flush_recordset(["ar_deposit_amount"])

    def _ar_ensure_files(self):
        File = self.env["ar.credit.file"].sudo()
        for company, orders in self.grouped(lambda o: o.company_id.root_id).items():
            File._ar_files_for(orders.partner_id, company, create=True)

    def _ar_notify_blocked(self, file, decision):
        """A quotation the customer signed or paid stays unconfirmed: tell why."""
        self.ensure_one()
        message = self._ar_refusal_message(file, decision, False)
        note = self.env._("Not confirmed by the credit policy: %s", message)
        self.sudo().message_post(body=note)
        users = self.user_id | (file.collector_id if file else self.env["res.users"])
        if not users:
            users = self.company_id.ar_credit_manager_id or self.env.ref("base.user_admin")
        for user in users:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("Quotation blocked by the credit policy"),
                note=note,
                user_id=user.id,
            )

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
        """Odoo's own warning gives way to the policy's when the policy is on."""
        res = super()._compute_partner_credit_warning()
        for order in self:
            if order.company_id.ar_enforcement_mode != "off":
                order.partner_credit_warning = ""
        return res

    # ------------------------------------------------------------------
    # Demo
    # ------------------------------------------------------------------

    @api.model
    def _ar_demo_deposit_quotation(self):
        """A customer who owes a 30 % deposit and its quotation, waiting for it."""
        if self.env.ref("ar_policy_sale.demo_order_waiting_deposit", raise_if_not_found=False):
            return
        env = self.sudo().env
        company = env.ref("base.main_company")
        if company.ar_enforcement_mode == "off":
            company.ar_enforcement_mode = "block"
        partner = env["res.partner"].create({
            "name": "Deposit Demo Builders", "is_company": True, "customer_rank": 1,
            "city": "Oakland",
        })
        files = env["ar.credit.file"]._ar_files_for(partner, company, create=True)
        files[partner.id]._ar_set_deposit_policy(
            "percent", 30.0, 0.0, "New customer with a large first project: 30 % up front"
        )
        product = env.ref("ar_policy.demo_product_service", raise_if_not_found=False) or \
            env["product.product"].create({"name": "Deposit Demo Service", "type": "service",
                                           "list_price": 100.0})
        order = env["sale.order"].with_company(company).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [Command.create({
                "product_id": product.id, "product_uom_qty": 40, "price_unit": 100.0,
                "tax_id": [Command.clear()],
            })],
        })
        order.action_quotation_sent()
        env["ir.model.data"]._update_xmlids([
            {"xml_id": "ar_policy_sale.demo_partner_deposit", "record": partner, "noupdate": True},
            {"xml_id": "ar_policy_sale.demo_order_waiting_deposit", "record": order,
             "noupdate": True},
        ])
