from datetime import date, timedelta

import pytest
from rules import worklist as wl
from rules.position import OpenItem, Position
from rules.worklist import (
    CALL,
    DISPUTE_OPEN,
    HAND_OVER,
    HAND_OVER_THRESHOLD,
    NO_CONTACT,
    PROMISE_BROKEN,
    PROMISE_DUE,
    REVIEW_DISPUTE,
    SEND_STATEMENT,
    STATEMENT_REQUESTED,
    Settings,
    Situation,
)

TODAY = date(2026, 6, 30)


def ago(days):
    return TODAY - timedelta(days=days)


class TestPriority:
    def test_four_customers(self):
        # a: log10(10,001) = 4.00 x (1 + 30/30) x 1.25 (B) = 10.00, + 10/10 = 11.00
        a = wl.priority(10000.0, 30, "B", 0, 10)
        # b: log10(1,000) = 3 x (1 + 100/30) x 2 (D) = 26.00, + 30/10 = 29.00
        b = wl.priority(999.0, 100, "D", 0, 30)
        # c: log10(100,000) = 5 x (1 + 5/30) x 1 (A) = 5.83, + 2/10 = 6.03
        c = wl.priority(99999.0, 5, "A", 0, 2)
        # d: log10(100) = 2 x (1 + 10/30) x 1.5 (C) = 4.00, + 2 x 5 + 1/10 = 14.10
        d = wl.priority(99.0, 10, "C", 2, 1)
        assert (a, b, c, d) == pytest.approx((11.0, 29.0, 6.03, 14.1))
        ranked = sorted({"a": a, "b": b, "c": c, "d": d}.items(), key=lambda kv: -kv[1])
        assert [key for key, _value in ranked] == ["b", "d", "a", "c"]

    def test_never_contacted_nothing_overdue(self):
        # 0 x ... + 0 + min(30, 30) / 10 = 3
        assert wl.priority(0.0, 0, None, 0, None) == pytest.approx(3.0)

    def test_caps(self):
        assert wl.priority(1000.0, 365, "A", 0, 30) == wl.priority(1000.0, 500, "A", 0, 30)
        assert wl.priority(1000.0, 40, "A", 0, 30) == wl.priority(1000.0, 40, "A", 0, 90)

    def test_customer_awaiting_an_answer_adds_five(self):
        assert wl.priority(0.0, 0, None, 0, 2, awaits_answer=True) == pytest.approx(5.2)
        waiting = Situation(request="plan", request_since=TODAY, last_contact=ago(2))
        assert wl.situation_priority(waiting, TODAY) == pytest.approx(5.2)
        answered = Situation(request="dispute", request_since=ago(3), last_contact=ago(2))
        assert wl.situation_priority(answered, TODAY) == pytest.approx(0.2)

    def test_monotonic_in_each_input(self):
        base = dict(overdue_net=5000.0, oldest_days_late=20, rating="B", broken_promises=1,
                    days_since_contact=5)
        worse = [
            {"overdue_net": 6000.0}, {"oldest_days_late": 21}, {"rating": "C"},
            {"broken_promises": 2}, {"days_since_contact": 6},
        ]
        for change in worse:
            assert wl.priority(**{**base, **change}) > wl.priority(**base), change
        for better, worst in (("A", "B"), ("B", "C"), ("C", "D")):
            assert wl.priority(**{**base, "rating": better}) < wl.priority(**{**base, "rating": worst})


