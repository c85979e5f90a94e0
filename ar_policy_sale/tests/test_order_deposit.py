from freezegun import freeze_time

from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.tests import tagged

from .common import ArSaleCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestOrderDeposit(ArSaleCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_mode("block")

    def _down_payment_lines(self, order):
        return order.order_line.filtered(lambda line: line.is_downpayment and not line.display_type)

    # ------------------------------------------------------------------
    # The quotation shows and asks for the deposit
    # ------------------------------------------------------------------

    def test_quotation_shows_and_asks_for_the_deposit(self):
        self._set_deposit(self.customer)
        order = self._order(self.contact, 1000.0, tax=self.tax_10)
        self.assertAlmostEqual(order.amount_total, 1100.0)
        self.assertAlmostEqual(order.ar_deposit_amount, 330.0, msg="tax included")
        self.assertEqual(order.ar_deposit_percent, 30.0)
        self.assertEqual(order.ar_deposit_reason, "the customer's deposit policy")
        self.assertTrue(order.require_payment)
        self.assertAlmostEqual(order.prepayment_percent, 0.3)
        self.assertAlmostEqual(order._get_prepayment_required_amount(), 330.0)
        self.assertTrue(order.ar_deposit_waiting)
        self.assertEqual(order.ar_deposit_since.isoformat(), "2026-03-10")
        waiting = self.env["sale.order"].search([("ar_deposit_waiting", "=", True)])
        self.assertIn(order, waiting)
        # salespeople see it too
        as_seller = order.with_user(self.seller)
        self.assertTrue(as_seller.ar_deposit_waiting)
        self.assertAlmostEqual(as_seller.ar_deposit_due, 330.0)

    def test_request_deposit_sends_the_quotation_and_logs(self):
        self._set_deposit(self.customer)
        order = self._order(self.customer, 1000.0)
        order.with_user(self.seller).action_ar_request_deposit()
        self.assertEqual(order.state, "sent")
        self.assertTrue(any("Deposit requested" in body for body in self._messages(order)))

    def test_ages_in_the_waiting_list(self):
        self._set_deposit(self.customer)
        order = self._order(self.customer, 1000.0)
        self.assertEqual(order.ar_deposit_since.isoformat(), "2026-03-10")
        with freeze_time("2026-03-25"):
            order.invalidate_recordset(["ar_deposit_age", "ar_deposit_waiting"])
            self.assertTrue(order.ar_deposit_waiting)
            self.assertEqual(order.ar_deposit_age, 15)

    # ------------------------------------------------------------------
    # Manual confirmation, online and registered payments
    # ------------------------------------------------------------------

    def test_manual_confirmation_blocked_then_online_payment_confirms(self):
        self._set_deposit(self.customer)
        order = self._order(self.customer, 1000.0)
        with self.assertRaisesRegex(UserError, "owes a deposit of"):
            order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "draft")
        tx = self._pay_online(order, 300.0)
        self.assertEqual(order.state, "sale", "Odoo's own portal flow confirms it")
        self.assertTrue(tx.payment_id)
        deposit_invoice = order.ar_deposit_move_id
        self.assertEqual(deposit_invoice.state, "posted")
        self.assertEqual(deposit_invoice.ar_origin, "deposit")
        self.assertAlmostEqual(deposit_invoice.amount_total, 300.0)
        self.assertEqual(deposit_invoice.payment_state, "paid")
        self.assertEqual(len(self._down_payment_lines(order)), 1)
        self.assertTrue(self._activities(order, "Deposit received"))

    def test_partial_deposit_then_assigned_payment(self):
        self._set_deposit(self.customer)
        order = self._order(self.customer, 1000.0)
        self._pay_online(order, 100.0)
        self.assertEqual(order.state, "draft", "a partial deposit does not confirm")
        self.assertAlmostEqual(order.ar_deposit_paid, 100.0)
        self.assertAlmostEqual(order.ar_deposit_due, 200.0)
        self.assertAlmostEqual(order._get_default_payment_link_values()["amount"], 200.0)
        with self.assertRaisesRegex(UserError, "Paid: "):
            order.with_user(self.seller).action_confirm()

        payment = self._payment(self.customer, 500.0)
        self._assign(order, payment, 200.0)
        self.assertFalse(order.ar_deposit_waiting)
        self.assertTrue(self._activities(order, "Deposit received"))
        # the portal and the manual confirmation agree on one paid amount
        self.assertAlmostEqual(order.ar_deposit_paid, 300.0)
        self.assertTrue(order._is_confirmation_amount_reached())
        self.assertAlmostEqual(order._get_default_payment_link_values()["amount"], 0.0)

        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "sale")
        deposit_invoice = order.ar_deposit_move_id
        self.assertAlmostEqual(deposit_invoice.amount_total, 300.0)
        self.assertEqual(deposit_invoice.payment_state, "paid")
        self.assertAlmostEqual(payment.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).amount_residual, -300.0, msg="the rest of the payment stays unallocated")

    def test_one_down_payment_deducted_on_the_final_invoice(self):
        self._set_deposit(self.customer)
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", True)
        order = self._order(self.customer, 1000.0)
        self._pay_online(order, 300.0)
        self.assertEqual(order.state, "sale")
        self.assertEqual(len(self._down_payment_lines(order)), 1, "never two down payments")
        self.assertEqual(len(order.invoice_ids), 1)
        final = order._create_invoices(final=True)
        self.assertAlmostEqual(final.amount_total, 700.0)
        final.action_post()
        self.assertEqual(final.state, "posted")

    def test_assignment_bad_input(self):
        self._set_deposit(self.customer)
        order = self._order(self.customer, 1000.0)
        stranger = self.env["res.partner"].create({"name": "Stranger", "is_company": True})
        with self.assertRaises(ValidationError) as caught:
            self._assign(order, self._payment(stranger, 500.0), 100.0)
        self.assertIn("is a payment of", str(caught.exception))
        payment = self._payment(self.customer, 150.0)
        with self.assertRaises(ValidationError) as caught:
            self._assign(order, payment, 200.0)
        self.assertIn("left unallocated", str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self._assign(order, payment, 0.0)
        self.assertIn("above zero", str(caught.exception))
        with self.assertRaises(AccessError):
            self._assign(order, payment, 100.0, user=self.seller)
        order.invalidate_recordset()
        self.assertFalse(order.ar_deposit_assignment_ids)
        # one payment cannot pay two deposits
        other = self._order(self.customer, 1000.0)
        self._assign(order, payment, 100.0)
        with self.assertRaisesRegex(ValidationError, "left unallocated"):
            self._assign(other, payment, 100.0)

    # ------------------------------------------------------------------
    # Risk rules: a deposit releases the order instead of a refusal
    # ------------------------------------------------------------------

    def test_over_limit_order_released_by_its_deposit(self):
        self.company.ar_deposit_limit_percent = 50.0
        self._set_limit(self.customer, 500.0)
        order = self._order(self.customer, 1000.0)
        self.assertAlmostEqual(order.ar_deposit_amount, 500.0)
        self.assertEqual(order.ar_deposit_reason, "over the credit limit")
        with self.assertRaisesRegex(UserError, "owes a deposit"):
            order.with_user(self.seller).action_confirm()
        self._assign(order, self._payment(self.customer, 500.0), 500.0)
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_over_limit_refused_without_deposit_rule(self):
        self._set_limit(self.customer, 500.0)
        order = self._order(self.customer, 1000.0)
        self.assertFalse(order.ar_deposit_amount)
        with self.assertRaisesRegex(UserError, "would exceed its credit limit"):
            order.with_user(self.billing).action_confirm()
        with self.assertRaisesRegex(UserError, "over its credit limit"):
            order.with_user(self.seller).action_confirm()

    def test_held_customer_order_released_by_its_deposit(self):
        self.company.ar_deposit_hold_percent = 100.0
        self._set_hold(self.customer)
        order = self._order(self.customer, 400.0)
        self.assertTrue(order.ar_credit_hold)
        self.assertIn("on credit hold", order.with_user(self.seller).ar_credit_note)
        self.assertEqual(order.ar_deposit_reason, "on credit hold")
        with self.assertRaises(UserError):
            order.with_user(self.seller).action_confirm()
        self._pay_online(order, 400.0)
        self.assertEqual(order.state, "sale")

    def test_warn_mode_confirms_with_a_warning(self):
        self._set_mode("warn")
        self._set_limit(self.customer, 500.0)
        order = self._order(self.customer, 1000.0)
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertTrue(any("warning only" in body for body in self._messages(order)))
        log = self._file(self.customer).log_ids.filtered(lambda entry: entry.event == "warning")
        self.assertIn(order.name, log.reason)

    def test_restart_deposit_cleared_by_first_paid_order(self):
        self.company.ar_deposit_restart_percent = 20.0
        self._set_hold(self.customer)
        file = self._file(self.customer)
        file.with_user(self.manager)._ar_release_hold("Settled")
        order = self._order(self.customer, 1000.0)
        self.assertEqual(order.ar_deposit_reason, "released from a credit hold")
        self._pay_online(order, 200.0)
        self.assertEqual(order.state, "sale")
        self.assertFalse(file.deposit_after_release)
        next_order = self._order(self.customer, 1000.0)
        self.assertFalse(next_order.ar_deposit_amount)

    def test_stage_and_status_rules(self):
        self.company.ar_deposit_pilot_percent = 10.0
        self._set_status(self.customer, "pilot")
        self._set_limit(self.customer, 0.0)
        file = self._file(self.customer)
        file.sudo().stage_deposit_percent = 40.0
        order = self._order(self.customer, 1000.0)
        self.assertEqual(order.ar_deposit_percent, 40.0)
        self.assertEqual(order.ar_deposit_reason, "escalation stage, pilot customer")
        prepaid = self.env["res.partner"].create({"name": "Prepaid", "is_company": True})
        self._set_status(prepaid, "prepayment")
        self.assertEqual(self._order(prepaid, 250.0).ar_deposit_amount, 250.0)

    # ------------------------------------------------------------------
    # The portal and payment path never raises
    # ------------------------------------------------------------------

    def test_portal_payment_of_a_blocked_customer(self):
        self._set_hold(self.customer)  # no deposit rule covers the hold
        order = self._order(self.customer, 400.0, require_payment=True, prepayment_percent=1.0)
        file = self._file(self.customer)
        file.sudo().collector_id = self.collector
        order.action_quotation_sent()
        tx = self._pay_online(order, 400.0)
        self.assertEqual(order.state, "sent")
        self.assertTrue(tx.payment_id, "the payment is recorded")
        self.assertEqual(tx.payment_id.state, "in_process")
        activities = self._activities(order, "Quotation blocked by the credit policy")
        self.assertEqual(activities.user_id, self.seller | self.collector)
        self.assertIn("on credit hold", activities[0].note)

    def test_portal_signature_of_a_blocked_customer(self):
        self._set_hold(self.customer)
        order = self._order(self.customer, 400.0)
        order.with_user(self.portal_user).sudo().action_confirm()
        self.assertEqual(order.state, "draft")
        self.assertTrue(self._activities(order, "Quotation blocked by the credit policy"))

    # ------------------------------------------------------------------
    # Override
    # ------------------------------------------------------------------

    def test_override_by_credit_manager_refused_for_others(self):
        self._set_deposit(self.customer)
        order = self._order(self.customer, 1000.0)
        with self.assertRaises(UserError) as caught:
            order.with_user(self.seller).action_confirm()
        self.assertNotIsInstance(caught.exception, RedirectWarning)
        with self.assertRaises(RedirectWarning):
            order.with_user(self.manager).action_confirm()
        wizard = self.env["ar.credit.override.wizard"].with_user(self.manager).create({
            "order_ids": order.ids, "reason": "Strategic customer, CFO approved",
        })
        self.assertIn("owes a deposit", wizard.refusal)
        with self.assertRaises(AccessError):
            wizard.with_user(self.controller).action_override()
        with self.assertRaises(AccessError):
            order.with_user(self.controller).with_context(
                ar_credit_override_reason="Me"
            ).action_confirm()
        wizard.action_override()
        self.assertEqual(order.state, "sale")
        self.assertTrue(any("CFO approved" in body for body in self._messages(order)))
        log = self._file(self.customer).log_ids.filtered(lambda entry: entry.event == "override")
        self.assertIn("CFO approved", log.reason)
        self.assertFalse(order.ar_deposit_move_id, "no deposit paid, no down payment")

    # ------------------------------------------------------------------
    # Invoices from confirmed orders
    # ------------------------------------------------------------------

    def test_hold_does_not_stop_billing_what_was_sold(self):
        order = self._order(self.customer, 1000.0)
        order.action_confirm()
        self._set_hold(self.customer)
        invoice = order._create_invoices()
        self.assertFalse(invoice.ar_credit_banner)
        invoice.with_user(self.billing).action_post()
        self.assertEqual(invoice.state, "posted")
        extra = order._create_invoices() if order.invoice_status == "to invoice" else None
        self.assertFalse(extra)
        other = self._invoice(self.customer, 100.0)
        with self.assertRaisesRegex(UserError, "credit hold"):
            other.with_user(self.billing).action_post()

    def test_multi_company(self):
        other = self.setup_other_company()["company"]
        self._set_mode("block", company=other)
        self._set_deposit(self.customer, policy="full")
        order_other = self._order(self.customer, 500.0, company=other,
                                  user=self.env.user)
        self.assertFalse(order_other.ar_deposit_amount, "company 1's policy stays in company 1")
        order_other.action_confirm()
        self.assertEqual(order_other.state, "sale")
        self.assertFalse(self._file(self.customer).exposure_orders)
        self.assertAlmostEqual(self._file(self.customer, other).exposure_orders, 500.0)
        order = self._order(self.customer, 500.0)
        self.assertAlmostEqual(order.ar_deposit_amount, 500.0)
        payment_other = self.env["account.payment"].with_company(other).create({
            "partner_id": self.customer.id, "amount": 500.0, "payment_type": "inbound",
            "partner_type": "customer",
        })
        payment_other.action_post()
        with self.assertRaisesRegex(ValidationError, "another company"):
            self._assign(order, payment_other, 100.0)
