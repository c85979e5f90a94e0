from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestArPolicyTour(AccountTestInvoicingHttpCommon):
    """DESIGN 8: the browser tour of a credit controller and a held customer."""

    def _invoice(self, customer, amount):
        return self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_date": fields.Date.context_today(self.env.user),
            "invoice_line_ids": [Command.create({
                "name": "Consulting",
                "quantity": 1.0,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        })

    def test_held_customer_tour(self):
        company = self.env.company
        company.ar_enforcement_mode = "block"
        customer = self.env["res.partner"].create({
            "name": "AR Tour Held Customer", "is_company": True,
        })
        self._invoice(customer, 1000.0).action_post()
        draft = self._invoice(customer, 750.0)
        file = self.env["ar.credit.file"].sudo()._ar_files_for(customer, company)[customer.id]
        file._ar_set_manual_hold("Delivery dispute")
        new_test_user(
            self.env,
            login="ar_controller",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

        self.start_tour(
            "/odoo/action-ar_policy.action_ar_credit_file_held",
            "ar_policy_held_customer_tour",
            login="ar_controller",
        )

        self.assertEqual(draft.state, "draft")
        self.assertTrue(file.credit_hold)