class TestNextAction:
    def test_promise_broken_yesterday(self):
        situation = Situation(overdue_net=500.0, oldest_days_late=40, promise_broken_on=ago(1),
                              statement_requested=True, last_contact=ago(10))
        assert wl.next_action(situation, TODAY) == (CALL, PROMISE_BROKEN,
                                                    {"broken_on": ago(1), "days": 1})

    def test_broken_promise_already_followed_up(self):
        situation = Situation(overdue_net=500.0, oldest_days_late=5, promise_broken_on=ago(3),
                              last_contact=ago(3))
        assert wl.next_action(situation, TODAY) is None

    def test_promise_due_today(self):
        situation = Situation(promise_due_on=TODAY, statement_requested=True)
        assert wl.next_action(situation, TODAY).reason == PROMISE_DUE

    def test_statement_requested(self):
        situation = Situation(overdue_net=500.0, oldest_days_late=100, statement_requested=True)
        assert wl.next_action(situation, TODAY) == (SEND_STATEMENT, STATEMENT_REQUESTED, {})

    def test_customer_requests_awaiting_an_answer(self):
        # after a broken promise or a promise due today, before a statement or a hand-over
        plan = Situation(overdue_net=1500.0, oldest_days_late=120, statement_requested=True,
                         request="plan", request_since=ago(2), last_contact=TODAY)
        assert wl.next_action(plan, TODAY) == (wl.ANSWER_REQUEST, wl.PLAN_REQUESTED, {
            "since": ago(2), "days": 2})
        promise = Situation(request="promise", request_since=TODAY)
        assert wl.next_action(promise, TODAY).reason == wl.PROMISE_REQUESTED
        broken = Situation(promise_broken_on=ago(1), request="plan", request_since=TODAY)
        assert wl.next_action(broken, TODAY).reason == PROMISE_BROKEN
        due = Situation(promise_due_on=TODAY, request="dispute", request_since=TODAY)
        assert wl.next_action(due, TODAY).reason == PROMISE_DUE

    def test_customer_dispute_until_someone_speaks_to_the_customer(self):
        # "review: invoice disputed by the customer", before the statement
        dispute = Situation(request="dispute", request_since=TODAY, dispute_since=TODAY,
                            statement_requested=True, last_contact=ago(3))
        assert wl.next_action(dispute, TODAY) == (REVIEW_DISPUTE, wl.CUSTOMER_DISPUTE, {
            "since": TODAY, "days": 0})
        spoken = Situation(request="dispute", request_since=ago(2), dispute_since=ago(2),
                           last_contact=ago(1))
        assert wl.next_action(spoken, TODAY) is None

    def test_hand_over_above_legal_minimum(self):
        settings = Settings(hand_over_days=90, legal_minimum=1000.0)
        situation = Situation(overdue_net=1500.0, oldest_days_late=92, last_contact=ago(1))
        assert wl.next_action(situation, TODAY, settings) == (HAND_OVER, HAND_OVER_THRESHOLD, {
            "days_late": 92, "overdue": 1500.0, "minimum": 1000.0})

    def test_no_hand_over_below_legal_minimum_or_threshold(self):
        settings = Settings(hand_over_days=90, legal_minimum=1000.0)
        below = Situation(overdue_net=999.99, oldest_days_late=92, last_contact=ago(9))
        assert wl.next_action(below, TODAY, settings).reason == NO_CONTACT
        early = Situation(overdue_net=1500.0, oldest_days_late=89, last_contact=ago(1))
        assert wl.next_action(early, TODAY, settings) is None
        never = Situation(overdue_net=1500.0, oldest_days_late=400, last_contact=ago(1))
        assert wl.next_action(never, TODAY, Settings(hand_over_days=None)) is None

    def test_dispute_to_review(self):
        situation = Situation(dispute_since=ago(20), last_contact=ago(15))
        assert wl.next_action(situation, TODAY) == (REVIEW_DISPUTE, DISPUTE_OPEN, {
            "days": 20, "days_since_contact": 15})
        recent = Situation(dispute_since=ago(20), last_contact=ago(3))
        assert wl.next_action(recent, TODAY) is None

    def test_no_contact(self):
        # "call: 20 days late, no contact for 9 days"
        situation = Situation(overdue_net=800.0, oldest_days_late=20, last_contact=ago(9))
        assert wl.next_action(situation, TODAY) == (CALL, NO_CONTACT, {
            "days_late": 20, "days_since_contact": 9})

    def test_no_call_before_call_after_days_or_within_contact_interval(self):
        assert wl.next_action(Situation(overdue_net=800.0, oldest_days_late=14), TODAY) is None
        recent = Situation(overdue_net=800.0, oldest_days_late=20, last_contact=ago(6))
        assert wl.next_action(recent, TODAY) is None
        never = Situation(overdue_net=800.0, oldest_days_late=15)
        assert wl.next_action(never, TODAY).params == {"days_late": 15, "days_since_contact": None}

    def test_nothing_overdue_no_call(self):
        situation = Situation(overdue_net=0.001, oldest_days_late=60)
        assert wl.next_action(situation, TODAY) is None


