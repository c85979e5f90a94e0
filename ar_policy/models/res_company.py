from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .res_company_kpi import KPI_TARGET_FIELDS
from .res_company_worklist import WORKLIST_FIELDS

CREDIT_STATUSES = [
    ("prepayment", "Prepayment only"),
    ("pilot", "Pilot"),
    ("approved", "Approved"),
]
DEPOSIT_POLICIES = [
    ("none", "No deposit"),
    ("percent", "Deposit of a percentage"),
    ("full", "Full prepayment"),
]
DEPOSIT_PERCENT_FIELDS = (
    "ar_default_deposit_percent",
    "ar_deposit_prepayment_percent",
    "ar_deposit_pilot_percent",
    "ar_deposit_limit_percent",
    "ar_deposit_hold_percent",
    "ar_deposit_restart_percent",
    "ar_deposit_rating_d_percent",
)
# Limits of the automatic hold and of pilot growth, checked together.
HOLD_PILOT_FIELDS = (
    "ar_hold_overdue_amount",
    "ar_hold_overdue_days",
    "ar_pilot_start_limit",
    "ar_pilot_step",
    "ar_pilot_invoices_per_step",
    "ar_pilot_grace_days",
    "ar_pilot_ceiling",
)
# Concentration thresholds, checked by ``ar.concentration._ar_check_settings``.
CONCENTRATION_FIELDS = (
    "ar_concentration_window_months",
    "ar_conc_revenue_warning",
    "ar_conc_revenue_critical",
    "ar_conc_receivable_warning",
    "ar_conc_receivable_critical",
    "ar_conc_min_customers",
    "ar_conc_min_revenue",
)

# Company fields that are credit policy: their changes are logged (DESIGN 6).
AR_POLICY_FIELDS = (
    "ar_enforcement_mode",
    "ar_default_credit_status",
    "ar_credit_manager_id",
    "ar_default_collector_id",
    "ar_exposure_include_drafts",
    "ar_exposure_net_unallocated",
    *HOLD_PILOT_FIELDS,
    "ar_payment_term_prepayment_id",
    "ar_payment_term_pilot_id",
    "ar_payment_term_approved_id",
    "ar_default_deposit_policy",
    "ar_default_deposit_min_amount",
    *DEPOSIT_PERCENT_FIELDS,
    "ar_escalation_enabled",
    "ar_escalation_policy_id",
    "ar_escalation_min_amount",
    "ar_fees_allowed_default",
    "ar_fee_cap_percent",
    "ar_promise_grace_days",
    "ar_promise_horizon_days",
    "ar_promise_max_instalments",
    "ar_concentration_enabled",
    *CONCENTRATION_FIELDS,
    "ar_conc_confirm_critical",
    "ar_conc_keep_daily_days",
    "ar_rating_rules",
    *WORKLIST_FIELDS,
    *KPI_TARGET_FIELDS,
)

