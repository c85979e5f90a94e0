from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .test_credit_hold import ArHoldPilotCommon


@tagged("post_install", "-at_install")
class TestPilotReview(ArHoldPilotCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "ar_pilot_start_limit": 1000.0,
            "ar_pilot_step": 1000.0,
            "ar_pilot_invoices_per_step": 2,
            "ar_pilot_ceiling": 3000.0,
            "ar_pilot_grace_days": 3,
        })
        cls.customer = cls._customer("Newcomer GmbH")
        cls.term_15 = cls.env.ref("account.account_payment_term_15days")
        cls.term_30 = cls.env.ref("account.account_payment_term_30days")

    def _open_file(self, partner, user=None):
        """The credit manager opens the customer's credit file from the partner form."""
        action = partner.with_user(user or self.manager).action_open_ar_credit_file()
        return self.File.browse(action["res_id"])

    def _limit(self, partner, company=None):
        return partner.with_company(company or self.company).credit_limit

    def _cron_review(self):
        self.File._cron_credit_review()
        self.env.invalidate_all()

    # ------------------------------------------------------------------
    # Pilot growth
    # ------------------------------------------------------------------

    def _invoice_paid(self, invoice_date, paid_on, amount=200.0):
        with freeze_time(invoice_date):
            invoice = self._invoice(self.customer, amount, invoice_date)
        with freeze_time(paid_on):
            self._pay(invoice, paid_on)
        return invoice

    def test_pilot_grows_with_invoices_paid_on_time_up_to_the_ceiling(self):
        with freeze_time("2024-01-02"):
            file = self._open_file(self.customer)
            self.assertEqual(file.credit_status, "approved")
            self.assertFalse(self._limit(self.customer))
            self._change_wizard(
                file, credit_status="pilot", reason="New customer, trial period",
            ).action_apply()
            self.assertEqual(file.credit_status, "pilot")
            self.assertEqual(file.pilot_start_date, date(2024, 1, 2))
            self.assertEqual(self._limit(self.customer), 1000.0)
            file.invalidate_recordset()
            self.assertEqual(file.credit_limit, 1000.0)
            self.assertRecordValues(self._logs(file), [
                {"event": "status", "old_value": "Approved", "new_value": "Pilot",
                 "reason": "New customer, trial period", "user_id": self.manager.id,
                 "by_scheduler": False},
                {"event": "limit", "old_value": "No limit", "new_value": "$\xa01,000.00",
                 "reason": "New customer, trial period", "user_id": self.manager.id,
                 "by_scheduler": False},
            ])

        # On time (due + 1 day), then late (due + 10 days): one counted.
        self._invoice_paid("2024-01-05", "2024-01-06")
        self._invoice_paid("2024-01-08", "2024-01-18")
        with freeze_time("2024-01-19"):
            self._cron_review()
            self.assertEqual(self._limit(self.customer), 1000.0,
                             "The invoice paid late does not count")
            self.assertEqual(len(self._logs(file)), 2)

        # Paid on the last day of the grace (due + 3): counted, a step is earned.
        self._invoice_paid("2024-01-20", "2024-01-23")
        with freeze_time("2024-01-24"):
            self._cron_review()
            self.assertEqual(self._limit(self.customer), 2000.0)
            self.assertEqual(file.credit_status, "pilot")
            self.assertEqual(file.pilot_steps_granted, 1)
            new_logs = self._logs(file)[2:]
            self.assertRecordValues(new_logs, [
                {"event": "pilot", "old_value": "", "new_value": "Step 1", "by_scheduler": True,
                 "user_id": False},
                {"event": "limit", "old_value": "$\xa01,000.00", "new_value": "$\xa02,000.00",
                 "by_scheduler": True, "user_id": False},
            ])
            for log in new_logs:
                self.assertEqual(log.reason, "2 invoices paid on time since the pilot started")
            self.assertTrue(self._notes(file, "2,000.00"))

            self._cron_review()
            self.assertEqual(self._limit(self.customer), 2000.0)
            self.assertEqual(len(self._logs(file)), 4, "Running again changes nothing")

        self._invoice_paid("2024-02-01", "2024-02-01")
        self._invoice_paid("2024-02-05", "2024-02-07")
        with freeze_time("2024-02-08"):
            self._cron_review()
            self.assertEqual(self._limit(self.customer), 3000.0)
            self.assertEqual(file.credit_status, "approved", "The ceiling ends the pilot")
            new_logs = self._logs(file)[4:]
            self.assertRecordValues(new_logs, [
                {"event": "pilot", "old_value": "", "new_value": "Step 2", "by_scheduler": True},
                {"event": "limit", "old_value": "$\xa02,000.00", "new_value": "$\xa03,000.00",
                 "by_scheduler": True},
                {"event": "status", "old_value": "Pilot", "new_value": "Approved",
                 "by_scheduler": True},
            ])
            self.assertIn("Pilot ceiling reached", new_logs[-1].reason)

            self._cron_review()
            self.assertEqual(file.credit_status, "approved")
            self.assertEqual(self._limit(self.customer), 3000.0)
            self.assertEqual(len(self._logs(file)), 7, "Running again changes nothing")

    def test_pilot_ignores_invoices_before_the_pilot(self):
        self._invoice_paid("2024-01-02", "2024-01-02")
        self._invoice_paid("2024-01-03", "2024-01-03")
        with freeze_time("2024-01-10"):
            file = self._file(self.customer)
            self._change_wizard(file, credit_status="pilot", reason="Trial").action_apply()
            self._cron_review()
            self.assertEqual(self._limit(self.customer), 1000.0)
            self.assertEqual(file.credit_status, "pilot")

    # ------------------------------------------------------------------
    # Status of new customers, and payment terms following the status
    # ------------------------------------------------------------------

    def test_new_customer_starts_in_the_company_default_status(self):
        self.company.ar_default_credit_status = "pilot"
        newcomer = self._customer("Fresh Start Inc")
        with freeze_time("2024-04-02"):
            self._invoice(newcomer, 300.0, "2024-04-02", post=False)
        file = self._file(newcomer)
        self.assertEqual(len(file), 1, "The first invoice opens the customer's file")
        self.assertEqual(file.credit_status, "pilot")
        self.assertEqual(file.pilot_start_date, date(2024, 4, 2))
        self.assertEqual(self._limit(newcomer), 1000.0)
        self.assertRecordValues(self._logs(file, "limit"), [
            {"new_value": "$\xa01,000.00", "reason": "New customer"},
        ])

        self.company.ar_default_credit_status = "approved"
        other = self._customer("Trusted Corp")
        self._invoice(other, 300.0, "2024-04-02", post=False)
        file = self._file(other)
        self.assertEqual(file.credit_status, "approved")
        self.assertFalse(file.credit_hold)
        self.assertFalse(file.has_limit, "Approved with no limit: unlimited")
        self.assertFalse(self._limit(other))
        self.assertFalse(self._logs(file))

    def test_payment_terms_follow_the_credit_status(self):
        self.company.ar_payment_term_pilot_id = self.term_15
        pilot = self._customer("Pilot Co", property_payment_term_id=self.term_30.id)
        approved = self._customer("Approved Co", property_payment_term_id=self.term_30.id)
        pilot_file = self._open_file(pilot)
        self._open_file(approved)
        self._change_wizard(pilot_file, credit_status="pilot", reason="Trial").action_apply()

        move_form = Form(self.env["account.move"].with_context(default_move_type="out_invoice"))
        move_form.partner_id = pilot
        self.assertEqual(move_form.invoice_payment_term_id, self.term_15)
        move_form.partner_id = approved
        self.assertEqual(move_form.invoice_payment_term_id, self.term_30)

        invoice = self._invoice(pilot, 100.0, "2024-04-02", post=False)
        self.assertEqual(invoice.invoice_payment_term_id, self.term_15)
        invoice = self._invoice(approved, 100.0, "2024-04-02", post=False)
        self.assertEqual(invoice.invoice_payment_term_id, self.term_30)

        # A brand-new customer gets the terms of the company's default status.
        self.company.ar_default_credit_status = "pilot"
        newcomer = self._customer("First Order Ltd", property_payment_term_id=self.term_30.id)
        invoice = self._invoice(newcomer, 100.0, "2024-04-02", post=False)
        self.assertEqual(invoice.invoice_payment_term_id, self.term_15)
        self.assertEqual(self._file(newcomer).credit_status, "pilot")

    # ------------------------------------------------------------------
    # Credit reviews
    # ------------------------------------------------------------------

    def test_review_date_schedules_one_activity_for_the_credit_manager(self):
        review_type = self.env.ref("ar_policy.mail_activity_credit_review")
        with freeze_time("2024-01-02"):
            file = self._open_file(self.customer)
            self._change_wizard(
                file, review_date=date(2024, 2, 1), reason="Annual accounts due in January",
            ).action_apply()
            self.assertEqual(file.review_date, date(2024, 2, 1))
            self.assertRecordValues(self._logs(file), [{
                "event": "review", "old_value": "", "new_value": "2024-02-01",
                "reason": "Annual accounts due in January", "user_id": self.manager.id,
            }])
            self.assertFalse(self._logs(file, "status"), "The status did not change")

        def activities():
            # What the credit manager sees in the file's chatter.
            return self.env["mail.activity"].with_user(self.manager).search([
                ("res_model", "=", "ar.credit.file"), ("res_id", "=", file.id),
            ])

        with freeze_time("2024-01-31"):
            self._cron_review()
            self.assertFalse(activities())
        with freeze_time("2024-02-01"):
            self._cron_review()
            activity = activities()
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.activity_type_id, review_type)
            self.assertEqual(activity.user_id, self.manager)
            self.assertEqual(activity.date_deadline, date(2024, 2, 1))
            self.assertIn("Newcomer GmbH", activity.summary)
            self._cron_review()
            self.assertEqual(len(activities()), 1)
        with freeze_time("2024-02-05"):
            self._cron_review()
            self.assertEqual(len(activities()), 1, "One activity per review date")

    def test_review_missed_nights_still_scheduled(self):
        with freeze_time("2024-01-02"):
            file = self._open_file(self.customer)
            self._change_wizard(file, review_date=date(2024, 1, 10), reason="Check").action_apply()
        with freeze_time("2024-01-20"):
            self._cron_review()
            activity = file.with_user(self.manager).activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.manager)

    # ------------------------------------------------------------------
    # Settings log
    # ------------------------------------------------------------------

    def test_policy_settings_are_logged(self):
        self.assertEqual(self.company.ar_enforcement_mode, "off")
        settings = self.env["res.config.settings"].create({
            "ar_enforcement_mode": "block",
            "ar_hold_overdue_days": 15,
            "account_default_credit_limit": 2500.0,
        })
        settings.execute()
        self.assertEqual(self.company.ar_enforcement_mode, "block")
        self.assertTrue(self.company.account_use_credit_limit)
        logs = self.Log.search([("event", "=", "setting"), ("company_id", "=", self.company.id)])
        by_cause = {log.cause: log for log in logs}
        self.assertEqual(
            set(by_cause),
            {"Credit Enforcement", "Hold After Days Overdue", "Default Credit Limit"},
        )
        self.assertRecordValues(by_cause["Credit Enforcement"], [{
            "old_value": "Off", "new_value": "Block", "user_id": self.env.user.id,
            "file_id": False,
        }])
        self.assertRecordValues(by_cause["Hold After Days Overdue"], [{
            "old_value": "0", "new_value": "15", "user_id": self.env.user.id,
        }])
        self.assertRecordValues(by_cause["Default Credit Limit"], [{
            "old_value": "0.0", "new_value": "2500.0", "user_id": self.env.user.id,
        }])

        # Saving the settings again without a change logs nothing.
        self.env["res.config.settings"].create({"ar_hold_overdue_days": 15}).execute()
        logs = self.Log.search([("event", "=", "setting"), ("company_id", "=", self.company.id)])
        self.assertEqual(len(logs), 3)

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------

    def test_company_policy_values_are_checked(self):
        cases = [
            ({"ar_hold_overdue_amount": -1.0}, "Hold Above Overdue Amount"),
            ({"ar_hold_overdue_days": -1}, "Hold After Days Overdue"),
            ({"ar_pilot_start_limit": 5000.0}, "Pilot Starting Limit"),
            ({"ar_pilot_step": 4000.0}, "Pilot Step"),
            ({"ar_pilot_invoices_per_step": 0}, "Invoices Paid on Time per Step"),
            ({"ar_pilot_grace_days": -2}, "Pilot Grace Days"),
        ]
        for values, label in cases:
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, label):
                with self.env.cr.savepoint():
                    self.company.write(values)

    def test_settings_reject_bad_values(self):
        with self.assertRaisesRegex(ValidationError, "Hold After Days Overdue"):
            with self.env.cr.savepoint():
                self.env["res.config.settings"].create({"ar_hold_overdue_days": -3}).execute()

    def test_limit_changes_only_through_the_wizard(self):
        file = self._open_file(self.customer)
        with self.assertRaisesRegex(ValidationError, "Credit Limit"):
            with self.env.cr.savepoint():
                self._change_wizard(file, change_limit=True, credit_limit=-10.0, reason="Oops")
        self.assertFalse(self._limit(self.customer))

        with self.assertRaisesRegex(UserError, "Credit Limit"):
            self.customer.with_user(self.billing).write({"credit_limit": 5000.0})
        with self.assertRaisesRegex(UserError, "Credit Limit"):
            self.env["res.partner"].with_user(self.billing).create({
                "name": "Sneaky Ltd", "is_company": True, "credit_limit": 5000.0,
            })
        self.assertFalse(self._limit(self.customer))

        self._change_wizard(
            file, change_limit=True, credit_limit=5000.0, reason="Bank reference received",
        ).action_apply()
        self.assertEqual(self._limit(self.customer), 5000.0)
        self.assertRecordValues(self._logs(file, "limit"), [{
            "old_value": "No limit", "new_value": "$\xa05,000.00",
            "reason": "Bank reference received", "user_id": self.manager.id,
        }])

        # Odoo's own sync of the limit to a new contact still works.
        contact = self.env["res.partner"].with_user(self.billing).create({
            "name": "Jane Buyer", "parent_id": self.customer.id, "type": "contact",
        })
        self.assertEqual(self._limit(contact), 5000.0)
        self.assertEqual(contact.ar_credit_file_id, file)

        # A limit change reaches the contacts too.
        self._change_wizard(
            file, change_limit=True, credit_limit=7000.0, reason="Raised after review",
        ).action_apply()
        self.assertEqual(self._limit(contact), 7000.0)

    def test_change_wizard_needs_a_reason(self):
        file = self._open_file(self.customer)
        wizard = self._change_wizard(file, credit_status="prepayment", reason=" ")
        with self.assertRaisesRegex(UserError, "Reason"):
            wizard.action_apply()
        self.assertEqual(file.credit_status, "approved")
