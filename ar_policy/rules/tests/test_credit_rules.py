from datetime import date

import pytest
from rules import credit
from rules.credit import Exposure, check_batch, check_document, overdue_hold, pilot_limit
from rules.money import compare, round_amount


class TestMoney:
    def test_round_half_up_at_currency_rounding(self):
        assert round_amount(2.675, 0.01) == pytest.approx(2.68)
        assert round_amount(1.005, 0.01) == pytest.approx(1.01)
        assert round_amount(1234.5, 1.0) == pytest.approx(1235.0)
        assert round_amount(0.125, 0.05) == pytest.approx(0.15)

    def test_compare_ignores_float_noise(self):
        assert compare(0.1 + 0.2, 0.3, 0.01) == 0
        assert compare(100.004, 100.0, 0.01) == 0
        assert compare(100.006, 100.0, 0.01) == 1
        assert compare(99.99, 100.0, 0.01) == -1


class TestExposure:
    def test_total_counts_each_part(self):
        exp = Exposure(receivable=1000, unallocated=200, drafts=300, orders=50)
        assert exp.total == pytest.approx(1150)

    def test_settings_choose_the_parts(self):
        exp = Exposure(receivable=1000, unallocated=200, drafts=300, orders=50,
                       include_drafts=False, net_unallocated=False, include_orders=False)
        assert exp.total == pytest.approx(1000)

    def test_headroom(self):
        assert credit.headroom(0, 500) is None
        assert credit.headroom(1000, 400) == pytest.approx(600)
        assert credit.headroom(1000, 1400) == pytest.approx(-400)

    def test_overdue_nets_credits_and_exclusions(self):
        assert credit.overdue_amount(900, 100, 300) == pytest.approx(500)
        assert credit.overdue_amount(900, 1000) == 0.0


class TestCheckDocument:
    def test_under_and_at_limit_pass(self):
        assert not check_document("approved", False, 1000, 400, 600).refused
        assert not check_document("approved", False, 1000, 400, 600.004).refused

    def test_over_limit_refused_with_excess(self):
        decision = check_document("approved", False, 1000, 400, 700)
        assert decision.refused and decision.reason == "limit"
        assert decision.exposure_after == pytest.approx(1100)
        assert decision.excess == pytest.approx(100)

    def test_no_limit_means_unlimited(self):
        assert not check_document("approved", False, 0, 10**9, 10**6).refused
        assert not check_document("pilot", False, None, 10**9, 10**6).refused

    def test_hold_refuses_whatever_the_limit(self):
        decision = check_document("approved", True, 0, 0, 1)
        assert decision.refused and decision.reason == "hold"

    def test_prepayment_needs_advance_payments(self):
        # exposure before is net of unallocated payments: -500 = 500 paid in advance
        assert not check_document("prepayment", False, 0, -500, 500).refused
        decision = check_document("prepayment", False, 0, -300, 500)
        assert decision.refused and decision.reason == "prepayment"
        assert decision.excess == pytest.approx(200)

    def test_batch_is_cumulative_per_customer(self):
        figures = {"a": ("approved", False, 1000, 0), "b": ("approved", False, 1000, 0)}
        decisions = check_batch([(1, "a", 600), (2, "b", 600), (3, "a", 600)], figures)
        assert [decisions[k].refused for k in (1, 2, 3)] == [False, False, True]
        assert decisions[3].excess == pytest.approx(200)


class TestOverdueHold:
    def test_thresholds(self):
        assert overdue_hold(1500, 5, 1000, 0)
        assert not overdue_hold(1000, 5, 1000, 0)  # above, not at, the threshold
        assert overdue_hold(10, 31, 0, 30)
        assert not overdue_hold(10, 30, 0, 30)
        assert not overdue_hold(5000, 400, 0, 0)  # rules off

    def test_nothing_overdue_net_never_holds(self):
        assert not overdue_hold(0, 90, 1, 1)

    def test_manual_release_suppresses_until_a_new_item_falls_due(self):
        released = date(2026, 3, 1)
        assert not overdue_hold(5000, 90, 1000, 30, released, date(2026, 2, 20))
        assert not overdue_hold(5000, 90, 1000, 30, released, date(2026, 3, 1))
        assert overdue_hold(5000, 90, 1000, 30, released, date(2026, 3, 2))

    def test_hold_changes_keep_manual_causes(self):
        assert credit.hold_changes({"manual", "overdue"}, set()) == {"manual"}
        assert credit.hold_changes(set(), {"overdue"}) == {"overdue"}
        assert credit.hold_changes({"stage"}, {"overdue"}) == {"overdue"}


class TestPilot:
    def test_limit_grows_by_steps_up_to_the_ceiling(self):
        assert pilot_limit(1000, 1000, 3, 5000, 0) == (1000, False)
        assert pilot_limit(1000, 1000, 3, 5000, 2) == (1000, False)
        assert pilot_limit(1000, 1000, 3, 5000, 3) == (2000, False)
        assert pilot_limit(1000, 1000, 3, 5000, 11) == (4000, False)
        assert pilot_limit(1000, 1000, 3, 5000, 12) == (5000, True)
        assert pilot_limit(1000, 1000, 3, 5000, 40) == (5000, True)

    def test_paid_on_time_uses_grace(self):
        due = date(2026, 3, 10)
        assert credit.paid_on_time(due, date(2026, 3, 13), 3)
        assert not credit.paid_on_time(due, date(2026, 3, 14), 3)
