from datetime import date

import pytest
from rules import concentration as conc


class TestShares:
    def test_shares_of_positive_revenue(self):
        # 50 + 30 + 20 = 100: shares are the amounts themselves.
        shares = conc.shares({"a": 50.0, "b": 30.0, "c": 20.0})
        assert shares == pytest.approx({"a": 50.0, "b": 30.0, "c": 20.0})

    def test_net_negative_customer_has_no_share(self):
        shares = conc.shares({"a": 300.0, "b": 100.0, "c": -50.0})
        assert shares == pytest.approx({"a": 75.0, "b": 25.0, "c": 0.0})

    def test_no_revenue_no_share(self):
        assert conc.shares({"a": 0.0}) == {"a": 0.0}
        assert conc.shares({}) == {}


class TestIndex:
    def test_hhi_by_hand(self):
        # 50^2 + 30^2 + 20^2 = 2500 + 900 + 400 = 3800
        assert conc.hhi([50.0, 30.0, 20.0]) == pytest.approx(3800.0)
        assert conc.effective_number(3800.0) == pytest.approx(10000 / 3800)

    def test_monopoly_and_equal_customers(self):
        assert conc.hhi([100.0]) == pytest.approx(10000.0)
        assert conc.effective_number(10000.0) == pytest.approx(1.0)
        assert conc.effective_number(conc.hhi([10.0] * 10)) == pytest.approx(10.0)
        assert conc.effective_number(0.0) == 0.0

    def test_top_shares(self):
        shares = [5.0, 40.0, 10.0, 20.0, 25.0]
        assert conc.top_share(shares, 1) == pytest.approx(40.0)
        assert conc.top_share(shares, 2) == pytest.approx(65.0)
        assert conc.top_share(shares, 10) == pytest.approx(100.0)

    def test_portfolio(self):
        figures = conc.portfolio({"a": 500.0, "b": 300.0, "c": 200.0, "d": -10.0})
        assert figures["total_revenue"] == pytest.approx(1000.0)
        assert figures["customers_count"] == 3
        assert figures["hhi"] == pytest.approx(3800.0)
        assert figures["top1_share"] == pytest.approx(50.0)
        assert figures["top5_share"] == pytest.approx(100.0)


class TestLevels:
    def test_levels_strictly_above(self):
        assert conc.level(8.0, 8.0, 20.0) == conc.OK
        assert conc.level(8.1, 8.0, 20.0) == conc.WARNING
        assert conc.level(20.0, 8.0, 20.0) == conc.WARNING
        assert conc.level(23.4, 8.0, 20.0) == conc.CRITICAL

    def test_highest(self):
        assert conc.highest(conc.OK, conc.CRITICAL, conc.WARNING) == conc.CRITICAL
        assert conc.highest() == conc.OK

    def test_crossing_once(self):
        assert conc.is_crossing(conc.OK, conc.WARNING)
        assert conc.is_crossing(None, conc.CRITICAL)
        assert conc.is_crossing(conc.WARNING, conc.CRITICAL)
        assert not conc.is_crossing(conc.WARNING, conc.WARNING)
        assert not conc.is_crossing(conc.CRITICAL, conc.WARNING)
        assert not conc.is_crossing(conc.OK, conc.OK)

    def test_minimum_portfolio(self):
        assert not conc.portfolio_eligible(4, 1e6, 5, 0.0)
        assert not conc.portfolio_eligible(10, 999.0, 5, 1000.0)
        assert conc.portfolio_eligible(5, 1000.0, 5, 1000.0)

    def test_share_after_document(self):
        # 200 of 1000; +100 -> 300 of 1100
        assert conc.share_after(200.0, 1000.0, 100.0) == pytest.approx(300 / 1100 * 100)
        # a new customer: 0 of 1000, +250 -> 250 of 1250
        assert conc.share_after(0.0, 1000.0, 250.0) == pytest.approx(20.0)
        # net negative customer: not in the total before
        assert conc.share_after(-50.0, 1000.0, 100.0) == pytest.approx(50 / 1050 * 100)


class TestDates:
    def test_window_start(self):
        assert conc.window_start(date(2026, 6, 30), 12) == date(2025, 7, 1)
        assert conc.window_start(date(2026, 3, 31), 1) == date(2026, 3, 1)
        assert conc.window_start(date(2024, 2, 29), 12) == date(2023, 3, 1)
        assert conc.window_start(date(2026, 1, 15), 3) == date(2025, 10, 16)

    def test_thinning_keeps_month_ends_and_recent_days(self):
        dates = [date(2026, 1, d) for d in (10, 20, 31)] + [
            date(2026, 2, d) for d in (1, 14, 27)
        ] + [date(2026, 3, d) for d in (1, 5, 10)]
        drop = conc.dates_to_drop(dates, date(2026, 3, 10), 10)
        # cutoff 28 Feb: January keeps the 31st, February keeps its last (27th);
        # March is recent.
        assert drop == [date(2026, 1, 10), date(2026, 1, 20), date(2026, 2, 1),
                        date(2026, 2, 14)]

    def test_thinning_waits_for_the_month_to_end(self):
        dates = [date(2026, 3, d) for d in range(1, 21)]
        drop = conc.dates_to_drop(dates, date(2026, 3, 20), 5)
        # old March days go: the month's last snapshot is the recent 20th
        assert drop == [date(2026, 3, d) for d in range(1, 15)]
        assert conc.dates_to_drop(dates, date(2026, 3, 20), 30) == []
