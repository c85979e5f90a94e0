from odoo import Command
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestArPolicySalespersonTour(AccountTestInvoicingHttpCommon):
    """DESIGN 4: a salesperson sees that a customer is held and why, never the amounts."""

    def test_salesperson_tour(self):
        if "sale.order" not in self.env:
            self.skipTest("the Sales bridge (ar_policy_sale) is not installed")
        company = self.env.company
        company.ar_enforcement_mode = "block"
        company.ar_deposit_hold_percent = 0.0
        users = {"company_id": company.id, "company_ids": [Command.set(company.ids)]}
        manager = new_test_user(
            self.env, login="ar_tour_manager", name="Carla Credit",
            groups="base.group_user,ar_policy.group_credit_manager", **users,
        )
        company.ar_credit_manager_id = manager
        seller = new_test_user(
            self.env, login="ar_tour_seller", name="Sam Seller",
            groups="base.group_user,sales_team.group_sale_salesman", **users,
        )
        customer = self.env["res.partner"].create({
            "name": "AR Tour Salesperson Customer", "is_company": True,
        })
        file = self.env["ar.credit.file"].sudo()._ar_files_for(
            customer, company, create=True
        )[customer.id]
        file.with_user(manager)._ar_set_manual_hold("Returned goods under dispute")
        product = self.env["product.product"].create({
            "name": "Tour Widget", "list_price": 480.0, "taxes_id": [Command.clear()],
        })
        order = self.env["sale.order"].create({
            "partner_id": customer.id,
            "user_id": seller.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
        })

        self.start_tour(
            "/odoo/action-base.action_partner_form", "ar_policy_salesperson_tour",
            login=seller.login,
        )

        self.assertEqual(order.state, "draft")
        self.assertTrue(file.credit_hold)
