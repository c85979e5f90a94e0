import subprocess
from datetime import timedelta
from unittest.mock import patch

from odoo import Command, fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import ArPolicyCommon


@tagged("post_install", "-at_install", "ar_policy_tour")
class TestArPolicyPortal(ArPolicyCommon, HttpCase):
    """Issue 12: the customer's account page in Odoo's portal, each route and each
    refusal. A refusal shows its message and changes nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "ar_promise_horizon_days": 90,
            "ar_promise_max_instalments": 6,
            "ar_portal_plans_allowed": True,
            "ar_portal_daily_requests": 20,
            "ar_portal_max_open_promises": 3,
            "ar_default_collector_id": cls.controller.id,
        })
        cls.today = fields.Date.context_today(cls.env["account.move"])
        cls.customer = cls.env["res.partner"].create({
            "name": "AR Portal Customer", "is_company": True, "customer_rank": 1,
            "email": "ap@portal-customer.example",
        })
        cls.portal_user = new_test_user(
            cls.env, login="ar_portal_buyer", name="Paula Portal", groups="base.group_portal",
            email="paula@portal-customer.example",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.other = cls.env["res.partner"].create({
            "name": "AR Portal Other Customer", "is_company": True, "customer_rank": 1,
            "email": "ap@other.example",
        })
        day = timedelta(days=1)
        cls.late = cls._post(cls._invoice(cls.customer, 1000.0, date=cls.today - 40 * day,
                                          due=cls.today - 10 * day))
        cls.later = cls._post(cls._invoice(cls.customer, 500.0, date=cls.today - 40 * day,
                                           due=cls.today - 20 * day))
        cls.not_due = cls._post(cls._invoice(cls.customer, 700.0, due=cls.today + 10 * day))
        cls.refund = cls._post(cls._invoice(cls.customer, 200.0, move_type="out_refund"))
        cls.paid = cls._post(cls._invoice(cls.customer, 300.0, due=cls.today - 5 * day))
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.paid.ids,
        ).create({})._create_payments()
        cls.others_invoice = cls._post(cls._invoice(cls.other, 900.0, due=cls.today - 10 * day))
        cls.company_2 = cls.company_data_2["company"] if hasattr(cls, "company_data_2") else (
            cls.setup_other_company()["company"]
        )
        cls.other_company_invoice = cls._post(cls._invoice(
            cls.customer, 400.0, due=cls.today - 10 * day, company=cls.company_2,
        ))
        cls.file = cls._file(cls.customer).sudo()

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _url(self, suffix=""):
        return f"/my/account-statement/{self.file.id}{suffix}"

    def _post_form(self, suffix, data, files=None, csrf=True):
        payload = list(data.items()) if isinstance(data, dict) else list(data)
        if csrf:
            payload.append(("csrf_token", http.Request.csrf_token(self)))
        return self.url_open(self._url(suffix), data=payload, files=files)

    def _state(self):
        """What a refusal must leave untouched."""
        lines = (self.late | self.later | self.not_due | self.paid | self.refund
                 | self.others_invoice | self.other_company_invoice).sudo().line_ids
        return (
            self.env["ar.promise"].sudo().search_count([]),
            self.env["ar.portal.request"].sudo().search_count([]),
            self.env["ar.escalation.history"].sudo().search_count([]),
            tuple(lines.mapped("ar_disputed")),
            tuple(lines.mapped("ar_promise_line_id").ids),
        )

    def _assert_refused(self, suffix, data, message, files=None):
        before = self._state()
        response = self._post_form(suffix, data, files=files)
        self.assertEqual(response.status_code, 200)
        self.assertIn(message, response.text)
        self.assertIn("o_ar_error", response.text)
        self.env.invalidate_all()
        self.assertEqual(self._state(), before, "a refusal changes nothing")

    def _date(self, days):
        return fields.Date.to_string(self.today + timedelta(days=days))

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------

    def test_page_as_portal_user(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self.url_open("/my/account-statement")
        self.assertEqual(response.status_code, 200)
        page = response.text
        for invoice in (self.late, self.later, self.not_due):
            self.assertIn(invoice.name, page)
        self.assertIn(self.refund.name, page, "open credits are listed")
        self.assertNotIn(self.paid.name, page)
        self.assertNotIn(self.others_invoice.name, page)
        self.assertNotIn(f"/my/invoices/{self.other_company_invoice.id}?", page)
        values = self.file._ar_escalation_mail_values()
        self.assertIn(values["overdue_net"], page)
        self.assertIn(values["balance"], page)
        self.assertIn("1-30 days", page)
        self.assertIn('id="ar_promise_form"', page)
        self.assertIn('id="ar_dispute_form"', page)
        self.assertIn('id="ar_plan_form"', page)
        self.assertIn(self.late.get_portal_url().split("?")[0], page, "pay one invoice")
        self.assertNotIn("/my/invoices/overdue", page,
                         "Odoo's own 'pay all overdue' pays the invoices addressed to the contact")
        self.assertIn("Statement (PDF)", page)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["ar_statement_count"]})
        self.assertEqual(counters["ar_statement_count"], 3)

    def test_pay_all_overdue(self):
        """Odoo's own button, where it applies: overdue invoices addressed to the user."""
        self._post(self._invoice(self.portal_user.partner_id, 50.0,
                                 date=self.today - timedelta(days=20),
                                 due=self.today - timedelta(days=2)))
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        page = self.url_open("/my/account-statement").text
        self.assertIn("/my/invoices/overdue", page)

    def test_page_without_credit_file(self):
        stranger = self.env["res.partner"].create({"name": "AR Portal Stranger", "is_company": True})
        user = new_test_user(
            self.env, login="ar_portal_stranger", groups="base.group_portal",
            company_id=self.company.id, company_ids=[Command.set(self.company.ids)],
        )
        user.partner_id.parent_id = stranger
        self.authenticate("ar_portal_stranger", "ar_portal_stranger")
        response = self.url_open("/my/account-statement")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Nothing is open on your account", response.text)
        self.assertFalse(self.env["ar.credit.file"].sudo().search([("partner_id", "=", stranger.id)]),
                         "visiting the page creates no credit file")

    def test_portal_user_reads_nothing_over_rpc(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        self._post_form("/dispute", {"move_ids": self.late.id, "message": "Broken",
                                     "reason_id": self.env.ref("ar_policy.dispute_reason_damaged").id})
        for model in ("ar.portal.request", "ar.credit.file", "ar.promise"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.portal_user).search_read([], ["id"])

    def test_page_other_company_refused(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self.url_open(f"/my/account-statement?company_id={self.company_2.id}")
        self.assertNotIn("/my/account-statement", response.url)
        self.assertNotIn(f"/my/invoices/{self.other_company_invoice.id}?", response.text)
        response = self.url_open("/my/account-statement?company_id=abc")
        self.assertNotIn("Your account with", response.text)

    def test_page_other_customer_file_refused(self):
        other_file = self._file(self.other).sudo()
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self.url_open(f"/my/account-statement/{other_file.id}")
        self.assertNotIn(self.others_invoice.name, response.text)
        before = self._state()
        self.url_open(f"/my/account-statement/{other_file.id}/promise", data={
            "move_ids": self.others_invoice.id, "date": self._date(5),
            "csrf_token": http.Request.csrf_token(self),
        })
        self.assertEqual(self._state(), before)

    def test_token_link_from_reminder(self):
        """The reminder's link opens the page without a login, read-only."""
        body = self.env.ref("ar_policy.mail_template_ar_escalation")._render_field(
            "body_html", self.file.ids)[self.file.id]
        url = self.file._ar_portal_statement_url()
        self.assertIn(url.replace("&", "&amp;"), str(body))
        path = url[len(self.file.get_base_url()):]
        self.authenticate(None, None)
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.late.name, response.text)
        self.assertIn("Log in", response.text)
        self.assertNotIn('id="ar_promise_form"', response.text)
        # a wrong token, and the token of another document
        for token in ("wrong", self.late._portal_ensure_token()):
            response = self.url_open(self._url(f"?access_token={token}"))
            self.assertNotIn(self.late.name, response.text)
        # a token does not let anyone act
        before = self._state()
        self._post_form("/promise", {"move_ids": self.late.id, "date": self._date(5),
                                     "access_token": self.file.access_token})
        self.assertEqual(self._state(), before)

    def test_statement_pdf(self):
        """The page's "Statement (PDF)" is the statement of account
        (``ar_policy.action_report_ar_statement``), with the page's net overdue and
        balance; by the customer, by the file's token, never by another document's."""
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        page = self.url_open("/my/account-statement").text
        self.assertIn("Statement (PDF)", page)
        self.assertIn(self._url("/pdf"), page)
        values = self.file._ar_escalation_mail_values()
        for figure in (values["overdue_net"], values["balance"]):
            self.assertIn(figure, page)
        # wkhtmltopdf must not call back the test server, which serves this request
        self.env["ir.config_parameter"].sudo().set_param("report.url", "http://127.0.0.1:9")
        IrActionsReport = type(self.env["ir.actions.report"])
        render = IrActionsReport._render_qweb_pdf

        def real_pdf(report, report_ref, res_ids=None, data=None):
            # tests render reports as HTML unless told otherwise
            return render(report.with_context(force_report_rendering=True), report_ref,
                          res_ids=res_ids, data=data)

        with patch.object(IrActionsReport, "_render_qweb_pdf", real_pdf):
            response = self.url_open(self._url("/pdf"))
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.headers["Content-Type"], "application/pdf")
            text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content,
                                  capture_output=True, check=True).stdout.decode()
            text = text.replace("\xa0", " ")
            self.assertIn("Statement of Account", text)
            self.assertIn(self.customer.name, text)
            for figure in (values["overdue_net"], values["balance"]):
                self.assertIn(figure.replace("\xa0", " "), text)
            for invoice in (self.late, self.later, self.not_due, self.refund):
                self.assertIn(invoice.name, text)
            # by token, and not with another document's token
            self.authenticate(None, None)
            token = self.file._portal_ensure_token()
            response = self.url_open(self._url(f"/pdf?access_token={token}"))
            self.assertEqual(response.headers["Content-Type"], "application/pdf")
            response = self.url_open(self._url(f"/pdf?access_token={self.late._portal_ensure_token()}"))
            self.assertNotEqual(response.headers["Content-Type"], "application/pdf")
            self.assertNotIn(self.customer.name, response.text)

    def test_letter_links_to_page(self):
        row = self.env["ar.escalation.history"]._ar_record([dict(file=self.file, action="letter")])
        letter = self.env["ir.actions.report"]._render_qweb_html(
            "ar_policy.action_report_ar_dunning_letter", row.ids)[0].decode()
        self.assertIn(self.file._ar_portal_statement_url().replace("&", "&amp;"), letter)

    # ------------------------------------------------------------------
    # Promise to pay
    # ------------------------------------------------------------------

    def test_promise_within_limits(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self._post_form("/promise", [
            ("move_ids", self.late.id), ("move_ids", self.later.id),
            (f"amount_{self.late.id}", "600"), ("date", self._date(7)),
            ("message", "Paying when our client pays us"),
        ])
        self.assertIn("o_ar_done", response.text)
        self.assertIn("your promise to pay is recorded", response.text)
        promise = self.file.promise_ids
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.state, "open")
        self.assertEqual(promise.amount, 1100.0)
        self.assertEqual(promise.date, self.today + timedelta(days=7))
        self.assertEqual(promise.user_id, self.portal_user)
        self.assertEqual(promise.line_ids.move_id, self.late | self.later)
        request = self.file.portal_request_ids
        self.assertEqual((request.kind, request.state, request.promise_id), ("promise", "done", promise))
        history = self.file.escalation_history_ids.filtered(lambda h: h.action == "promise")
        self.assertEqual(history.user_id, self.portal_user, "the customer's own action")
        note = self.file.message_ids.filtered(lambda m: "Promise to pay" in (m.body or ""))
        self.assertEqual(note.author_id, self.portal_user.partner_id)
        activity = self.file.activity_ids
        self.assertEqual(activity.user_id, self.controller)
        mail = self.env["mail.mail"].sudo().search([
            ("model", "=", "ar.portal.request"), ("res_id", "=", request.id),
        ])
        self.assertIn(self.portal_user.partner_id, mail.recipient_ids)
        self.assertIn("recorded your promise to pay", mail.body_html)
        self.assertEqual(self.file.overdue_amount, 0.0, "the promised items are paused")

    def test_promise_beyond_horizon_is_a_request(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self._post_form("/promise", {"move_ids": self.late.id, "date": self._date(120)})
        self.assertIn("your request is sent", response.text)
        self.assertFalse(self.file.promise_ids)
        request = self.file.portal_request_ids
        self.assertEqual((request.kind, request.state), ("promise", "requested"))
        self.assertTrue(request.activity_id)
        self.assertIn("portal_request", self.file.escalation_history_ids.mapped("action"))
        with self.assertRaises(AccessError):
            request.with_user(self.salesman).action_accept()
        # the collector accepts it from the credit file
        request.with_user(self.controller).action_accept()
        self.assertEqual(request.state, "accepted")
        self.assertEqual(request.promise_id.date, self.today + timedelta(days=120))
        self.assertEqual(request.promise_id.user_id, self.controller)
        self.assertFalse(request.activity_id, "the activity is done")
        mails = self.env["mail.mail"].sudo().search([
            ("model", "=", "ar.portal.request"), ("res_id", "=", request.id),
        ])
        self.assertTrue(any("We accept your request" in m.body_html for m in mails))

    @mute_logger("odoo.http")
    def test_promise_refusals(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        cases = [
            ({"move_ids": self.others_invoice.id, "date": self._date(5)},
             "not on your account"),
            ({"move_ids": self.other_company_invoice.id, "date": self._date(5)},
             "not on your account"),
            ({"move_ids": self.paid.id, "date": self._date(5)}, "nothing left to pay"),
            ({"move_ids": self.late.id, "date": self._date(-1)}, "in the past"),
            ({"move_ids": self.late.id, "date": self._date(5),
              f"amount_{self.late.id}": "1000.01"}, "left to pay"),
            ({"move_ids": self.late.id, "date": "not a date"}, "enter a date"),
            ({"move_ids": "999999999", "date": self._date(5)}, "not on your account"),
            ({"date": self._date(5)}, "choose at least one invoice"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                self._assert_refused("/promise", data, message)

    def test_promise_limits(self):
        self.company.ar_portal_max_open_promises = 1
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        self._post_form("/promise", {"move_ids": self.late.id, "date": self._date(5)})
        self.assertEqual(len(self.file.promise_ids), 1)
        self._assert_refused("/promise", {"move_ids": self.later.id, "date": self._date(5)},
                             "open promises")
        self.company.write({"ar_portal_max_open_promises": 3, "ar_portal_daily_requests": 1})
        self._assert_refused("/promise", {"move_ids": self.later.id, "date": self._date(5)},
                             "requests today")

    @mute_logger("odoo.http")
    def test_no_csrf_token(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        before = self._state()
        response = self._post_form("/promise", {"move_ids": self.late.id, "date": self._date(5)},
                                   csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self._state(), before)

    # ------------------------------------------------------------------
    # Dispute
    # ------------------------------------------------------------------

    def test_dispute_and_answer(self):
        reason = self.env.ref("ar_policy.dispute_reason_price")
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self._post_form(
            "/dispute",
            {"move_ids": self.later.id, "reason_id": reason.id,
             "message": "We ordered 5, not 10"},
            files={"attachments": ("delivery-note.txt", b"5 delivered", "text/plain")},
        )
        self.assertIn("Your dispute is recorded", response.text)
        receivable = self.later.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable")
        self.assertTrue(receivable.ar_disputed)
        self.assertIn("Wrong price or quantity", receivable.sudo().ar_dispute_reason)
        request = self.file.portal_request_ids
        self.assertEqual((request.kind, request.state, request.reason_id), ("dispute", "open", reason))
        self.assertEqual(request.attachment_ids.name, "delivery-note.txt")
        self.assertEqual(request.activity_id.user_id, self.controller)
        history = self.file.escalation_history_ids.filtered(lambda h: h.action == "dispute")
        self.assertEqual(history.user_id, self.portal_user)
        # the collector answers by closing the dispute
        self.env["ar.promise"].with_user(self.controller)._ar_set_dispute(
            self.later, False, "Credit note for 5 units issued")
        self.assertEqual(request.state, "answered")
        self.assertEqual(request.answer, "Credit note for 5 units issued")
        mails = self.env["mail.mail"].sudo().search([
            ("model", "=", "ar.portal.request"), ("res_id", "=", request.id),
        ])
        self.assertTrue(any("Credit note for 5 units issued" in m.body_html for m in mails))
        page = self.url_open("/my/account-statement").text
        self.assertIn("Credit note for 5 units issued", page)

    def test_dispute_closed_from_request(self):
        reason = self.env.ref("ar_policy.dispute_reason_not_received")
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        self._post_form("/dispute", {"move_ids": self.late.id, "reason_id": reason.id,
                                     "message": "Never delivered"})
        request = self.file.portal_request_ids.with_user(self.controller)
        with self.assertRaises(UserError):
            request.action_close_dispute()
        request.answer = "Delivered on the 3rd: signed delivery note attached to the invoice"
        request.action_close_dispute()
        self.assertEqual(request.state, "answered")
        self.assertFalse(any(self.late.line_ids.mapped("ar_disputed")))
        self.assertIn("dispute_closed", self.file.escalation_history_ids.mapped("action"))

    @mute_logger("odoo.http")
    def test_dispute_refusals(self):
        reason = self.env.ref("ar_policy.dispute_reason_price")
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        cases = [
            ({"move_ids": self.refund.id, "reason_id": reason.id, "message": "x"},
             "only an invoice can be disputed"),
            ({"move_ids": self.paid.id, "reason_id": reason.id, "message": "x"},
             "nothing left to pay"),
            ({"move_ids": self.others_invoice.id, "reason_id": reason.id, "message": "x"},
             "not on your account"),
            ({"move_ids": self.late.id, "reason_id": "0", "message": "x"}, "choose one of the reasons"),
            ({"move_ids": self.late.id, "reason_id": reason.id, "message": " "},
             "tell us what is wrong"),
        ]
        for data, message in cases:
            with self.subTest(data=data):
                self._assert_refused("/dispute", data, message)

    # ------------------------------------------------------------------
    # Copy and payment plan
    # ------------------------------------------------------------------

    def test_copy(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self._post_form("/copy", {"move_ids": self.late.id})
        self.assertIn("sent again", response.text)
        history = self.file.escalation_history_ids.filtered(lambda h: h.action == "resend")
        self.assertEqual(history.move_id, self.late)
        self.assertEqual(history.user_id, self.portal_user)
        self.assertEqual(self.file.portal_request_ids.kind, "copy")
        self._assert_refused("/copy", {"move_ids": self.others_invoice.id}, "not on your account")

    def test_plan_accept_and_decline(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        response = self._post_form("/plan", {"move_ids": self.late.id, "instalment_count": "3",
                                             "date": self._date(3)})
        self.assertIn("payment plan request is sent", response.text)
        plan = self.file.portal_request_ids
        self.assertEqual((plan.kind, plan.state, plan.instalment_count), ("plan", "requested", 3))
        self._assert_refused("/promise", {"move_ids": self.late.id, "date": self._date(5)},
                             "awaiting our answer")
        with self.assertRaises(UserError):
            plan.with_user(self.controller).action_refuse()
        plan.with_user(self.controller).action_accept()
        self.assertEqual(plan.promise_id.is_plan, True)
        self.assertEqual(len(plan.promise_id.instalment_ids), 3)
        self.assertEqual(plan.promise_id.amount, 1000.0)
        self._post_form("/plan", {"move_ids": self.later.id, "instalment_count": "2",
                                  "date": self._date(3)})
        second = self.file.portal_request_ids.filtered(lambda r: r.state == "requested")
        second.with_user(self.controller).answer = "Please pay this one by the end of the month"
        second.with_user(self.controller).action_refuse()
        self.assertEqual(second.state, "refused")
        page = self.url_open("/my/account-statement").text
        self.assertIn("Please pay this one by the end of the month", page)

    @mute_logger("odoo.http")
    def test_plan_refusals(self):
        self.authenticate("ar_portal_buyer", "ar_portal_buyer")
        self._assert_refused("/plan", {"move_ids": self.late.id, "instalment_count": "7",
                                       "date": self._date(3)}, "from 2 to 6")
        self._assert_refused("/plan", {"move_ids": self.late.id, "instalment_count": "3",
                                       "date": self._date(-3)}, "in the past")
        self._assert_refused("/plan", {"move_ids": self.late.id, "instalment_count": "3",
                                       "date": self._date(40)}, "Promise Horizon")
        self.company.ar_portal_plans_allowed = False
        self._assert_refused("/plan", {"move_ids": self.late.id, "instalment_count": "3",
                                       "date": self._date(3)}, "not offered")
