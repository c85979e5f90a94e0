from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    ar_worklist_call_after_days = fields.Integer(
        related="company_id.ar_worklist_call_after_days", readonly=False
    )
    ar_worklist_contact_every_days = fields.Integer(
        related="company_id.ar_worklist_contact_every_days", readonly=False
    )
    ar_worklist_hand_over_days = fields.Integer(
        related="company_id.ar_worklist_hand_over_days", readonly=False
    )
    ar_worklist_legal_minimum = fields.Monetary(
        related="company_id.ar_worklist_legal_minimum", readonly=False,
        currency_field="currency_id",
    )
    ar_worklist_amount_weight = fields.Float(
        related="company_id.ar_worklist_amount_weight", readonly=False
    )
    ar_worklist_lateness_weight = fields.Float(
        related="company_id.ar_worklist_lateness_weight", readonly=False
    )
    ar_worklist_rating_weight = fields.Float(
        related="company_id.ar_worklist_rating_weight", readonly=False
    )
    ar_worklist_promise_points = fields.Float(
        related="company_id.ar_worklist_promise_points", readonly=False
    )
