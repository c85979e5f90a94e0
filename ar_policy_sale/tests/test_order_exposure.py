from freezegun import freeze_time

from odoo.tests import tagged

from .common import ArSaleCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestOrderExposure(ArSaleCommon):
    """Confirmed orders not yet invoiced count in exposure, for the whole entity."""

    def _figures(self, partner=None):
        file = self._file(partner or self.customer)
        file.invalidate_recordset()
        return file

    def test_orders_of_contacts_count_tax_included(self):
        self._order(self.contact, 1000.0, tax=self.tax_10).action_confirm()
        self._order(self.customer, 500.0).action_confirm()
        self._order(self.customer, 700.0)  # a quotation does not count
        file = self._figures()
        self.assertAlmostEqual(file.exposure_orders, 1600.0)
        self.assertAlmostEqual(file.exposure, 1600.0)

    def test_draft_invoice_from_an_order_counted_once(self):
        order = self._order(self.contact, 1000.0, tax=self.tax_10)
        order.action_confirm()
        invoice = order._create_invoices()
        file = self._figures()
        self.assertAlmostEqual(file.exposure_drafts, 1100.0)
        self.assertAlmostEqual(file.exposure_orders, 0.0)
        self.assertAlmostEqual(file.exposure, 1100.0)
        self.company.ar_exposure_include_drafts = False
        file = self._figures()
        self.assertAlmostEqual(file.exposure, 1100.0, msg="still counted, through the order")
        self.company.ar_exposure_include_drafts = True
        invoice.action_post()
        file = self._figures()
        self.assertAlmostEqual(file.exposure_receivable, 1100.0)
        self.assertAlmostEqual(file.exposure, 1100.0)

    def test_partly_invoiced_order(self):
        order = self._order(self.customer, 100.0)
        order.order_line.product_uom_qty = 10.0
        order.action_confirm()
        order.order_line.qty_to_invoice  # noqa: B018
        invoice = order._create_invoices()
        invoice.invoice_line_ids.quantity = 4.0
        invoice.action_post()
        file = self._figures()
        self.assertAlmostEqual(file.exposure_receivable, 400.0)
        self.assertAlmostEqual(file.exposure_orders, 600.0)

    def test_foreign_currency_at_todays_rate(self):
        currency = self.setup_other_currency("EUR", rates=[("2026-01-01", 2.0)])
        order = self._order(self.customer, 1000.0, currency=currency)
        order.action_confirm()
        self.assertAlmostEqual(self._figures().exposure_orders, 500.0)

    def test_order_confirmation_checks_the_limit_with_orders(self):
        self._set_mode("block")
        self._set_limit(self.customer, 1500.0)
        self._order(self.contact, 1000.0).action_confirm()
        second = self._order(self.customer, 600.0)
        with self.assertRaisesRegex(Exception, "credit limit"):
            second.with_user(self.billing).action_confirm()
        self.assertEqual(second.state, "draft")