class TestToday:
    def test_snoozed_until_a_future_date(self):
        situation = Situation(overdue_net=800.0, oldest_days_late=20, snoozed_until=ago(-1))
        assert not wl.needs_human_today(situation, TODAY)
        # The snooze ends on its date: back on the list that day.
        assert wl.needs_human_today(Situation(overdue_net=800.0, oldest_days_late=20,
                                              snoozed_until=TODAY), TODAY)

    def test_done_today(self):
        situation = Situation(overdue_net=800.0, oldest_days_late=20, done_on=TODAY)
        assert not wl.needs_human_today(situation, TODAY)
        assert wl.needs_human_today(Situation(overdue_net=800.0, oldest_days_late=20,
                                              done_on=ago(1)), TODAY)

    def test_nothing_to_do(self):
        assert not wl.needs_human_today(Situation(), TODAY)

    def test_worklist_order(self):
        situations = {
            # priorities as in TestPriority.test_four_customers
            "a": Situation(10000.0, 30, "B", 0, last_contact=ago(10)),
            "b": Situation(999.0, 100, "D", 0, last_contact=ago(30)),
            "c": Situation(99999.0, 5, "A", 0, statement_requested=True, last_contact=ago(2)),
            "d": Situation(99.0, 10, "C", 2, promise_broken_on=TODAY, last_contact=ago(1)),
            "e": Situation(5000.0, 60, "D", snoozed_until=ago(-3)),  # snoozed
            "f": Situation(5000.0, 3, "A"),  # not 15 days late yet
            # nothing overdue left (promised, disputed), a plan asked today: 5 + 0.1
            "g": Situation(0.0, 0, "B", request="plan", request_since=TODAY,
                           last_contact=ago(1)),
        }
        entries = wl.worklist(situations, TODAY, Settings(hand_over_days=None))
        assert [e.key for e in entries] == ["b", "d", "a", "c", "g"]
        assert [e.priority for e in entries] == pytest.approx([29.0, 14.1, 11.0, 6.03, 5.1])
        assert [e.action.reason for e in entries] == [
            NO_CONTACT, PROMISE_BROKEN, NO_CONTACT, STATEMENT_REQUESTED, wl.PLAN_REQUESTED]

    def test_ties_go_to_the_larger_overdue(self):
        situations = {
            "x": Situation(100.0, 20, statement_requested=True, last_contact=TODAY),
            "y": Situation(100.0, 20, statement_requested=True, last_contact=TODAY),
        }
        assert [e.key for e in wl.worklist(situations, TODAY)] == ["x", "y"]


def test_from_position():
    # 600 due 31 May, 30 days late on 30 Jun.
    position = Position(7, 1, TODAY, items=(
        OpenItem(1, 1, "INV/1", date(2026, 5, 31), 1, 600.0, 600.0),), currency_id=1)
    situation = wl.from_position(position, rating="B", last_contact=ago(8))
    assert (situation.overdue_net, situation.oldest_days_late) == (pytest.approx(600.0), 30)
    assert wl.next_action(situation, TODAY).params == {"days_late": 30, "days_since_contact": 8}


def test_next_working_day():
    # 30 June 2026 is a Tuesday; 3 July a Friday.
    assert wl.next_working_day(TODAY) == date(2026, 7, 1)
    assert wl.next_working_day(date(2026, 7, 3)) == date(2026, 7, 6)
    assert wl.next_working_day(date(2026, 7, 4)) == date(2026, 7, 6)


class TestPriorityWeights:
    """The company's weights (``Settings``) in the priority."""

    def test_defaults_keep_the_documented_formula(self):
        assert wl.priority(10000.0, 30, "B", 0, 10, Settings()) == wl.priority(10000.0, 30, "B", 0, 10)

    def test_hand_computed_weights(self):
        settings = Settings(amount_weight=2.0, lateness_weight=0.0, rating_weight=0.5,
                            broken_promise_points=10.0)
        # 2 x log10(10,001) = 8.00 x (1 + 0 x 1) x (1 + 0.5 x (2.0 - 1)) = 12.00
        # + 10 x 1 broken promise + 10/10 silence = 23.00
        assert wl.priority(10000.0, 30, "D", 1, 10, settings) == pytest.approx(23.0)

    def test_zero_weight_leaves_the_input_out(self):
        no_lateness = Settings(lateness_weight=0.0)
        assert wl.priority(1000.0, 5, "A", 0, 10, no_lateness) == wl.priority(
            1000.0, 300, "A", 0, 10, no_lateness)
        no_rating = Settings(rating_weight=0.0)
        assert wl.priority(1000.0, 5, "A", 0, 10, no_rating) == wl.priority(
            1000.0, 5, "D", 0, 10, no_rating)
        no_promise = Settings(broken_promise_points=0.0)
        assert wl.priority(1000.0, 5, "A", 3, 10, no_promise) == wl.priority(
            1000.0, 5, "A", 0, 10, no_promise)

    def test_weights_change_the_order(self):
        situations = {
            "big": Situation(99999.0, 16, "A", last_contact=ago(10)),
            "late": Situation(999.0, 200, "D", last_contact=ago(10)),
        }
        default = wl.worklist(situations, TODAY, Settings(hand_over_days=None))
        # big: 5.00 x 1.53 x 1 + 1 = 8.67; late: 3.00 x 7.67 x 2 + 1 = 47.0
        assert [e.key for e in default] == ["late", "big"]
        amount_only = Settings(hand_over_days=None, lateness_weight=0.0, rating_weight=0.0)
        # big: 5.00 + 1 = 6.00; late: 3.00 + 1 = 4.00
        entries = wl.worklist(situations, TODAY, amount_only)
        assert [e.key for e in entries] == ["big", "late"]
        assert [e.priority for e in entries] == pytest.approx([6.0, 4.0])
