from datetime import date

import pytest
from rules import kpi
from rules.aging import Partial
from rules.kpi import DOWN, FLAT, MET, MISSED, UP, Invoice

# A quarter to 31 Mar 2026: credit sales Jan 9,000 (31 days), Feb 12,000 (28), Mar
# 10,000 (31) = 31,000 over 90 days. Receivables: 20,000 on 31 Dec, 25,000 on 31 Mar,
# of which 8,000 not yet due.
MONTHS = [(10000.0, 31), (12000.0, 28), (9000.0, 31)]  # newest first
SALES, DAYS = 31000.0, 90


class TestCountBack:
    def test_three_months(self):
        # 25,000 - 10,000 (Mar) = 15,000 -> 31 days; 15,000 - 12,000 (Feb) = 3,000 -> 28
        # days; 3,000 / 9,000 of Jan's 31 days = 10.33: 31 + 28 + 10.33 = 69.33.
        assert kpi.count_back_dso(25000.0, MONTHS) == pytest.approx(69.33)

    def test_within_the_last_month(self):
        # 5,000 / 10,000 x 31 = 15.5
        assert kpi.count_back_dso(5000.0, MONTHS) == pytest.approx(15.5)

    def test_exactly_one_month(self):
        assert kpi.count_back_dso(10000.0, MONTHS) == pytest.approx(31.0)

    def test_history_exhausted_counts_every_day(self):
        assert kpi.count_back_dso(40000.0, MONTHS) == pytest.approx(90.0)

    def test_month_without_sales_is_used_up_whole(self):
        # 3,000 - 0 (Mar) -> 31 days; 3,000 / 6,000 x 28 = 14 -> 45.
        assert kpi.count_back_dso(3000.0, [(0.0, 31), (6000.0, 28)]) == pytest.approx(45.0)

    def test_nothing_owed(self):
        assert kpi.count_back_dso(0.0, MONTHS) == 0.0
        assert kpi.count_back_dso(-500.0, MONTHS) == 0.0

    def test_month_days(self):
        assert kpi.month_days(2026, 3, 3) == [31, 28, 31]
        assert kpi.month_days(2024, 3, 2) == [31, 29]
        assert kpi.month_days(2026, 1, 2) == [31, 31]  # Jan 2026, Dec 2025


class TestDso:
    def test_simple(self):
        # 25,000 / 31,000 x 90 = 72.58
        assert kpi.simple_dso(25000.0, SALES, DAYS) == pytest.approx(72.58)
        assert kpi.simple_dso(25000.0, 0.0, DAYS) is None

    def test_best_possible_and_days_delinquent(self):
        # 8,000 / 31,000 x 90 = 23.23; ADD = 72.58 - 23.23 = 49.35
        best = kpi.best_possible_dso(8000.0, SALES, DAYS)
        assert best == pytest.approx(23.23)
        dso = kpi.simple_dso(25000.0, SALES, DAYS)
        assert kpi.average_days_delinquent(dso, best) == pytest.approx(49.35)
        assert kpi.average_days_delinquent(None, best) is None

    def test_odoo_definition(self):
        # 1,500 owed, 6,000 invoiced since 1 Jan; 2 Mar is 60 days later (31 + 28 + 1):
        # 1,500 / 6,000 x 60 = 15.
        assert kpi.odoo_dso(1500.0, 6000.0, date(2026, 1, 1), date(2026, 3, 2)) == pytest.approx(15.0)
        assert kpi.odoo_dso(1500.0, 0.0, date(2026, 1, 1), date(2026, 3, 2)) == 0.0


class TestCei:
    def test_quarter(self):
        # (20,000 + 31,000 - 25,000) / (20,000 + 31,000 - 8,000) = 26,000 / 43,000 = 60.47 %
        assert kpi.cei(20000.0, SALES, 25000.0, 8000.0) == pytest.approx(60.47)

    def test_everything_collected(self):
        # Only the not-yet-due 8,000 is left: (51,000 - 8,000) / (51,000 - 8,000) = 100 %
        assert kpi.cei(20000.0, SALES, 8000.0, 8000.0) == pytest.approx(100.0)

    def test_nothing_collectible(self):
        assert kpi.cei(0.0, 0.0, 0.0, 0.0) is None


