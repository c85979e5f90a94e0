from ast import literal_eval
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from ..guards import as_scheduler
from .common import ArPolicyCommon

DUE = date(2026, 3, 10)


@tagged("post_install", "-at_install")
class TestEscalation(ArPolicyCommon):
    """The escalation ladder as the customer, the collector and the credit manager see
    it: emails, activities, holds, deposits, hand-over, history, once per stage."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.File = cls.env["ar.credit.file"]
        cls.History = cls.env["ar.escalation.history"]
        cls.company.write({
            "ar_escalation_enabled": True,
            "ar_credit_manager_id": cls.manager.id,
        })
        cls.policy = cls.company.ar_escalation_policy_id
        cls.stages = {stage.offset_days: stage for stage in cls.policy.stage_ids}
        cls.customer = cls._customer("Acme Corp", "acme@example.com")
        cls.billing_contact = cls.env["res.partner"].create({
            "name": "Acme Accounts", "parent_id": cls.customer.id, "type": "invoice",
            "email": "accounts@acme.example.com",
        })
        cls.file = cls._file(cls.customer)
        cls.file.sudo().collector_id = cls.controller

    @classmethod
    def _customer(cls, name, email=None):
        return cls.env["res.partner"].create({
            "name": name, "is_company": True, "email": email or False, "customer_rank": 1,
        })

    @classmethod
    def _posted(cls, partner, amount, due=DUE, invoice_date=date(2026, 2, 8), **values):
        return cls._post(cls._invoice(partner, amount, date=invoice_date, due=due, **values))

    def _run(self, day):
        with freeze_time(day):
            self.File._cron_escalation()
        self.env.invalidate_all()

    def _history(self, file=None, **domain):
        return self.History.search([
            ("file_id", "=", (file or self.file).id),
            *[(key, "=", value) for key, value in domain.items()],
        ])

    def _emails(self, file=None):
        return (file or self.file).message_ids.filtered(
            lambda m: m.message_type == "comment" and m.subtype_id == self.env.ref("mail.mt_comment")
        )

    def _pay(self, invoice, day):
        with freeze_time(day):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids,
            ).create({"payment_date": day})._create_payments()
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # The ladder and its data
    # ------------------------------------------------------------------

    def test_default_ladder_for_every_company(self):
        self.assertEqual(
            self.policy.stage_ids.sorted("offset_days").mapped("offset_days"),
            [-3, 5, 10, 20, 30, 90],
        )
        other = self.env["res.company"].create({"name": "Fresh Co"})
        self.assertEqual(len(other.ar_escalation_policy_id.stage_ids), 6)
        self.assertFalse(other.ar_escalation_enabled, "off until the company enables it")

    def test_bad_offsets_name_the_stage_and_field(self):
        with self.assertRaisesRegex(ValidationError, "Warning.*Day Offset"):
            self.stages[5].with_user(self.manager).offset_days = -3
        with self.assertRaisesRegex(ValidationError, "Friendly reminder.*Day Offset.*Late fee"):
            self.stages[10].with_user(self.manager).write({"sequence": 1})

    def test_mail_stage_needs_a_template(self):
        with self.assertRaisesRegex(ValidationError, "Friendly reminder.*Email Template"):
            self.stages[-3].with_user(self.manager).mail_template_id = False

    # ------------------------------------------------------------------
    # Stage actions
    # ------------------------------------------------------------------

    def test_reminder_email_lists_items_with_portal_link(self):
        invoice = self._posted(self.customer, 1000.0)
        later = self._posted(self.customer, 250.0, due=date(2026, 4, 30))
        self._run(date(2026, 3, 7))
        mails = self._emails()
        self.assertEqual(len(mails), 1, "one message per customer per run")
        body = mails.body
        self.assertIn(invoice.name, body)
        self.assertIn(later.name, body, "every open item is listed")
        self.assertNotIn("Friendly reminder", body, "no internal stage name")
        self.assertIn("fall due soon", body)
        self.assertIn("access_token=", body)
        self.assertIn(invoice.get_portal_url(), body)
        self.assertIn("1,250.00", body, "the balance")
        self.assertEqual(mails.partner_ids, self.billing_contact, "the invoicing contact")
        self.assertEqual(invoice.line_ids.filtered("ar_stage_id").ar_stage_id, self.stages[-3])
        self.assertEqual(invoice.ar_stage_id, self.stages[-3])
        self.assertEqual(invoice.ar_next_stage_id, self.stages[5])
        self.assertEqual(invoice.ar_next_stage_date, date(2026, 3, 15))
        history = self._history(action="email")
        self.assertEqual(history.stage_id, self.stages[-3])
        self.assertEqual(history.mail_message_id, mails)
        self.assertTrue(history.by_scheduler)
        self.assertFalse(history.user_id)
        self.assertEqual(history.move_line_ids.move_id, invoice)
        self.assertEqual(self.file.escalation_stage_id, self.stages[-3])
        self.assertIn("Escalation", self._messages(self.file)[0])

    def test_reminder_names_the_open_early_payment_discount(self):
        term = self.env["account.payment.term"].create({
            "name": "2/10 net 30",
            "early_discount": True,
            "discount_percentage": 2.0,
            "discount_days": 10,
            "line_ids": [Command.create({"value": "percent", "value_amount": 100.0,
                                         "nb_days": 30})],
        })
        invoice = self._post(self._invoice(
            self.customer, 1000.0, date=date(2026, 3, 1), invoice_payment_term_id=term.id,
        ))
        self._posted(self.customer, 300.0)
        self._run(date(2026, 3, 7))
        body = self._emails().body
        self.assertIn(invoice.name, body)
        self.assertIn("Early-payment discounts", body)
        self.assertIn("980.00", body)
        self.assertIn("03/11/2026", body)

    def test_running_twice_the_same_day_does_nothing_more(self):
        self._posted(self.customer, 1000.0)
        self._run(date(2026, 3, 15))
        count = len(self.History.search([]))
        self._run(date(2026, 3, 15))
        self._run(date(2026, 3, 16))
        self.assertEqual(len(self._emails()), 1)
        self.assertEqual(len(self.History.search([])), count)

    def test_warning_schedules_a_call_for_the_collector(self):
        invoice = self._posted(self.customer, 1000.0)
        self._run(date(2026, 3, 15))
        activity = self.file.with_user(self.controller).activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.controller)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(self._history(action="activity").activity_id, activity)
        self.assertIn("5", self._emails().body)
        self.assertEqual(invoice.ar_stage_id, self.stages[5])

    def test_hold_stage_holds_and_payment_lifts_it(self):
        invoice = self._posted(self.customer, 1000.0)
        self._run(date(2026, 3, 30))
        self.assertTrue(self.file.credit_hold)
        self.assertTrue(self.file.hold_cause_stage)
        self.assertIn("suspended", self._emails().body)
        self.assertIn("03/30/2026", self._emails().body, "the suspension date is named")
        self.assertTrue(self._history(action="hold"))
        self._pay(invoice, date(2026, 4, 2))
        self.assertFalse(self.file.credit_hold, "paid: the stage hold lifts at once")
        self.assertFalse(self.file.escalation_stage_id, "nothing overdue: drops back")
        self._run(date(2026, 4, 3))
        self.assertFalse(self.file.credit_hold)
        self.assertFalse(self._history(action="hold", run_date=date(2026, 4, 3)))

    def test_stage_hold_stays_in_its_company(self):
        company_b = self.setup_other_company(name="Company B")["company"]
        file_b = self._file(self.customer, company_b)
        self._posted(self.customer, 1000.0)
        self._run(date(2026, 3, 30))
        self.assertTrue(self.file.hold_cause_stage)
        files = self.file | file_b
        with freeze_time("2026-03-31"):
            as_scheduler(files)._ar_refresh_holds()
        self.assertTrue(self.file.credit_hold)
        self.assertFalse(file_b.credit_hold, "the same partner has nothing late in company B")
        self.assertFalse(file_b.log_ids)

    def test_deposit_stage_and_drop_back(self):
        invoice = self._posted(self.customer, 1000.0)
        self._run(date(2026, 4, 9))
        self.assertEqual(self.file.stage_deposit_percent, 50.0)
        self.assertTrue(self._history(action="deposit"))
        self.assertTrue(self._history(action="letter"), "formal notice: a letter")
        self._pay(invoice, date(2026, 4, 12))
        self._run(date(2026, 4, 13))
        self.assertEqual(self.file.stage_deposit_percent, 0.0)

    def test_handover_flags_items_and_notifies_the_manager(self):
        invoice = self._posted(self.customer, 1000.0)
        self._run(date(2026, 6, 8))
        line = invoice.line_ids.filtered("ar_stage_id")
        self.assertTrue(line.ar_handover)
        self.assertEqual(line.ar_handover_date, date(2026, 6, 8))
        self.assertTrue(self.file.handover)
        # the credit manager is told once per batch, the customer and item named
        notified = self.env["mail.message"].sudo().search([
            ("message_type", "=", "user_notification"),
            ("partner_ids", "in", self.manager.partner_id.ids),
            ("subject", "=", "Credit Policy: 1 customer(s) handed over"),
        ])
        self.assertEqual(len(notified), 1)
        self.assertIn(self.customer.name, str(notified.body))
        self.assertIn(invoice.name, str(notified.body))
        self.assertTrue(any("Handed over" in str(m.body) for m in self.file.message_ids),
                        "the file's escalation note says it")
        self.assertTrue(self._history(action="handover"))
        action = self.env.ref("ar_policy.action_ar_handover_lines")
        self.assertIn(line, self.env["account.move.line"].search(literal_eval(action.domain)))

    # ------------------------------------------------------------------
    # Which items fire
    # ------------------------------------------------------------------

    def test_catch_up_fires_only_the_highest_stage_once(self):
        invoice = self._posted(self.customer, 1000.0)
        self.company.ar_escalation_enabled = False
        self._run(date(2026, 4, 24))
        self.assertFalse(self._history(), "off until enabled")
        self.company.ar_escalation_enabled = True
        self._run(date(2026, 4, 24))
        self.assertEqual(self._history().stage_id, self.stages[30])
        self.assertEqual(len(self._emails()), 1)
        self.assertEqual(invoice.ar_stage_id, self.stages[30])
        self._run(date(2026, 4, 25))
        self.assertEqual(len(self._emails()), 1)

    def test_missed_night_skips_the_stage_in_between(self):
        self._posted(self.customer, 1000.0)
        self._run(date(2026, 3, 14))
        self.assertEqual(self._history().stage_id, self.stages[-3])
        # no run from the 15th to the 21st
        self._run(date(2026, 3, 22))
        fired = self._history(run_date=date(2026, 3, 22)).stage_id
        self.assertEqual(fired, self.stages[10], "the warning was skipped over")

    def test_instalments_climb_by_their_own_due_date(self):
        term = self.env["account.payment.term"].create({
            "name": "Half now, half in 30 days",
            "line_ids": [
                Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 30}),
            ],
        })
        invoice = self._post(self._invoice(
            self.customer, 1000.0, date=date(2026, 3, 1), invoice_payment_term_id=term.id,
        ))
        self._run(date(2026, 3, 6))
        lines = invoice.line_ids.filtered(lambda aml: aml.account_type == "asset_receivable")
        self.assertEqual(len(lines), 2)
        first, second = lines.sorted("date_maturity")
        self.assertEqual(first.ar_stage_id, self.stages[5])
        self.assertFalse(second.ar_stage_id)
        self._run(date(2026, 3, 28))
        self.assertEqual(second.ar_stage_id, self.stages[-3])
        self.assertEqual(first.ar_stage_id, self.stages[20])

    def test_unallocated_credits_covering_the_overdue_stop_dunning(self):
        self._posted(self.customer, 500.0)
        with freeze_time(date(2026, 3, 1)):
            self._payment(self.customer, 600.0, date=date(2026, 3, 1))
        self._run(date(2026, 3, 20))
        self.assertFalse(self._history().filtered(lambda h: h.stage_id.offset_days > 0))
        self.assertFalse(self.file.credit_hold)

    def test_items_below_the_minimum_are_ignored(self):
        self.company.ar_escalation_min_amount = 50.0
        small = self._posted(self.customer, 20.0)
        big = self._posted(self.customer, 80.0)
        self._run(date(2026, 3, 16))
        self.assertFalse(small.line_ids.filtered("ar_stage_id"))
        self.assertEqual(big.ar_stage_id, self.stages[5])
        # still owed and overdue: listed, so that the figures add up, but no stage
        self.assertIn(small.name, self._emails().body)

    def test_exempt_customer_is_left_alone(self):
        self._posted(self.customer, 500.0)
        self.file.sudo().write({"escalation_exempt": True,
                                "escalation_exempt_reason": "Intercompany"})
        self._run(date(2026, 3, 20))
        self.assertFalse(self._history())
        with self.assertRaisesRegex(ValidationError, "Exemption Reason"):
            self.file.sudo().escalation_exempt_reason = ""

    # ------------------------------------------------------------------
    # Robustness
    # ------------------------------------------------------------------

    def test_customer_without_email_gets_letter_and_activity(self):
        mute = self._customer("No Mail Ltd")
        mute_file = self._file(mute)
        self._posted(mute, 300.0)
        self._posted(self.customer, 400.0)
        self._run(date(2026, 3, 7))
        self.assertFalse(self._emails(mute_file))
        self.assertTrue(self._history(mute_file, action="letter"))
        self.assertTrue(self._history(mute_file, action="activity").activity_id)
        self.assertEqual(len(self._emails()), 1, "the run went on for the others")

    def test_one_failure_does_not_stop_the_others(self):
        broken = self._customer("Broken Inc", "broken@example.com")
        broken_file = self._file(broken)
        self._posted(broken, 300.0)
        self._posted(self.customer, 400.0)
        original = type(self.File)._ar_escalation_send_mails

        def send_mails(files, template):
            if broken in files.partner_id:
                raise ValueError("SMTP says no")
            return original(files, template)

        with patch.object(type(self.File), "_ar_escalation_send_mails", send_mails):
            self._run(date(2026, 3, 7))
        error = self._history(broken_file, action="error")
        self.assertIn("SMTP says no", error.note)
        self.assertFalse(broken.invoice_ids.line_ids.filtered("ar_stage_id"),
                         "rolled back: it fires again next run")
        self.assertEqual(len(self._emails()), 1)
        self._run(date(2026, 3, 8))
        self.assertEqual(len(self._emails(broken_file)), 1)

    def test_process_now_and_preview(self):
        invoice = self._posted(self.customer, 1000.0)
        self.company.ar_escalation_enabled = False
        with freeze_time(date(2026, 3, 16)):
            action = self.File.with_user(self.controller).browse(
                self.file.id).action_escalation_preview()
            preview = self.env["ar.escalation.preview"].browse(action["res_id"])
            self.assertEqual(preview.line_ids.move_id, invoice)
            self.assertEqual(preview.line_ids.stage_id, self.stages[5])
            self.assertFalse(self._history(), "the preview does nothing")
            self.File.with_user(self.controller).browse(
                self.file.id).action_escalation_process_now()
        history = self._history(action="email")
        self.assertEqual(history.user_id, self.controller)
        self.assertFalse(history.by_scheduler)

    def test_access_rights(self):
        Policy = self.env["ar.escalation.policy"]
        with self.assertRaises(AccessError):
            Policy.with_user(self.controller).create({"name": "Soft"})
        with self.assertRaises(AccessError):
            self.stages[5].with_user(self.controller).offset_days = 6
        self.stages[5].with_user(self.manager).offset_days = 6
        Policy.with_user(self.manager).create({"name": "Soft"})
        with self.assertRaises(AccessError):
            self.File.with_user(self.billing).browse(self.file.id).action_escalation_process_now()

    def test_companies_run_their_own_ladders(self):
        data_b = self.setup_other_company(name="Company B")
        company_b = data_b["company"]
        self.assertNotEqual(company_b.ar_escalation_policy_id, self.policy)
        stage_b = company_b.ar_escalation_policy_id.stage_ids.filtered(lambda s: s.offset_days == 5)
        stage_b.sudo().name = "B warning"
        customer_b = self._customer("Beta Buyer", "beta@example.com")
        file_b = self._file(customer_b, company_b)
        self._post(self._invoice(customer_b, 500.0, date=date(2026, 2, 8), due=DUE,
                                 company=company_b))
        self._posted(self.customer, 400.0)
        self._run(date(2026, 3, 16))
        self.assertTrue(self._history())
        self.assertFalse(self._history(file_b), "company B has not enabled its run")
        company_b.ar_escalation_enabled = True
        self._run(date(2026, 3, 16))
        self.assertEqual(self._history(file_b, action="email").stage_id, stage_b)
        self.assertEqual(self._history(file_b).company_id, company_b)
