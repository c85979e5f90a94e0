from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    ar_kpi_target_dso = fields.Float(related="company_id.ar_kpi_target_dso", readonly=False)
    ar_kpi_target_add = fields.Float(related="company_id.ar_kpi_target_add", readonly=False)
    ar_kpi_target_cei = fields.Float(related="company_id.ar_kpi_target_cei", readonly=False)
    ar_kpi_target_at_risk = fields.Float(related="company_id.ar_kpi_target_at_risk",
                                         readonly=False)
    ar_kpi_target_on_time = fields.Float(related="company_id.ar_kpi_target_on_time",
                                         readonly=False)
    ar_kpi_target_days_to_pay = fields.Float(related="company_id.ar_kpi_target_days_to_pay",
                                             readonly=False)
