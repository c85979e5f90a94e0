import pytest
from rules.deposit import (
    FULL,
    NONE,
    PERCENT,
    REASON_HOLD,
    REASON_LIMIT,
    REASON_PILOT,
    REASON_POLICY,
    REASON_PREPAYMENT,
    REASON_RATING,
    REASON_RESTART,
    REASON_STAGE,
    RiskSettings,
    allocation_error,
    check_percent,
    is_paid,
    outstanding,
    policy_percent,
    required_deposit,
)

RISK = RiskSettings(prepayment=100.0, pilot=20.0, limit=50.0, hold=60.0, restart=30.0)


class TestOwnPolicy:
    def test_none_percent_full(self):
        assert policy_percent(NONE, 40, 0, 1000) == 0.0
        assert policy_percent(False, 40, 0, 1000) == 0.0
        assert policy_percent(PERCENT, 40, 0, 1000) == 40.0
        assert policy_percent(FULL, 40, 0, 1000) == 100.0

    def test_only_above_the_threshold(self):
        assert policy_percent(PERCENT, 40, 1000, 1000) == 0.0
        assert policy_percent(PERCENT, 40, 1000, 1000.01) == 40.0
        assert policy_percent(FULL, 0, 500, 499) == 0.0

    def test_amount_is_the_percentage_of_the_document(self):
        req = required_deposit(1210.0, policy=PERCENT, percent=25)
        assert req.required
        assert req.percent == 25.0
        assert req.amount == pytest.approx(302.5)
        assert req.reasons == (REASON_POLICY,)

    def test_nothing_required_by_default(self):
        req = required_deposit(1000.0, risk=RISK)
        assert not req.required
        assert req.amount == 0.0
        assert req.reasons == ()

    def test_nothing_on_a_zero_document(self):
        assert not required_deposit(0.0, policy=FULL).required


class TestRiskRules:
    def test_prepayment_status(self):
        req = required_deposit(800.0, status="prepayment", risk=RISK)
        assert (req.percent, req.amount, req.reasons) == (100.0, 800.0, (REASON_PREPAYMENT,))

    def test_pilot_status(self):
        req = required_deposit(1000.0, status="pilot", risk=RISK)
        assert (req.percent, req.reasons) == (20.0, (REASON_PILOT,))

    def test_over_the_limit(self):
        req = required_deposit(1000.0, over_limit=True, risk=RISK)
        assert (req.percent, req.reasons) == (50.0, (REASON_LIMIT,))
        assert req.covers("limit")
        assert not req.covers("hold")

    def test_on_hold(self):
        req = required_deposit(1000.0, on_hold=True, risk=RISK)
        assert (req.percent, req.reasons) == (60.0, (REASON_HOLD,))
        assert req.covers("hold")

    def test_escalation_stage(self):
        req = required_deposit(1000.0, stage_percent=35.0, risk=RISK)
        assert (req.percent, req.reasons) == (35.0, (REASON_STAGE,))

    def test_released_from_hold(self):
        req = required_deposit(1000.0, restart=True, risk=RISK)
        assert (req.percent, req.reasons) == (30.0, (REASON_RESTART,))

    def test_rule_at_zero_is_off(self):
        risk = RiskSettings(prepayment=0.0)
        assert not required_deposit(1000.0, status="prepayment", on_hold=True, risk=risk).required

    def test_risk_rules_off_when_enforcement_off(self):
        req = required_deposit(1000.0, status="prepayment", on_hold=True, over_limit=True,
                               stage_percent=40, restart=True, risk=None)
        assert not req.required
        req = required_deposit(1000.0, policy=PERCENT, percent=10, on_hold=True, risk=None)
        assert req.reasons == (REASON_POLICY,)


class TestHighestWins:
    def test_highest_percentage_wins_and_all_reasons_shown(self):
        req = required_deposit(1000.0, policy=PERCENT, percent=10, status="pilot",
                               on_hold=True, over_limit=True, stage_percent=35.0,
                               restart=True, risk=RISK)
        assert req.percent == 60.0
        assert req.amount == pytest.approx(600.0)
        assert req.reasons == (REASON_HOLD, REASON_LIMIT, REASON_STAGE, REASON_RESTART,
                               REASON_PILOT, REASON_POLICY)

    def test_full_prepayment_beats_everything(self):
        req = required_deposit(1000.0, policy=FULL, on_hold=True, risk=RISK)
        assert req.percent == 100.0
        assert req.reasons[0] == REASON_POLICY

    def test_tie_keeps_a_stable_order(self):
        risk = RiskSettings(hold=50.0, limit=50.0)
        req = required_deposit(100.0, on_hold=True, over_limit=True, risk=risk)
        assert req.reasons == (REASON_LIMIT, REASON_HOLD)

    def test_percent_capped_at_100(self):
        assert required_deposit(100.0, stage_percent=150.0, risk=RISK).percent == 100.0


class TestPayment:
    def test_partial_and_full(self):
        assert outstanding(300.0, 100.0) == pytest.approx(200.0)
        assert outstanding(300.0, 400.0) == 0.0
        assert not is_paid(300.0, 299.99)
        assert is_paid(300.0, 300.004)

    def test_percent_bounds(self):
        assert check_percent(0) and check_percent(100) and check_percent(37.5)
        assert not check_percent(-1) and not check_percent(100.01)

    def test_allocation_errors(self):
        assert allocation_error(100, 150, True, True) == ""
        assert allocation_error(100, 150, False, True) == "customer"
        assert allocation_error(100, 150, True, False) == "company"
        assert allocation_error(0, 150, True, True) == "amount"
        assert allocation_error(150.01, 150, True, True) == "unallocated"


class TestApplyDeposit:
    def setup_method(self):
        from rules.credit import Decision
        self.ok = Decision(False, "", 500.0)
        self.limit = Decision(True, "limit", 1500.0, 500.0)
        self.hold = Decision(True, "hold", 1500.0)

    def test_no_requirement_keeps_the_decision(self):
        from rules.deposit import Requirement, apply_deposit
        assert apply_deposit(self.limit, Requirement(), 0.0) is self.limit

    def test_unpaid_deposit_waits(self):
        from rules.deposit import apply_deposit
        req = required_deposit(1000.0, policy=PERCENT, percent=30)
        dec = apply_deposit(self.ok, req, 100.0)
        assert dec.refused and dec.reason == "deposit"
        assert dec.excess == pytest.approx(200.0)
        assert dec.required == pytest.approx(300.0)
        assert not dec.covered

    def test_paid_deposit_releases_a_covered_refusal(self):
        from rules.deposit import apply_deposit
        req = required_deposit(1000.0, over_limit=True, risk=RISK)
        dec = apply_deposit(self.limit, req, 500.0)
        assert not dec.refused and dec.covered

    def test_paid_deposit_keeps_a_refusal_it_does_not_cover(self):
        from rules.deposit import apply_deposit
        req = required_deposit(1000.0, policy=PERCENT, percent=30)
        dec = apply_deposit(self.hold, req, 300.0)
        assert dec.refused and dec.reason == "hold" and dec.covered


def test_rating_d_deposit():
    risk = RiskSettings(rating_d=50.0, hold=30.0)
    req = required_deposit(1000.0, risk=risk, rating="D", on_hold=True)
    assert (req.percent, req.amount, req.reasons) == (50.0, 500.0, (REASON_RATING, REASON_HOLD))
    assert not required_deposit(1000.0, risk=risk, rating="C").required
    assert not required_deposit(1000.0, risk=None, rating="D").required
    assert not required_deposit(1000.0, risk=RiskSettings(), rating="D").required