INTERNAL = "base.group_user"


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_enforcement_mode = fields.Selection(
        [("off", "Off"), ("warn", "Warn"), ("block", "Block")],
        string="Credit Enforcement",
        default="off",
        required=True,
        help="Off: no credit check. Warn: the invoice shows the problem and posts. "
        "Block: posting is refused unless a credit manager overrides it.",
        groups=INTERNAL,
    )
    ar_default_credit_status = fields.Selection(
        CREDIT_STATUSES,
        string="Default Credit Status",
        default="approved",
        required=True,
        help="Credit status given to a new customer at its first invoice or order.",
        groups=INTERNAL,
    )
    ar_credit_manager_id = fields.Many2one(
        "res.users",
        string="Responsible Credit Manager",
        help="Receives credit reviews, concentration crossings and digests.",
        groups=INTERNAL,
    )
    ar_default_collector_id = fields.Many2one(
        "res.users",
        string="Default Collector",
        help="Collector of a credit file whose customer has no salesperson.",
        groups=INTERNAL,
    )
    ar_exposure_include_drafts = fields.Boolean(
        string="Count Draft Invoices", default=True,
        groups=INTERNAL,
    )
    ar_exposure_net_unallocated = fields.Boolean(
        string="Deduct Unallocated Payments and Credit Notes", default=True,
        groups=INTERNAL,
    )
    ar_hold_overdue_amount = fields.Monetary(
        string="Hold Above Overdue Amount",
        currency_field="currency_id",
        help="Put a customer on credit hold when its overdue amount is above this. "
        "0 disables the rule.",
        groups=INTERNAL,
    )
    ar_hold_overdue_days = fields.Integer(
        string="Hold After Days Overdue",
        help="Put a customer on credit hold when its oldest overdue item is late by "
        "more than this many days. 0 disables the rule.",
        groups=INTERNAL,
    )
    ar_pilot_start_limit = fields.Monetary(
        string="Pilot Starting Limit", currency_field="currency_id", default=1000.0,
        groups=INTERNAL,
    )
    ar_pilot_step = fields.Monetary(
        string="Pilot Step", currency_field="currency_id", default=1000.0,
        groups=INTERNAL,
    )
    ar_pilot_invoices_per_step = fields.Integer(
        string="Invoices Paid on Time per Step", default=3,
        groups=INTERNAL,
    )
    ar_pilot_grace_days = fields.Integer(string="Pilot Grace Days", default=3, groups=INTERNAL)
    ar_pilot_ceiling = fields.Monetary(
        string="Pilot Ceiling",
        currency_field="currency_id",
        default=10000.0,
        help="Reaching this limit ends the pilot: the customer becomes approved.",
        groups=INTERNAL,
    )
    ar_payment_term_prepayment_id = fields.Many2one(
        "account.payment.term", string="Payment Terms for Prepayment Only",
        groups=INTERNAL,
    )
    ar_payment_term_pilot_id = fields.Many2one(
        "account.payment.term", string="Payment Terms for Pilot",
        groups=INTERNAL,
    )
    ar_payment_term_approved_id = fields.Many2one(
        "account.payment.term", string="Payment Terms for Approved",
        groups=INTERNAL,
    )
    ar_default_deposit_policy = fields.Selection(
        DEPOSIT_POLICIES, string="Default Deposit Policy", default="none",
        help="Deposit policy given to a new customer at its first invoice or order.",
        groups=INTERNAL,
    )
    ar_default_deposit_percent = fields.Float(string="Default Deposit (%)", groups=INTERNAL)
    ar_default_deposit_min_amount = fields.Monetary(
        string="Default Deposit Above", currency_field="currency_id",
        help="The default deposit applies only above this amount, tax included. 0: always.",
        groups=INTERNAL,
    )
    ar_deposit_prepayment_percent = fields.Float(
        string="Deposit for Prepayment Only (%)", default=100.0,
        help="Deposit required from prepayment-only customers. 0 disables the rule.",
        groups=INTERNAL,
    )
    ar_deposit_pilot_percent = fields.Float(
        string="Deposit for Pilots (%)", help="0 disables the rule.",
        groups=INTERNAL,
    )
    ar_deposit_limit_percent = fields.Float(
        string="Deposit Over the Limit (%)",
        help="An order or invoice that would take the customer over its limit waits for "
        "this deposit instead of being refused. 0 disables the rule.",
        groups=INTERNAL,
    )
    ar_deposit_hold_percent = fields.Float(
        string="Deposit on Hold (%)",
        help="An order of a customer on hold waits for this deposit instead of being "
        "refused. 0 disables the rule.",
        groups=INTERNAL,
    )
    ar_deposit_restart_percent = fields.Float(
        string="Deposit After a Hold (%)",
        help="Deposit required from a customer released from a hold, until its first "
        "order whose deposit is paid. 0 disables the rule.",
        groups=INTERNAL,
    )
    ar_rating_rules = fields.Boolean(
        string="Payment Rating Drives Rules",
        help="A customer rated D owes the 'Rating D' deposit, and a pilot's limit grows "
        "only while the customer is rated A or B.",
        groups=INTERNAL,
    )
    ar_deposit_rating_d_percent = fields.Float(
        string="Deposit at Rating D (%)",
        help="With 'Payment Rating Drives Rules': deposit required from a customer whose "
        "payment rating is D. 0 disables the rule.",
        groups=INTERNAL,
    )
    ar_escalation_enabled = fields.Boolean(
        string="Automatic Escalation Run",
        help="Apply the escalation ladder to every customer every night (off until enabled).",
        groups=INTERNAL,
    )
    ar_escalation_policy_id = fields.Many2one(
        "ar.escalation.policy", string="Default Escalation Policy",
        domain="[('company_id', '=', id)]",
        help="The ladder of every customer whose credit file names no other.",
        groups=INTERNAL,
    )
    ar_escalation_min_amount = fields.Monetary(
        string="Escalation Minimum Amount", currency_field="currency_id",
        help="Items whose open amount is below this are not escalated. 0: no minimum.",
        groups=INTERNAL,
    )
    ar_fees_allowed_default = fields.Boolean(
        string="Late Fees Allowed by Default", default=True,
        help="Whether a new credit file allows late fees and interest.",
        groups=INTERNAL,
    )
    ar_fee_cap_percent = fields.Float(
        string="Fee Cap (% of invoice)",
        help="Cap per overdue invoice of all its fees and interest together, as a share "
        "of the invoice's total, in its currency. 0: no cap.",
        groups=INTERNAL,
    )
    ar_promise_grace_days = fields.Integer(
        string="Promise to Pay Grace Days", default=3,
        help="Items under a promise to pay stay out of the escalation until the promised "
        "date plus these days; unpaid by then, the promise is broken.",
        groups=INTERNAL,
    )
    ar_promise_horizon_days = fields.Integer(
        string="Promise Horizon (days)", default=365,
        help="A promise to pay, and every instalment of a payment plan, falls at most "
        "this many days after the day it is recorded.",
        groups=INTERNAL,
    )
    ar_promise_max_instalments = fields.Integer(
        string="Maximum Instalments", default=60,
        help="Most instalments a payment plan may have.",
        groups=INTERNAL,
    )
    ar_concentration_enabled = fields.Boolean(
        string="Concentration Warnings",
        help="Warn when too much of the business rests on one customer (off until enabled).",
        groups=INTERNAL,
    )
    ar_concentration_window_months = fields.Integer(
        string="Revenue Window (Months)", default=12,
        help="Trailing revenue is counted over this many months.",
        groups=INTERNAL,
    )
    ar_conc_revenue_warning = fields.Float(
        string="Revenue Warning Share (%)", default=8.0, groups=INTERNAL
    )
    ar_conc_revenue_critical = fields.Float(
        string="Revenue Critical Share (%)", default=20.0, groups=INTERNAL
    )
    ar_conc_receivable_warning = fields.Float(
        string="Receivables Warning Share (%)", default=8.0,
        groups=INTERNAL,
    )
    ar_conc_receivable_critical = fields.Float(
        string="Receivables Critical Share (%)", default=20.0,
        groups=INTERNAL,
    )
    ar_conc_min_customers = fields.Integer(
        string="Minimum Customers", default=5,
        help="No concentration warning while fewer customers have revenue in the window.",
        groups=INTERNAL,
    )
    ar_conc_min_revenue = fields.Monetary(
        string="Minimum Revenue", currency_field="currency_id",
        help="No concentration warning while the trailing revenue is below this.",
        groups=INTERNAL,
    )
    ar_conc_confirm_critical = fields.Boolean(
        string="Confirm Posting Over the Critical Share",
        help="Posting an invoice that takes a customer over a critical share needs a "
        "credit manager's confirmation, with a reason.",
        groups=INTERNAL,
    )
    ar_conc_keep_daily_days = fields.Integer(
        string="Keep Daily Snapshots (Days)", default=90,
        help="Older concentration snapshots are thinned to month-ends.",
        groups=INTERNAL,
    )
    ar_conc_digest_sent_on = fields.Date(
        string="Concentration Digest Sent On", readonly=True, copy=False,
        groups=INTERNAL,
    )

    @api.constrains("ar_promise_grace_days", "ar_promise_horizon_days",
                    "ar_promise_max_instalments")
    def _check_ar_promise_grace_days(self):
        if any(company.ar_promise_grace_days < 0 for company in self):
            raise ValidationError(self.env._("Promise to Pay Grace Days cannot be negative."))
        if any(company.ar_promise_horizon_days < 1 for company in self):
            raise ValidationError(self.env._("Promise Horizon (days) must be at least 1."))
        if any(company.ar_promise_max_instalments < 1 for company in self):
            raise ValidationError(self.env._("Maximum Instalments must be at least 1."))

    @api.constrains("ar_escalation_policy_id")
    def _check_ar_escalation_policy_company(self):
        for company in self:
            policy = company.sudo().ar_escalation_policy_id
            if policy and policy.company_id not in company.parent_ids:
                raise ValidationError(self.env._(
                    "Default Escalation Policy: %(policy)s belongs to %(other)s, not to "
                    "%(company)s.",
                    policy=policy.name, other=policy.company_id.name, company=company.name,
                ))
            if policy and not policy.active:
                raise ValidationError(self.env._(
                    "Default Escalation Policy: %s is archived.", policy.name
                ))

    @api.constrains("ar_escalation_min_amount", "ar_fee_cap_percent")
    def _check_ar_escalation_values(self):
        for company in self:
            if company.ar_escalation_min_amount < 0:
                raise ValidationError(self.env._("Escalation Minimum Amount cannot be negative."))
            if not 0 <= company.ar_fee_cap_percent <= 100:
                raise ValidationError(self.env._("Fee Cap (% of invoice) must be between 0 and 100."))

    @api.constrains(*HOLD_PILOT_FIELDS)
    def _check_ar_policy_values(self):
        for company in self:
            if company.ar_hold_overdue_amount < 0:
                raise ValidationError(self.env._("Hold Above Overdue Amount cannot be negative."))
            if company.ar_hold_overdue_days < 0:
                raise ValidationError(self.env._("Hold After Days Overdue cannot be negative."))
            if company.ar_pilot_start_limit < 0:
                raise ValidationError(self.env._("Pilot Starting Limit cannot be negative."))
            if company.ar_pilot_step < 0:
                raise ValidationError(self.env._("Pilot Step cannot be negative."))
            if company.ar_pilot_invoices_per_step < 1:
                raise ValidationError(self.env._("Invoices Paid on Time per Step must be at least 1."))
            if company.ar_pilot_grace_days < 0:
                raise ValidationError(self.env._("Pilot Grace Days cannot be negative."))
            if company.ar_pilot_ceiling < company.ar_pilot_start_limit:
                raise ValidationError(self.env._("Pilot Starting Limit cannot be above the Pilot Ceiling."))
            if company.ar_pilot_step > company.ar_pilot_ceiling:
                raise ValidationError(self.env._("Pilot Step cannot be above the Pilot Ceiling."))

    @api.constrains(*CONCENTRATION_FIELDS, "ar_conc_keep_daily_days")
    def _check_ar_concentration_values(self):
        for company in self:
            company.env["ar.concentration"]._ar_check_settings(company)

    @api.constrains("ar_default_deposit_min_amount", *DEPOSIT_PERCENT_FIELDS)
    def _check_ar_deposit_values(self):
        for company in self:
            for fname in DEPOSIT_PERCENT_FIELDS:
                if not 0.0 <= company[fname] <= 100.0:
                    raise ValidationError(self.env._(
                        "%s must be between 0 and 100.", self._fields[fname].string
                    ))
            if company.ar_default_deposit_min_amount < 0:
                raise ValidationError(self.env._("Default Deposit Above cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._ar_sync_odoo_credit_flag()
        roots = companies.filtered(lambda c: not c.parent_id)
        if roots:
            self.env["ar.credit.file"].sudo()._ar_create_missing_files(roots)
            self.env["ar.escalation.policy"].sudo()._ar_create_default_policies(roots)
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "ar_enforcement_mode" in vals or "account_use_credit_limit" in vals:
            self._ar_sync_odoo_credit_flag()
        if vals.get("ar_concentration_enabled"):
            self.env["ar.concentration"]._ar_snapshot_on_enable(self)
        return res

    def _ar_sync_odoo_credit_flag(self):
        """Any mode but off switches Odoo's own credit limit flag on (DESIGN 3)."""
        to_enable = self.filtered(
            lambda c: c.ar_enforcement_mode != "off" and not c.account_use_credit_limit
        )
        if to_enable:
            to_enable.write({"account_use_credit_limit": True})

    def _ar_payment_term_for_status(self, status):
        self.ensure_one()
        return self[f"ar_payment_term_{status}_id"]
