from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingHttpCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestArPolicyPromiseTour(AccountTestInvoicingHttpCommon):
    """DOMAIN 3: a credit controller records a customer's promise to pay through the
    wizard, from the credit file, and sees it on the file."""

    def test_promise_tour(self):
        company = self.env.company
        today = fields.Date.context_today(self.env.user)
        customer = self.env["res.partner"].create({
            "name": "AR Tour Promising Customer", "is_company": True,
            "email": "ap@promising.example",
        })
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice",
            "partner_id": customer.id,
            "invoice_date": today - timedelta(days=40),
            "invoice_date_due": today - timedelta(days=30),
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({
                "name": "Consulting",
                "quantity": 1.0,
                "price_unit": 1200.0,
                "tax_ids": [Command.clear()],
            })],
        })
        invoice.action_post()
        controller = new_test_user(
            self.env,
            login="ar_promise_controller",
            groups="base.group_user,ar_policy.group_credit_controller",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

        self.start_tour(
            "/odoo/action-ar_policy.action_ar_credit_file",
            "ar_policy_promise_tour",
            login="ar_promise_controller",
        )

        file = self.env["ar.credit.file"].sudo()._ar_files_for(customer, company)[customer.id]
        promise = file.promise_ids
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.user_id, controller)
        self.assertEqual(promise.date, today + timedelta(days=7))
        self.assertEqual(promise.amount, 1200.0)
        self.assertEqual(promise.reason, "Paying after the customer's own client pays")
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertEqual(receivable.ar_promise_line_id, promise)
        self.assertEqual(file.overdue_amount, 0.0)
