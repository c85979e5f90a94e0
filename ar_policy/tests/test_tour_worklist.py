from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestArPolicyWorklistTour(AccountTestInvoicingHttpCommon):
    """Issue 10: a collector opens the worklist, logs a call "invoice not received",
    the invoice is sent again and the row leaves today's list."""

    def test_worklist_tour(self):
        company = self.env.company
        today = fields.Date.context_today(self.env.user)
        customer = self.env["res.partner"].create({
            "name": "AR Tour Forgetful Customer", "is_company": True,
            "email": "ap@forgetful.example",
        })
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_date": today - timedelta(days=35),
            "invoice_date_due": today - timedelta(days=25),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({
                "name": "Consulting", "quantity": 1.0, "price_unit": 900.0,
                "tax_ids": [Command.clear()],
            })],
        })
        invoice.action_post()
        collector = new_test_user(
            self.env, login="ar_worklist_collector",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=company.id, company_ids=[Command.set(company.ids)],
        )
        File = self.env["ar.credit.file"].sudo()
        file = File._ar_files_for(customer, company, create=True)[customer.id]
        file.collector_id = collector
        file._ar_refresh_worklist()
        self.assertTrue(self.env["ar.worklist"].search([("file_id", "=", file.id)]))

        self.start_tour("/odoo/collections", "ar_policy_worklist_tour",
                        login="ar_worklist_collector")

        self.assertFalse(self.env["ar.worklist"].search([("file_id", "=", file.id)]))
        self.assertEqual(file.call_ids.excuse_id, self.env.ref("ar_policy.ar_excuse_not_received"))
        self.assertEqual(file.call_ids.user_id, collector)
        resent = file.escalation_history_ids.filtered(lambda h: h.action == "resend")
        self.assertEqual(resent.move_id, invoice)
        self.assertEqual(resent.user_id, collector)
