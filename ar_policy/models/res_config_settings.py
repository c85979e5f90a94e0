from odoo import api, fields, models

from .res_company import AR_POLICY_FIELDS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_enforcement_mode = fields.Selection(
        related="company_id.ar_enforcement_mode", readonly=False
    )
    ar_default_credit_status = fields.Selection(
        related="company_id.ar_default_credit_status", readonly=False
    )
    ar_credit_manager_id = fields.Many2one(
        related="company_id.ar_credit_manager_id", readonly=False
    )
    ar_default_collector_id = fields.Many2one(
        related="company_id.ar_default_collector_id", readonly=False
    )
    ar_exposure_include_drafts = fields.Boolean(
        related="company_id.ar_exposure_include_drafts", readonly=False
    )
    ar_exposure_net_unallocated = fields.Boolean(
        related="company_id.ar_exposure_net_unallocated", readonly=False
    )
    ar_hold_overdue_amount = fields.Monetary(
        related="company_id.ar_hold_overdue_amount", readonly=False,
        currency_field="currency_id",
    )
    ar_hold_overdue_days = fields.Integer(
        related="company_id.ar_hold_overdue_days", readonly=False
    )
    ar_pilot_start_limit = fields.Monetary(
        related="company_id.ar_pilot_start_limit", readonly=False,
        currency_field="currency_id",
    )
    ar_pilot_step = fields.Monetary(
        related="company_id.ar_pilot_step", readonly=False, currency_field="currency_id"
    )
    ar_pilot_invoices_per_step = fields.Integer(
        related="company_id.ar_pilot_invoices_per_step", readonly=False
    )
    ar_pilot_grace_days = fields.Integer(related="company_id.ar_pilot_grace_days", readonly=False)
    ar_pilot_ceiling = fields.Monetary(
        related="company_id.ar_pilot_ceiling", readonly=False,
        currency_field="currency_id",
    )
    ar_payment_term_prepayment_id = fields.Many2one(
        related="company_id.ar_payment_term_prepayment_id", readonly=False
    )
    ar_payment_term_pilot_id = fields.Many2one(
        related="company_id.ar_payment_term_pilot_id", readonly=False
    )
    ar_payment_term_approved_id = fields.Many2one(
        related="company_id.ar_payment_term_approved_id", readonly=False
    )
    ar_escalation_enabled = fields.Boolean(
        related="company_id.ar_escalation_enabled", readonly=False
    )
    ar_escalation_policy_id = fields.Many2one(
        related="company_id.ar_escalation_policy_id", readonly=False
    )
    ar_escalation_min_amount = fields.Monetary(
        related="company_id.ar_escalation_min_amount", readonly=False,
        currency_field="currency_id",
    )
    ar_fees_allowed_default = fields.Boolean(
        related="company_id.ar_fees_allowed_default", readonly=False
    )
    ar_fee_cap_percent = fields.Float(related="company_id.ar_fee_cap_percent", readonly=False)
    ar_promise_grace_days = fields.Integer(
        related="company_id.ar_promise_grace_days", readonly=False
    )
    ar_promise_horizon_days = fields.Integer(
        related="company_id.ar_promise_horizon_days", readonly=False
    )
    ar_promise_max_instalments = fields.Integer(
        related="company_id.ar_promise_max_instalments", readonly=False
    )
    ar_default_deposit_policy = fields.Selection(
        related="company_id.ar_default_deposit_policy", readonly=False
    )
    ar_default_deposit_percent = fields.Float(
        related="company_id.ar_default_deposit_percent", readonly=False
    )
    ar_default_deposit_min_amount = fields.Monetary(
        related="company_id.ar_default_deposit_min_amount", readonly=False,
        currency_field="currency_id",
    )
    ar_deposit_prepayment_percent = fields.Float(
        related="company_id.ar_deposit_prepayment_percent", readonly=False
    )
    ar_deposit_pilot_percent = fields.Float(
        related="company_id.ar_deposit_pilot_percent", readonly=False
    )
    ar_deposit_limit_percent = fields.Float(
        related="company_id.ar_deposit_limit_percent", readonly=False
    )
    ar_rating_rules = fields.Boolean(related="company_id.ar_rating_rules", readonly=False)
    ar_deposit_rating_d_percent = fields.Float(
        related="company_id.ar_deposit_rating_d_percent", readonly=False
    )
    ar_deposit_hold_percent = fields.Float(
        related="company_id.ar_deposit_hold_percent", readonly=False
    )
    ar_deposit_restart_percent = fields.Float(
        related="company_id.ar_deposit_restart_percent", readonly=False
    )
    ar_concentration_enabled = fields.Boolean(
        related="company_id.ar_concentration_enabled", readonly=False
    )
    ar_concentration_window_months = fields.Integer(
        related="company_id.ar_concentration_window_months", readonly=False
    )
    ar_conc_revenue_warning = fields.Float(
        related="company_id.ar_conc_revenue_warning", readonly=False
    )
    ar_conc_revenue_critical = fields.Float(
        related="company_id.ar_conc_revenue_critical", readonly=False
    )
    ar_conc_receivable_warning = fields.Float(
        related="company_id.ar_conc_receivable_warning", readonly=False
    )
    ar_conc_receivable_critical = fields.Float(
        related="company_id.ar_conc_receivable_critical", readonly=False
    )
    ar_conc_min_customers = fields.Integer(
        related="company_id.ar_conc_min_customers", readonly=False
    )
    ar_conc_min_revenue = fields.Monetary(
        related="company_id.ar_conc_min_revenue", readonly=False,
        currency_field="currency_id",
    )
    ar_conc_confirm_critical = fields.Boolean(
        related="company_id.ar_conc_confirm_critical", readonly=False
    )
    ar_conc_keep_daily_days = fields.Integer(
        related="company_id.ar_conc_keep_daily_days", readonly=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Odoo writes the changed related fields on the company while creating the
        settings record, before ``set_values``: those changes are logged here."""
        company_ids = {vals.get("company_id") or self.env.company.id for vals in vals_list}
        before = {
            company_id: self.new({"company_id": company_id})._ar_policy_values()
            for company_id in company_ids
        }
        settings = super().create(vals_list)
        for setting in settings:
            setting._ar_log_policy_changes(before[setting.company_id.id])
        return settings

    def set_values(self):
        """Policy settings are logged with who and when (DESIGN 6)."""
        before = {setting.company_id: setting._ar_policy_values() for setting in self}
        res = super().set_values()
        for setting in self:
            setting._ar_log_policy_changes(before[setting.company_id])
        return res

    def _ar_policy_values(self):
        self.ensure_one()
        company = self.company_id
        values = {
            fname: self._ar_display_value(company._fields[fname], company[fname])
            for fname in AR_POLICY_FIELDS
        }
        values["account_default_credit_limit"] = self._ar_default_limit_display()
        return values

    def _ar_display_value(self, field, value):
        """What the log shows: a selection's label, a record's name, 0 as 0."""
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value) or ""
        if field.type == "many2one":
            return value.display_name or ""
        return str(value)

    def _ar_default_limit_display(self):
        partners = self.env["res.partner"].with_company(self.company_id)
        limit = partners._fields["credit_limit"].get_company_dependent_fallback(partners)
        return str(limit or 0.0)

    def _ar_log_policy_changes(self, before):
        company = self.company_id
        after = self._ar_policy_values()
        labels = {
            fname: self.env["res.company"]._fields[fname].get_description(self.env)["string"]
            for fname in AR_POLICY_FIELDS
        }
        labels["account_default_credit_limit"] = self._fields[
            "account_default_credit_limit"
        ].get_description(self.env)["string"]
        self.env["ar.credit.log"].sudo().create([{
            "company_id": company.id,
            "event": "setting",
            "cause": labels[fname],
            "old_value": before[fname],
            "new_value": after[fname],
            "user_id": self.env.uid,
        } for fname in after if after[fname] != before[fname]])

    @api.onchange("ar_enforcement_mode")
    def _onchange_ar_enforcement_mode(self):
        if self.ar_enforcement_mode != "off":
            self.account_use_credit_limit = True