def march_invoices():
    return [
        # 1,000 due 15 Apr, paid 1 May: paid long before 14 Jul (due + 90).
        Invoice(1000.0, date(2026, 3, 16), date(2026, 4, 15), (Partial(date(2026, 5, 1), 1000.0),)),
        # 2,000 due 30 Apr: 500 on 1 Jun, 1,500 on 15 Aug, after 29 Jul (due + 90).
        Invoice(2000.0, date(2026, 3, 31), date(2026, 4, 30),
                (Partial(date(2026, 6, 1), 500.0), Partial(date(2026, 8, 15), 1500.0))),
        # 1,000 due 31 May, never paid; judged on 29 Aug.
        Invoice(1000.0, date(2026, 3, 31), date(2026, 5, 31)),
    ]


class TestAtRisk:
    def test_all_judged(self):
        # Unpaid at due + 90: 0 + 1,500 + 1,000 = 2,500 of 4,000 = 62.5 %
        assert kpi.at_risk_rate(march_invoices(), date(2026, 9, 1)) == pytest.approx(62.5)
        assert kpi.at_risk_rate(march_invoices()) == pytest.approx(62.5)

    def test_invoices_not_yet_judged_are_left_out(self):
        # On 1 Aug the third (29 Aug) cannot be judged: 1,500 of 3,000 = 50 %
        assert kpi.at_risk_rate(march_invoices(), date(2026, 8, 1)) == pytest.approx(50.0)
        assert kpi.at_risk_rate(march_invoices(), date(2026, 7, 1)) is None

    def test_payment_on_the_90th_day_is_in_time(self):
        invoice = Invoice(100.0, date(2026, 1, 1), date(2026, 1, 31),
                          (Partial(date(2026, 5, 1), 100.0),))  # 31 Jan + 90 = 1 May
        assert kpi.at_risk_rate([invoice]) == 0.0


def paid_invoices():
    return [
        # 1,000 invoiced 1 Mar, due 31 Mar, paid 31 Mar: on time, 30 days.
        Invoice(1000.0, date(2026, 3, 1), date(2026, 3, 31), (Partial(date(2026, 3, 31), 1000.0),)),
        # 2,000 invoiced 10 Mar, due 9 Apr: 500 on 1 Apr (on time, 22 days), 1,500 on
        # 19 Apr (late, 40 days).
        Invoice(2000.0, date(2026, 3, 10), date(2026, 4, 9),
                (Partial(date(2026, 4, 1), 500.0), Partial(date(2026, 4, 19), 1500.0))),
        # 500 invoiced 20 Mar, due 19 Apr, paid 29 Apr: late, 40 days.
        Invoice(500.0, date(2026, 3, 20), date(2026, 4, 19), (Partial(date(2026, 4, 29), 500.0),)),
        # Unpaid: no weight in either figure.
        Invoice(700.0, date(2026, 3, 25), date(2026, 4, 24)),
    ]


class TestPaymentBehaviour:
    def test_share_paid_on_time(self):
        # Paid 1,000 + 500 + 1,500 + 500 = 3,500; on time 1,000 + 500 = 1,500:
        # 1,500 / 3,500 = 42.86 %
        assert kpi.share_paid_on_time(paid_invoices()) == pytest.approx(42.86)

    def test_average_days_to_pay(self):
        # (1,000 x 30 + 500 x 22 + 1,500 x 40 + 500 x 40) / 3,500 = 121,000 / 3,500 = 34.57
        assert kpi.average_days_to_pay(paid_invoices()) == pytest.approx(34.57)

    def test_nothing_paid(self):
        unpaid = [Invoice(700.0, date(2026, 3, 25), date(2026, 4, 24))]
        assert kpi.share_paid_on_time(unpaid) is None
        assert kpi.average_days_to_pay(unpaid) is None


