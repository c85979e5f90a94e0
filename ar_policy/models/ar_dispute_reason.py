from odoo import fields, models


class ArDisputeReason(models.Model):
    """Why a customer disputes an invoice: the list the customer picks from on its
    account page, per company (empty company: every company)."""

    _name = "ar.dispute.reason"
    _description = "Dispute Reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", help="Empty: offered in every company.")
