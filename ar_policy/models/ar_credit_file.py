import logging
import threading
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..actions import wizard_action
from ..guards import as_scheduler, is_policy_write, is_scheduler, policy_write
from ..rules import credit as rules
from ..rules import deposit as deposit_rules
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
    "payment_score",
    "payment_rating",
    "payment_trend",
    "payment_days_beyond",
    "payment_score_date",
}
BILLING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


def _figure(**kwargs):
    """A figure of the file's account position (``_compute_figures``), in company
    currency, for billing users."""
    return fields.Monetary(compute="_compute_figures", groups=BILLING_GROUPS, **kwargs)


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

    credit_limit = _figure()
    exposure_receivable = _figure(string="Open Receivables")
    exposure_drafts = _figure(string="Draft Invoices")
    exposure_orders = _figure(string="Orders Not Invoiced")
    exposure_unallocated = _figure(
        string="Unallocated Credits",
        help="Customer payments and credit notes not yet matched with an invoice.",
    )
    exposure = _figure()
    exposure_advance = _figure(
        string="Credit Balance",
        help="Advance payments and credits beyond what the customer owes (a negative exposure).",
    )
    headroom = _figure(help="Limit less exposure; empty when the customer has no limit.")
    has_limit = fields.Boolean(compute="_compute_figures", groups=BILLING_GROUPS)
    overdue_amount = _figure(
        help="Overdue items, less unallocated payments and credit notes, less items "
        "disputed or under a promise to pay.",
    )
    oldest_overdue_days = fields.Integer(compute="_compute_figures", groups=BILLING_GROUPS)
    balance = _figure(
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

    # ------------------------------------------------------------------
    # Guards
    # ------------------------------------------------------------------

    def _ar_check_managed(self, fnames):
        """Managed fields change through the manager's wizards and the addon's runs,
        which mark their environment (DESIGN 10); a direct write is refused, whatever
        context the client sends."""
        if fnames & MANAGED_FIELDS and not self.env.su and not is_policy_write(self.env):
            raise AccessError(self.env._(
                "Credit status, review date and holds are changed by a credit manager "
                "through the credit file's actions, with a reason."
            ))

    def _ar_check_manager(self):
        if not self.env.su and not self.env.user.has_group("ar_policy.group_credit_manager"):
            raise AccessError(self.env._("Only a Credit Manager can do this."))

    @api.model
    def _ar_require_reason(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Reason: explain why, it is kept on the credit file."))

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
        files._ar_message_log_bulk(bodies)

    # ------------------------------------------------------------------
    # Scheduled runs
    # ------------------------------------------------------------------

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
    # Actions
    # ------------------------------------------------------------------

    def _ar_open_wizard(self, model, title, **context):
        return wizard_action(model, title, {"default_file_ids": self.ids, **context})

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

    @api.model
    def _ar_empty_help(self, title, sentence):
        """An action's empty state: what the list would show, and why it is empty."""
        return Markup('<p class="o_view_nocontent_smiling_face">%s</p><p>%s</p>') % (
            title, sentence
        )

    def _ar_line_action(self, name, lines_of, help_text=""):
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
            "help": self._ar_empty_help(self.env._("Nothing here"), help_text),
        }

    def action_view_receivable(self):
        return self._ar_line_action(
            self.env._("Open Receivables"), lambda pos: pos.items,
            self.env._("The customer owes nothing on posted invoices in this company."),
        )

    def action_view_unallocated(self):
        return self._ar_line_action(
            self.env._("Unallocated Credits"), lambda pos: pos.credits,
            self.env._("No payment or credit note of this customer waits to be matched "
                       "with an invoice."),
        )

    def action_view_overdue(self):
        return self._ar_line_action(
            self.env._("Overdue Items"), lambda pos: pos.overdue_items,
            self.env._("No invoice of this customer is past its due date."),
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
        action["help"] = self._ar_empty_help(
            self.env._("No draft invoice"),
            self.env._("Draft invoices of this customer count in its exposure until they are "
                       "posted or cancelled."),
        )
        return action
