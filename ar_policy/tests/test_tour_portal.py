from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import ArPolicyCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestArPolicyPortalTour(ArPolicyCommon, HttpCase):
    """Issue 12: a portal customer opens the link of its reminder, promises a date on
    one invoice and disputes another; the collector sees both on the worklist
    (Invoicing > Customers > Collections) and on the credit file."""

    def test_portal_tour(self):
        company = self.company
        company.ar_default_collector_id = self.controller
        today = fields.Date.context_today(self.env.user)
        customer = self.env["res.partner"].create({
            "name": "AR Tour Portal Customer", "is_company": True, "customer_rank": 1,
            "email": "ap@tour-portal.example",
        })
        user = new_test_user(
            self.env, login="ar_tour_portal", name="Tina Portal", groups="base.group_portal",
            email="tina@tour-portal.example",
            company_id=company.id, company_ids=[Command.set(company.ids)],
        )
        user.partner_id.parent_id = customer
        promised, disputed = (
            self._post(self._invoice(customer, amount, date=today - timedelta(days=30),
                                     due=today - timedelta(days=days_late)))
            for amount, days_late in ((1111.0, 10), (2222.0, 5))
        )
        file = self._file(customer).sudo()
        link = file._ar_portal_statement_url()
        self.assertIn(
            link.replace("&", "&amp;"),
            str(self.env.ref("ar_policy.mail_template_ar_escalation")._render_field(
                "body_html", file.ids)[file.id]),
            "the reminder carries the link",
        )

        self.start_tour(link[len(file.get_base_url()):], "ar_policy_portal_tour",
                        login="ar_tour_portal")

        promise = file.promise_ids
        self.assertEqual(promise.line_ids.move_id, promised)
        self.assertEqual(promise.date, today + timedelta(days=7))
        self.assertEqual(promise.user_id, user)
        receivable = disputed.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable")
        self.assertTrue(receivable.ar_disputed)
        self.assertEqual(
            sorted(file.portal_request_ids.mapped("kind")), ["dispute", "promise"])
        self.assertEqual(file.activity_ids.user_id, self.controller)
        row = self.env["ar.worklist"].search([("file_id", "=", file.id)])
        self.assertEqual((row.action, row.promise_status, row.promise_date, row.dispute_count),
                         ("review_dispute", "open", today + timedelta(days=7), 1),
                         "the customer's acts refreshed its row, still on today's list")

        self.start_tour("/odoo", "ar_policy_portal_collector_tour", login="ar_controller")
