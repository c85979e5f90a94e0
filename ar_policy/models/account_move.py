import dataclasses

from odoo import api, fields, models
from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tools import format_amount

from ..rules import credit as rules


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
        index="btree_not_null",
        help="Documents the credit policy makes itself are never refused by the credit "
        "check (they count in exposure once posted).",
    )
    ar_credit_banner = fields.Text(compute="_compute_ar_credit_banner")
    ar_credit_banner_blocking = fields.Boolean(compute="_compute_ar_credit_banner")

    @api.depends(
        "partner_id", "amount_total_signed", "currency_id", "state", "move_type", "company_id"
    )
    def _compute_ar_credit_banner(self):
        self.ar_credit_banner = False
        self.ar_credit_banner_blocking = False
        checked = self._ar_checkable()
        if not checked:
            return
        show_amounts = self.env.user.has_group("account.group_account_invoice")
        for move, (file, decision) in checked._ar_credit_decisions().items():
            if decision.refused:
                move.ar_credit_banner = move._ar_credit_message(file, decision, show_amounts)
                move.ar_credit_banner_blocking = move.company_id.ar_enforcement_mode == "block"

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
        moves = super().create(vals_list)
        moves._ar_ensure_credit_files()
        return moves

    def _post(self, soft=True):
        self._ar_credit_check(soft)
        return super()._post(soft)

    def action_post(self):
        try:
            return super().action_post()
        except ArCreditRefusal as refusal:
            if not self.env.user.has_group("ar_policy.group_credit_manager"):
                raise
            action = self.env["ir.actions.actions"]._for_xml_id(
                "ar_policy.action_ar_credit_override_wizard"
            )
            action["context"] = {"default_move_ids": self.ids}
            raise RedirectWarning(
                refusal.args[0], action, self.env._("Post Anyway (Credit Manager)")
            ) from refusal

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
            for move in moves:
                result[move] = (files.get(move.commercial_partner_id.id), decisions[move])
        return result

    def _ar_credit_message(self, file, decision, show_amounts):
        """What the check says about this invoice; amounts only for Billing users."""
        self.ensure_one()
        partner = self.commercial_partner_id
        currency = self.company_id.currency_id
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
        show_amounts = self.env.user.has_group("account.group_account_invoice")
        refused = [
            (move, file, decision)
            for move, (file, decision) in moves._ar_credit_decisions().items()
            if decision.refused
        ]
        blocked = [r for r in refused if r[0].company_id.ar_enforcement_mode == "block"]
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
            if move.company_id.ar_enforcement_mode == "block":
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
