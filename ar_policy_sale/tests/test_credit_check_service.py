from freezegun import freeze_time

from odoo.exceptions import AccessError, RedirectWarning, UserError
from odoo.tests import new_test_user, tagged

from .common import ArSaleCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestCreditCheckService(ArSaleCommon):
    """One credit check (ar.credit.check) for invoices and orders: the same decision,
    the same words, one override wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_mode("block")

    def _offer(self, records, method):
        with self.assertRaises(RedirectWarning) as offer:
            getattr(records.with_user(self.manager), method)()
        return offer.exception.args[:3]

    def test_one_wizard_for_invoices_and_orders(self):
        self._set_limit(self.customer, 500.0)
        invoice = self._invoice(self.customer, 800.0)
        order = self._order(self.customer, 900.0)
        message_invoice, action_invoice, button_invoice = self._offer(invoice, "action_post")
        message_order, action_order, button_order = self._offer(order, "action_confirm")
        self.assertEqual(action_invoice["res_model"], "ar.credit.override.wizard")
        self.assertEqual(action_order["res_model"], "ar.credit.override.wizard")
        self.assertEqual(action_invoice["context"], {"default_move_ids": invoice.ids})
        self.assertEqual(action_order["context"], {"default_order_ids": order.ids})
        self.assertIn("Post Anyway", button_invoice)
        self.assertIn("Confirm Anyway", button_order)
        self.assertIn("exposure after this invoice", message_invoice)
        self.assertIn("exposure after this order", message_order)

        wizard = self.env["ar.credit.override.wizard"].with_user(self.manager).with_context(
            active_model="sale.order", active_ids=order.ids,
        ).create({"reason": "Signed framework contract"})
        self.assertEqual(wizard.order_ids, order)
        self.assertFalse(wizard.move_ids)
        self.assertIn(order.name, wizard.refusal)
        wizard.action_override()
        self.assertEqual(order.state, "sale")
        self.assertEqual(invoice.state, "draft")
        log = self._file(self.customer).log_ids.filtered(lambda entry: entry.event == "override")
        self.assertEqual(log.reason, f"{order.name}: Signed framework contract")
        self.assertTrue(any("Confirmed over the credit policy by Carla Manager" in body
                            for body in self._messages(order)))

    def test_same_words_for_both_documents(self):
        """A hold reads the same on an invoice and an order; a prepayment-only
        customer's refusal shows the uncovered amount to Billing users only, on both."""
        self._set_hold(self.customer)
        invoice = self._invoice(self.customer, 100.0)
        order = self._order(self.customer, 100.0, user=self.billing)
        with self.assertRaises(UserError) as on_invoice:
            invoice.with_user(self.billing).action_post()
        with self.assertRaises(UserError) as on_order:
            order.with_user(self.billing).action_confirm()
        held = ("Deposit Customer is on credit hold: held by the credit manager: Disputes. "
                "Only a credit manager can release it, with Release Hold on the customer's credit "
                "file.")
        self.assertIn(held, on_invoice.exception.args[0])
        self.assertIn(held, on_order.exception.args[0])

        prepaid = self.env["res.partner"].create({"name": "Prepaid Co", "is_company": True})
        self._set_status(prepaid, "prepayment")
        self.company.ar_deposit_prepayment_percent = 0.0
        with self.assertRaises(UserError) as as_billing:
            self._order(prepaid, 200.0, user=self.billing).with_user(self.billing).action_confirm()
        self.assertIn("this order is not covered by its advance payments. Uncovered:",
                      as_billing.exception.args[0])
        with self.assertRaises(UserError) as as_seller:
            self._order(prepaid, 200.0).with_user(self.seller).action_confirm()
        seller_message = as_seller.exception.args[0].split(": ", 1)[1]
        self.assertIn("pays in advance", seller_message)
        self.assertNotRegex(seller_message, r"\d")

    # ------------------------------------------------------------------
    # The quotation's deposit is computed when read (issue 8 part 6)
    # ------------------------------------------------------------------

    def test_deposit_follows_the_file_and_the_exposure(self):
        order = self._order(self.customer, 1000.0)
        self.assertFalse(order.ar_deposit_amount)
        self._set_deposit(self.customer)
        self.env.invalidate_all()  # a new request
        self.assertAlmostEqual(order.ar_deposit_amount, 300.0)
        self.assertIn(order, self.env["sale.order"].search([("ar_deposit_waiting", "=", True)]))

        self._set_deposit(self.customer, policy="none")
        self.company.ar_deposit_limit_percent = 50.0
        self._set_limit(self.customer, 1500.0)
        self.env.invalidate_all()
        self.assertFalse(order.ar_deposit_amount, "under the limit")
        self.assertNotIn(order, self.env["sale.order"].search([("ar_deposit_waiting", "=", True)]))
        self._invoice(self.customer, 800.0).action_post()
        self.env.invalidate_all()
        self.assertAlmostEqual(order.ar_deposit_amount, 500.0, msg="the invoice took it over")
        self.assertEqual(order.ar_deposit_reason, "over the credit limit")
        self.assertIn(order, self.env["sale.order"].search([("ar_deposit_waiting", "=", True)]))
        self.assertEqual(order.ar_deposit_since.isoformat(), "2026-03-10")

    def test_confirmed_order_keeps_its_deposit(self):
        self._set_deposit(self.customer)
        order = self._order(self.customer, 1000.0)
        self._pay_online(order, 300.0)
        self.assertEqual(order.state, "sale")
        self._set_deposit(self.customer, policy="full")
        self.env.invalidate_all()
        self.assertAlmostEqual(order.ar_deposit_amount, 300.0)
        self.assertEqual(order.ar_deposit_percent, 30.0)
        self.assertEqual(order.ar_deposit_reason, "the customer's deposit policy")
        self.assertFalse(order.ar_deposit_waiting)
        with self.assertRaises(AccessError):
            order.with_user(self.seller).write({"ar_deposit_confirmed_amount": 0.0})
        with self.assertRaises(AccessError):
            order.write({"ar_deposit_confirmed_amount": 0.0})
        self.assertAlmostEqual(order.ar_deposit_confirmed_amount, 300.0)

    def test_salesperson_reads_why_and_what_next_in_one_banner(self):
        """A held customer's quotation: one banner with the manager's reason and who
        releases the hold; a deposit it waits for in words; the refusal titled by what
        happened; never the amounts behind exposure nor a stage code (DESIGN 4)."""
        self.company.ar_credit_manager_id = self.manager
        self.company.ar_deposit_hold_percent = 0.0
        self._set_limit(self.customer, 100.0)
        self._set_hold(self.customer)
        order = self._order(self.customer, 900.0).with_user(self.seller)
        self.assertEqual(order.ar_credit_note_level, "danger")
        self.assertEqual(
            order.ar_credit_note,
            "Deposit Customer is on credit hold: held by the credit manager: Disputes. "
            "Only a credit manager can release it, with Release Hold on the customer's credit "
            "file: ask Carla Manager.",
        )
        with self.assertRaises(UserError) as refusal:
            order.action_confirm()
        self.assertEqual(refusal.exception.title, "Credit hold")
        message = refusal.exception.args[0]
        self.assertIn("held by the credit manager: Disputes", message)
        self.assertIn("ask Carla Manager", message)
        self.assertNotIn(self.company.currency_id.symbol, message)
        self.assertNotIn("100", message)
        self.assertEqual(order.state, "draft")

        self.company.ar_deposit_hold_percent = 0.0
        file = self._file(self.customer)
        file.with_user(self.manager)._ar_release_hold("Settled")
        file.sudo().stage_deposit_percent = 50.0
        self._set_limit(self.customer, 100000.0)
        waiting = self._order(self.customer, 1000.0).with_user(self.seller)
        note = waiting.ar_credit_note
        self.assertEqual(len(note.splitlines()), 1, "one banner, one cause")
        self.assertIn("50% of the order: invoices still unpaid after the payment reminders", note)
        self.assertNotIn("escalation stage", note.lower())
        self.assertNotIn("50.00%", note)
        with self.assertRaises(UserError) as deposit:
            waiting.action_confirm()
        self.assertEqual(deposit.exception.title, "Deposit required")
        self.assertNotIn("escalation stage", deposit.exception.args[0].lower())

    def test_portal_customer_reads_no_credit_reason_on_its_quotation(self):
        """The customer reads its own quotation over RPC in the portal: the hold, its
        reason, the banner and the concentration share stay internal."""
        self._set_hold(self.customer)
        order = self._order(self.customer, 900.0)
        portal = new_test_user(
            self.env, login="ars_portal_buyer", groups="base.group_portal",
            partner_id=self.contact.id,
        )
        order.message_subscribe(partner_ids=self.contact.ids)  # Odoo's portal record rule
        as_portal = order.with_user(portal)
        self.assertEqual(as_portal.read(["name"])[0]["name"], order.name)
        for fname in ("ar_credit_hold", "ar_credit_note", "ar_credit_note_level",
                      "ar_concentration_banner", "ar_deposit_reason",
                      "ar_deposit_confirmed_reason"):
            with self.subTest(fname=fname), self.assertRaises(AccessError):
                as_portal.read([fname])
        self.assertTrue(order.with_user(self.seller).ar_credit_hold)
