from odoo import fields, models


class ArCreditOverrideWizard(models.TransientModel):
    """The same override wizard confirms the orders the credit policy refused."""

    _inherit = "ar.credit.override.wizard"

    order_ids = fields.Many2many("sale.order", string="Orders")
