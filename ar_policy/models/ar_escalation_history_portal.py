from odoo import fields, models


class ArEscalationHistory(models.Model):
    _inherit = "ar.escalation.history"  # pylint: disable=consider-merging-classes-inherited

    action = fields.Selection(
        selection_add=[
            ("portal_request", "Customer request"),
            ("portal_answer", "Answer to a customer request"),
        ],
        ondelete={"portal_request": "cascade", "portal_answer": "cascade"},
    )
