import subprocess
from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import new_test_user, tagged

from ..guards import as_scheduler
from .common import ArPolicyCommon

TODAY = date(2026, 6, 30)  # a Tuesday


def ago(days):
    return TODAY - timedelta(days=days)


@tagged("post_install", "-at_install")
@freeze_time(TODAY)
class TestWorklistIntegration(ArPolicyCommon):
    """The worklist wired to the statement of account and to the customer's account
    page (issues 10 and 12): the statement sent from a row, and the customer's
    promise, dispute and requests shown on its row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Worklist = cls.env["ar.worklist"]
        cls.company.write({
            "ar_promise_horizon_days": 60,
            "ar_promise_max_instalments": 6,
            "ar_portal_plans_allowed": True,
            "ar_portal_daily_requests": 20,
            "ar_portal_max_open_promises": 3,
            "ar_default_collector_id": cls.controller.id,
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Wired Customer Ltd", "is_company": True, "customer_rank": 1,
            "email": "ap@wired.example",
        })
        cls.portal_user = new_test_user(
            cls.env, login="ar_wired_buyer", name="Wanda Wired", groups="base.group_portal",
            email="wanda@wired.example",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )
        cls.portal_user.partner_id.parent_id = cls.customer
        # 1,000 and 600 overdue 25 days, 400 not due
        cls.first = cls._post(cls._invoice(cls.customer, 1000.0, date=ago(35), due=ago(25)))
        cls.second = cls._post(cls._invoice(cls.customer, 600.0, date=ago(35), due=ago(25)))
        cls._post(cls._invoice(cls.customer, 400.0, date=ago(5), due=ago(-25)))
        cls.file = cls._file(cls.customer)
        cls.reason = cls.env["ar.portal.request"].sudo()._ar_dispute_reasons(cls.company)[:1]

    def setUp(self):
        super().setUp()
        # the requests' create_date is the transaction's time: the frozen one
        self.patch(type(self.env.cr), "now", lambda cr: datetime.now())

    def _row(self):
        self.file._ar_refresh_worklist()
        return self.Worklist.search([("file_id", "=", self.file.id)])

    def _portal(self, method, moves, *args, **kwargs):
        """What the account page's controller does: the customer's own environment,
        the file and the invoices in sudo after its checks."""
        env = self.env(user=self.portal_user)
        return getattr(env["ar.portal.request"], method)(
            self.file.with_env(env).sudo(), self.portal_user.partner_id,
            moves.with_env(env).sudo(), *args, **kwargs)

    # ------------------------------------------------------------------
    # Statement of account from the row
    # ------------------------------------------------------------------

    def test_send_statement_from_the_row(self):
        row = self._row()
        self.assertEqual(row.action, "call")
        action = row.with_user(self.controller).action_send_statement()
        self.assertEqual(action["res_model"], "mail.compose.message")
        # a real PDF (tests render reports as HTML unless told otherwise)
        composer = self.env["mail.compose.message"].with_user(self.controller).with_context(
            action["context"], force_report_rendering=True).create({})
        composer.action_send_mail()
        message = self.file.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn("ap@wired.example", message.partner_ids.mapped("email"))
        self.assertEqual(len(message.attachment_ids), 1)
        self.assertEqual(message.attachment_ids.mimetype, "application/pdf")
        self.assertIn("Statement", message.attachment_ids.name)
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=message.attachment_ids.raw,
                              capture_output=True, check=True).stdout.decode()
        self.assertIn(self.first.name, text)
        self.assertIn(self.file._ar_escalation_mail_values()["balance"].replace("\xa0", " "),
                      text.replace("\xa0", " "))
        history = self.file.escalation_history_ids.filtered(lambda h: h.action == "statement")
        self.assertEqual(len(history), 1)
        self.assertEqual((history.user_id, history.mail_message_id), (self.controller, message))
        self.assertFalse(self.Worklist.search([("file_id", "=", self.file.id)]),
                         "off today's list")
        self.assertEqual(self.file.worklist_done_on, TODAY)
        # the statement is a contact: tomorrow the call waits for the contact interval
        with freeze_time(TODAY + timedelta(days=1)):
            self.assertFalse(self._row())
        with freeze_time(TODAY + timedelta(days=7)):
            self.assertEqual(self._row().reason, "Call: 32 days late, no contact for 7 days")

    def test_asked_for_a_statement_on_a_call(self):
        """The excuse "asks for a statement" opens the statement's composer; not sent,
        the worklist asks for it the next day; sent from the row, the row is done."""
        excuse = self.env.ref("ar_policy.ar_excuse_statement")
        action = self.env["ar.call.wizard"].with_user(self.controller).with_context(
            default_file_id=self.file.id).create({"excuse_id": excuse.id}).action_confirm()
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertFalse(self.Worklist.search([("file_id", "=", self.file.id)]))
        with freeze_time(TODAY + timedelta(days=1)):
            row = self._row()
            self.assertEqual((row.action, row.reason),
                             ("send_statement", "Send statement: asked for a copy"))
            action = row.with_user(self.controller).action_send_statement()
            self.env["mail.compose.message"].with_user(self.controller).with_context(
                action["context"]).create({}).action_send_mail()
            self.assertFalse(self.Worklist.search([("file_id", "=", self.file.id)]))
        with freeze_time(TODAY + timedelta(days=8)):
            self.assertEqual(self._row().reason, "Call: 33 days late, no contact for 7 days")

    def test_statement_sent_by_the_ladder_leaves_the_row(self):
        as_scheduler(self.env["ar.credit.file"].sudo())._ar_send_statements(self.file)
        history = self.file.escalation_history_ids.filtered(lambda h: h.action == "statement")
        self.assertTrue(history.by_scheduler)
        self.assertEqual(self._row().reason, "Call: 25 days late, never contacted",
                         "the nightly statement is not the collector's contact")

    # ------------------------------------------------------------------
    # The customer's account page on the row
    # ------------------------------------------------------------------

    def test_customer_promise_and_dispute_show_on_the_row(self):
        self.assertEqual(self._row().action, "call")
        self._portal("_ar_submit_promise", self.first, TODAY + timedelta(days=10))
        # the customer's own act refreshes the row, it is not the collector's contact
        row = self.Worklist.search([("file_id", "=", self.file.id)])
        self.assertEqual((row.promise_status, row.promise_date, row.promise_amount),
                         ("open", TODAY + timedelta(days=10), 1000.0))
        self.assertEqual(row.overdue_amount, 600.0, "the promised invoice is paused")
        self.assertFalse(row.last_contact_date)
        self.assertEqual(row.reason, "Call: 25 days late, never contacted")
        self._portal("_ar_submit_dispute", self.second, self.reason, "The goods came broken")
        row = self.Worklist.search([("file_id", "=", self.file.id)])
        self.assertEqual((row.action, row.reason),
                         ("review_dispute", "Review: invoice disputed by the customer today"))
        self.assertEqual((row.dispute_count, row.dispute_days), (1, 0))
        self.assertEqual(row.promise_status, "open")
        self.assertEqual(row.overdue_amount, 0.0)
        self.assertEqual(row.request_id.kind, "dispute")
        # the collector calls the customer: done for today, and the dispute was heard
        self.env["ar.call.wizard"].with_user(self.controller).with_context(
            default_file_id=self.file.id).create({"outcome": "reached"}).action_confirm()
        self.assertFalse(self.Worklist.search([("file_id", "=", self.file.id)]))
        with freeze_time(TODAY + timedelta(days=1)):
            self.assertFalse(self._row())

    def test_plan_request_waits_for_an_answer(self):
        before = self._row().priority
        request = self._portal("_ar_submit_plan", self.first | self.second,
                               TODAY + timedelta(days=5), 2)
        row = self.Worklist.search([("file_id", "=", self.file.id)])
        self.assertEqual((row.action, row.reason),
                         ("answer_request", "Answer: payment plan requested today"))
        self.assertEqual(row.request_id, request)
        self.assertAlmostEqual(row.priority, before + 5.0, 2)
        self.assertEqual(row.with_user(self.controller).action_open_request()["res_id"],
                         request.id)
        # a call does not answer it: tomorrow the request is still there
        self.env["ar.call.wizard"].with_user(self.controller).with_context(
            default_file_id=self.file.id).create({"outcome": "reached"}).action_confirm()
        self.assertFalse(self.Worklist.search([("file_id", "=", self.file.id)]))
        with freeze_time(TODAY + timedelta(days=1)):
            self.assertEqual(self._row().reason, "Answer: payment plan requested yesterday")
        request.with_user(self.controller).write({"answer": "Two instalments at most"})
        request.with_user(self.controller).action_refuse()
        self.assertFalse(self.Worklist.search([("file_id", "=", self.file.id)]),
                         "answered: off today's list")
        with freeze_time(TODAY + timedelta(days=8)):
            self.assertEqual(self._row().action, "call")

    def test_promise_beyond_the_horizon_waits_for_an_answer(self):
        request = self._portal("_ar_submit_promise", self.first, TODAY + timedelta(days=75))
        self.assertEqual(request.state, "requested")
        row = self.Worklist.search([("file_id", "=", self.file.id)])
        self.assertEqual(row.reason, "Answer: promise beyond the horizon requested today")
        request.with_user(self.controller).action_accept()
        self.assertFalse(self.Worklist.search([("file_id", "=", self.file.id)]))
        with freeze_time(TODAY + timedelta(days=8)):
            row = self._row()
            self.assertEqual((row.promise_status, row.overdue_amount), ("open", 600.0))
