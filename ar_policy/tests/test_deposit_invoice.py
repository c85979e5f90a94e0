from freezegun import freeze_time

from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.tests import tagged

from .common import ArPolicyCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestDepositInvoice(ArPolicyCommon):
    """Required deposits on invoices that do not come from an order (no Sales)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Deposit Customer", "is_company": True})
        cls.contact = cls.env["res.partner"].create({
            "name": "Dee Buyer", "parent_id": cls.customer.id,
        })

    def _set_deposit(self, partner, policy="percent", percent=30.0, min_amount=0.0,
                     reason="Large first project"):
        file = self._file(partner)
        file.with_user(self.manager)._ar_set_deposit_policy(policy, percent, min_amount, reason)
        return file

    def _change_wizard(self, file, **values):
        return self.env["ar.credit.change.wizard"].with_user(self.manager).with_context(
            default_file_ids=file.ids
        ).create({"reason": "Agreed with the customer", "change_deposit": True, **values})

    # ------------------------------------------------------------------
    # The customer's own policy
    # ------------------------------------------------------------------

    def test_invoice_shows_the_deposit_and_waits_for_advance_payments(self):
        self._set_mode("warn")
        self._set_deposit(self.customer)
        invoice = self._invoice(self.contact, 1000.0)
        self.assertAlmostEqual(invoice.ar_deposit_amount, 300.0)
        self.assertEqual(invoice.ar_deposit_reason, "the customer's deposit policy")
        self.assertTrue(invoice.ar_credit_banner_blocking, "a deposit blocks even in warn mode")
        self.assertIn("owes a deposit of", invoice.ar_credit_banner)
        with self.assertRaisesRegex(UserError, "owes a deposit of"):
            self._post(invoice, self.billing)
        self.assertEqual(invoice.state, "draft")

        self._payment(self.customer, 100.0)
        invoice.invalidate_recordset(["ar_credit_banner"])
        with self.assertRaisesRegex(UserError, "Unreconciled advance payments"):
            self._post(invoice, self.billing)

        self._payment(self.customer, 200.0)
        invoice.invalidate_recordset(["ar_credit_banner", "ar_deposit_amount"])
        self.assertFalse(invoice.ar_credit_banner)
        self.assertAlmostEqual(invoice.ar_deposit_amount, 300.0, msg="still shown, covered")
        self._post(invoice, self.billing)
        self.assertEqual(invoice.state, "posted")

    def test_full_prepayment_and_threshold(self):
        self._set_mode("block")
        self._set_deposit(self.customer, policy="full", min_amount=500.0)
        small = self._invoice(self.customer, 400.0)
        self.assertFalse(small.ar_deposit_amount)
        self._post(small)
        self.assertEqual(small.state, "posted")
        large = self._invoice(self.customer, 800.0)
        self.assertAlmostEqual(large.ar_deposit_amount, 800.0)
        with self.assertRaises(UserError):
            self._post(large, self.billing)

    def test_off_mode_changes_nothing(self):
        self._set_deposit(self.customer, policy="full")
        invoice = self._invoice(self.customer, 800.0)
        self.assertFalse(invoice.ar_deposit_amount)
        self._post(invoice)
        self.assertEqual(invoice.state, "posted")

    def test_override_by_credit_manager_only(self):
        self._set_mode("warn")
        file = self._set_deposit(self.customer)
        invoice = self._invoice(self.customer, 1000.0)
        with self.assertRaises(RedirectWarning):
            self._post(invoice, self.manager)
        wizard = self.env["ar.credit.override.wizard"].with_user(self.manager).create({
            "move_ids": invoice.ids, "reason": "Cash promised by the director",
        })
        self.assertIn("owes a deposit", wizard.refusal)
        with self.assertRaises(AccessError):
            wizard.with_user(self.billing).action_post()
        wizard.action_post()
        self.assertEqual(invoice.state, "posted")
        log = file.log_ids.filtered(lambda entry: entry.event == "override")
        self.assertEqual(log.reason, "Cash promised by the director")
        self.assertEqual(log.move_id, invoice)
        self.assertTrue(any("Cash promised" in body for body in self._messages(invoice)))

    # ------------------------------------------------------------------
    # Risk rules and the highest wins
    # ------------------------------------------------------------------

    def test_risk_rules_highest_wins(self):
        self._set_mode("block")
        self.company.write({"ar_deposit_pilot_percent": 20.0, "ar_deposit_hold_percent": 60.0})
        self._set_status(self.customer, "pilot")
        self._set_limit(self.customer, 0.0)
        invoice = self._invoice(self.customer, 500.0)
        self.assertAlmostEqual(invoice.ar_deposit_amount, 100.0)
        self.assertEqual(invoice.ar_deposit_reason, "pilot customer")
        self._set_hold(self.customer)
        invoice.invalidate_recordset()
        self.assertAlmostEqual(invoice.ar_deposit_amount, 300.0)
        self.assertEqual(invoice.ar_deposit_reason, "on credit hold, pilot customer")
        self._payment(self.customer, 300.0)
        invoice.invalidate_recordset()
        self._post(invoice, self.billing)  # the paid deposit covers the hold
        self.assertEqual(invoice.state, "posted")

    def test_over_limit_waits_for_deposit(self):
        self._set_mode("block")
        self.company.ar_deposit_limit_percent = 50.0
        self._set_limit(self.customer, 500.0)
        invoice = self._invoice(self.customer, 1000.0)
        self.assertEqual(invoice.ar_deposit_reason, "over the credit limit")
        with self.assertRaisesRegex(UserError, "owes a deposit of"):
            self._post(invoice, self.billing)
        self._payment(self.customer, 500.0)
        invoice.invalidate_recordset()
        self._post(invoice, self.billing)
        self.assertEqual(invoice.state, "posted")

    def test_stage_deposit_percent(self):
        self._set_mode("block")
        file = self._file(self.customer)
        file.sudo().stage_deposit_percent = 40.0
        invoice = self._invoice(self.customer, 1000.0)
        self.assertAlmostEqual(invoice.ar_deposit_amount, 400.0)
        self.assertEqual(invoice.ar_deposit_reason,
                         "invoices still unpaid after the payment reminders")

    def test_release_sets_restart_and_first_paid_document_clears_it(self):
        self._set_mode("block")
        self.company.ar_deposit_restart_percent = 25.0
        self._set_hold(self.customer)
        file = self._file(self.customer)
        file.with_user(self.manager)._ar_release_hold("Paid in full")
        self.assertTrue(file.deposit_after_release)
        invoice = self._invoice(self.customer, 1000.0)
        self.assertAlmostEqual(invoice.ar_deposit_amount, 250.0)
        self.assertEqual(invoice.ar_deposit_reason, "released from a credit hold")
        self._payment(self.customer, 250.0)
        invoice.invalidate_recordset()
        self._post(invoice, self.billing)
        self.assertFalse(file.deposit_after_release)
        self.assertTrue(file.log_ids.filtered(lambda entry: entry.event == "deposit"))

    def test_automatic_hold_lifting_sets_restart(self):
        self._set_mode("block")
        self.company.write({"ar_hold_overdue_amount": 100.0})
        file = self._file(self.customer)
        with freeze_time("2026-01-10"):
            old = self._post(self._invoice(self.customer, 500.0, due="2026-01-20"))
        file.sudo()._ar_refresh_holds()
        self.assertTrue(file.credit_hold)
        self.assertFalse(file.deposit_after_release)
        self._payment(self.customer, 500.0)
        file.sudo()._ar_refresh_holds()
        self.assertFalse(file.credit_hold)
        self.assertTrue(file.deposit_after_release)
        self.assertTrue(old)

    # ------------------------------------------------------------------
    # Who changes the policy, and bad input
    # ------------------------------------------------------------------

    def test_change_wizard_sets_the_policy_with_a_reason(self):
        file = self._file(self.customer)
        self._change_wizard(file, deposit_policy="percent", deposit_percent=40.0,
                            deposit_min_amount=1000.0).action_apply()
        self.assertEqual((file.deposit_policy, file.deposit_percent, file.deposit_min_amount),
                         ("percent", 40.0, 1000.0))
        log = file.log_ids.filtered(lambda entry: entry.event == "deposit")
        self.assertEqual(log.reason, "Agreed with the customer")
        self.assertIn("40%", log.new_value)
        with self.assertRaises(AccessError):
            file.with_user(self.controller)._ar_set_deposit_policy("full", 0, 0, "No")
        as_controller = self.env["ar.credit.file"].browse(file.id).with_user(self.controller)
        with self.assertRaises(AccessError):
            as_controller.write({"deposit_policy": "full"})

    def test_bad_input(self):
        file = self._file(self.customer)
        with self.assertRaisesRegex(ValidationError, "Deposit \\(%\\)"):
            self._change_wizard(file, deposit_policy="percent", deposit_percent=120.0)
        with self.assertRaisesRegex(ValidationError, "Deposit Above"):
            self._change_wizard(file, deposit_policy="percent", deposit_min_amount=-1.0)
        with self.assertRaisesRegex(ValidationError, "Deposit \\(%\\)"):
            file.with_user(self.manager)._ar_set_deposit_policy("percent", -5.0, 0.0, "Typo")
        with self.assertRaisesRegex(ValidationError, "Default Deposit Above"):
            self.company.ar_default_deposit_min_amount = -10.0
        self.company.invalidate_recordset()
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.company.ar_deposit_hold_percent = 101.0
        self.company.invalidate_recordset()
        self.assertEqual(file.deposit_policy, "none")

    def test_company_default_for_new_customers_only(self):
        existing = self._file(self.customer)
        self.company.write({"ar_default_deposit_policy": "percent",
                            "ar_default_deposit_percent": 15.0})
        self.assertEqual(existing.deposit_policy, "none")
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "is_company": True})
        self._invoice(newcomer, 100.0)
        file = self._file(newcomer)
        self.assertEqual((file.deposit_policy, file.deposit_percent), ("percent", 15.0))

    def test_multi_company(self):
        self._set_mode("block")
        other = self.company_data_2["company"] if hasattr(self, "company_data_2") else None
        if other is None:
            other = self.setup_other_company()["company"]
        self._set_mode("block", company=other)
        self._set_deposit(self.customer, policy="full")
        file_other = self._file(self.customer, company=other)
        self.assertEqual(file_other.deposit_policy, "none")
        invoice = self._invoice(self.customer, 500.0, company=other)
        self.assertFalse(invoice.ar_deposit_amount)
        self.assertAlmostEqual(self._invoice(self.customer, 500.0).ar_deposit_amount, 500.0)