class TestTrendAndTarget:
    def test_trend(self):
        assert kpi.trend(72.58, 70.0, tolerance=1.0) == UP
        assert kpi.trend(70.5, 70.0, tolerance=1.0) == FLAT
        assert kpi.trend(71.0, 70.0, tolerance=1.0) == FLAT  # at the tolerance
        assert kpi.trend(68.0, 70.0, tolerance=1.0) == DOWN
        assert kpi.trend(70.01, 70.0) == UP
        assert kpi.trend(None, 70.0) is None

    def test_against_target(self):
        assert kpi.against_target(45.0, 50.0) == MET  # DSO: lower is better
        assert kpi.against_target(55.0, 50.0) == MISSED
        assert kpi.against_target(50.0, 50.0) == MET
        assert kpi.against_target(85.0, 80.0, lower_is_better=False) == MET  # CEI
        assert kpi.against_target(75.0, 80.0, lower_is_better=False) == MISSED
        assert kpi.against_target(None, 80.0) is None
        assert kpi.against_target(75.0, None) is None


class TestMonthKpis:
    """One month on a hand-computed ledger: March 2026, sales Jan 9,000, Feb 12,000,
    Mar 10,000; receivables 20,000 at the end of Feb, 25,000 at the end of Mar of
    which 8,000 not yet due."""

    def _figures(self, invoices=()):
        return kpi.MonthFigures(
            month_end=date(2026, 3, 31), receivables=25000.0, current=8000.0,
            beginning_receivables=20000.0, sales=(10000.0, 12000.0, 9000.0),
            invoices=tuple(invoices),
        )

    def test_days_sales_outstanding(self):
        values = kpi.month_kpis(self._figures())
        assert values["dso_count_back"] == pytest.approx(69.33)
        assert values["dso_simple"] == pytest.approx(72.58)
        assert values["best_dso"] == pytest.approx(23.23)
        assert values["add"] == pytest.approx(49.35)
        # (20,000 + 10,000 - 25,000) / (20,000 + 10,000 - 8,000) = 5,000 / 22,000
        assert values["cei"] == pytest.approx(22.73)
        assert values["at_risk"] is None and values["on_time"] is None

    def test_payment_behaviour_of_the_month(self):
        invoices = [
            # due 1 Dec: its 90th day (1 Mar) falls in March; 400 of 1,000 paid by then
            Invoice(1000.0, date(2025, 11, 1), date(2025, 12, 1),
                    (Partial(date(2026, 2, 1), 400.0), Partial(date(2026, 3, 10), 600.0))),
            # paid 2 days before due, in March
            Invoice(500.0, date(2026, 2, 20), date(2026, 3, 22),
                    (Partial(date(2026, 3, 20), 500.0),)),
        ]
        values = kpi.month_kpis(self._figures(invoices))
        assert values["at_risk"] == pytest.approx(60.0)
        # March payments: 600 late, 500 on time -> 500 / 1,100 = 45.45 %
        assert values["on_time"] == pytest.approx(45.45)
        # (600 x 129 days + 500 x 28 days) / 1,100 = 83.09
        assert values["days_to_pay"] == pytest.approx(83.09)

    def test_current_capped_at_the_net_receivables(self):
        # credits of 30,000 against 20,000 not yet due and 0 overdue: -10,000 net
        figures = kpi.MonthFigures(
            month_end=date(2026, 3, 31), receivables=-10000.0, current=20000.0,
            beginning_receivables=0.0, sales=(10000.0, 12000.0, 9000.0),
        )
        values = kpi.month_kpis(figures)
        assert values["dso_simple"] == 0.0 and values["best_dso"] == 0.0
        assert values["add"] == 0.0
