import dataclasses
import logging
import threading
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, format_amount, formatLang

from ..guards import as_scheduler, is_policy_write, is_scheduler, policy_write
from ..rules import credit as rules
from ..rules import deposit as deposit_rules
from ..rules import fees as fee_rules
from .res_company import CREDIT_STATUSES, DEPOSIT_POLICIES

_logger = logging.getLogger(__name__)

HOLD_CAUSE_FIELDS = {
    rules.CAUSE_OVERDUE: "hold_cause_overdue",
    rules.CAUSE_STAGE: "hold_cause_stage",
    rules.CAUSE_MANUAL: "hold_cause_manual",
}
# Fields only a credit manager changes, through a wizard that asks for a reason, or the
# addon's own runs (holds, reviews, the escalation ladder).
MANAGED_FIELDS = {
    "credit_status",
    "review_date",
    "credit_hold",
    "hold_cause_overdue",
    "hold_cause_stage",
    "hold_cause_manual",
    "hold_released_on",
    "hold_since",
    "hold_reason",
    "review_activity_date",
    "escalation_stage_id",
    "handover",
    "pilot_start_date",
    "pilot_steps_granted",
    "concentration_level",
    "partner_id",
    "company_id",
    "deposit_policy",
    "deposit_percent",
    "deposit_min_amount",
    "deposit_after_release",
    "stage_deposit_percent",
}
BILLING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class ArCreditFile(models.Model):
    """A customer's credit file in one company (DESIGN 1).

    ``res.partner`` is shared between companies; everything company-specific about
    a customer's credit lives here, with its own chatter and record rules.
    """

    _name = "ar.credit.file"
    _description = "Customer Credit File"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "credit_hold desc, partner_id"
    _check_company_auto = True
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True,
        default=lambda self: self.env.company.root_id,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    credit_status = fields.Selection(
        CREDIT_STATUSES, required=True, default="approved", tracking=True, readonly=True
    )
    credit_hold = fields.Boolean(string="On Credit Hold", readonly=True, tracking=True, index=True)
    hold_cause_overdue = fields.Boolean(string="Overdue Policy", readonly=True)
    hold_cause_stage = fields.Boolean(string="Escalation Stage", readonly=True)
    hold_cause_manual = fields.Boolean(string="Manual Hold", readonly=True)
    hold_causes = fields.Char(compute="_compute_hold_causes")
    hold_since = fields.Date(readonly=True)
    hold_reason = fields.Text(string="Manual Hold Reason", readonly=True)
    hold_released_on = fields.Date(
        readonly=True,
        help="Date of the last manual release: the automatic causes stay lifted until "
        "an item that falls due after it is overdue.",
    )
    review_date = fields.Date(string="Next Review", tracking=True, readonly=True)
    review_activity_date = fields.Date(readonly=True, copy=False)
    collector_id = fields.Many2one(
        "res.users", tracking=True,
        default=lambda self: self.env.company.ar_default_collector_id,
    )
    pilot_start_date = fields.Date(readonly=True)
    pilot_steps_granted = fields.Integer(readonly=True)
    deposit_policy = fields.Selection(
        DEPOSIT_POLICIES, default="none", readonly=True, tracking=True,
        help="The customer's own deposit: none, a percentage, or full prepayment.",
    )
    deposit_percent = fields.Float(string="Deposit (%)", readonly=True, tracking=True)
    deposit_min_amount = fields.Monetary(
        string="Deposit Above", currency_field="currency_id", readonly=True,
        help="The deposit policy applies only to documents above this amount, tax "
        "included. 0: every document.",
    )
    deposit_after_release = fields.Boolean(
        string="Released From Hold", readonly=True,
        help="Set when a hold is lifted: the company's restart deposit applies until an "
        "order whose deposit is paid.",
    )
    stage_deposit_percent = fields.Float(
        string="Escalation Stage Deposit (%)", readonly=True,
        help="Set by the escalation ladder when the customer reaches a stage that requires "
        "a deposit. 0: none.",
    )
    concentration_level = fields.Selection(
        [("ok", "Below the thresholds"), ("warning", "Above the warning share"),
         ("critical", "Above the critical share")],
        string="Concentration Notified", default="ok", readonly=True, copy=False,
        help="Last concentration level the credit manager was told about: a crossing "
        "upward is notified once.",
    )
    note = fields.Html()
    log_ids = fields.One2many("ar.credit.log", "file_id", string="History")
    escalation_policy_id = fields.Many2one(
        "ar.escalation.policy", tracking=True, check_company=True,
        help="Overrides the company's default escalation policy for this customer.",
    )
    escalation_exempt = fields.Boolean(
        string="Exempt from Escalation", tracking=True,
        help="The escalation run leaves this customer alone (e.g. intercompany).",
    )
    escalation_exempt_reason = fields.Char(string="Exemption Reason", tracking=True)
    fees_allowed = fields.Boolean(
        string="Late Fees Allowed", tracking=True,
        default=lambda self: self.env.company.root_id.ar_fees_allowed_default,
        help="Whether escalation stages may charge this customer late fees and interest.",
    )
    escalation_stage_id = fields.Many2one(
        "ar.escalation.stage", string="Current Stage", readonly=True, index=True,
        ondelete="set null", help="Highest stage among the customer's open items.",
    )
    handover = fields.Boolean(
        string="Handed Over", readonly=True, tracking=True,
        help="Items were handed over to a collection agency or to legal.",
    )
    escalation_history_ids = fields.One2many("ar.escalation.history", "file_id")
    promise_ids = fields.One2many("ar.promise", "file_id", string="Promises to Pay")

    credit_limit = fields.Monetary(
        compute="_compute_figures", currency_field="currency_id", groups=BILLING_GROUPS
    )
    exposure_receivable = fields.Monetary(
        string="Open Receivables", compute="_compute_figures", groups=BILLING_GROUPS
    )
    exposure_drafts = fields.Monetary(
        string="Draft Invoices", compute="_compute_figures", groups=BILLING_GROUPS
    )
    exposure_orders = fields.Monetary(
        string="Orders Not Invoiced", compute="_compute_figures", groups=BILLING_GROUPS
    )
    exposure_unallocated = fields.Monetary(
        string="Unallocated Credits", compute="_compute_figures", groups=BILLING_GROUPS,
        help="Customer payments and credit notes not yet matched with an invoice.",
    )
    exposure = fields.Monetary(compute="_compute_figures", groups=BILLING_GROUPS)
    headroom = fields.Monetary(
        compute="_compute_figures", groups=BILLING_GROUPS,
        help="Limit less exposure; empty when the customer has no limit.",
    )
    has_limit = fields.Boolean(compute="_compute_figures", groups=BILLING_GROUPS)
    overdue_amount = fields.Monetary(
        compute="_compute_figures", groups=BILLING_GROUPS,
        help="Overdue items, less unallocated payments and credit notes, less items "
        "disputed or under a promise to pay.",
    )
    oldest_overdue_days = fields.Integer(compute="_compute_figures", groups=BILLING_GROUPS)
    balance = fields.Monetary(
        compute="_compute_figures", groups=BILLING_GROUPS,
        help="Every open item less every open credit: what the customer's reminders and "
        "letters state as the total balance.",
    )

    _sql_constraints = [
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "A customer has one credit file per company.",
        ),
    ]

    @api.depends("hold_cause_overdue", "hold_cause_stage", "hold_cause_manual")
    def _compute_hold_causes(self):
        labels = self._hold_cause_labels()
        for file in self:
            file.hold_causes = ", ".join(
                labels[cause] for cause, fname in HOLD_CAUSE_FIELDS.items() if file[fname]
            )

    @api.depends_context("ar_figures_date")
    def _compute_figures(self):
        for company, files in self.grouped("company_id").items():
            figures = self._ar_figures(files.partner_id, company)
            limits = self._ar_limits(files.partner_id, company)
            for file in files:
                fig = figures[file.partner_id.id]
                exposure = self._ar_exposure(fig, company)
                limit = limits[file.partner_id.id]
                file.credit_limit = limit
                file.has_limit = bool(limit)
                file.exposure_receivable = fig["receivable"]
                file.exposure_drafts = fig["drafts"]
                file.exposure_orders = fig["orders"]
                file.exposure_unallocated = fig["unallocated"]
                file.exposure = exposure.total
                file.headroom = rules.headroom(limit, exposure.total) or 0.0
                file.overdue_amount = self._ar_overdue(fig)
                file.oldest_overdue_days = fig["position"].oldest_overdue_days
                file.balance = fig["balance"]

    @api.constrains("deposit_percent", "deposit_min_amount", "stage_deposit_percent")
    def _check_deposit_values(self):
        for file in self:
            if not deposit_rules.check_percent(file.deposit_percent):
                raise ValidationError(self.env._("Deposit (%) must be between 0 and 100."))
            if not deposit_rules.check_percent(file.stage_deposit_percent):
                raise ValidationError(
                    self.env._("Escalation Stage Deposit (%) must be between 0 and 100.")
                )
            if file.deposit_min_amount < 0:
                raise ValidationError(self.env._("Deposit Above cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        self._ar_check_managed(set().union(*(vals.keys() for vals in vals_list)))
        return super().create(vals_list)

    def write(self, vals):
        self._ar_check_managed(set(vals))
        return super().write(vals)

    def _ar_check_managed(self, fnames):
        """Managed fields change through the manager's wizards and the addon's runs,
        which mark their environment (DESIGN 10); a direct write is refused, whatever
        context the client sends."""
        if fnames & MANAGED_FIELDS and not self.env.su and not is_policy_write(self.env):
            raise AccessError(self.env._(
                "Credit status, review date and holds are changed by a credit manager "
                "through the credit file's actions, with a reason."
            ))

    @api.model
    def _hold_cause_labels(self):
        return {
            rules.CAUSE_OVERDUE: self.env._("Overdue policy"),
            rules.CAUSE_STAGE: self.env._("Escalation stage"),
            rules.CAUSE_MANUAL: self.env._("Manual"),
        }

    def _hold_cause_set(self):
        self.ensure_one()
        return {cause for cause, fname in HOLD_CAUSE_FIELDS.items() if self[fname]}

    # ------------------------------------------------------------------
    # Figures, read in bulk
    # ------------------------------------------------------------------

    @api.model
    def _ar_company_ids(self, company):
        """The root company and its branches: a file covers them all."""
        return self.env["res.company"].sudo().search([("id", "child_of", company.root_id.id)]).ids

    @api.model
    def _ar_figures(self, partners, company, exclude_move_ids=(), today=None):
        """Figures of commercial entities ``partners`` in ``company``, in company currency:
        a dict per partner read from its account position (``ar.account.position``).

        Keys: receivable, unallocated (open credits), drafts, orders, overdue_gross
        (every overdue item), overdue_excluded (overdue items out of the overdue figure:
        disputed, promised, issued by the policy today), overdue (DESIGN 2's net figure),
        balance, not_yet_due, oldest_due and newest_due (of the overdue items that
        count), and position (the ``rules.position.Position`` itself).
        """
        positions = self.env["ar.account.position"]._ar_positions(
            partners, company, today=today, exclude_move_ids=exclude_move_ids
        )
        return {
            pid: dict(
                receivable=position.receivable,
                unallocated=position.credits_total,
                drafts=position.drafts_company,
                orders=position.orders_company,
                overdue_gross=position.overdue_gross,
                overdue_excluded=position.overdue_excluded,
                overdue=position.overdue_net,
                balance=position.balance,
                not_yet_due=position.not_yet_due,
                oldest_due=position.oldest_overdue_due,
                newest_due=position.newest_overdue_due,
                position=position,
            )
            for pid, position in positions.items()
        }

    @api.model
    def _ar_figures_orders(self, partners, company, today):
        """Confirmed orders not yet invoiced, per commercial entity (Sales bridge)."""
        return {}

    def _ar_escalation_pre_run(self, today):
        """Before the escalation run evaluates these files: promises kept or broken
        (a broken one's items escalate in this run), in bulk for the batch."""
        self.env["ar.promise"].sudo()._ar_check_promises(self, today)

    def _ar_escalation_charge_fees(self, fee_items, today):
        """Late fees and interest for the items that reached a fee stage today.

        ``fee_items``: list of (account.move.line, ar.escalation.stage) of this one
        file (``self``, a single record). Returns ``{line id: fee account.move}`` for
        the items charged; the run writes one 'fee' history row per fee invoice, with
        its items and stage, and marks the items' stage itself.

        One posted fee invoice per currency (DESIGN 5 and 7), one line per item; the
        items' charged amount and interest date are written in the same transaction.
        Nothing for a file that disallows fees, nor on a fee invoice's own items.
        """
        self.ensure_one()
        items = [
            (line, stage) for line, stage in fee_items
            if stage.action_fee and stage.fee_product_id and line.move_id.ar_origin != "late_fee"
        ]
        if not self.fees_allowed or not items:
            return {}
        company = self.company_id
        Line = self.env["account.move.line"]
        invoices = Line.union(*(line for line, _stage in items)).move_id
        charged = defaultdict(float, {
            move.id: amount for move, amount in Line._read_group(
                [("move_id", "in", invoices.ids), ("display_type", "=", "payment_term")],
                ["move_id"], ["ar_fees_charged:sum"],
            )
        })
        groups = defaultdict(list)
        for line, stage in items:
            currency, invoice = line.currency_id, line.move_id
            fixed = stage.fee_fixed and company.currency_id._convert(
                stage.fee_fixed, currency, line.company_id, today
            )
            days = stage.interest_rate and fee_rules.interest_days(
                line.date_maturity, line.ar_interest_date, today
            )
            charge = fee_rules.fee_amount(
                line.amount_residual_currency, fixed=fixed, percent=stage.fee_percent,
                rate=stage.interest_rate, days=days, already_charged=charged[invoice.id],
                cap=fee_rules.cap_amount(
                    invoice.amount_total, company.ar_fee_cap_percent, currency.rounding
                ),
                rounding=currency.rounding,
            )
            charged[invoice.id] += charge.total
            if stage.interest_rate:
                line._ar_write_policy_fields({"ar_interest_date": today})
            if not currency.is_zero(charge.total):
                groups[line.company_id, currency].append((line, stage, charge))
        result = {}
        for (inv_company, currency), charges in groups.items():
            fee_move = self._ar_fee_invoice(inv_company, currency, charges, today)
            for line, _stage, charge in charges:
                line._ar_write_policy_fields({
                    "ar_fees_charged": currency.round(line.ar_fees_charged + charge.total),
                })
                result[line.id] = fee_move
        return result

    def _ar_fee_invoice(self, company, currency, charges, today):
        """The posted late-fee invoice of ``charges`` [(item, stage, FeeCharge)]."""
        journal = self.env["account.journal"].search([
            *self.env["account.journal"]._check_company_domain(company), ("type", "=", "sale"),
        ], limit=1)
        if not journal:
            raise UserError(self.env._(
                "Late fees: company %s has no sales journal.", company.display_name
            ))
        Move = self.env["account.move"].with_company(company)
        fee_move = policy_write(Move).create({
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "journal_id": journal.id,
            "currency_id": currency.id,
            "invoice_date": today,
            "ar_origin": "late_fee",
            "invoice_origin": ", ".join(dict.fromkeys(line.move_id.name for line, *_ in charges)),
            "invoice_line_ids": [fields.Command.create({
                "product_id": stage.fee_product_id.id,
                "name": self._ar_fee_description(line, stage, charge, today),
                "quantity": 1.0,
                "price_unit": charge.total,
                "ar_fee_item_id": line.id,
            }) for line, stage, charge in charges],
        })
        fee_move = Move.browse(fee_move.id)  # the mark stays on this path only
        fee_move.action_post()
        return fee_move

    def _ar_fee_description(self, line, stage, charge, today):
        """What the customer reads on the fee invoice line for one item."""
        digits = line.currency_id.decimal_places
        parts = [self.env._(
            "Late fee for %(invoice)s (%(days)s days late)",
            invoice=line.move_id.name, days=(today - line.date_maturity).days,
        )]
        if not line.currency_id.is_zero(charge.interest):
            parts.append(self.env._(
                "Interest %(rate)s%% on %(amount)s for %(days)s days",
                rate=formatLang(self.env, stage.interest_rate, digits=2),
                amount=formatLang(self.env, line.amount_residual_currency, digits=digits),
                days=charge.interest_days,
            ))
        if charge.capped:
            parts.append(self.env._(
                "Capped at %s%% of the invoice",
                formatLang(self.env, self.company_id.ar_fee_cap_percent, digits=2),
            ))
        return "\n".join(parts)

    @api.model
    def _ar_to_company_currency(self, amount, currency_id, company, date):
        currency = self.env["res.currency"].browse(currency_id)
        if not currency_id or currency == company.currency_id:
            return amount
        return currency._convert(amount, company.currency_id, company, date)

    @api.model
    def _ar_exposure(self, fig, company):
        return rules.Exposure(
            receivable=fig["receivable"],
            unallocated=fig["unallocated"],
            drafts=fig["drafts"],
            orders=fig["orders"],
            include_drafts=company.ar_exposure_include_drafts,
            net_unallocated=company.ar_exposure_net_unallocated,
        )

    @api.model
    def _ar_overdue(self, fig):
        """DESIGN 2's one overdue figure, as the position computes it."""
        return fig["overdue"]

    @api.model
    def _ar_limits(self, partners, company):
        """Odoo's own company-dependent limit of each partner (0 = no limit)."""
        partners = partners.with_company(company.root_id).sudo()
        return {partner.id: partner.credit_limit or 0.0 for partner in partners}

    # ------------------------------------------------------------------
    # Files: creation and lookup
    # ------------------------------------------------------------------

    @api.model
    def _ar_create_missing_files(self, companies):
        """One file per commercial customer per root company, in one INSERT."""
        companies = companies.filtered(lambda c: not c.parent_id)
        if not companies:
            return
        self.env["res.partner"].flush_model()
        self.env["res.company"].flush_model()
        self.env.execute_query(SQL(
            """
            INSERT INTO ar_credit_file (partner_id, company_id, credit_status, credit_hold,
                                        collector_id, deposit_policy, deposit_percent,
                                        deposit_min_amount, create_uid, create_date, write_uid,
                                        write_date)
            SELECT p.id, c.id, 'approved', FALSE, COALESCE(p.user_id, c.ar_default_collector_id),
                   COALESCE(c.ar_default_deposit_policy, 'none'),
                   COALESCE(c.ar_default_deposit_percent, 0),
                   COALESCE(c.ar_default_deposit_min_amount, 0),
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM res_partner p
              JOIN res_company c ON c.id IN %(company_ids)s
              LEFT JOIN res_company pc ON pc.id = p.company_id
             WHERE p.id = p.commercial_partner_id
               AND p.customer_rank > 0
               AND (p.company_id IS NULL OR pc.parent_path LIKE c.parent_path || %(any)s)
            ON CONFLICT DO NOTHING
            """,
            uid=self.env.uid, company_ids=tuple(companies.ids), any="%",
        ))
        self.invalidate_model()

    @api.model
    def _ar_files_for(self, partners, company, create=False):
        """{commercial partner id: file} for ``partners`` in ``company``'s root."""
        company = company.root_id
        commercial = partners.commercial_partner_id
        files = self.sudo().search([
            ("partner_id", "in", commercial.ids), ("company_id", "=", company.id),
        ])
        by_partner = {file.partner_id.id: file for file in files}
        missing = commercial.filtered(lambda p: p.id not in by_partner)
        if create and missing:
            for file in self._ar_create_new_customer_files(missing, company):
                by_partner[file.partner_id.id] = file
        return by_partner

    @api.model
    def _ar_create_new_customer_files(self, partners, company):
        """Files for customers met for the first time: the company's default status."""
        status = company.ar_default_credit_status
        files = policy_write(self.sudo()).create([{
            "partner_id": partner.id,
            "company_id": company.id,
            "credit_status": status,
            "collector_id": (partner.user_id or company.ar_default_collector_id).id,
            "deposit_policy": company.ar_default_deposit_policy or "none",
            "deposit_percent": company.ar_default_deposit_percent,
            "deposit_min_amount": company.ar_default_deposit_min_amount,
        } for partner in partners]).with_env(self.sudo().env)  # the mark stays here
        if status == "pilot":
            files._ar_start_pilot(self.env._("New customer"))
        elif status != "approved":
            files._ar_log("status", old_value="", new_value=status,
                          reason=self.env._("Company default status for new customers"))
        return files

    # ------------------------------------------------------------------
    # Changes, always logged
    # ------------------------------------------------------------------

    def _ar_log(self, event, reason="", cause="", old_value="", new_value="", move=None,
                chatter=True):
        """One history line per file (and a chatter note); user empty for the scheduler."""
        self._ar_log_many([
            dict(file=file, event=event, reason=reason, cause=cause, old_value=old_value,
                 new_value=new_value, move=move)
            for file in self
        ], chatter=chatter)

    @api.model
    def _ar_log_many(self, entries, chatter=True):
        """History lines and chatter notes for many files in a few queries.

        ``entries``: dicts with file, event and optionally reason, cause, old_value,
        new_value, move.
        """
        if not entries:
            return
        by_scheduler = is_scheduler(self.env)
        user = self.env["res.users"] if by_scheduler else self.env.user
        self.env["ar.credit.log"].sudo().create([{
            "file_id": entry["file"].id,
            "company_id": entry["file"].company_id.id,
            "event": entry["event"],
            "cause": entry.get("cause") or "",
            "old_value": entry.get("old_value") or "",
            "new_value": entry.get("new_value") or "",
            "reason": entry.get("reason") or "",
            "user_id": user.id,
            "by_scheduler": by_scheduler,
            "move_id": entry["move"].id if entry.get("move") else False,
        } for entry in entries])
        if not chatter:
            return
        labels = dict(self.env["ar.credit.log"]._fields["event"]._description_selection(self.env))
        bodies = defaultdict(Markup)
        for entry in entries:
            parts = [labels[entry["event"]]]
            if entry.get("cause"):
                parts.append(entry["cause"])
            if entry.get("old_value") or entry.get("new_value"):
                parts.append(f"{entry.get('old_value') or '-'} → {entry.get('new_value') or '-'}")
            body = Markup("<p><b>%s</b>") % " · ".join(parts)
            if entry.get("reason"):
                body += Markup("<br/>%s") % entry["reason"]
            if entry.get("move"):
                body += Markup("<br/>") + entry["move"]._get_html_link()
            bodies[entry["file"].id] += body + Markup("</p>")
        self._ar_log_notes(bodies)

    @api.model
    def _ar_log_notes(self, bodies):
        """Chatter notes on many files, {file id: Markup}, in one batch: written by the
        system (OdooBot) when the scheduler acts, else by the current user."""
        if not bodies:
            return
        files = self.sudo().browse(list(bodies))
        if is_scheduler(self.env):
            files = files.with_user(self.env.ref("base.user_root"))
        files._message_log_batch(bodies=dict(bodies), message_type="notification")

    def _ar_check_manager(self):
        if not self.env.su and not self.env.user.has_group("ar_policy.group_credit_manager"):
            raise AccessError(self.env._("Only a Credit Manager can do this."))

    @api.model
    def _ar_require_reason(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Reason: explain why, it is kept on the credit file."))

    def _ar_set_limit(self, limit, reason):
        self._ar_check_manager()
        if limit < 0:
            raise ValidationError(self.env._("Credit Limit cannot be negative."))
        for file in self:
            partner = file.partner_id.with_company(file.company_id)
            old = partner.sudo().credit_limit
            if file.currency_id.compare_amounts(old, limit) == 0:
                continue
            policy_write(partner.sudo()).credit_limit = limit
            file.invalidate_recordset(["credit_limit", "has_limit", "headroom"])
            file._ar_log(
                "limit", reason=reason,
                old_value=format_amount(self.env, old, file.currency_id) if old else self.env._("No limit"),
                new_value=(
                    format_amount(self.env, limit, file.currency_id) if limit else self.env._("No limit")
                ),
            )

    def _ar_set_status(self, status, reason):
        self._ar_check_manager()
        labels = dict(CREDIT_STATUSES)
        for file in self.filtered(lambda f: f.credit_status != status):
            old = file.credit_status
            policy_write(file.sudo()).credit_status = status
            file._ar_log("status", reason=reason, old_value=labels[old], new_value=labels[status],
                         chatter=True)
            if status == "pilot":
                file._ar_start_pilot(reason)

    def _ar_set_review_date(self, review_date, reason):
        self._ar_check_manager()
        for file in self.filtered(lambda f: f.review_date != review_date):
            old = file.review_date
            policy_write(file.sudo()).review_date = review_date
            file._ar_log("review", reason=reason, old_value=str(old or ""),
                         new_value=str(review_date or ""))

    def _ar_start_pilot(self, reason):
        """A pilot starts at the company's starting limit and grows from today."""
        today = fields.Date.context_today(self)
        for file in self:
            policy_write(file.sudo()).write({
                "credit_status": "pilot",
                "pilot_start_date": today,
                "pilot_steps_granted": 0,
            })
            file.sudo()._ar_set_limit(file.company_id.ar_pilot_start_limit, reason)

    def _ar_set_manual_hold(self, reason):
        self._ar_check_manager()
        self._ar_require_reason(reason)
        today = fields.Date.context_today(self)
        for file in self.filtered(lambda f: not f.hold_cause_manual):
            policy_write(file.sudo()).write({
                "hold_cause_manual": True,
                "credit_hold": True,
                "hold_reason": reason,
                "hold_since": file.hold_since or today,
            })
            file._ar_log("hold", reason=reason,
                         cause=self._hold_cause_labels()[rules.CAUSE_MANUAL])

    def _ar_release_hold(self, reason):
        """A credit manager lifts every cause; automatic ones stay lifted until a new
        item falls due after the release (DESIGN 2)."""
        self._ar_check_manager()
        self._ar_require_reason(reason)
        today = fields.Date.context_today(self)
        labels = self._hold_cause_labels()
        for file in self.filtered("credit_hold"):
            causes = ", ".join(labels[c] for c in sorted(file._hold_cause_set()))
            policy_write(file.sudo()).write({
                "hold_cause_manual": False,
                "hold_cause_overdue": False,
                "hold_cause_stage": False,
                "credit_hold": False,
                "hold_reason": False,
                "hold_since": False,
                "hold_released_on": today,
                "deposit_after_release": True,
            })
            file._ar_log("release", reason=reason, cause=causes)

    # ------------------------------------------------------------------
    # Deposits (the deposits issue; the Sales bridge uses them for orders)
    # ------------------------------------------------------------------

    def _ar_set_deposit_policy(self, policy, percent, min_amount, reason):
        """A credit manager sets the customer's own deposit policy, with a reason."""
        self._ar_check_manager()
        self._ar_require_reason(reason)
        if not deposit_rules.check_percent(percent or 0.0):
            raise ValidationError(self.env._("Deposit (%) must be between 0 and 100."))
        if (min_amount or 0.0) < 0:
            raise ValidationError(self.env._("Deposit Above cannot be negative."))
        labels = dict(DEPOSIT_POLICIES)
        for file in self:
            old = file._ar_deposit_policy_text(labels)
            policy_write(file.sudo()).write({
                "deposit_policy": policy or "none",
                "deposit_percent": percent if policy == "percent" else 0.0,
                "deposit_min_amount": min_amount or 0.0,
            })
            new = file._ar_deposit_policy_text(labels)
            if new != old:
                file._ar_log("deposit", reason=reason, old_value=old, new_value=new)

    def _ar_deposit_policy_text(self, labels):
        self.ensure_one()
        text = labels.get(self.deposit_policy or "none", "")
        if self.deposit_policy == "percent":
            text = f"{text} {self.deposit_percent:g}%"
        if self.deposit_policy in ("percent", "full") and self.deposit_min_amount:
            text += self.env._(" above %s", format_amount(self.env, self.deposit_min_amount,
                                                          self.currency_id))
        return text

    @api.model
    def _ar_deposit_risk(self, company):
        """The company's risk rules, or None when its credit enforcement is off."""
        if company.ar_enforcement_mode == "off":
            return None
        return deposit_rules.RiskSettings(
            prepayment=company.ar_deposit_prepayment_percent,
            pilot=company.ar_deposit_pilot_percent,
            limit=company.ar_deposit_limit_percent,
            hold=company.ar_deposit_hold_percent,
            restart=company.ar_deposit_restart_percent,
        )

    def _ar_deposit_requirement(self, amount, company, over_limit=False, prepayment_rule=True):
        """The deposit a document of ``amount`` (company currency, tax included) needs
        from this file's customer; an empty file gets the company's defaults.

        ``prepayment_rule``: False for invoices, where the credit check already wants a
        prepayment-only customer's invoice covered by its advance payments."""
        company = company.root_id
        file = self[:1]
        if file:
            own = (file.deposit_policy, file.deposit_percent, file.deposit_min_amount)
            status, on_hold = file.credit_status, file.credit_hold
        else:
            own = (company.ar_default_deposit_policy, company.ar_default_deposit_percent,
                   company.ar_default_deposit_min_amount)
            status, on_hold = company.ar_default_credit_status, False
        risk = self._ar_deposit_risk(company)
        if risk and not prepayment_rule:
            risk = dataclasses.replace(risk, prepayment=0.0)
        return deposit_rules.required_deposit(
            amount, policy=own[0], percent=own[1], min_amount=own[2], status=status,
            on_hold=on_hold, over_limit=over_limit,
            stage_percent=file.stage_deposit_percent if file else 0.0,
            restart=bool(file and file.deposit_after_release),
            risk=risk, rounding=company.currency_id.rounding,
        )

    @api.model
    def _ar_deposit_reason_text(self, requirement):
        """Why a deposit is required, in words (no amounts behind exposure)."""
        labels = {
            deposit_rules.REASON_POLICY: self.env._("the customer's deposit policy"),
            deposit_rules.REASON_PREPAYMENT: self.env._("prepayment only"),
            deposit_rules.REASON_PILOT: self.env._("pilot customer"),
            deposit_rules.REASON_LIMIT: self.env._("over the credit limit"),
            deposit_rules.REASON_HOLD: self.env._("on credit hold"),
            deposit_rules.REASON_STAGE: self.env._("escalation stage"),
            deposit_rules.REASON_RESTART: self.env._("released from a credit hold"),
        }
        return ", ".join(labels[r] for r in requirement.reasons)

    def _ar_deposit_paid_clear_restart(self, document):
        """The first document whose deposit is paid after a release ends the restart rule."""
        files = self.filtered("deposit_after_release")
        if files:
            policy_write(files.sudo()).deposit_after_release = False
            files._ar_log("deposit", reason=self.env._("Deposit paid on %s", document.display_name),
                          cause=self.env._("Released from a credit hold"),
                          old_value=self.env._("Restart deposit"), new_value="-")

    # ------------------------------------------------------------------
    # Automatic hold
    # ------------------------------------------------------------------

    def _ar_automatic_causes(self, fig, company, today):
        """Automatic causes that hold this file today (the escalation issue adds the
        stage cause by extending this)."""
        self.ensure_one()
        oldest = fig["oldest_due"]
        held = rules.overdue_hold(
            self._ar_overdue(fig),
            (today - oldest).days if oldest else 0,
            company.ar_hold_overdue_amount,
            company.ar_hold_overdue_days,
            released_on=self.hold_released_on,
            newest_overdue_due=fig["newest_due"],
            rounding=company.currency_id.rounding,
        )
        return {rules.CAUSE_OVERDUE} if held else set()

    def _ar_refresh_holds(self):
        """Re-evaluate the automatic causes of these files, in bulk per company.

        State-based, so running it twice, or again after an interruption, changes
        nothing more. Returns the number of files whose hold changed.
        """
        changed = 0
        labels = self._hold_cause_labels()
        for company, files in self.sudo().grouped("company_id").items():
            today = fields.Date.context_today(self.with_company(company))
            figures = self._ar_figures(files.partner_id, company)
            updates = defaultdict(lambda: self.browse())
            logs = []
            for file in files:
                current = file._hold_cause_set()
                automatic = file._ar_automatic_causes(figures[file.partner_id.id], company, today)
                new = rules.hold_changes(current, automatic)
                if new == current:
                    continue
                values = {fname: cause in new for cause, fname in HOLD_CAUSE_FIELDS.items()}
                values["credit_hold"] = bool(new)
                if current and not new:
                    values["deposit_after_release"] = True
                values["hold_since"] = (file.hold_since or today) if new else False
                key = tuple(sorted(values.items()))
                updates[key] |= file
                added = ", ".join(labels[c] for c in sorted(new - current))
                lifted = ", ".join(labels[c] for c in sorted(current - new))
                if added:
                    logs.append((file, "hold", added))
                if lifted:
                    logs.append((file, "release", lifted))
            for key, group in updates.items():
                policy_write(group).with_context(tracking_disable=True).write(dict(key))
                changed += len(group)
            entries = []
            for file, event, causes in logs:
                fig = figures[file.partner_id.id]
                oldest = fig["oldest_due"]
                reason = self.env._(
                    "Overdue: %(amount)s, oldest item %(days)s days late",
                    amount=format_amount(self.env, file._ar_overdue(fig), company.currency_id),
                    days=(today - oldest).days if oldest else 0,
                )
                entries.append(dict(file=file, event=event, reason=reason, cause=causes))
            self._ar_log_many(entries)
        return changed

    @api.model
    def _ar_refresh_holds_for_partners(self, partners, companies):
        """At once when a payment is reconciled, for the customers it touches."""
        for company in companies.root_id:
            if not (company.ar_hold_overdue_amount or company.ar_hold_overdue_days):
                continue
            files = self.sudo().search([
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("company_id", "=", company.id),
            ])
            as_scheduler(files, False)._ar_refresh_holds()

    @api.model
    def _cron_refresh_holds(self, batch_size=1000):
        """Nightly: automatic hold causes for every file, in batches with a commit each."""
        files = self.sudo().search([
            "|", ("company_id.ar_hold_overdue_amount", ">", 0),
            "|", ("company_id.ar_hold_overdue_days", ">", 0),
            ("hold_cause_overdue", "=", True),
        ], order="id")
        return self._ar_run_batches(files, "_ar_refresh_holds", batch_size)

    @api.model
    def _ar_run_batches(self, records, method, batch_size):
        """Runs ``method`` on ``records`` batch by batch, committing and reporting
        progress to the cron after each one (never committing inside tests)."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        done = 0
        total = len(records)
        result = 0
        for start in range(0, total, batch_size):
            batch = as_scheduler(records[start:start + batch_size])
            result += getattr(batch, method)() or 0
            done += len(batch)
            self.env["ir.cron"]._notify_progress(done=done, remaining=total - done)
            if auto_commit:
                # one batch, one transaction: an interrupted run keeps what it did
                self.env.cr.commit()  # pylint: disable=invalid-commit
            batch.invalidate_recordset()
        return result

    # ------------------------------------------------------------------
    # Pilot growth and credit reviews
    # ------------------------------------------------------------------

    @api.model
    def _ar_paid_on_time_counts(self, files):
        """Invoices paid in full by their due date plus the company's grace, since each
        file's pilot started: {file id: count}, in one query."""
        if not files:
            return {}
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.flush_model()
        rows = self.env.execute_query(SQL(
            """
            WITH paid AS (
                SELECT f.id AS file_id, m.id AS move_id, m.invoice_date_due,
                       c.ar_pilot_grace_days AS grace, MAX(apr.max_date) AS paid_on
                  FROM ar_credit_file f
                  JOIN res_company c ON c.id = f.company_id
                  JOIN res_company mc ON mc.parent_path LIKE c.parent_path || %(any)s
                  JOIN account_move m ON m.commercial_partner_id = f.partner_id
                                     AND m.company_id = mc.id
                  JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                 WHERE f.id IN %(file_ids)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND m.ar_origin IS NULL
                   AND m.invoice_date >= f.pilot_start_date
              GROUP BY f.id, m.id, m.invoice_date_due, c.ar_pilot_grace_days
            )
            SELECT file_id, COUNT(*)
              FROM paid
             WHERE paid_on <= invoice_date_due + grace
          GROUP BY file_id
            """,
            file_ids=tuple(files.ids), any="%",
        ))
        return dict(rows)

    def _ar_grow_pilots(self):
        """Raise each pilot's limit by the steps it has earned; at the ceiling, approve."""
        counts = self._ar_paid_on_time_counts(self)
        grown = 0
        for file in self.filtered(lambda f: f.credit_status == "pilot"):
            company = file.company_id
            on_time = counts.get(file.id, 0)
            per_step = company.ar_pilot_invoices_per_step
            steps = on_time // per_step if per_step else 0
            if steps <= file.pilot_steps_granted:
                continue
            limit, graduated = rules.pilot_limit(
                company.ar_pilot_start_limit, company.ar_pilot_step, per_step,
                company.ar_pilot_ceiling, on_time,
            )
            reason = self.env._("%(count)s invoices paid on time since the pilot started", count=on_time)
            policy_write(file.sudo()).pilot_steps_granted = steps
            file.sudo()._ar_log(
                "pilot", reason=reason, new_value=self.env._("Step %s", steps), chatter=False
            )
            file.sudo()._ar_set_limit(limit, reason)
            if graduated:
                file.sudo()._ar_set_status("approved", self.env._("Pilot ceiling reached: %s", reason))
            grown += 1
        return grown

    def _ar_schedule_reviews(self):
        """A review activity for the responsible credit manager, once per review date."""
        today = fields.Date.context_today(self)
        due = self.filtered(
            lambda f: f.review_date and f.review_date <= today
            and f.review_activity_date != f.review_date
        )
        for file in due:
            manager = file.company_id.ar_credit_manager_id or self.env.ref("base.user_admin")
            file.sudo().activity_schedule(
                "ar_policy.mail_activity_credit_review",
                date_deadline=file.review_date,
                summary=self.env._("Credit review of %s", file.partner_id.display_name),
                user_id=manager.id,
            )
            policy_write(file.sudo()).review_activity_date = file.review_date
        return len(due)

    @api.model
    def _cron_credit_review(self, batch_size=1000):
        """Nightly: pilot growth and due credit reviews."""
        today = fields.Date.context_today(self)
        pilots = self.sudo().search([("credit_status", "=", "pilot")], order="id")
        grown = self._ar_run_batches(pilots, "_ar_grow_pilots", batch_size)
        reviews = self.sudo().search([("review_date", "<=", today)], order="id")
        reviewed = self._ar_run_batches(reviews, "_ar_schedule_reviews", batch_size)
        return grown, reviewed

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _ar_open_wizard(self, model, title, **context):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_file_ids": self.ids, **context},
        }

    def action_change_credit(self):
        self._ar_check_manager()
        return self._ar_open_wizard("ar.credit.change.wizard", self.env._("Change Credit Terms"))

    def action_set_hold(self):
        self._ar_check_manager()
        return self._ar_open_wizard("ar.credit.hold.wizard", self.env._("Put on Credit Hold"),
                                    default_action="hold")

    def action_release_hold(self):
        self._ar_check_manager()
        return self._ar_open_wizard("ar.credit.hold.wizard", self.env._("Release Credit Hold"),
                                    default_action="release")

    def _ar_line_action(self, name, lines_of):
        """The lines of this file's account position that ``lines_of(position)``
        returns (items or credits), listed."""
        self.ensure_one()
        position = self._ar_figures(self.partner_id, self.company_id)[self.partner_id.id]["position"]
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_move_line_tree").id, "list"), (False, "form")],
            "domain": [("id", "in", [line.line_id for line in lines_of(position)])],
            "context": {"search_default_group_by_move": 0},
        }

    def action_view_receivable(self):
        return self._ar_line_action(self.env._("Open Receivables"), lambda pos: pos.items)

    def action_view_unallocated(self):
        return self._ar_line_action(self.env._("Unallocated Credits"), lambda pos: pos.credits)

    def action_view_overdue(self):
        return self._ar_line_action(self.env._("Overdue Items"), lambda pos: pos.overdue_items)

    def action_view_drafts(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_move_out_invoice_type")
        action["domain"] = [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "draft"),
            ("commercial_partner_id", "=", self.partner_id.id),
            ("company_id", "in", self._ar_company_ids(self.company_id)),
        ]
        action["context"] = {"default_move_type": "out_invoice"}
        return action
