from freezegun import freeze_time

from odoo.tests import tagged

from .common import ArSaleCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestOrderFullPayment(ArSaleCommon):
    """A customer who owes a deposit pays the whole order online: with Odoo's Automatic
    Invoice on or off, the order is invoiced once, every invoice is paid and the
    payment is matched."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_mode("block")

    def _set_automatic_invoice(self, enabled):
        self.env["ir.config_parameter"].sudo().set_param("sale.automatic_invoice", enabled)

    def _pay_in_full(self, order):
        tx = self._pay_online(order, order.amount_total)
        self.assertEqual(order.state, "sale")
        return tx

    def _assert_invoiced_once_and_paid(self, order, tx):
        invoices = order.invoice_ids
        self.assertTrue(invoices)
        self.assertEqual(set(invoices.mapped("state")), {"posted"})
        self.assertEqual(set(invoices.mapped("payment_state")), {"paid"})
        self.assertEqual(invoices.mapped("amount_residual"), [0.0] * len(invoices))
        self.assertAlmostEqual(sum(invoices.mapped("amount_total")), order.amount_total)
        self.assertEqual(order.invoice_status, "invoiced", "nothing left to invoice")
        self.assertTrue(tx.payment_id)
        receivable = tx.payment_id.move_id.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.reconciled, "the payment is matched")
        self.assertEqual(receivable.matched_debit_ids.debit_move_id.move_id, invoices)

    def test_prepayment_customer_pays_in_full_with_automatic_invoice(self):
        self._set_automatic_invoice(True)
        self._set_status(self.customer, "prepayment")
        order = self._order(self.contact, 1000.0, tax=self.tax_10)
        self.assertAlmostEqual(order.ar_deposit_amount, 1100.0)
        tx = self._pay_in_full(order)
        self._assert_invoiced_once_and_paid(order, tx)
        self.assertEqual(len(order.invoice_ids), 1, "no final invoice of nothing")
        self.assertEqual(tx.invoice_ids, order.invoice_ids)

    def test_prepayment_customer_pays_in_full_without_automatic_invoice(self):
        self._set_automatic_invoice(False)
        self._set_status(self.customer, "prepayment")
        order = self._order(self.contact, 1000.0, tax=self.tax_10)
        tx = self._pay_in_full(order)
        self._assert_invoiced_once_and_paid(order, tx)
        self.assertEqual(order.ar_deposit_move_id, order.invoice_ids)

    def test_deposit_customer_pays_in_full_with_automatic_invoice(self):
        self._set_automatic_invoice(True)
        self._set_deposit(self.customer, percent=30.0)
        order = self._order(self.customer, 1000.0, tax=self.tax_10)
        self.assertAlmostEqual(order.ar_deposit_amount, 330.0)
        tx = self._pay_in_full(order)
        self._assert_invoiced_once_and_paid(order, tx)
        self.assertEqual(len(order.invoice_ids), 1)

    def test_deposit_customer_pays_in_full_without_automatic_invoice(self):
        self._set_automatic_invoice(False)
        self._set_deposit(self.customer, percent=30.0)
        order = self._order(self.customer, 1000.0, tax=self.tax_10)
        tx = self._pay_in_full(order)
        self._assert_invoiced_once_and_paid(order, tx)

    def test_deposit_only_then_the_rest_with_automatic_invoice(self):
        """Paying only the deposit still makes a down payment; paying the rest later
        is invoiced by Odoo's final invoice, which deducts it."""
        self._set_automatic_invoice(True)
        self._set_deposit(self.customer, percent=30.0)
        order = self._order(self.customer, 1000.0)
        first = self._pay_online(order, 300.0)
        self.assertEqual(order.state, "sale")
        deposit = order.ar_deposit_move_id
        self.assertEqual(deposit.payment_state, "paid")
        self.assertEqual(first.invoice_ids, deposit)
        second = self._pay_online(order, 700.0)
        final = second.invoice_ids
        self.assertEqual(len(final), 1)
        self.assertAlmostEqual(final.amount_total, 700.0)
        self.assertEqual(final.payment_state, "paid")
        self.assertAlmostEqual(sum(order.invoice_ids.mapped("amount_total")), 1000.0)
        self.assertEqual(order.invoice_status, "invoiced")
