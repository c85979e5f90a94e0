import os
import re
import subprocess
import tempfile
from datetime import date

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ArPolicyCommon

DUE = date(2026, 3, 10)


@tagged("post_install", "-at_install")
class TestDunningLetter(ArPolicyCommon):
    """The dunning letter as printed (wkhtmltopdf, read back with pdftotext): a
    business letter with letterhead, address, date, reference, salutation, the stage's
    own text, items, deadline, consequences, payment details and signatory."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.File = cls.env["ar.credit.file"]
        cls.company.write({"ar_escalation_enabled": True,
                           "ar_credit_manager_id": cls.manager.id,
                           "street": "5 Company Road", "city": "Capital City", "zip": "99999"})
        cls.policy = cls.company.ar_escalation_policy_id
        cls.stages = {stage.offset_days: stage for stage in cls.policy.stage_ids}
        # the warning stage prints a reminder letter as well
        cls.stages[5].sudo().action_letter = True
        bank = cls.env["res.partner.bank"].create({
            "acc_number": "GB33 BUKB 2020 1555 5555 55", "partner_id": cls.company.partner_id.id,
        })
        cls.company_data["default_journal_bank"].bank_account_id = bank
        cls.customer = cls.env["res.partner"].create({
            "name": "Acme Corp", "is_company": True, "email": "acme@example.com",
            "street": "1 Market Street", "city": "Springfield", "zip": "12345",
        })
        cls.file = cls._file(cls.customer)
        cls.file.sudo().collector_id = cls.controller

    def _run(self, day):
        with freeze_time(day):
            self.File._cron_escalation()
        self.env.invalidate_all()

    def _letter_rows(self, file=None):
        return self.env["ar.escalation.history"].search(
            [("file_id", "in", (file or self.file).ids), ("action", "=", "letter")])

    def _pdf_text(self, rows, day, name):
        with freeze_time(day):
            pdf, kind = self.env["ir.actions.report"].with_context(
                force_report_rendering=True)._render_qweb_pdf(
                "ar_policy.report_ar_dunning_letter", rows.ids)
        self.assertEqual(kind, "pdf")
        folder = os.environ.get("AR_MAIL_DUMP") or tempfile.gettempdir()
        path = os.path.join(folder, f"letter_{name}.pdf")
        with open(path, "wb") as out:
            out.write(pdf)
        text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                              text=True, check=True).stdout
        return re.sub(r"\s+", " ", text)

    def _assert_letter(self, text):
        self.assertIn("5 Company Road", text, "letterhead drawn in the body")
        self.assertIn("Acme Corp", text)
        self.assertIn("1 Market Street", text, "the customer's address")
        self.assertIn("Dear Sir or Madam,", text)
        self.assertIn("Reference", text)
        self.assertIn("GB33 BUKB 2020 1555 5555 55", text, "payment details")
        self.assertIn("Yours faithfully", text)
        self.assertIn(self.controller.name, text, "signatory")
        for stage in self.policy.stage_ids:
            self.assertNotIn(stage.name, text, "no stage names")

    def test_reminder_letter(self):
        invoice = self._post(self._invoice(self.customer, 1000.0, date=date(2026, 2, 8), due=DUE))
        self._run(date(2026, 3, 15))
        text = self._pdf_text(self._letter_rows(), date(2026, 3, 15), "reminder")
        self._assert_letter(text)
        self.assertIn("Payment reminder", text)
        self.assertIn("may have escaped your attention", text, "the stage's own text")
        self.assertIn(invoice.name, text)
        self.assertIn("by 03/25/2026", text, "the deadline")
        self.assertIn("late fee and interest", text, "the consequence")
        self.assertIn("Net amount overdue", text)

    def test_formal_notice_names_the_date_service_stops(self):
        self._post(self._invoice(self.customer, 1000.0, date=date(2026, 2, 8), due=DUE))
        self._run(date(2026, 4, 9))
        rows = self._letter_rows()
        self.assertEqual(rows.stage_id, self.stages[30])
        text = self._pdf_text(rows, date(2026, 4, 9), "formal_notice")
        self._assert_letter(text)
        self.assertIn("Demand for payment", text)
        self.assertIn("This is a formal notice", text)
        self.assertIn("deliveries and services stop from 04/19/2026", text)
        self.assertIn("hand your account over for collection", text, "the next step")

    def test_formal_notice_in_italian(self):
        """The stage's default text, like the rest of the letter, in the customer's
        language."""
        self.env["res.lang"]._activate_lang("it_IT")
        self.env["ir.module.module"]._load_module_terms(["ar_policy"], ["it_IT"])
        self.customer.lang = "it_IT"
        self._post(self._invoice(self.customer, 1000.0, date=date(2026, 2, 8), due=DUE))
        self._run(date(2026, 4, 9))
        text = self._pdf_text(self._letter_rows(), date(2026, 4, 9), "formal_notice_it")
        self.assertIn("Diffida di pagamento", text)
        self.assertIn("Gentile Cliente,", text)
        self.assertIn("Con la presente vi diffidiamo formalmente", text, "the stage's text")
        self.assertIn("Distinti saluti", text)
        self.assertNotIn("formal notice", text)

    def test_handover_notice_names_the_agency(self):
        self.stages[90].sudo().action_letter = True
        self._post(self._invoice(self.customer, 1000.0, date=date(2026, 2, 8), due=DUE))
        self._run(date(2026, 6, 8))
        text = self._pdf_text(self._letter_rows(), date(2026, 6, 8), "handover")
        self._assert_letter(text)
        self.assertIn("Notice of hand-over for collection", text)
        self.assertIn("handed your account over: collection agency", text)

    def test_batch_prints_one_pdf_and_missing_address_gets_an_activity(self):
        homeless = self.env["res.partner"].create({
            "name": "Nowhere Ltd", "is_company": True, "email": "nowhere@example.com",
        })
        for partner in (self.customer, homeless):
            self._post(self._invoice(partner, 500.0, date=date(2026, 2, 8), due=DUE))
        self._run(date(2026, 4, 9))
        other = self._file(homeless)
        activity = self.env["mail.activity"].sudo().search([
            ("res_model", "=", "ar.credit.file"), ("res_id", "=", other.id),
            ("summary", "ilike", "postal address"),
        ])
        self.assertEqual(len(activity), 1, "an activity to fix the address")
        self.assertTrue(self._letter_rows(other), "the run went on: the letter is logged")
        rows = self._letter_rows(self.file | other)
        text = self._pdf_text(rows, date(2026, 4, 9), "batch")
        self.assertIn("Acme Corp", text)
        self.assertIn("Nowhere Ltd", text)
        self.assertIn("Postal address incomplete", text)
        self.assertEqual(text.count("Demand for payment"), 2, "one PDF, two letters")

    def test_broken_letter_text_is_refused_at_save(self):
        stage = self.stages[30].with_user(self.manager)
        with self.assertRaisesRegex(ValidationError, "Letter Text: unknown placeholder"):
            stage.letter_text = "<p>Pay by {{ dedline }}.</p>"
        with self.assertRaisesRegex(ValidationError, "Letter Text: a placeholder is not closed"):
            stage.letter_text = "<p>Pay by {{ deadline.</p>"
        stage.letter_text = "<p>Pay {{ net_overdue }} by {{ deadline }}.</p>"

    def test_letter_text_that_cannot_print_falls_back(self):
        stage = self.stages[30]
        self.env.cr.execute("UPDATE ar_escalation_stage SET letter_text = %s WHERE id = %s",
                            ['{"en_US": "<p>Pay by {{ oops }}</p>"}', stage.id])
        stage.invalidate_recordset()
        with self.assertLogs("odoo.addons.ar_policy.models.ar_escalation_stage", "WARNING"):
            text = stage._ar_letter_text({"deadline": "x"})
        self.assertIn("This is a formal notice", text)

    def test_default_letter_text_in_each_installed_language(self):
        """A new company's ladder writes the stages' default letter texts in every
        installed language: a Russian customer's formal notice is in Russian, an English
        one's in English."""
        self.env["res.lang"]._activate_lang("ru_RU")
        company = self.env["res.company"].create({"name": "Letters Co"})
        stages = company.ar_escalation_policy_id.stage_ids
        formal = stages.filtered(lambda s: s._ar_tone() == "formal" and not s.action_handover)
        self.assertTrue(formal)
        text_en = formal[0].with_context(lang="en_US").letter_text
        text_ru = formal[0].with_context(lang="ru_RU").letter_text
        self.assertIn("This is a formal notice", text_en)
        self.assertIn("наши предыдущие напоминания", text_ru)
        self.assertNotIn("formal notice", text_ru)
