import subprocess
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools.misc import format_amount

from .common import ArPolicyCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestStatement(ArPolicyCommon):
    """Statement of account of one customer (French-speaking invoicing contact), on
    2026-03-10, in USD: an 1,000 invoice due 1 Feb (overdue, 37 days), a 500 invoice
    due 1 Apr (not yet due), an open 150 credit note. Net overdue 850, balance 1,350."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.customer = cls.env["res.partner"].create({
            "name": "Relevé SA", "is_company": True, "customer_rank": 1,
            "email": "compta@releve.example", "lang": "fr_FR",
        })
        cls.other = cls.env["res.partner"].create({
            "name": "Second Customer", "is_company": True, "customer_rank": 1,
            "email": "ap@second.example",
        })
        cls.overdue = cls._post(cls._invoice(cls.customer, 1000.0, date=date(2026, 1, 2),
                                             due=date(2026, 2, 1)))
        cls.not_due = cls._post(cls._invoice(cls.customer, 500.0, date=date(2026, 3, 2),
                                             due=date(2026, 4, 1)))
        cls.refund = cls._post(cls._invoice(cls.customer, 150.0, date=date(2026, 3, 5),
                                            move_type="out_refund"))
        cls._post(cls._invoice(cls.other, 80.0, date=date(2026, 1, 2), due=date(2026, 2, 1)))
        bank = cls.env["res.partner.bank"].create({
            "acc_number": "FR7630001007941234567890185",
            "partner_id": cls.company.partner_id.id,
        })
        cls.company_data["default_journal_bank"].bank_account_id = bank
        cls.file = cls._file(cls.customer)
        cls.other_file = cls._file(cls.other)
        cls.History = cls.env["ar.escalation.history"]

    def _statements(self, file):
        return self.History.search([("file_id", "=", file.id), ("action", "=", "statement")])

    def test_pdf_states_the_credit_files_figures(self):
        pdf = self.env["ir.actions.report"].with_context(force_report_rendering=True)._render_qweb_pdf(
            "ar_policy.action_report_ar_statement", self.file.ids
        )[0]
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf,
                              capture_output=True, check=True).stdout.decode()
        text = text.replace("\xa0", " ")
        currency = self.company.currency_id
        file = self.file.sudo()
        self.assertEqual((file.overdue_amount, file.balance), (850.0, 1350.0))
        for amount in (file.overdue_amount, file.balance, 1000.0, 500.0, 150.0):
            self.assertIn(format_amount(self.env(context={"lang": "fr_FR"}), amount, currency)
                          .replace("\xa0", " "), text)
        self.assertIn("Statement of Account", text)
        self.assertIn(self.overdue.name, text)
        self.assertIn("01/02/2026", text, "due date in the customer's language (fr_FR)")
        self.assertIn("FR7630001007941234567890185", text, "the company's bank account")
        self.assertIn(f"CUST/{self.customer.id}", text, "the payment reference")
        # aging: 1,000 in 31-60 days, 500 not due, the credit note (5 days) in 1-30
        aging = text[text.index("Aging"):]
        self.assertLess(aging.index("150,00"), aging.index("1 000,00"))

    def test_composer_for_many_files_logs_each(self):
        files = self.file | self.other_file
        action = files.with_user(self.controller).action_ar_send_statement()
        # the controller sends what the template says (not a template editor)
        composer = self.env[action["res_model"]].with_user(self.controller).with_context(
            action["context"]).create({})
        composer.action_send_mail()
        for file in files:
            message = file.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
            self.assertTrue(message.attachment_ids, "the PDF is attached")
            self.assertIn("Statement", message.attachment_ids[0].name)
            history = self._statements(file)
            self.assertEqual(len(history), 1)
            self.assertEqual(history.user_id, self.controller)
            self.assertEqual(history.mail_message_id, message)

    def test_single_file_composer_and_forged_context(self):
        action = self.file.with_user(self.controller).action_ar_send_statement()
        composer = self.env[action["res_model"]].with_user(self.controller).with_context(
            action["context"]).create({})
        self.assertTrue(composer.attachment_ids, "the PDF is attached before sending")
        composer.action_send_mail()
        self.assertEqual(len(self._statements(self.file)), 1)
        # the context key alone, as a client could send it, logs no statement
        self.other_file.with_user(self.controller).with_context(
            ar_statement_sent=True).message_post(body="Hello", message_type="comment")
        self.assertFalse(self._statements(self.other_file))

    def test_batch_send_and_customers_list(self):
        files = self.env["ar.credit.file"]._ar_statement_files(self.customer | self.other)
        self.assertEqual(files, self.file | self.other_file)
        self.env["ar.credit.file"]._ar_send_statements(files)
        self.assertEqual(len(self._statements(self.file)), 1)
        self.assertEqual(len(self._statements(self.other_file)), 1)
        mail = self.file.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn("compta@releve.example", mail.partner_ids.mapped("email"))

    def test_ladder_stage_sends_the_statement(self):
        self.company.ar_escalation_enabled = True
        stage = self.company.ar_escalation_policy_id.stage_ids.filtered(
            lambda s: s.offset_days == 5)
        stage.sudo().action_statement = True
        late = self.env["res.partner"].create({
            "name": "Ladder Ltd", "is_company": True, "customer_rank": 1,
            "email": "ap@ladder.example",
        })
        self._post(self._invoice(late, 300.0, date=date(2026, 2, 1), due=date(2026, 3, 4)))
        with freeze_time("2026-03-10"):
            self.env["ar.credit.file"]._cron_escalation()
        history = self._statements(self._file(late))
        self.assertEqual(len(history), 1)
        self.assertEqual(history.stage_id, stage)
        self.assertTrue(history.by_scheduler)
        # sent by the nightly run (the system): from the company, else the system's address
        self.assertEqual(history.mail_message_id.email_from,
                         self.company.email_formatted
                         or self.env.ref("base.partner_root").email_formatted)
        self.assertTrue(history.mail_message_id.email_from)

    def test_salesperson_cannot_print_a_statement(self):
        """A salesperson reads credit files (hold badges) but never their amounts: the
        statement refuses to render for them, whatever the route."""
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.salesman)._render_qweb_html(
                "ar_policy.action_report_ar_statement", self.file.ids)
        html = self.env["ir.actions.report"].with_user(self.billing)._render_qweb_html(
            "ar_policy.action_report_ar_statement", self.file.ids)[0]
        self.assertIn(b"Statement of Account", html)
