from datetime import date, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import ArPolicyCommon

TODAY = date(2026, 6, 30)


def ago(days):
    return TODAY - timedelta(days=days)


@tagged("post_install", "-at_install")
class TestPaymentScore(ArPolicyCommon):
    """The payment-behaviour score (issue 10) on hand-computed ledgers, through the
    models: stored on the credit file, refreshed when payments are reconciled and
    nightly, and driving the deposit and pilot rules when the company says so."""

    def _customer(self, name):
        return self.env["res.partner"].create({"name": name, "is_company": True})

    def _paid(self, partner, amount, due, paid_on):
        invoice = self._post(self._invoice(partner, amount, date=due - timedelta(days=10), due=due))
        with freeze_time(paid_on):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=invoice.ids,
            ).create({"payment_date": paid_on})._create_payments()
        return invoice

    @freeze_time(TODAY)
    def test_score_on_a_hand_computed_ledger(self):
        """1,000 paid 30 days late and 3,000 paid on time: (1,000 x 30 + 3,000 x 0) /
        4,000 = 7.5 days beyond terms -> 80 - 7.5 = 72.5 -> 73 (half up), rating B."""
        customer = self._customer("Mixed Payer Ltd")
        self._paid(customer, 1000.0, ago(100), ago(70))
        self._paid(customer, 3000.0, ago(40), ago(40))
        file = self._file(customer)
        # the reconciliation already scored it
        self.assertEqual((file.payment_score, file.payment_rating), (73, "B"))
        self.assertEqual(file.payment_days_beyond, 7.5)
        self.assertEqual(file.payment_score_date, ago(40), "Scored when the payment was matched")
        # trend: the last 90 days (both payments: 73) against the 90 before (the 1,000
        # open and 10 days late on day -90: 70): within 5 points, stable
        file._ar_compute_scores()
        self.assertEqual(file.payment_score_date, TODAY)
        self.assertEqual(file.payment_trend, "flat")
        # an open invoice 60 days late and a broken promise, nightly
        late = self._post(self._invoice(customer, 4000.0, date=ago(70), due=ago(60)))
        self.env["ar.credit.file"]._cron_worklist()
        # (1,000 x 30 + 3,000 x 0 + 4,000 x 60) / 8,000 = 33.75 days -> 50 - 3.75 x 49/90
        # = 47.96 -> 48, rating C
        self.assertEqual((file.payment_score, file.payment_rating), (48, "C"))
        self.assertEqual(customer.with_company(self.company).ar_payment_rating, "C")
        self.assertEqual(late.ar_payment_rating, "C")
        self.assertEqual(file.with_user(self.salesman).payment_rating, "C",
                         "Salespeople read the letter")

    @freeze_time(TODAY)
    def test_rating_d_deposit_and_pilot_growth(self):
        """Nothing paid for 130 days: 1 point, rating D. With the company's option on,
        a D customer owes the 'rating D' deposit; off, nothing."""
        customer = self._customer("Slow Payer Ltd")
        self._post(self._invoice(customer, 1000.0, date=ago(140), due=ago(130)))
        file = self._file(customer)
        file._ar_compute_scores()
        self.assertEqual((file.payment_score, file.payment_rating), (1, "D"))
        self._set_mode("warn")
        self.company.ar_deposit_rating_d_percent = 40.0
        requirement = file._ar_deposit_requirement(500.0, self.company)
        self.assertFalse(requirement.required, "Option off: the rating drives nothing")
        self.company.ar_rating_rules = True
        requirement = file._ar_deposit_requirement(500.0, self.company)
        self.assertEqual((requirement.percent, requirement.amount, requirement.reasons),
                         (40.0, 200.0, ("rating",)))
        file.invalidate_recordset(["deposit_effective"])
        self.assertEqual(file.deposit_effective, "40% (payment rating D)")

    @freeze_time(TODAY)
    def test_pilot_grows_only_at_a_or_b_when_the_rating_drives_rules(self):
        company = self.company
        company.write({"ar_pilot_start_limit": 1000.0, "ar_pilot_step": 500.0,
                       "ar_pilot_invoices_per_step": 1, "ar_pilot_ceiling": 5000.0})
        customer = self._customer("Pilot Ltd")
        with freeze_time(ago(60)):
            self._set_status(customer, "pilot")
        file = self._file(customer)
        # paid on time (earns a step), but another invoice is 130 days... no: 100 days late
        self._paid(customer, 100.0, ago(30), ago(30))
        self._post(self._invoice(customer, 5000.0, date=ago(110), due=ago(100)))
        file._ar_compute_scores()
        self.assertEqual(file.payment_rating, "D")
        company.ar_rating_rules = True
        self.assertEqual(file.sudo()._ar_grow_pilots(), 0, "D: no growth")
        self.assertEqual(self._limit(customer), 1000.0)
        company.ar_rating_rules = False
        self.assertEqual(file.sudo()._ar_grow_pilots(), 1)
        self.assertEqual(self._limit(customer), 1500.0)
