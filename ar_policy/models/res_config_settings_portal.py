from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    ar_portal_max_open_promises = fields.Integer(
        related="company_id.ar_portal_max_open_promises", readonly=False
    )
    ar_portal_daily_requests = fields.Integer(
        related="company_id.ar_portal_daily_requests", readonly=False
    )
    ar_portal_plans_allowed = fields.Boolean(
        related="company_id.ar_portal_plans_allowed", readonly=False
    )
