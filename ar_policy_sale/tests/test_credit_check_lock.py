from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.ar_policy.guards import policy_write

from .common import ArSaleCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestCreditCheckLock(ArSaleCommon):
    """The credit check writes the customer's file row, so that two requests checking
    the same customer at once cannot both pass on the same headroom (the second fails
    to serialise and is retried: scripts/process_tests/credit_check_concurrent.py)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_mode("block")
        cls.company.ar_exposure_include_drafts = False
        cls._set_status(cls.customer, "approved")
        cls._set_limit(cls.customer, 1000.0)
        cls.file = cls._file(cls.customer)

    def _row_version(self):
        """The physical version of the file's row: every write makes a new one."""
        self.env.flush_all()
        self.env.cr.execute("SELECT ctid::text FROM ar_credit_file WHERE id = %s", [self.file.id])
        return self.env.cr.fetchone()[0]

    def test_checked_invoice_writes_the_file(self):
        invoice = self._invoice(self.contact, 600.0)
        before = self._row_version()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.assertNotEqual(self._row_version(), before)

    def test_fee_and_deposit_invoices_leave_the_file_alone(self):
        for origin in ("late_fee", "deposit"):
            invoice = self._invoice(self.customer, 600.0)
            policy_write(invoice).ar_origin = origin
            before = self._row_version()
            invoice.action_post()
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(self._row_version(), before, origin)

    def test_enforcement_off_leaves_the_file_alone(self):
        self._set_mode("off")
        invoice = self._invoice(self.customer, 600.0)
        before = self._row_version()
        invoice.action_post()
        self.assertEqual(self._row_version(), before)

    def test_confirmed_order_writes_the_file(self):
        order = self._order(self.contact, 600.0)
        before = self._row_version()
        order.with_user(self.seller).action_confirm()
        self.assertEqual(order.state, "sale")
        self.assertNotEqual(self._row_version(), before)

    def test_several_customers_in_one_batch(self):
        other = self.env["res.partner"].create({"name": "Other Customer", "is_company": True})
        self._set_limit(other, 1000.0)
        other_file = self._file(other)
        invoices = self._invoice(self.customer, 300.0) | self._invoice(other, 300.0)
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, ctid::text FROM ar_credit_file WHERE id IN %s",
            [(self.file.id, other_file.id)],
        )
        before = dict(self.env.cr.fetchall())
        invoices.action_post()
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT id, ctid::text FROM ar_credit_file WHERE id IN %s",
            [(self.file.id, other_file.id)],
        )
        after = dict(self.env.cr.fetchall())
        self.assertTrue(all(after[fid] != before[fid] for fid in before))
