import html
import os
import re
from datetime import date

from freezegun import freeze_time
from lxml import html as lxml_html

from odoo.tests import tagged

from .common import ArPolicyCommon

DUE = date(2026, 3, 10)


def _text(body):
    """The mail's text as the customer reads it: tags out, entities decoded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", str(body))))


@tagged("post_install", "-at_install")
class TestReminderMail(ArPolicyCommon):
    """The reminder the customer receives at each stage of the default ladder: its
    tone, sections, totals equal to the credit file, fee notice, attachments, payment
    instructions, signature, and no internal stage names or follower links."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.File = cls.env["ar.credit.file"]
        cls.company.write({"ar_escalation_enabled": True,
                           "ar_credit_manager_id": cls.manager.id,
                           "phone": "+1 555 0100"})
        cls.policy = cls.company.ar_escalation_policy_id
        bank = cls.env["res.partner.bank"].create({
            "acc_number": "BE71 0961 2345 6769", "partner_id": cls.company.partner_id.id,
            "bank_id": cls.env["res.bank"].create({"name": "Fictive Bank", "bic": "FICTBEBB"}).id,
        })
        cls.company_data["default_journal_bank"].bank_account_id = bank
        cls.controller.partner_id.write({"phone": "+1 555 0199",
                                         "email": "collector@company.example.com"})
        cls.customer = cls.env["res.partner"].create({
            "name": "Acme Corp", "is_company": True, "email": "acme@example.com",
            "street": "1 Market Street", "city": "Springfield", "zip": "12345",
        })
        cls.contact = cls.env["res.partner"].create({
            "name": "Acme Accounts", "parent_id": cls.customer.id, "type": "invoice",
            "email": "accounts@acme.example.com",
        })
        cls.file = cls._file(cls.customer)
        cls.file.sudo().collector_id = cls.controller

    def _posted(self, amount, due=DUE, partner=None):
        return self._post(self._invoice(partner or self.customer, amount,
                                        date=date(2026, 2, 8), due=due))

    def _run(self, day):
        with freeze_time(day):
            self.File._cron_escalation()
        self.env.invalidate_all()

    def _mail(self, file=None):
        """The last reminder's message and its outgoing email as sent to the contact."""
        message = (file or self.file).message_ids.filtered(
            lambda m: m.message_type == "comment"
            and m.subtype_id == self.env.ref("mail.mt_comment"))[:1]
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(len(mail), 1, "one email to the customer")
        outgoing = mail._prepare_outgoing_list()
        return message, mail, outgoing[0]["body"]

    def _save(self, name, body):
        """Keeps the rendered email for a look (AR_MAIL_DUMP=dir)."""
        folder = os.environ.get("AR_MAIL_DUMP")
        if folder:
            with open(os.path.join(folder, f"{name}.html"), "w", encoding="utf-8") as out:
                out.write(str(body))

    def _right_aligned(self, body):
        """The texts of the cells the customer sees right-aligned."""
        tree = lxml_html.fromstring(str(body))
        return {re.sub(r"\s+", " ", cell.text_content()).strip().lstrip("- ")
                for cell in tree.iter("td")
                if "text-align:right" in (cell.get("style") or "").replace(" ", "")}

    def _assert_common(self, message, body, day):
        text = _text(body)
        # the fee invoice's own lines say "Late fee for INV/...": not the stage's name
        for stage in self.policy.stage_ids:
            self.assertNotIn(stage.name, text.replace("Late fee for", ""),
                             "no internal stage name")
        self.assertNotIn("Unfollow", text)
        self.assertNotIn("/mail/unfollow", body)
        self.assertIn("BE71 0961 2345 6769", text, "the company's bank account")
        self.assertIn("Fictive Bank", text)
        self.assertIn("Please quote as payment reference", text)
        self.assertIn(self.controller.name, text, "signed by the collector")
        self.assertIn("collector@company.example.com", text)
        self.assertIn("+1 555 0199", text)
        self.assertEqual(message.partner_ids, self.contact)
        with freeze_time(day):
            file = self.file.with_user(self.controller)
            overdue, balance = file.overdue_amount, file.balance
        amounts = self._right_aligned(message.body)
        self.assertIn(f"$ {overdue:,.2f}", amounts,
                      "net amount overdue equals the credit file's, right-aligned")
        self.assertIn(f"$ {balance:,.2f}", amounts, "total balance equals the credit file's")
        return text

    # ------------------------------------------------------------------

    def test_friendly_reminder_before_due(self):
        invoice = self._posted(1000.0)
        later = self._posted(250.0, due=date(2026, 4, 30))
        self._run(date(2026, 3, 7))
        message, mail, body = self._mail()
        self._save("reminder_friendly", body)
        text = self._assert_common(message, body, date(2026, 3, 7))
        self.assertIn("friendly reminder", text)
        self.assertIn("upcoming payments", message.subject)
        self.assertIn("Not yet due", text)
        self.assertNotIn("Total overdue", text, "nothing overdue: no overdue table")
        self.assertIn(invoice.name, text)
        self.assertIn(later.name, text)
        self.assertIn(invoice.get_portal_url(), message.body, "each invoice's portal link")
        self.assertIn("$ 1,250.00", text)
        self.assertFalse(mail.attachment_ids, "the friendly stage attaches nothing")

    def test_warning_is_firm_with_invoice_pdfs_and_next_step(self):
        invoice = self._posted(1000.0)
        later = self._posted(300.0, due=date(2026, 4, 30))
        credit = self._post(self._invoice(self.customer, 100.0, move_type="out_refund",
                                          date=date(2026, 3, 1)))
        self._run(date(2026, 3, 15))
        message, mail, body = self._mail()
        self._save("reminder_firm", body)
        text = self._assert_common(message, body, date(2026, 3, 15))
        self.assertIn("overdue on your account", text)
        self.assertIn("payment reminder", message.subject)
        self.assertIn("Total overdue", text)
        self.assertIn("Total not yet due", text)
        self.assertIn(credit.name, text, "open credits listed")
        self.assertIn("Less open credits", text)
        self.assertIn("$ 900.00", text, "net overdue: 1,000 less the 100 credit")
        self.assertIn("by 03/25/2026", text, "the payment deadline")
        self.assertIn("late fee and interest", text, "what happens next")
        self.assertIn("03/20/2026", text, "and when: the fee stage at 10 days")
        self.assertEqual(len(mail.attachment_ids), 1, "the overdue invoice's PDF")
        self.assertIn(invoice.name.replace("/", "_"), mail.attachment_ids.name)
        self.assertNotIn(later.name.replace("/", "_"), mail.attachment_ids.name)

    def test_fee_stage_names_the_fee_invoice(self):
        self._posted(1000.0)
        self._run(date(2026, 3, 20))
        fee = self.env["account.move"].search([("partner_id", "=", self.customer.id),
                                               ("ar_origin", "=", "late_fee")])
        self.assertEqual(len(fee), 1)
        message, _mail, body = self._mail()
        self._save("reminder_fee", body)
        text = self._assert_common(message, body, date(2026, 3, 20))
        self.assertIn(f"we have charged invoice {fee.name}", text)
        self.assertIn(f"$ {fee.amount_total:,.2f}", text)
        self.assertIn("Late fee for", text, "the fee invoice's lines")

    def test_hold_stage_names_the_suspension_date(self):
        self._posted(1000.0)
        self._run(date(2026, 3, 30))
        message, _mail, body = self._mail()
        self._save("reminder_hold", body)
        text = self._assert_common(message, body, date(2026, 3, 30))
        self.assertIn("Despite our earlier reminders", text, "formal tone")
        self.assertIn("suspended from 03/30/2026", text)
        self.assertIn("Yours faithfully", text)
        self.assertIn("action required", message.subject)

    def test_handover_stage_says_so(self):
        self._posted(1000.0)
        self._run(date(2026, 6, 8))
        message, _mail, body = self._mail()
        text = self._assert_common(message, body, date(2026, 6, 8))
        self.assertIn("handed over for collection (collection agency)", text)

    def test_reminder_in_greek_and_italian(self):
        """The customer's language sets the date and number formats (and the texts,
        once the translations are loaded)."""
        for code in ("el_GR", "it_IT"):
            self.env["res.lang"]._activate_lang(code)
        # the layout's and the addon's translations, where the .po files exist
        self.env["ir.module.module"]._load_module_terms(["mail", "ar_policy"],
                                                        ["el_GR", "it_IT"])
        greek = self.env["res.partner"].create({
            "name": "Ελληνική Εταιρεία", "is_company": True, "email": "gr@example.com",
            "lang": "el_GR", "street": "Οδός 1", "city": "Αθήνα",
        })
        italian = self.env["res.partner"].create({
            "name": "Ditta Italiana", "is_company": True, "email": "it@example.com",
            "lang": "it_IT", "street": "Via Roma 1", "city": "Milano",
        })
        for partner in (greek, italian):
            self._posted(1234.5, partner=partner)
        self._run(date(2026, 3, 15))
        for partner, code in ((greek, "el_GR"), (italian, "it_IT")):
            file = self._file(partner)
            message, mail, body = self._mail(file)
            self._save(f"reminder_{code}", body)
            text = _text(body)
            lang = self.env["res.lang"]._lang_get(code)
            self.assertIn(f'lang="{code}"', body, "the layout in the customer's language")
            amount = lang.format("%.2f", 1234.5, grouping=True)
            self.assertIn(amount[-3:], ",50", "a decimal comma")
            self.assertIn(f"$ {amount}", self._right_aligned(message.body),
                          f"{code}: amounts right-aligned in the customer's number format")
            self.assertNotIn("1,234.50", text)
            due = DUE.strftime(lang.date_format)
            self.assertIn(due, text, f"{code}: dates in the customer's format")
            self.assertNotIn("03/10/2026", text)
            self.assertEqual(mail.email_to or mail.recipient_ids.email, partner.email)
            self.assertNotIn("Dear", text, f"{code}: the reminder's own text translated")
            self.assertNotIn("How to pay", text, f"{code}: the reminder's own text translated")
            if code == "it_IT":
                self.assertIn("Gentile Ditta Italiana", text)
                self.assertIn("Modalità di pagamento", text)
                self.assertIn("Fornito da", text, "Odoo's layout in Italian")
                self.assertIn("Il tuo conto", text, "the layout's header in Italian")
            else:
                self.assertIn("Αξιότιμε/η Ελληνική Εταιρεία", text)
                self.assertIn("Τρόπος πληρωμής", text)

    def test_a_batch_sent_in_the_context_is_ignored(self):
        """What the run reads once for a batch travels in the context; one sent by a
        client (JSON: no sets, no records) is ignored, never taken as the figures."""
        self._posted(1000.0)
        forged = {"file_ids": [self.file.id], "positions": {}, "values": {}, "fees": {},
                  "banks": {}, "pay_online": {}, "tone": {}}
        with freeze_time(date(2026, 3, 20)):
            values = self.file.with_user(self.controller).with_context(
                ar_mail_batch=forged, ar_qweb_compiled={})._ar_escalation_mail_values()
        self.assertEqual(values["overdue_net"], "$\xa01,000.00")
        self.assertEqual(values["contact"], self.contact)
