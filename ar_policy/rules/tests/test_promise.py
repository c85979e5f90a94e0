import os
import sys

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
from datetime import date

import pytest
from rules import promise
from rules.promise import BROKEN, KEPT, OPEN

D = date(2026, 3, 10)


class TestDeadline:
    def test_last_instalment_plus_grace(self):
        assert promise.deadline([date(2026, 3, 10), date(2026, 4, 10)], 3) == date(2026, 4, 13)

    def test_no_instalment(self):
        assert promise.deadline([], 3) is None

    def test_no_grace(self):
        assert promise.deadline([D], 0) == D

    def test_calendar_end_does_not_overflow(self):
        assert promise.deadline([date(9999, 12, 31)], 3) == date.max
        assert promise.due_so_far([(date(9999, 12, 31), 10.0)], D, 3) == 0


class TestOutcome:
    def test_open_until_date_plus_grace(self):
        plan = [(D, 500.0)]
        assert promise.outcome(plan, 0.0, 500.0, date(2026, 3, 13), 3) == OPEN

    def test_broken_the_day_after_date_plus_grace(self):
        plan = [(D, 500.0)]
        assert promise.outcome(plan, 0.0, 500.0, date(2026, 3, 14), 3) == BROKEN

    def test_partial_payment_does_not_keep_it(self):
        plan = [(D, 500.0)]
        assert promise.outcome(plan, 499.0, 1.0, date(2026, 3, 14), 3) == BROKEN

    def test_kept_when_paid(self):
        plan = [(D, 500.0)]
        assert promise.outcome(plan, 500.0, 500.0, date(2026, 3, 1), 3) == KEPT

    def test_kept_when_nothing_left_open(self):
        plan = [(D, 500.0)]
        assert promise.outcome(plan, 0.0, 0.0, date(2026, 5, 1), 3) == KEPT

    def test_rounding_noise_is_paid(self):
        plan = [(D, 0.1), (D, 0.2)]
        assert promise.outcome(plan, 0.3 - 1e-9, 10.0, date(2026, 5, 1), 0) == KEPT

    def test_plan_kept_so_far_stays_open(self):
        plan = [(date(2026, 3, 10), 300.0), (date(2026, 4, 10), 300.0)]
        assert promise.outcome(plan, 300.0, 300.0, date(2026, 3, 20), 3) == OPEN

    def test_plan_missed_instalment_breaks(self):
        plan = [(date(2026, 3, 10), 300.0), (date(2026, 4, 10), 300.0)]
        assert promise.outcome(plan, 299.0, 301.0, date(2026, 3, 14), 3) == BROKEN

    def test_plan_second_instalment_missed(self):
        plan = [(date(2026, 3, 10), 300.0), (date(2026, 4, 10), 300.0)]
        assert promise.outcome(plan, 300.0, 300.0, date(2026, 4, 13), 3) == OPEN
        assert promise.outcome(plan, 300.0, 300.0, date(2026, 4, 14), 3) == BROKEN

    def test_due_so_far(self):
        plan = [(date(2026, 3, 10), 300.0), (date(2026, 4, 10), 200.0)]
        assert promise.due_so_far(plan, date(2026, 3, 13), 3) == 0
        assert promise.due_so_far(plan, date(2026, 3, 14), 3) == 300.0
        assert promise.due_so_far(plan, date(2026, 5, 1), 3) == 500.0


class TestSplit:
    def test_sums_exactly(self):
        amounts = promise.split_evenly(100.0, 3)
        assert amounts[:2] == [pytest.approx(33.33), pytest.approx(33.33)]
        assert amounts[2] == pytest.approx(33.34)
        assert sum(amounts) == pytest.approx(100.0)

    def test_whole_units(self):
        assert promise.split_evenly(10.0, 4, rounding=1.0) == [2.0, 2.0, 2.0, 4.0]

    def test_count_must_be_positive(self):
        with pytest.raises(ValueError):
            promise.split_evenly(10.0, 0)


class TestCheckInstalments:
    def test_valid_plan(self):
        plan = [(date(2026, 3, 10), 300.0), (date(2026, 4, 10), 300.0)]
        assert promise.check_instalments(plan, date(2026, 3, 1), 600.0) == []

    def test_no_instalment(self):
        assert promise.check_instalments([], D, 100.0)[0][0] == "instalment_ids"

    def test_past_date(self):
        fields = [f for f, _m in promise.check_instalments([(D, 10.0)], date(2026, 3, 11), 100.0)]
        assert fields == ["date"]

    def test_same_date_twice(self):
        problems = promise.check_instalments([(D, 10.0), (D, 10.0)], D, 100.0)
        assert ("date", "two instalments fall on the same date") in problems

    def test_amounts_positive_and_within_open(self):
        assert promise.check_instalments([(D, 0.0)], D, 100.0)[0][0] == "amount"
        problems = promise.check_instalments([(D, 100.01)], D, 100.0)
        assert problems == [("amount", "the plan promises more than is open on the items")]
        assert promise.check_instalments([(D, 100.004)], D, 100.0) == []

    def test_horizon(self):
        assert promise.horizon(date(2026, 3, 1), 365) == date(2027, 3, 1)
        plan = [(date(2027, 3, 1), 10.0)]
        assert promise.check_instalments(plan, date(2026, 3, 1), 100.0, horizon_days=365) == []
        plan = [(date(2027, 3, 2), 10.0)]
        assert promise.check_instalments(plan, date(2026, 3, 1), 100.0, horizon_days=365) == [
            ("date", promise.BEYOND_HORIZON)]
        plan = [(date(9999, 12, 31), 10.0)]
        assert promise.check_instalments(plan, date(2026, 3, 1), 100.0, horizon_days=365) == [
            ("date", promise.BEYOND_HORIZON)]

    def test_most_instalments(self):
        plan = [(date(2026, 3, day), 1.0) for day in range(1, 4)]
        assert promise.check_instalments(plan, date(2026, 3, 1), 100.0, max_count=3) == []
        assert promise.check_instalments(plan, date(2026, 3, 1), 100.0, max_count=2) == [
            ("instalment_ids", promise.TOO_MANY)]


class TestPlanDates:
    def test_monthly(self):
        assert promise.plan_dates(date(2026, 1, 31), 3) == [
            date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)]

    def test_past_the_calendar_end(self):
        assert promise.plan_dates(date(2026, 3, 15), 10**6) is None
