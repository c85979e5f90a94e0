from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class ArHoldPilotCommon(AccountTestInvoicingCommon):
    """Users, customers and the few actions a credit team takes, as the UI does them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.File = cls.env["ar.credit.file"]
        cls.Log = cls.env["ar.credit.log"]
        cls.term_immediate = cls.env.ref("account.account_payment_term_immediate")
        user_values = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.manager = new_test_user(
            cls.env, login="arhp_manager", name="Credit Manager",
            groups="base.group_user,base.group_partner_manager,ar_policy.group_credit_manager",
            **user_values,
        )
        cls.controller = new_test_user(
            cls.env, login="arhp_controller", name="Credit Controller",
            groups="base.group_user,base.group_partner_manager,ar_policy.group_credit_controller",
            **user_values,
        )
        cls.billing = new_test_user(
            cls.env, login="arhp_billing", name="Billing Clerk",
            groups="base.group_user,base.group_partner_manager,account.group_account_invoice",
            **user_values,
        )
        cls.salesman = new_test_user(
            cls.env, login="arhp_salesman", name="Salesman", groups="base.group_user",
            **user_values,
        )
        cls.company.ar_credit_manager_id = cls.manager

    @classmethod
    def _customer(cls, name, **values):
        return cls.env["res.partner"].create({
            "name": name,
            "is_company": True,
            "property_payment_term_id": cls.term_immediate.id,
            "company_id": False,
            **values,
        })

    @classmethod
    def _invoice(cls, partner, amount, invoice_date, post=True, company=None, **values):
        """A customer invoice without taxes; with the customer's immediate terms it falls
        due on its invoice date."""
        move = cls.env["account.move"].with_company(company or cls.company).create({
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_line_ids": [Command.create({
                "name": "Consulting",
                "quantity": 1,
                "price_unit": amount,
                "tax_ids": [Command.clear()],
            })],
            **values,
        })
        if post:
            move.action_post()
        return move

    def _pay(self, invoices, payment_date, amount=None):
        """Register a payment from the invoice, as the Pay button does (reconciled)."""
        values = {"payment_date": payment_date}
        if amount is not None:
            values["amount"] = amount
        return self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids,
        ).create(values)._create_payments()

    def _file(self, partner, company=None):
        company = company or self.company
        return self.File.search([
            ("partner_id", "=", partner.commercial_partner_id.id),
            ("company_id", "=", company.id),
        ])

    def _logs(self, file, event=None):
        file.invalidate_recordset(["log_ids"])
        logs = file.log_ids.sorted("id")
        return logs.filtered(lambda log: log.event == event) if event else logs

    def _notes(self, file, text):
        file.invalidate_recordset(["message_ids"])
        return file.message_ids.filtered(lambda m: text in str(m.body))

    def _hold_wizard(self, files, action, reason, user=None):
        return self.env["ar.credit.hold.wizard"].with_user(user or self.manager).create({
            "file_ids": [Command.set(files.ids)],
            "action": action,
            "reason": reason,
        })

    def _change_wizard(self, files, user=None, **values):
        return self.env["ar.credit.change.wizard"].with_user(user or self.manager).with_context(
            default_file_ids=files.ids,
        ).create(values)

    def _cron_holds(self):
        self.File._cron_refresh_holds()
        self.env.invalidate_all()


@tagged("post_install", "-at_install")
class TestCreditHold(ArHoldPilotCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Late Payer Ltd")

    # ------------------------------------------------------------------
    # Automatic hold (overdue policy)
    # ------------------------------------------------------------------

    def test_overdue_amount_hold_by_scheduler_lifts_on_payment(self):
        with freeze_time("2024-03-01"):
            self.company.ar_hold_overdue_amount = 100.0
            invoice = self._invoice(self.customer, 500.0, "2024-01-15")
            file = self._file(self.customer)
            self.assertEqual(file.credit_status, "approved")
            self.assertFalse(file.credit_hold, "Posting an invoice does not hold by itself")

            self._cron_holds()
            self.assertTrue(file.credit_hold)
            self.assertTrue(file.hold_cause_overdue)
            self.assertFalse(file.hold_cause_manual)
            self.assertEqual(file.hold_causes, "Overdue policy")
            self.assertEqual(file.hold_since, date(2024, 3, 1))
            self.assertEqual(file.overdue_amount, 500.0)
            self.assertEqual(file.oldest_overdue_days, 46)
            self.assertTrue(self.customer.with_company(self.company).ar_credit_hold)
            hold = self._logs(file, "hold")
            self.assertEqual(len(hold), 1)
            self.assertRecordValues(hold, [{
                "cause": "Overdue policy",
                "by_scheduler": True,
                "user_id": False,
                "company_id": self.company.id,
                "partner_id": self.customer.id,
            }])
            self.assertIn("46 days late", hold.reason)
            self.assertIn("500.00", hold.reason)
            self.assertTrue(self._notes(file, "Hold set"), "The hold is noted in the chatter")

            self._cron_holds()
            self.assertTrue(file.credit_hold)
            self.assertEqual(len(self._logs(file)), 1, "A second run logs nothing more")

            # Paying the invoice lifts the hold at once, without the scheduler.
            self._pay(invoice, "2024-03-01")
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
            file.invalidate_recordset()
            self.assertFalse(file.credit_hold)
            self.assertFalse(file.hold_cause_overdue)
            self.assertFalse(file.hold_since)
            self.assertFalse(self.customer.with_company(self.company).ar_credit_hold)
            release = self._logs(file, "release")
            self.assertRecordValues(release, [{
                "cause": "Overdue policy",
                "by_scheduler": False,
                "user_id": self.env.user.id,
            }])
            self.assertTrue(self._notes(file, "Hold lifted"))

            self._cron_holds()
            self.assertFalse(file.credit_hold)
            self.assertEqual(len(self._logs(file)), 2)

    def test_overdue_days_hold(self):
        self.company.ar_hold_overdue_days = 30
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 50.0, "2024-02-10")
            file = self._file(self.customer)
            self._cron_holds()
            self.assertFalse(file.credit_hold, "20 days late is within the 30 days")
            self.assertFalse(self._logs(file))
        with freeze_time("2024-03-11"):
            self._cron_holds()
            self.assertFalse(file.credit_hold, "exactly 30 days late is not above 30")
        with freeze_time("2024-03-15"):
            self._cron_holds()
            self.assertTrue(file.credit_hold)
            self.assertEqual(file.hold_causes, "Overdue policy")
            hold = self._logs(file, "hold")
            self.assertEqual(len(hold), 1)
            self.assertTrue(hold.by_scheduler)
            self.assertIn("34 days late", hold.reason)

    def test_unallocated_payment_nets_the_overdue_amount(self):
        self.company.write({"ar_hold_overdue_amount": 100.0, "ar_hold_overdue_days": 10})
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 500.0, "2024-01-15")
            payment = self.init_payment(500.0, post=True, date="2024-02-20", partner=self.customer)
            self.assertFalse(payment.is_reconciled)
            file = self._file(self.customer)
            self._cron_holds()
            self.assertEqual(file.exposure_unallocated, 500.0)
            self.assertEqual(file.overdue_amount, 0.0)
            self.assertFalse(file.credit_hold, "An unallocated payment covers what is overdue")
            self.assertFalse(self._logs(file))

    def test_partial_unallocated_payment_still_holds(self):
        self.company.ar_hold_overdue_amount = 100.0
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 500.0, "2024-01-15")
            self.init_payment(300.0, post=True, date="2024-02-20", partner=self.customer)
            file = self._file(self.customer)
            self._cron_holds()
            self.assertEqual(file.overdue_amount, 200.0)
            self.assertTrue(file.credit_hold)

    def test_rules_off_no_hold(self):
        self.company.write({"ar_hold_overdue_amount": 0.0, "ar_hold_overdue_days": 0})
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 50000.0, "2023-01-15")
            file = self._file(self.customer)
            self._cron_holds()
            self.assertFalse(file.credit_hold)
            self.assertFalse(self._logs(file))

    def test_turning_the_rule_off_lifts_the_automatic_hold(self):
        self.company.ar_hold_overdue_amount = 100.0
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 500.0, "2024-01-15")
            file = self._file(self.customer)
            self._cron_holds()
            self.assertTrue(file.credit_hold)
            self.company.ar_hold_overdue_amount = 0.0
            self._cron_holds()
            self.assertFalse(file.credit_hold)
            release = self._logs(file, "release")
            self.assertEqual(len(release), 1)
            self.assertTrue(release.by_scheduler)

    # ------------------------------------------------------------------
    # Manual hold
    # ------------------------------------------------------------------

    def test_manual_hold_and_release_by_manager(self):
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 500.0, "2024-03-01")
            file = self._file(self.customer)

            wizard = self._hold_wizard(file, "hold", "   ")
            with self.assertRaisesRegex(UserError, "Reason"):
                wizard.action_apply()
            self.assertFalse(file.credit_hold)

            self._hold_wizard(file, "hold", "Customer filed for insolvency").action_apply()
            self.assertTrue(file.credit_hold)
            self.assertTrue(file.hold_cause_manual)
            self.assertEqual(file.hold_causes, "Manual")
            self.assertEqual(file.hold_reason, "Customer filed for insolvency")
            self.assertEqual(file.hold_since, date(2024, 3, 1))
            self.assertRecordValues(self._logs(file, "hold"), [{
                "cause": "Manual",
                "reason": "Customer filed for insolvency",
                "user_id": self.manager.id,
                "by_scheduler": False,
            }])
            self.assertTrue(self._notes(file, "Customer filed for insolvency"))

            # The scheduler never lifts a manual hold, rules on or off.
            self._cron_holds()
            self.assertTrue(file.credit_hold)
            self.company.ar_hold_overdue_amount = 100.0
            self._cron_holds()
            self.assertTrue(file.credit_hold)
            self.assertEqual(file.hold_causes, "Manual")
            self.assertEqual(len(self._logs(file)), 1)

            wizard = self._hold_wizard(file, "release", "")
            with self.assertRaisesRegex(UserError, "Reason"):
                wizard.action_apply()
            self.assertTrue(file.credit_hold)

            self._hold_wizard(file, "release", "Bank guarantee received").action_apply()
            self.assertFalse(file.credit_hold)
            self.assertFalse(file.hold_cause_manual)
            self.assertFalse(file.hold_reason)
            self.assertEqual(file.hold_released_on, date(2024, 3, 1))
            self.assertRecordValues(self._logs(file, "release"), [{
                "cause": "Manual",
                "reason": "Bank guarantee received",
                "user_id": self.manager.id,
                "by_scheduler": False,
            }])

    def test_manual_hold_survives_payment(self):
        self.company.ar_hold_overdue_amount = 100.0
        with freeze_time("2024-03-01"):
            invoice = self._invoice(self.customer, 500.0, "2024-01-15")
            file = self._file(self.customer)
            self._cron_holds()
            self._hold_wizard(file, "hold", "Disputed ownership").action_apply()
            self.assertEqual(file.hold_causes, "Overdue policy, Manual")
            self._pay(invoice, "2024-03-01")
            file.invalidate_recordset()
            self.assertTrue(file.credit_hold, "Only a credit manager lifts a manual hold")
            self.assertEqual(file.hold_causes, "Manual")
            self.assertEqual(self._logs(file, "release").cause, "Overdue policy")

    def test_hold_actions_need_a_credit_manager(self):
        self.company.ar_hold_overdue_amount = 100.0
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 500.0, "2024-01-15")
            file = self._file(self.customer)
            self._cron_holds()
            as_controller = file.with_user(self.controller)
            # The controller sees the file and its hold...
            self.assertTrue(as_controller.credit_hold)
            self.assertEqual(as_controller.overdue_amount, 500.0)
            # ...but neither releases nor sets a hold.
            with self.assertRaises(AccessError):
                self._hold_wizard(file, "release", "Asked nicely", user=self.controller)
            with self.assertRaises(AccessError):
                as_controller.action_release_hold()
            with self.assertRaises(AccessError):
                as_controller.action_set_hold()
            with self.assertRaises(AccessError):
                as_controller._ar_release_hold("Asked nicely")
            with self.assertRaises(AccessError):
                as_controller.write({"credit_hold": False})
            with self.assertRaises(AccessError):
                file.with_user(self.manager).write({"credit_hold": False})
            self.assertTrue(file.credit_hold)
            self.assertEqual(len(self._logs(file)), 1)

    # ------------------------------------------------------------------
    # A manual release suppresses the automatic cause until a new item falls due
    # ------------------------------------------------------------------

    def test_manual_release_suppresses_automatic_hold_until_new_item_due(self):
        self.company.ar_hold_overdue_amount = 100.0
        with freeze_time("2024-03-01"):
            self._invoice(self.customer, 500.0, "2024-01-15")
            file = self._file(self.customer)
            self._cron_holds()
            self.assertTrue(file.credit_hold)
            self._hold_wizard(file, "release", "Payment plan agreed by phone").action_apply()
            self.assertFalse(file.credit_hold)
            self.assertEqual(file.hold_released_on, date(2024, 3, 1))
            release = self._logs(file, "release")
            self.assertEqual(release.cause, "Overdue policy")
            self.assertEqual(release.user_id, self.manager)
            self._cron_holds()
            self.assertFalse(file.credit_hold)
        with freeze_time("2024-03-10"):
            self._cron_holds()
            self.assertFalse(file.credit_hold, "Only the old item is overdue")
            self._invoice(self.customer, 300.0, "2024-03-10")
            self._cron_holds()
            self.assertFalse(file.credit_hold, "The new item is due today, not overdue")
            self.assertEqual(len(self._logs(file, "hold")), 1)
        with freeze_time("2024-03-11"):
            self._cron_holds()
            self.assertTrue(file.credit_hold, "A new item fell due after the release")
            self.assertEqual(file.hold_causes, "Overdue policy")
            holds = self._logs(file, "hold")
            self.assertEqual(len(holds), 2)
            self.assertTrue(holds[-1].by_scheduler)
            self.assertIn("800.00", holds[-1].reason)
