import dataclasses

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

from ..exceptions import ArCreditRefusal
from ..guards import is_policy_write
from ..rules import deposit as deposit_rules
from .ar_concentration import ArConcentrationRefusal
from .ar_credit_check import CreditDocument, DocumentKind

INTERNAL = "base.group_user"


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
    ar_credit_note = fields.Text(compute="_compute_ar_credit_note", groups=INTERNAL)
    ar_credit_note_level = fields.Selection(
        [("danger", "Blocked"), ("warning", "Warning"), ("info", "Information")],
        compute="_compute_ar_credit_note", groups=INTERNAL,
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
        Check = self.env["ar.credit.check"]
        for move, verdict in Check._ar_verdicts(checked._ar_credit_documents()).items():
            decision = verdict.decision
            if isinstance(decision, deposit_rules.DepositDecision):
                move.ar_deposit_amount = decision.required
                move.ar_deposit_reason = Check._ar_deposit_reasons(decision)
            if decision.refused:
                move.ar_credit_banner = Check._ar_verdict_message(verdict, show_amounts)
                move.ar_credit_banner_blocking = verdict.blocking

    @api.depends("ar_credit_banner", "ar_credit_banner_blocking", "ar_deposit_amount",
                 "ar_deposit_reason", "ar_concentration_banner")
    @api.depends_context("uid")
    def _compute_ar_credit_note(self):
        """The draft invoice's one credit banner, its causes ranked as on a quotation:
        what the credit policy says (the hold with its causes, the manual reason and
        who releases it; the limit, prepayment or deposit), a deposit the advance
        payments cover, then the concentration share. Amounts only for Billing users
        (both parts word themselves for the reader)."""
        for move in self:
            lines = []
            if move.ar_credit_banner:
                lines.append(move.ar_credit_banner)
            elif move.ar_deposit_amount:
                lines.append(self.env._(
                    "Required deposit: %(amount)s (%(reason)s), covered by the customer's "
                    "advance payments.",
                    amount=format_amount(self.env, move.ar_deposit_amount,
                                         move.company_currency_id),
                    reason=move.ar_deposit_reason,
                ))
            if move.ar_concentration_banner:
                lines.append(move.ar_concentration_banner)
            move.ar_credit_note = "\n".join(lines) or False
            move.ar_credit_note_level = (
                "danger" if move.ar_credit_banner_blocking
                else "warning" if move.ar_credit_banner or move.ar_concentration_banner
                else "info" if lines else False
            )

    @api.depends("company_id.ar_enforcement_mode")
    def _compute_partner_credit_warning(self):
        """Odoo's own warning gives way to ar_policy's banner when the policy is on (and
        is not computed then: it reads the credit limit, which a salesperson may not)."""
        policed = self.filtered(lambda m: m.company_id.ar_enforcement_mode != "off")
        policed.partner_credit_warning = ""
        return super(AccountMove, self - policed)._compute_partner_credit_warning()

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
            self.env["ar.credit.check"]._ar_offer_manager_wizard(self, refusal)
        except ArConcentrationRefusal as refusal:
            self.env["ar.credit.check"]._ar_offer_manager_wizard(
                self, refusal, "ar_policy.action_ar_concentration_confirm_wizard",
                self.env._("Confirm (Credit Manager)"),
            )

    @api.depends("partner_id", "amount_untaxed_signed", "amount_total_signed", "state",
                 "move_type", "company_id")
    @api.depends_context("uid")
    def _compute_ar_concentration_banner(self):
        self.ar_concentration_banner = False
        for move, banner in self.env["ar.concentration"]._ar_move_banners(self).items():
            move.ar_concentration_banner = banner or False

    # ------------------------------------------------------------------
    # The credit check (the document's side of ar.credit.check)
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

    def _ar_credit_documents(self):
        return [
            CreditDocument(
                move, move.commercial_partner_id,
                abs(move.amount_total_signed) - move._ar_credit_exempt_amount(),
                move.company_id.root_id, move._origin.id,
            )
            for move in self._ar_checkable()
        ]

    def _ar_credit_kind(self):
        return DocumentKind(
            this=self.env._("this invoice"),
            this_first=self.env._("This invoice"),
            refuse=self.env._("The credit policy refuses to post:"),
            manager_only=self.env._("Only a Credit Manager can post over the credit policy."),
            override_note=self.env._(
                "Posted over the credit policy by %(user)s: %(message)s Reason: %(reason)s"
            ),
            warning_note=self.env._("Posted over the credit policy (warning only): %s"),
            button=self.env._("Post Anyway (Credit Manager)"),
            action="ar_policy.action_ar_credit_override_wizard",
            wizard_field="move_ids",
        )

    def _ar_credit_log_values(self, reason):
        return {"reason": reason, "move": self}

    def _ar_credit_interactive(self):
        """Refused invoices always raise (Odoo's auto-post cron handles that alone)."""
        return True

    def _ar_credit_proceed(self):
        return self.action_post()

    def _ar_credit_decisions(self):
        """{invoice: (file, decision)} of the invoices the check looks at."""
        verdicts = self.env["ar.credit.check"]._ar_verdicts(self._ar_credit_documents())
        return {move: (v.file, v.decision) for move, v in verdicts.items()}

    def _ar_credit_message(self, file, decision, show_amounts):
        """What the check says about this invoice; amounts only for Billing users."""
        self.ensure_one()
        return self.env["ar.credit.check"]._ar_message(self, file, decision, show_amounts)

    def _ar_credit_check(self, soft=True):
        """Refuse (block) or warn about (warn) the invoices the policy does not allow
        (``ar.credit.check._ar_enforce``); with ``soft``, future-dated ones wait."""
        moves = self._ar_checkable()
        if soft:
            today = fields.Date.context_today(self)
            moves = moves.filtered(lambda m: not m.date or m.date <= today)
        if moves:
            self.env["ar.credit.check"]._ar_enforce(moves)

    # ------------------------------------------------------------------
    # Deposits on invoices that do not come from an order
    # ------------------------------------------------------------------

    def _ar_deposit_applicable(self):
        """Invoices the deposit rules apply to (the Sales bridge leaves out invoices from
        orders: their deposit was taken on the order)."""
        return self.filtered(lambda m: m.move_type == "out_invoice" and not m.ar_origin)

    def _ar_credit_deposits(self, verdicts, figures, company, weigh=True):
        """The ``verdicts`` once each invoice's required deposit is weighed against the
        customer's unreconciled advance payments (used up in posting order)."""
        applicable = self._ar_deposit_applicable()
        rounding = company.currency_id.rounding
        available = {pid: fig["unallocated"] for pid, fig in figures.items()}
        result = dict(verdicts)
        for move, verdict in verdicts.items():
            if move not in applicable:
                continue
            document = verdict.document
            requirement = verdict.file._ar_deposit_requirement(
                document.amount, company, over_limit=verdict.decision.reason == "limit",
                prepayment_rule=False,
            )
            decision = verdict.decision
            if weigh:
                decision = deposit_rules.apply_deposit(
                    decision, requirement, available[document.partner.id], rounding
                )
                if getattr(decision, "covered", False):
                    available[document.partner.id] -= requirement.amount
            result[move] = dataclasses.replace(
                verdict, decision=decision, requirement=requirement
            )
        return result

    def _ar_deposit_message(self, decision, show_amounts):
        self.ensure_one()
        currency = self.company_id.currency_id
        reasons = self.env["ar.credit.check"]._ar_deposit_reasons(decision)
        message = self.env._(
            "%(customer)s owes a deposit of %(amount)s (%(percent)s%% of the invoice: "
            "%(reasons)s) before this invoice posts: register the customer's advance "
            "payment first.",
            customer=self.commercial_partner_id.display_name,
            amount=format_amount(self.env, decision.required, currency),
            percent=format(decision.percent, "g"), reasons=reasons,
        )
        if show_amounts:
            message += " " + self.env._(
                "Unreconciled advance payments: %s.", format_amount(self.env, decision.paid, currency)
            )
        return message
