from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import ArPolicyCommon


@freeze_time("2026-03-15")
@tagged("post_install", "-at_install")
class TestCustomerForm(ArPolicyCommon):
    """The customer form shows the current company's credit figures, and each amount
    opens the documents behind it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Figures Ltd", "is_company": True})
        cls.contact = cls.env["res.partner"].create({
            "name": "Fiona Figures", "parent_id": cls.customer.id,
        })
        cls._set_limit(cls.customer, 5000.0)
        cls.overdue = cls._post(cls._invoice(cls.contact, 1200.0, date="2026-01-10", due="2026-02-10"))
        cls.current = cls._post(cls._invoice(cls.customer, 800.0, date="2026-03-10", due="2026-04-10"))
        cls.draft = cls._invoice(cls.customer, 300.0)
        cls.advance = cls._payment(cls.customer, 500.0)

    def _records(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    def test_figures_on_the_customer_and_its_contact(self):
        for partner in (self.customer, self.contact):
            partner = partner.with_user(self.billing)
            self.assertEqual(partner.ar_credit_status, "approved")
            self.assertFalse(partner.ar_credit_hold)
            self.assertAlmostEqual(partner.ar_exposure_receivable, 2000.0)
            self.assertAlmostEqual(partner.ar_exposure_drafts, 300.0)
            self.assertAlmostEqual(partner.ar_exposure_unallocated, 500.0)
            self.assertAlmostEqual(partner.ar_exposure, 1800.0)
            self.assertAlmostEqual(partner.ar_headroom, 3200.0)
            self.assertAlmostEqual(partner.ar_overdue_amount, 700.0)

    def test_each_amount_opens_its_documents(self):
        customer = self.customer.with_user(self.billing)
        receivable = self._records(customer.action_ar_view_receivable())
        self.assertEqual(receivable.move_id, self.overdue | self.current)
        overdue = self._records(customer.action_ar_view_overdue())
        self.assertEqual(overdue.move_id, self.overdue)
        unallocated = self._records(customer.action_ar_view_unallocated())
        self.assertEqual(unallocated.move_id, self.advance.move_id)
        drafts = self._records(customer.action_ar_view_drafts())
        self.assertEqual(drafts, self.draft)

    def test_form_shows_the_figures(self):
        with Form(self.customer.with_user(self.billing)) as form:
            self.assertAlmostEqual(form.ar_exposure, 1800.0)
            self.assertEqual(form.ar_credit_status, "approved")

    def test_held_customer_found_by_the_filter(self):
        self._set_hold(self.customer)
        held = self.env["res.partner"].search([("ar_credit_hold", "=", True)])
        self.assertIn(self.customer, held)
        self.assertIn(self.contact, held)
        self.assertNotIn(self.customer, self.env["res.partner"].search([("ar_credit_hold", "=", False)]))
        self.assertTrue(self.contact.ar_credit_hold)
        self.assertEqual(self.customer.ar_hold_causes, "Manual")

    def test_hold_causes_and_reason_in_the_readers_words(self):
        """Issue 14: the customer shows why it is held; a salesperson reads no
        escalation stage, a billing user does."""
        file = self._file(self.customer)
        self._set_hold(self.customer, reason="Returned goods")
        file.sudo().hold_cause_stage = True
        self.assertEqual(self.customer.with_user(self.billing).ar_hold_causes,
                         "Escalation stage, Manual")
        seller = self.customer.with_user(self.salesman)
        self.assertEqual(seller.ar_hold_causes, "Unpaid after reminders, Manual")
        self.assertEqual(seller.ar_hold_reason, "Returned goods")
        self.assertIn("No draft invoice", self.customer.action_ar_view_drafts()["help"])
        self.assertIn("past its due date", self.customer.action_ar_view_overdue()["help"])
