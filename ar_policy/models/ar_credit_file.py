import logging
import threading
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount

from ..rules import credit as rules
from .res_company import CREDIT_STATUSES

_logger = logging.getLogger(__name__)

HOLD_CAUSE_FIELDS = {
    rules.CAUSE_OVERDUE: "hold_cause_overdue",
    rules.CAUSE_STAGE: "hold_cause_stage",
    rules.CAUSE_MANUAL: "hold_cause_manual",
}
# Fields only a credit manager changes, through a wizard that asks for a reason.
MANAGED_FIELDS = {
    "credit_status",
    "review_date",
    "credit_hold",
    "hold_cause_overdue",
    "hold_cause_stage",
    "hold_cause_manual",
    "hold_released_on",
    "pilot_start_date",
    "pilot_steps_granted",
    "partner_id",
    "company_id",
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
    note = fields.Html()
    log_ids = fields.One2many("ar.credit.log", "file_id", string="History")

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
            today = fields.Date.context_today(self)
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
                oldest = fig["oldest_due"]
                file.oldest_overdue_days = (today - oldest).days if oldest else 0

    @api.model_create_multi
    def create(self, vals_list):
        self._ar_check_managed(set().union(*(vals.keys() for vals in vals_list)))
        return super().create(vals_list)

    def write(self, vals):
        self._ar_check_managed(set(vals))
        return super().write(vals)

    def _ar_check_managed(self, fnames):
        if (
            fnames & MANAGED_FIELDS
            and not self.env.su
            and not self.env.context.get("ar_credit_wizard")
        ):
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
    def _ar_excluded_line_sql(self):
        """Receivable lines out of dunning and of the overdue figure (disputed, under a
        live promise). Extended by the escalation stages; alias ``aml``."""
        return SQL("FALSE")

    @api.model
    def _ar_figures(self, partners, company, exclude_move_ids=()):
        """Figures of commercial entities ``partners`` in ``company``, in company currency.

        A fixed number of queries, however many documents the customers have:
        posted items in one aggregate, drafts in one per currency group, orders
        through ``_ar_figures_orders``.
        """
        company = company.root_id
        result = {
            pid: dict(receivable=0.0, unallocated=0.0, drafts=0.0, orders=0.0,
                      overdue_gross=0.0, overdue_excluded=0.0,
                      oldest_due=None, newest_due=None)
            for pid in partners.ids
        }
        if not partners:
            return result
        company_ids = tuple(self._ar_company_ids(company))
        today = fields.Date.context_today(self.with_company(company))
        self.env["account.move.line"].flush_model([
            "amount_residual", "account_id", "partner_id", "parent_state", "reconciled",
            "date_maturity", "company_id", "move_id",
        ])
        self.env["account.move"].flush_model([
            "state", "move_type", "commercial_partner_id", "amount_total", "currency_id",
            "company_id",
        ])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        excluded = self._ar_excluded_line_sql()
        rows = self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id,
                   SUM(GREATEST(aml.amount_residual, 0)),
                   SUM(GREATEST(-aml.amount_residual, 0)),
                   SUM(CASE WHEN aml.amount_residual > 0 AND aml.date_maturity < %(today)s
                            AND NOT (%(excluded)s) THEN aml.amount_residual ELSE 0 END),
                   SUM(CASE WHEN aml.amount_residual > 0 AND aml.date_maturity < %(today)s
                            AND (%(excluded)s) THEN aml.amount_residual ELSE 0 END),
                   MIN(CASE WHEN aml.amount_residual > 0 AND aml.date_maturity < %(today)s
                            AND NOT (%(excluded)s) THEN aml.date_maturity END),
                   MAX(CASE WHEN aml.amount_residual > 0 AND aml.date_maturity < %(today)s
                            AND NOT (%(excluded)s) THEN aml.date_maturity END)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.company_id IN %(company_ids)s
               AND p.commercial_partner_id IN %(partner_ids)s
          GROUP BY p.commercial_partner_id
            """,
            today=today, excluded=excluded, company_ids=company_ids,
            partner_ids=tuple(partners.ids),
        ))
        for pid, receivable, unallocated, overdue, overdue_excl, oldest, newest in rows:
            fig = result[pid]
            fig.update(receivable=receivable or 0.0, unallocated=unallocated or 0.0,
                       overdue_gross=overdue or 0.0, overdue_excluded=overdue_excl or 0.0,
                       oldest_due=oldest, newest_due=newest)
        draft_rows = self.env.execute_query(SQL(
            """
            SELECT m.commercial_partner_id, m.currency_id, SUM(m.amount_total)
              FROM account_move m
             WHERE m.state = 'draft'
               AND m.move_type = 'out_invoice'
               AND m.company_id IN %(company_ids)s
               AND m.commercial_partner_id IN %(partner_ids)s
               AND m.id NOT IN %(exclude)s
          GROUP BY m.commercial_partner_id, m.currency_id
            """,
            company_ids=company_ids, partner_ids=tuple(partners.ids),
            exclude=tuple(exclude_move_ids) or (0,),
        ))
        for pid, currency_id, amount in draft_rows:
            result[pid]["drafts"] += self._ar_to_company_currency(
                amount or 0.0, currency_id, company, today
            )
        for pid, amount in self._ar_figures_orders(partners, company, today).items():
            result[pid]["orders"] = amount
        return result

    @api.model
    def _ar_figures_orders(self, partners, company, today):
        """Confirmed orders not yet invoiced, per commercial entity (Sales bridge)."""
        return {}

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
        return rules.overdue_amount(
            fig["overdue_gross"], fig["unallocated"], fig["overdue_excluded"]
        )

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
                                        collector_id, create_uid, create_date, write_uid,
                                        write_date)
            SELECT p.id, c.id, 'approved', FALSE, COALESCE(p.user_id, c.ar_default_collector_id),
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
        files = self.sudo().with_context(ar_credit_wizard=True).create([{
            "partner_id": partner.id,
            "company_id": company.id,
            "credit_status": status,
            "collector_id": (partner.user_id or company.ar_default_collector_id).id,
        } for partner in partners])
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
        by_scheduler = bool(self.env.context.get("ar_scheduler"))
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
        files = self.sudo().browse(list(bodies))
        if by_scheduler:
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
            raise UserError(self.env._("Credit Limit cannot be negative."))
        for file in self:
            partner = file.partner_id.with_company(file.company_id)
            old = partner.sudo().credit_limit
            if file.currency_id.compare_amounts(old, limit) == 0:
                continue
            partner.sudo().with_context(ar_credit_wizard=True).credit_limit = limit
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
            file.with_context(ar_credit_wizard=True).sudo().credit_status = status
            file._ar_log("status", reason=reason, old_value=labels[old], new_value=labels[status],
                         chatter=True)
            if status == "pilot":
                file._ar_start_pilot(reason)

    def _ar_set_review_date(self, review_date, reason):
        self._ar_check_manager()
        for file in self.filtered(lambda f: f.review_date != review_date):
            old = file.review_date
            file.with_context(ar_credit_wizard=True).sudo().review_date = review_date
            file._ar_log("review", reason=reason, old_value=str(old or ""),
                         new_value=str(review_date or ""))

    def _ar_start_pilot(self, reason):
        """A pilot starts at the company's starting limit and grows from today."""
        today = fields.Date.context_today(self)
        for file in self:
            file.sudo().with_context(ar_credit_wizard=True).write({
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
            file.sudo().with_context(ar_credit_wizard=True).write({
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
            file.sudo().with_context(ar_credit_wizard=True).write({
                "hold_cause_manual": False,
                "hold_cause_overdue": False,
                "hold_cause_stage": False,
                "credit_hold": False,
                "hold_reason": False,
                "hold_since": False,
                "hold_released_on": today,
            })
            file._ar_log("release", reason=reason, cause=causes)

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
                group.with_context(ar_credit_wizard=True, tracking_disable=True).write(dict(key))
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
            files.with_context(ar_scheduler=False)._ar_refresh_holds()

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
            batch = records[start:start + batch_size].with_context(ar_scheduler=True)
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
            file.sudo().with_context(ar_credit_wizard=True).pilot_steps_granted = steps
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
            file.sudo().with_context(ar_credit_wizard=True).review_activity_date = file.review_date
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

    def _ar_line_action(self, name, domain):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "views": [(self.env.ref("account.view_move_line_tree").id, "list"), (False, "form")],
            "domain": [
                ("partner_id", "child_of", self.partner_id.id),
                ("company_id", "in", self._ar_company_ids(self.company_id)),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                *domain,
            ],
            "context": {"search_default_group_by_move": 0},
        }

    def action_view_receivable(self):
        return self._ar_line_action(self.env._("Open Receivables"), [("amount_residual", ">", 0)])

    def action_view_unallocated(self):
        return self._ar_line_action(self.env._("Unallocated Credits"), [("amount_residual", "<", 0)])

    def action_view_overdue(self):
        today = fields.Date.context_today(self)
        return self._ar_line_action(
            self.env._("Overdue Items"), [("amount_residual", ">", 0), ("date_maturity", "<", today)]
        )

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
