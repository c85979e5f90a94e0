import dataclasses

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount

from ..exceptions import manager_override_offer
from ..guards import is_policy_write
from ..rules import credit as rules
from ..rules import deposit as deposit_rules
from .ar_concentration import ArConcentrationRefusal

INTERNAL = "base.group_user"


class ArCreditRefusal(UserError):
    """The credit check refused one or more documents."""

    def __init__(self, *args):
        super().__init__(*args)
        # The web client shows an exception type it does not know as a crash
        # ("Oops!"); this shows the refusal in UserError's dialog instead
        # (web/static/src/core/errors/error_handlers.js, exception_class).
        self.context = {"exception_class": "odoo.exceptions.UserError"}


class AccountMove(models.Model):
    _inherit = "account.move"

    ar_origin = fields.Selection(
        [("late_fee", "Late Fee"), ("deposit", "Deposit")],
        string="Credit Policy Origin",
        readonly=True,
        copy=False,
        groups=INTERNAL,
        index="btree_not_null",
        help="Documents the credit policy makes itself are never refused by the credit "
        "check (they count in exposure once posted).",
    )
    ar_credit_banner = fields.Text(compute="_compute_ar_credit_banner", groups=INTERNAL)
    ar_credit_banner_blocking = fields.Boolean(
        compute="_compute_ar_credit_banner", groups=INTERNAL
    )
    ar_disputed = fields.Boolean(string="Disputed", compute="_compute_ar_disputed",
                                 groups=INTERNAL)
    ar_dispute_reason = fields.Text(compute="_compute_ar_disputed", groups=INTERNAL)
    ar_concentration_banner = fields.Text(
        compute="_compute_ar_concentration_banner", groups=INTERNAL
    )
    ar_deposit_amount = fields.Monetary(
        string="Required Deposit", compute="_compute_ar_credit_banner",
        currency_field="company_currency_id", groups=INTERNAL,
        help="Deposit the customer owes before this invoice posts: its unreconciled advance "
        "payments must cover it.",
    )
    ar_deposit_reason = fields.Char(
        string="Deposit Reason", compute="_compute_ar_credit_banner", groups=INTERNAL
    )
    ar_stage_id = fields.Many2one(
        "ar.escalation.stage", string="Escalation Stage", compute="_compute_ar_stage",
        groups=INTERNAL, help="Highest escalation stage reached by the invoice's open items.",
    )
    ar_stage_date = fields.Date(
        string="Stage Reached On", compute="_compute_ar_stage", groups=INTERNAL
    )
    ar_next_stage_id = fields.Many2one(
        "ar.escalation.stage", string="Next Stage", compute="_compute_ar_stage", groups=INTERNAL
    )
    ar_next_stage_date = fields.Date(
        string="Next Stage On", compute="_compute_ar_stage", groups=INTERNAL
    )

    @api.depends("line_ids.ar_stage_id", "line_ids.date_maturity", "line_ids.reconciled",
                 "state", "commercial_partner_id")
    def _compute_ar_stage(self):
        """From the invoice's receivable items: the highest stage reached, and the
        earliest next stage of an open item with its date."""
        self.ar_stage_id = self.ar_stage_date = False
        self.ar_next_stage_id = self.ar_next_stage_date = False
        posted = self.filtered(lambda m: m.state == "posted" and m.is_sale_document())
        for company, moves in posted.grouped("company_id").items():
            files = self.env["ar.credit.file"].sudo()._ar_files_for(
                moves.commercial_partner_id, company.root_id
            )
            for move in moves:
                items = move.line_ids.filtered(
                    lambda aml: aml.account_type == "asset_receivable" and aml.ar_stage_id
                )
                top = items.sorted(lambda aml: aml.ar_stage_id.offset_days)[-1:]
                move.ar_stage_id = top.ar_stage_id
                move.ar_stage_date = top.ar_stage_date
                file = files.get(move.commercial_partner_id.id)
                policy = file._ar_escalation_policy() if file else company.ar_escalation_policy_id
                upcoming = []
                for line in move.line_ids.filtered(
                    lambda aml: aml.account_type == "asset_receivable" and not aml.reconciled
                    and aml.date_maturity
                ):
                    current = line.ar_stage_id.offset_days if line.ar_stage_id else None
                    for stage in policy.stage_ids.sorted("offset_days"):
                        if current is None or stage.offset_days > current:
                            upcoming.append((
                                fields.Date.add(line.date_maturity, days=stage.offset_days),
                                stage,
                            ))
                            break
                if upcoming:
                    date, stage = min(upcoming, key=lambda pair: pair[0])
                    move.ar_next_stage_id = stage
                    move.ar_next_stage_date = date

    @api.depends(
        "partner_id", "amount_total_signed", "currency_id", "state", "move_type", "company_id"
    )
    def _compute_ar_credit_banner(self):
        self.ar_credit_banner = False
        self.ar_credit_banner_blocking = False
        self.ar_deposit_amount = 0.0
        self.ar_deposit_reason = False
        checked = self._ar_checkable()
        if not checked:
            return
        show_amounts = self.env.user.has_group("account.group_account_invoice")
        for move, (file, decision) in checked._ar_credit_decisions().items():
            if isinstance(decision, deposit_rules.DepositDecision):
                move.ar_deposit_amount = decision.required
                move.ar_deposit_reason = self.env["ar.credit.file"]._ar_deposit_reason_text(decision)
            if decision.refused:
                move.ar_credit_banner = move._ar_credit_message(file, decision, show_amounts)
                move.ar_credit_banner_blocking = (
                    move.company_id.ar_enforcement_mode == "block" or decision.reason == "deposit"
                )

    @api.depends("company_id.ar_enforcement_mode")
    def _compute_partner_credit_warning(self):
        """Odoo's own warning gives way to ar_policy's banner when the policy is on."""
        res = super()._compute_partner_credit_warning()
        for move in self:
            if move.company_id.ar_enforcement_mode != "off":
                move.partner_credit_warning = ""
        return res

    def _compute_invoice_payment_term_id(self):
        """Payment terms follow the credit status when the company sets them."""
        res = super()._compute_invoice_payment_term_id()
        moves = self.filtered(
            lambda m: m.is_sale_document(include_receipts=True) and m.partner_id
            and m.state == "draft"
        )
        for company, company_moves in moves.grouped(lambda m: m.company_id.root_id).items():
            if not (company.ar_payment_term_prepayment_id or company.ar_payment_term_pilot_id
                    or company.ar_payment_term_approved_id):
                continue
            files = self.env["ar.credit.file"]._ar_files_for(company_moves.partner_id, company)
            for move in company_moves:
                file = files.get(move.partner_id.commercial_partner_id.id)
                status = file.credit_status if file else company.ar_default_credit_status
                term = company._ar_payment_term_for_status(status)
                if term:
                    move.invoice_payment_term_id = term
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if any("ar_origin" in vals for vals in vals_list):
            self._ar_check_origin_write()
        moves = super().create(vals_list)
        moves._ar_ensure_credit_files()
        return moves

    def write(self, vals):
        if "ar_origin" in vals:
            self._ar_check_origin_write()
        return super().write(vals)

    @api.model
    def _ar_check_origin_write(self):
        """A late-fee or deposit invoice skips the credit check: only the addon's code
        that issues one marks it (DESIGN 10), never a client."""
        if not is_policy_write(self.env):
            raise AccessError(self.env._(
                "Credit Policy Origin: set only on the late-fee and deposit invoices the "
                "credit policy issues itself."
            ))

    @api.depends("line_ids.ar_disputed", "line_ids.ar_dispute_reason")
    def _compute_ar_disputed(self):
        for move in self:
            disputed = move.line_ids.filtered("ar_disputed")
            move.ar_disputed = bool(disputed)
            move.ar_dispute_reason = disputed[:1].ar_dispute_reason or False

    def action_ar_resend_invoice(self):
        """'We never got the invoice': send it again at once (escalation pauses)."""
        self.env["ar.promise"]._ar_resend_invoices(self)
        return True

    def _post(self, soft=True):
        self._ar_credit_check(soft)
        self.env["ar.concentration"]._ar_check_moves(self, soft)
        return super()._post(soft)

    def action_post(self):
        try:
            return super().action_post()
        except ArCreditRefusal as refusal:
            self._ar_offer_manager_wizard(
                refusal, "ar_policy.action_ar_credit_override_wizard",
                self.env._("Post Anyway (Credit Manager)"),
            )
        except ArConcentrationRefusal as refusal:
            self._ar_offer_manager_wizard(
                refusal, "ar_policy.action_ar_concentration_confirm_wizard",
                self.env._("Confirm (Credit Manager)"),
            )

    def _ar_offer_manager_wizard(self, refusal, action_xmlid, button):
        """A credit manager gets the refusal with a button to the wizard that asks for a
        reason; anyone else gets the refusal itself."""
        if not self.env.user.has_group("ar_policy.group_credit_manager"):
            raise refusal
        action = self.env["ir.actions.actions"]._for_xml_id(action_xmlid)
        action["context"] = {"default_move_ids": self.ids}
        raise manager_override_offer(refusal, action, button) from refusal

    @api.depends("partner_id", "amount_untaxed_signed", "amount_total_signed", "state",
                 "move_type", "company_id")
    @api.depends_context("uid")
    def _compute_ar_concentration_banner(self):
        self.ar_concentration_banner = False
        for move, banner in self.env["ar.concentration"]._ar_move_banners(self).items():
            move.ar_concentration_banner = banner or False

    # ------------------------------------------------------------------
    # The credit check
    # ------------------------------------------------------------------

    def _ar_checkable(self):
        """Customer invoices the credit check looks at (DESIGN 4)."""
        return self.filtered(
            lambda m: m.move_type == "out_invoice"
            and m.state == "draft"
            and m.partner_id
            and not m.ar_origin
            and m.company_id.ar_enforcement_mode != "off"
        )

    def _ar_credit_exempt_amount(self):
        """Part of this invoice, in company currency, already checked elsewhere
        (the Sales bridge: what the confirmed order holds)."""
        self.ensure_one()
        return 0.0

    def _ar_ensure_credit_files(self):
        """A new customer gets its file at its first invoice (DESIGN 1)."""
        moves = self.filtered(lambda m: m.is_sale_document() and m.partner_id)
        for company, company_moves in moves.grouped(lambda m: m.company_id.root_id).items():
            self.env["ar.credit.file"].sudo()._ar_files_for(
                company_moves.partner_id, company, create=True
            )

    def _ar_credit_decisions(self):
        """{move: (file or None, Decision)}, cumulatively per customer in the order of
        ``self``: a fixed number of queries however many documents the customers have."""
        File = self.env["ar.credit.file"].sudo()
        result = {}
        for company, moves in self.grouped(lambda m: m.company_id.root_id).items():
            partners = moves.commercial_partner_id
            files = File._ar_files_for(partners, company)
            figures = File._ar_figures(partners, company, exclude_move_ids=moves._origin.ids)
            limits = File._ar_limits(partners, company)
            state = {}
            for partner in partners:
                file = files.get(partner.id)
                status = file.credit_status if file else company.ar_default_credit_status
                exposure = File._ar_exposure(figures[partner.id], company)
                if status == rules.PREPAYMENT:
                    exposure = dataclasses.replace(
                        exposure, net_unallocated=True, include_drafts=True
                    )
                state[partner.id] = (
                    status, bool(file and file.credit_hold), limits[partner.id], exposure.total
                )
            documents = [
                (move, move.commercial_partner_id.id,
                 abs(move.amount_total_signed) - move._ar_credit_exempt_amount())
                for move in moves
            ]
            decisions = rules.check_batch(documents, state, company.currency_id.rounding)
            decisions = moves._ar_deposit_decisions(decisions, documents, files, figures, company)
            for move in moves:
                result[move] = (files.get(move.commercial_partner_id.id), decisions[move])
        return result

    def _ar_credit_message(self, file, decision, show_amounts):
        """What the check says about this invoice; amounts only for Billing users."""
        self.ensure_one()
        partner = self.commercial_partner_id
        currency = self.company_id.currency_id
        if decision.reason == "deposit":
            return self._ar_deposit_message(decision, show_amounts)
        if decision.reason == "hold":
            return self.env._("%(customer)s is on credit hold (%(causes)s).",
                     customer=partner.display_name, causes=file.hold_causes if file else "")
        if decision.reason == "prepayment":
            if not show_amounts:
                return self.env._("%(customer)s pays in advance (prepayment only): this invoice is not "
                         "covered by its advance payments.", customer=partner.display_name)
            return self.env._(
                "%(customer)s pays in advance (prepayment only): this invoice is not covered "
                "by its advance payments. Uncovered: %(excess)s.",
                customer=partner.display_name,
                excess=format_amount(self.env, decision.excess, currency),
            )
        if not show_amounts:
            return self.env._("This invoice takes %(customer)s over its credit limit.",
                     customer=partner.display_name)
        limit = self.env["ar.credit.file"].sudo()._ar_limits(partner, self.company_id)[partner.id]
        return self.env._(
            "%(customer)s would exceed its credit limit of %(limit)s: exposure after this "
            "invoice %(exposure)s, excess %(excess)s.",
            customer=partner.display_name,
            limit=format_amount(self.env, limit, currency),
            exposure=format_amount(self.env, decision.exposure_after, currency),
            excess=format_amount(self.env, decision.excess, currency),
        )

    def _ar_credit_check(self, soft=True):
        """Refuse (block) or warn about (warn) the invoices the policy does not allow.

        Posting several invoices posts none of them when any is refused, and the
        message lists every refused one. A credit manager's override (with a reason,
        from the override wizard) posts them and is logged on invoice and file.
        """
        moves = self._ar_checkable()
        if soft:
            today = fields.Date.context_today(self)
            moves = moves.filtered(lambda m: not m.date or m.date <= today)
        if not moves:
            return
        override = self.env.context.get("ar_credit_override_reason")
        if override and not (
            self.env.su or self.env.user.has_group("ar_policy.group_credit_manager")
        ):
            raise AccessError(self.env._("Only a Credit Manager can post over the credit policy."))
        moves._ar_ensure_credit_files()
        self.env["ar.credit.file"].sudo()._ar_serialize_credit_check(moves)
        show_amounts = self.env.user.has_group("account.group_account_invoice")
        decisions = moves._ar_credit_decisions()
        refused = [
            (move, file, decision)
            for move, (file, decision) in decisions.items()
            if decision.refused
        ]
        blocked = [r for r in refused if r[0].company_id.ar_enforcement_mode == "block"
                   or r[2].reason == "deposit"]
        if blocked and not override:
            lines = []
            for move, file, decision in blocked:
                name = (move.name if move.name and move.name != "/"
                        else f"{move.display_name.strip()} (* {move.id})")
                lines.append(f"{name}: {move._ar_credit_message(file, decision, show_amounts)}")
            raise ArCreditRefusal(
                self.env._("The credit policy refuses to post:") + "\n" + "\n".join(lines)
            )
        for move, file, decision in refused:
            message = move._ar_credit_message(file, decision, True)
            if move.company_id.ar_enforcement_mode == "block" or decision.reason == "deposit":
                body = self.env._(
                    "Posted over the credit policy by %(user)s: %(message)s Reason: %(reason)s",
                    user=self.env.user.name, message=message, reason=override,
                )
                event, reason = "override", override
            else:
                body = self.env._("Posted over the credit policy (warning only): %s", message)
                event, reason = "warning", message
            move.message_post(body=body)
            if file:
                file._ar_log(event, reason=reason, cause=message if event == "override" else "",
                             move=move)
        moves._ar_deposit_posted(decisions)

    # ------------------------------------------------------------------
    # Deposits on invoices that do not come from an order
    # ------------------------------------------------------------------

    def _ar_deposit_applicable(self):
        """Invoices the deposit rules apply to (the Sales bridge leaves out invoices from
        orders: their deposit was taken on the order)."""
        return self.filtered(lambda m: m.move_type == "out_invoice" and not m.ar_origin)

    def _ar_deposit_decisions(self, decisions, documents, files, figures, company):
        """The credit ``decisions`` once each invoice's required deposit is weighed against
        the customer's unreconciled advance payments (used up in posting order)."""
        if company.ar_enforcement_mode == "off":
            return decisions
        applicable = self._ar_deposit_applicable()
        File = self.env["ar.credit.file"].sudo()
        rounding = company.currency_id.rounding
        available = {pid: fig["unallocated"] for pid, fig in figures.items()}
        result = dict(decisions)
        for move, partner_id, amount in documents:
            if move not in applicable:
                continue
            decision = decisions[move]
            requirement = files.get(partner_id, File)._ar_deposit_requirement(
                amount, company, over_limit=decision.reason == "limit", prepayment_rule=False
            )
            new = deposit_rules.apply_deposit(decision, requirement, available[partner_id], rounding)
            if getattr(new, "covered", False):
                available[partner_id] -= requirement.amount
            result[move] = new
        return result

    def _ar_deposit_message(self, decision, show_amounts):
        self.ensure_one()
        currency = self.company_id.currency_id
        reasons = self.env["ar.credit.file"]._ar_deposit_reason_text(decision)
        message = self.env._(
            "%(customer)s owes a deposit of %(amount)s (%(percent)s%%: %(reasons)s) before "
            "this invoice posts: register the advance payment first.",
            customer=self.commercial_partner_id.display_name,
            amount=format_amount(self.env, decision.required, currency),
            percent=format(decision.percent, "g"), reasons=reasons,
        )
        if show_amounts:
            message += " " + self.env._(
                "Unreconciled advance payments: %s.", format_amount(self.env, decision.paid, currency)
            )
        return message

    def _ar_deposit_posted(self, decisions):
        """A paid deposit after a release ends the restart rule for the customer."""
        for move, (file, decision) in decisions.items():
            if (file and getattr(decision, "covered", False)
                    and deposit_rules.REASON_RESTART in decision.reasons):
                file._ar_deposit_paid_clear_restart(move)
