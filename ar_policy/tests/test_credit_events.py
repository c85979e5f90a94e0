import html
from datetime import date

from freezegun import freeze_time
from markupsafe import Markup

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ArPolicyCommon

DUE = date(2026, 3, 10)


@tagged("post_install", "-at_install")
class TestCreditEvents(ArPolicyCommon):
    """Issue 14: credit events where staff look. The invoice's chatter says when the
    nightly run reminded or charged a fee for it and which stage it reached (an internal
    note linking to the credit file); the customer form lists the current company's
    credit events (res.partner is shared between companies: DESIGN 1)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        default_ladder = cls.company.ar_escalation_policy_id
        template = default_ladder.stage_ids.filtered("action_email")[:1].mail_template_id
        cls.policy = cls.env["ar.escalation.policy"].sudo().create({
            "name": "Events ladder",
            "company_id": cls.company.id,
            "stage_ids": [
                Command.create({
                    "name": "Reminder", "sequence": 10, "offset_days": 5,
                    "action_email": True, "mail_template_id": template.id,
                }),
                Command.create({
                    "name": "Late fee", "sequence": 20, "offset_days": 10,
                    "action_fee": True, "fee_fixed": 40.0,
                    "fee_product_id": cls.env.ref("ar_policy.product_late_fee").id,
                }),
            ],
        })
        cls.company.write({
            "ar_escalation_enabled": True, "ar_escalation_policy_id": cls.policy.id,
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Eventful Ltd", "is_company": True, "email": "pay@eventful.example.com",
        })

    def _run(self, day):
        with freeze_time(day):
            self.env["ar.credit.file"]._cron_escalation()
        self.env.invalidate_all()

    def _notes(self, invoice):
        return invoice.message_ids.filtered(lambda m: "Credit escalation" in (m.body or ""))

    def test_invoice_chatter_says_what_the_run_did_for_it(self):
        invoice = self._post(self._invoice(self.customer, 1000.0, date=date(2026, 2, 8),
                                           due=DUE))
        quiet = self._post(self._invoice(self.customer, 300.0, date=date(2026, 3, 14),
                                         due=date(2026, 4, 30)))
        file = self._file(self.customer)

        self._run(date(2026, 3, 16))
        note = self._notes(invoice)
        self.assertEqual(len(note), 1)
        body = html.unescape(str(note.body))
        self.assertIn("Reminder reached: Email", body)
        self.assertIn(f'data-oe-model="ar.credit.file" data-oe-id="{file.id}"', body)
        self.assertTrue(note.is_internal, "internal users only")
        self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(note.author_id, self.env.ref("base.partner_root"), "the scheduler")
        self.assertFalse(self._notes(quiet), "nothing happened to an invoice not yet due")
        history = self.env["ar.escalation.history"].search([("file_id", "=", file.id)])
        self.assertEqual(history.mapped("done_by"), ["Nightly run"], "not an empty By column")

        self._run(date(2026, 3, 21))
        notes = self._notes(invoice)
        self.assertEqual(len(notes), 2)
        fee = self.env["account.move"].search([
            ("partner_id", "=", self.customer.id), ("ar_origin", "=", "late_fee"),
        ])
        self.assertEqual(len(fee), 1)
        body = html.unescape(str(notes[0].body))
        self.assertIn("Late fee reached: Late fee", body)
        self.assertIn(f'data-oe-id="{fee.id}"', body, "links to the fee invoice")

        self._run(date(2026, 3, 21))
        self.assertEqual(len(self._notes(invoice)), 2, "a second run the same day adds nothing")

    def test_bulk_notes_are_the_notes_odoo_would_write(self):
        """The run writes its notes in one insert: each the message Odoo's own
        _message_log_batch creates (sanitized body, internal note, author), seen at
        once in the records' chatter."""
        first, second = (self._post(self._invoice(self.customer, amount, date=date(2026, 2, 8),
                                                  due=DUE)) for amount in (100.0, 200.0))
        invoices = (first | second).sudo()
        self.assertFalse(self._notes(first), "the chatter read before the notes")
        bodies = {
            first.id: Markup("<p>Credit escalation <script>alert(1)</script>first</p>"),
            second.id: Markup("<p>Credit escalation second</p>"),
        }
        messages = invoices._ar_message_log_bulk(bodies)
        self.assertEqual(sorted(messages.mapped("res_id")), sorted(invoices.ids))
        note = self._notes(first)
        self.assertEqual(len(note), 1, "in the chatter without invalidating anything")
        self.assertNotIn("script", str(note.body))
        odoo_note = first.sudo()._message_log_batch(
            bodies={first.id: bodies[first.id]}, message_type="notification")
        for fname in ("body", "model", "res_id", "message_type", "subtype_id", "is_internal",
                      "author_id", "email_from", "reply_to", "email_add_signature",
                      "record_name", "partner_ids", "parent_id"):
            self.assertEqual(note[fname], odoo_note[fname], fname)
        self.assertEqual(len(self._notes(second)), 1)

    def test_customer_lists_only_the_current_companys_events(self):
        company_b = self.setup_other_company(name="Events B")["company"]
        self.controller.write({"company_ids": [Command.link(company_b.id)]})
        self.manager.write({"company_ids": [Command.link(company_b.id)]})
        self._set_hold(self.customer, reason="Returned goods")
        self._set_limit(self.customer, 2500.0, reason="Agreed in company B", company=company_b)

        partner = self.customer.with_user(self.controller)
        events_a = partner.with_company(self.company).ar_credit_event_ids
        self.assertEqual(events_a.mapped("event"), ["Hold set"])
        self.assertIn("Returned goods", events_a.summary)
        self.assertEqual(events_a.file_id, self._file(self.customer))
        events_b = partner.with_company(company_b).ar_credit_event_ids
        self.assertEqual(events_b.mapped("event"), ["Credit limit"])
        self.assertIn("Agreed in company B", events_b.summary)
        self.assertEqual(events_b.company_id, company_b)
        action = events_b.action_open_file()
        self.assertEqual(action["res_id"], self._file(self.customer, company_b).id)
        with self.assertRaises(AccessError):  # credit controllers only
            self.customer.with_user(self.billing).read(["ar_credit_event_ids"])
