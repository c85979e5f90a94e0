from odoo import api, fields, models
from odoo.exceptions import ValidationError

CREDIT_STATUSES = [
    ("prepayment", "Prepayment only"),
    ("pilot", "Pilot"),
    ("approved", "Approved"),
]

# Company fields that are credit policy: their changes are logged (DESIGN 6).
AR_POLICY_FIELDS = (
    "ar_enforcement_mode",
    "ar_default_credit_status",
    "ar_credit_manager_id",
    "ar_default_collector_id",
    "ar_exposure_include_drafts",
    "ar_exposure_net_unallocated",
    "ar_hold_overdue_amount",
    "ar_hold_overdue_days",
    "ar_pilot_start_limit",
    "ar_pilot_step",
    "ar_pilot_invoices_per_step",
    "ar_pilot_grace_days",
    "ar_pilot_ceiling",
    "ar_payment_term_prepayment_id",
    "ar_payment_term_pilot_id",
    "ar_payment_term_approved_id",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    ar_enforcement_mode = fields.Selection(
        [("off", "Off"), ("warn", "Warn"), ("block", "Block")],
        string="Credit Enforcement",
        default="off",
        required=True,
        help="Off: no credit check. Warn: the invoice shows the problem and posts. "
        "Block: posting is refused unless a credit manager overrides it.",
    )
    ar_default_credit_status = fields.Selection(
        CREDIT_STATUSES,
        string="Default Credit Status",
        default="approved",
        required=True,
        help="Credit status given to a new customer at its first invoice or order.",
    )
    ar_credit_manager_id = fields.Many2one(
        "res.users",
        string="Responsible Credit Manager",
        help="Receives credit reviews, concentration crossings and digests.",
    )
    ar_default_collector_id = fields.Many2one(
        "res.users",
        string="Default Collector",
        help="Collector of a credit file whose customer has no salesperson.",
    )
    ar_exposure_include_drafts = fields.Boolean(
        string="Count Draft Invoices", default=True
    )
    ar_exposure_net_unallocated = fields.Boolean(
        string="Deduct Unallocated Payments and Credit Notes", default=True
    )
    ar_hold_overdue_amount = fields.Monetary(
        string="Hold Above Overdue Amount",
        currency_field="currency_id",
        help="Put a customer on credit hold when its overdue amount is above this. "
        "0 disables the rule.",
    )
    ar_hold_overdue_days = fields.Integer(
        string="Hold After Days Overdue",
        help="Put a customer on credit hold when its oldest overdue item is late by "
        "more than this many days. 0 disables the rule.",
    )
    ar_pilot_start_limit = fields.Monetary(
        string="Pilot Starting Limit", currency_field="currency_id", default=1000.0
    )
    ar_pilot_step = fields.Monetary(
        string="Pilot Step", currency_field="currency_id", default=1000.0
    )
    ar_pilot_invoices_per_step = fields.Integer(
        string="Invoices Paid on Time per Step", default=3
    )
    ar_pilot_grace_days = fields.Integer(string="Pilot Grace Days", default=3)
    ar_pilot_ceiling = fields.Monetary(
        string="Pilot Ceiling",
        currency_field="currency_id",
        default=10000.0,
        help="Reaching this limit ends the pilot: the customer becomes approved.",
    )
    ar_payment_term_prepayment_id = fields.Many2one(
        "account.payment.term", string="Payment Terms for Prepayment Only"
    )
    ar_payment_term_pilot_id = fields.Many2one(
        "account.payment.term", string="Payment Terms for Pilot"
    )
    ar_payment_term_approved_id = fields.Many2one(
        "account.payment.term", string="Payment Terms for Approved"
    )

    @api.constrains(
        "ar_hold_overdue_amount",
        "ar_hold_overdue_days",
        "ar_pilot_start_limit",
        "ar_pilot_step",
        "ar_pilot_invoices_per_step",
        "ar_pilot_grace_days",
        "ar_pilot_ceiling",
    )
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

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._ar_sync_odoo_credit_flag()
        roots = companies.filtered(lambda c: not c.parent_id)
        if roots:
            self.env["ar.credit.file"].sudo()._ar_create_missing_files(roots)
        return companies

    def write(self, vals):
        res = super().write(vals)
        if "ar_enforcement_mode" in vals or "account_use_credit_limit" in vals:
            self._ar_sync_odoo_credit_flag()
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
