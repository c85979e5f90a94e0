from odoo import Command, api, models


class SaleOrder(models.Model):
    """Demo data: a quotation waiting for its deposit.

    Called once from ``demo/ar_policy_sale_demo.xml``; nothing here runs without demo data.
    """

    _inherit = "sale.order"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_demo_deposit_quotation(self):
        """A customer who owes a 30 % deposit and its quotation, waiting for it."""
        if self.env.ref("ar_policy_sale.demo_order_waiting_deposit", raise_if_not_found=False):
            return
        env = self.sudo().env
        company = env.ref("base.main_company")
        if company.ar_enforcement_mode == "off":
            company.ar_enforcement_mode = "block"
        partner = env["res.partner"].create({
            "name": "Deposit Demo Builders", "is_company": True, "customer_rank": 1,
            "city": "Oakland",
        })
        files = env["ar.credit.file"]._ar_files_for(partner, company, create=True)
        files[partner.id]._ar_set_deposit_policy(
            "percent", 30.0, 0.0, "New customer with a large first project: 30 % up front"
        )
        product = env.ref("ar_policy.demo_product_service", raise_if_not_found=False) or \
            env["product.product"].create({"name": "Deposit Demo Service", "type": "service",
                                           "list_price": 100.0})
        order = env["sale.order"].with_company(company).create({
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [Command.create({
                "product_id": product.id, "product_uom_qty": 40, "price_unit": 100.0,
                "tax_id": [Command.clear()],
            })],
        })
        order.action_quotation_sent()
        env["ir.model.data"]._update_xmlids([
            {"xml_id": "ar_policy_sale.demo_partner_deposit", "record": partner, "noupdate": True},
            {"xml_id": "ar_policy_sale.demo_order_waiting_deposit", "record": order,
             "noupdate": True},
        ])
