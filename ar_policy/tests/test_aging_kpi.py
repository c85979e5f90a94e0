from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.ar_policy.rules import aging as aging_rules

from .common import ArPolicyCommon


class ArAgingCommon(ArPolicyCommon):
    @classmethod
    def _pay(cls, invoice, amount, when):
        """A payment registered from the invoice, as the Pay button does."""
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids,
        ).create({"amount": amount, "payment_date": when})._create_payments()

    @classmethod
    def _posted(cls, partner, amount, day, due, **values):
        return cls._post(cls._invoice(partner, amount, date=day, due=due, **values))


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestAging(ArAgingCommon):
    """Aged receivables of one customer, in USD, today (2026-03-10) and as of 28 Feb:

    ======  =========================================  ==========  ==========  ==========
    item    what                                       due         on 28 Feb   today
    ======  =========================================  ==========  ==========  ==========
    inv1    1000 of 2 Jan; 400 paid 20 Jan, 600 5 Mar  2026-01-15  600 (31-60)  -
    inv2    500 of 1 Feb                               2026-03-03  500 not due  500 (1-30)
    inv3    800 of 1 Mar                               2026-04-01  -            800 not due
    refund  150 credit note of 20 Feb, open            (20 Feb)    -150 (1-30)  -150 (1-30)
    ======  =========================================  ==========  ==========  ==========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Aging Traders", "is_company": True})
        cls.inv1 = cls._posted(cls.customer, 1000.0, date(2026, 1, 2), date(2026, 1, 15))
        cls._pay(cls.inv1, 400.0, date(2026, 1, 20))
        cls._pay(cls.inv1, 600.0, date(2026, 3, 5))
        cls.inv2 = cls._posted(cls.customer, 500.0, date(2026, 2, 1), date(2026, 3, 3))
        cls.inv3 = cls._posted(cls.customer, 800.0, date(2026, 3, 1), date(2026, 4, 1))
        cls.refund = cls._post(cls._invoice(cls.customer, 150.0, date=date(2026, 2, 20),
                                            move_type="out_refund"))
        cls.Aging = cls.env["ar.aging.line"].sudo()

    def _open(self, as_of, user=None):
        wizard = self.env["ar.aging.wizard"].with_user(user or self.controller).create(
            {"as_of": as_of}
        )
        action = wizard.action_open()
        return self.Aging.sudo(False).with_user(user or self.controller).search(action["domain"])

    def _row(self, as_of):
        rows, _totals = self.Aging._ar_totals(self.company, as_of)
        return dict(zip(aging_rules.CODES, rows[self.customer.id].amounts, strict=True))

    def test_today_equals_the_account_position(self):
        lines = self._open(date(2026, 3, 10))
        self.assertEqual(lines.move_id, self.inv2 | self.inv3 | self.refund)
        self.assertEqual(self._row(date(2026, 3, 10)), {
            "not_due": 800.0, "1_30": 350.0, "31_60": 0.0, "61_90": 0.0, "91_120": 0.0,
            "over_120": 0.0,
        })
        position = self.env["ar.account.position"]._ar_positions(
            self.customer, self.company)[self.customer.id]
        self.assertEqual(aging_rules.aged_position(position).rows[0].amounts,
                         tuple(self._row(date(2026, 3, 10)).values()))
        self.assertEqual(sum(lines.mapped("residual")), position.balance)

    def test_past_date_ignores_the_later_payment(self):
        lines = self._open(date(2026, 2, 28))
        self.assertEqual(lines.move_id, self.inv1 | self.inv2 | self.refund,
                         "inv3 was booked after 28 Feb")
        inv1 = lines.filtered(lambda line: line.move_id == self.inv1)
        self.assertEqual((inv1.residual, inv1.days_late, inv1.bucket), (600.0, 44, "31_60"))
        self.assertEqual(self._row(date(2026, 2, 28)), {
            "not_due": 500.0, "1_30": -150.0, "31_60": 600.0, "61_90": 0.0, "91_120": 0.0,
            "over_120": 0.0,
        })

    def test_rerun_replaces_the_rows(self):
        self._open(date(2026, 2, 28))
        count = self.Aging.search_count([("as_of", "=", date(2026, 2, 28))])
        self._open(date(2026, 2, 28))
        self.assertEqual(self.Aging.search_count([("as_of", "=", date(2026, 2, 28))]), count)

    def test_query_count_does_not_grow_with_customers(self):
        def queries(as_of):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Aging._ar_compute(self.company, as_of)
            return self.env.cr.sql_log_count - before

        counts = [queries(date(2026, 3, 10)), queries(date(2026, 2, 28))]
        for index in range(3):
            customer = self.env["res.partner"].create({"name": f"More Aging {index}"})
            self._posted(customer, 100.0 + index, date(2026, 1, 5), date(2026, 2, 4))
        self.assertEqual([queries(date(2026, 3, 10)), queries(date(2026, 2, 28))], counts)

    def test_future_date_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "As of"):
            self._open(date(2026, 3, 11))
        self.assertFalse(self.Aging.search_count([("as_of", "=", date(2026, 3, 11))]))

    def test_salesperson_sees_no_aging(self):
        self._open(date(2026, 3, 10))
        with self.assertRaises(AccessError):
            self.Aging.sudo(False).with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            self.env["ar.aging.wizard"].with_user(self.salesman).create({"as_of": date(2026, 3, 10)})

    def test_controller_sees_only_its_company(self):
        other = self.setup_other_company(name="Other Aging Co")["company"]
        other_customer = self.env["res.partner"].create({"name": "Elsewhere Ltd"})
        self._posted(other_customer, 70.0, date(2026, 3, 1), date(2026, 3, 2), company=other)
        self.Aging.sudo()._ar_compute(other, date(2026, 3, 10))
        self._open(date(2026, 3, 10))
        seen = self.Aging.sudo(False).with_user(self.controller).search([])
        self.assertTrue(seen)
        self.assertEqual(seen.company_id, self.company)


@tagged("post_install", "-at_install")
class TestKpiSnapshot(ArAgingCommon):
    """March 2026 KPIs of one customer, by hand (USD):

    - Dec 2025: 1,000 invoice of 1 Dec due 20 Dec, 300 paid 10 Jan: 700 unpaid on its
      90th day after due (20 Mar): at-risk 70 %.
    - Jan: 9,000 of 10 Jan due 9 Feb, paid 5 Mar (54 days, late).
    - Feb: 12,000 of 10 Feb due 12 Mar, 4,000 paid 12 Mar (30 days, on time).
    - Mar: 10,000 of 10 Mar due 9 Apr.

    Receivables: 21,700 on 28 Feb, 18,700 on 31 Mar of which 10,000 not yet due.
    Count-back DSO: 18,700 - 10,000 (Mar, 31 days) = 8,700; 8,700 / 12,000 x 28 = 20.30:
    51.30. Simple DSO: 18,700 / 31,000 x 90 = 54.29; Best Possible: 10,000 / 31,000 x
    90 = 29.03; ADD: 25.26. CEI: (21,700 + 10,000 - 18,700) / (21,700 + 10,000 -
    10,000) = 59.91 %. Paid on time: 4,000 / 13,000 = 30.77 %; days to pay:
    (9,000 x 54 + 4,000 x 30) / 13,000 = 46.62.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Metric Works", "is_company": True})
        dec = cls._posted(cls.customer, 1000.0, date(2025, 12, 1), date(2025, 12, 20))
        cls._pay(dec, 300.0, date(2026, 1, 10))
        jan = cls._posted(cls.customer, 9000.0, date(2026, 1, 10), date(2026, 2, 9))
        cls._pay(jan, 9000.0, date(2026, 3, 5))
        feb = cls._posted(cls.customer, 12000.0, date(2026, 2, 10), date(2026, 3, 12))
        cls._pay(feb, 4000.0, date(2026, 3, 12))
        cls._posted(cls.customer, 10000.0, date(2026, 3, 10), date(2026, 4, 9))
        cls.company.write({"ar_kpi_target_dso": 45.0, "ar_kpi_target_cei": 50.0})
        cls.Snapshot = cls.env["ar.kpi.snapshot"].sudo()

    def _compute(self, day):
        with freeze_time("2026-04-01"):
            return self.Snapshot._ar_compute(self.company, day)

    def test_march_by_hand(self):
        self._compute(date(2026, 2, 28))
        snapshots = self._compute(date(2026, 3, 31))
        row = snapshots.filtered(lambda s: s.partner_id == self.customer)
        self.assertRecordValues(row, [{
            "receivable": 18700.0, "credit_sales": 10000.0, "dso_count_back": 51.3,
            "dso_simple": 54.29, "best_dso": 29.03, "add": 25.26, "cei": 59.91,
            "at_risk": 70.0, "on_time": 30.77, "days_to_pay": 46.62,
            "amount_not_due": 10000.0, "amount_1_30": 8000.0, "amount_61_90": 0.0,
            "amount_91_120": 700.0,
        }])
        company_row = snapshots.filtered("is_company_row")
        self.assertEqual(company_row.dso_count_back, 51.3)
        values = {v.kpi: v for v in self.env["ar.kpi.value"].sudo().search([
            ("company_id", "=", self.company.id), ("date", "=", date(2026, 3, 31))])}
        self.assertEqual((values["dso_count_back"].target, values["dso_count_back"].status),
                         (45.0, "missed"))
        self.assertEqual((values["cei"].value, values["cei"].status), (59.91, "met"))
        self.assertEqual(values["at_risk"].value, 70.0)
        self.assertTrue(self.env["ar.aging.line"].sudo().search_count([
            ("as_of", "=", date(2026, 3, 31)), ("is_month_end", "=", True)]),
            "the month-end aging is kept with the snapshot")

    def test_trend_against_the_month_before(self):
        feb = self._compute(date(2026, 2, 28)).filtered(lambda s: s.partner_id == self.customer)
        mar = self._compute(date(2026, 3, 31)).filtered(lambda s: s.partner_id == self.customer)
        self.assertEqual(mar.dso_trend,
                         "up" if mar.dso_count_back > feb.dso_count_back else "down")

    def test_idempotent(self):
        first = self._compute(date(2026, 3, 31))
        rows = [(s.partner_id.id, s.dso_count_back, s.receivable) for s in first]
        second = self._compute(date(2026, 3, 31))
        self.assertEqual([(s.partner_id.id, s.dso_count_back, s.receivable) for s in second], rows)
        mine = [("company_id", "=", self.company.id), ("date", "=", date(2026, 3, 31))]
        self.assertEqual(self.Snapshot.search_count(mine), len(rows))
        self.assertEqual(self.env["ar.kpi.value"].sudo().search_count(mine), 8)

    def test_target_out_of_range(self):
        with self.assertRaisesRegex(ValidationError, "Target CEI"):
            self.company.ar_kpi_target_cei = 120.0
        with self.assertRaisesRegex(ValidationError, "Target DSO"):
            self.company.ar_kpi_target_dso = -1.0

    def test_salesperson_sees_no_kpi(self):
        self._compute(date(2026, 3, 31))
        with self.assertRaises(AccessError):
            self.Snapshot.sudo(False).with_user(self.salesman).search([])
        self.assertTrue(self.Snapshot.sudo(False).with_user(self.controller).search([]))

    def test_digest_shows_the_kpis_against_targets(self):
        self._compute(date(2026, 2, 28))
        self._compute(date(2026, 3, 31))
        portfolio = self.env["ar.concentration.portfolio"].sudo().create({
            "date": date(2026, 4, 1), "company_id": self.company.id,
        })
        template = self.env.ref("ar_policy.mail_template_concentration_digest")
        body = template._render_field("body_html", portfolio.ids)[portfolio.id]
        self.assertIn("Collection KPIs of 03/31/2026 against their targets", body)
        self.assertRegex(body, r"DSO \(count-back\)</td>\s*<td[^>]*>51.30</td>")
        self.assertRegex(body, r"Effectiveness Index \(%\)</td>\s*<td[^>]*>59.91</td>"
                               r"\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>50</td>\s*<td[^>]*>Met</td>")
        self.assertIn("Missed", body)

    def test_cron_on_the_first_and_compute_now(self):
        with freeze_time("2026-04-01"):
            self.Snapshot._cron_compute()
        mine = [("company_id", "=", self.company.id), ("partner_id", "=", self.customer.id)]
        self.assertEqual(self.Snapshot.search(mine).mapped("date"), [date(2026, 3, 31)])
        with freeze_time("2026-04-10"):
            action = self.env["ar.kpi.value"].with_user(self.controller).with_company(
                self.company).action_ar_compute_now()
        self.assertEqual(action["res_model"], "ar.kpi.value")
        self.assertEqual(sorted(self.Snapshot.search(mine).mapped("date")),
                         [date(2026, 3, 31), date(2026, 4, 10)])

    def test_controller_sees_only_its_companys_kpis(self):
        other = self.setup_other_company(name="Other KPI Co")["company"]
        with freeze_time("2026-04-01"):
            self.Snapshot._ar_compute(other, date(2026, 3, 31))
        self._compute(date(2026, 3, 31))
        for model in ("ar.kpi.snapshot", "ar.kpi.value", "ar.aging.line"):
            seen = self.env[model].with_user(self.controller).search([])
            self.assertTrue(seen, model)
            self.assertEqual(seen.company_id, self.company, model)


@tagged("post_install", "-at_install")
class TestAgingWizardCompany(ArAgingCommon):
    def test_controller_cannot_age_another_company(self):
        other = self.setup_other_company(name="Not Mine Co")["company"]
        wizard = self.env["ar.aging.wizard"].with_user(self.controller).create({
            "as_of": date(2026, 3, 10), "company_id": other.id,
        })
        with self.assertRaisesRegex(UserError, "Company"):
            wizard.action_open()
