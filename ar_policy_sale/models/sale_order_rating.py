from odoo import models


class SaleOrder(models.Model):
    """The customer's payment rating on the quotation: the letter only, for
    salespeople too (never the amounts behind it)."""

    _name = "sale.order"
    _inherit = ["sale.order", "ar.payment.rating.mixin"]

    def _ar_rating_partner_company(self):
        return self.partner_id.commercial_partner_id, self.company_id
