from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon
from odoo.addons.ar_policy.guards import policy_write


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestArPolicyControllerTour(AccountTestInvoicingHttpCommon):
    """Issue 14: what a credit controller sees at a glance, in the browser."""

    def _invoice(self, customer, amount, days_late=0):
        today = fields.Date.context_today(self.env.user)
        return self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_date": today - timedelta(days=days_late + 10),
            "invoice_date_due": today - timedelta(days=days_late),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({
                "name": "Consulting",
                "quantity": 1.0,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
        })

    def test_controller_tour(self):
        company = self.env.company
        Partner = self.env["res.partner"]
        held, over, good = Partner.create([
            {"name": name, "is_company": True, "customer_rank": 1}
            for name in ("AR Controller Held Customer", "AR Controller Over Limit Customer",
                         "AR Controller Good Customer")
        ])
        self._invoice(held, 1200.0, days_late=30).action_post()
        self._invoice(held, 500.0)
        self._invoice(over, 800.0).action_post()
        self._invoice(good, 100.0).action_post()
        for partner, limit in ((held, 1000.0), (over, 500.0), (good, 1000.0)):
            policy_write(partner.sudo()).credit_limit = limit
        company.ar_enforcement_mode = "block"
        files = self.env["ar.credit.file"].sudo()._ar_files_for(held, company)
        file = files[held.id]
        file._ar_set_manual_hold("Delivery dispute")
        policy_write(file.sudo()).stage_deposit_percent = 50.0
        new_test_user(
            self.env,
            login="ar_tour_controller",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

        self.start_tour(
            "/odoo/action-account.res_partner_action_customer",
            "ar_policy_controller_tour",
            login="ar_tour_controller",
        )

        self.assertTrue(file.credit_hold)

    def test_over_limit_search_and_deposit_shown(self):
        """The "Over Limit" filter, the deposit that applies now and a credit balance."""
        company = self.env.company
        company.ar_enforcement_mode = "block"
        over, within, advance = self.env["res.partner"].create([
            {"name": name, "is_company": True, "customer_rank": 1}
            for name in ("AR Over", "AR Within", "AR Advance")
        ])
        self._invoice(over, 800.0).action_post()
        self._invoice(within, 100.0).action_post()
        for partner, limit in ((over, 500.0), (within, 1000.0)):
            policy_write(partner.sudo()).credit_limit = limit
        self.env["account.payment"].create({
            "payment_type": "inbound", "partner_type": "customer", "partner_id": advance.id,
            "amount": 1500.0,
        }).action_post()
        partners = over | within | advance
        Partner = self.env["res.partner"]
        self.assertEqual(Partner.search([("id", "in", partners.ids), ("ar_over_limit", "=", True)]),
                         over)
        self.assertEqual(
            Partner.search([("id", "in", partners.ids), ("ar_over_limit", "=", False)]),
            within | advance,
        )
        self.assertEqual(partners.mapped("ar_over_limit"), [True, False, False])
        File = self.env["ar.credit.file"].sudo()
        file = File._ar_files_for(advance, company, create=True)[advance.id]
        policy_write(file).credit_status = "prepayment"
        self.assertEqual(file.deposit_policy, "none")
        self.assertEqual(file.deposit_effective, "100% (prepayment only)")
        self.assertEqual(file.exposure, -1500.0)
        self.assertEqual(file.exposure_advance, 1500.0)
        within_file = File._ar_files_for(within, company, create=True)[within.id]
        self.assertEqual(within_file.deposit_effective, "No deposit")
