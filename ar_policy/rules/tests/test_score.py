from datetime import date, timedelta

import pytest
from rules import score
from rules.kpi import DOWN, FLAT, UP
from rules.score import A, B, C, D, ScoreItem

TODAY = date(2026, 6, 30)


def paid(amount, due, days_beyond):
    """An amount due on ``due`` paid ``days_beyond`` days after it."""
    return ScoreItem(amount, due, due + timedelta(days=days_beyond))


class TestPoints:
    @pytest.mark.parametrize("days, points", [
        (-40, 100.0), (-15, 100.0), (-7.5, 90.0), (0, 80.0), (10, 70.0), (30, 50.0),
        (75, 25.5), (120, 1.0), (400, 1.0),
    ])
    def test_anchors_and_interpolation(self, days, points):
        # Between 30 (50) and 120 (1): 49 points over 90 days; 75 days: 50 - 49 x 45 / 90 = 25.5
        assert score.points(days) == pytest.approx(points)


class TestScore:
    def test_always_on_time(self):
        items = [paid(1000.0, date(2026, 2, 28), 0), paid(500.0, date(2026, 5, 31), 0)]
        result = score.customer_score(items, TODAY)
        assert result.days == pytest.approx(0.0)
        assert result.score == 80
        assert result.rating == A

    def test_early_payer(self):
        items = [paid(1000.0, date(2026, 3, 31), -20), paid(1000.0, date(2026, 4, 30), -16)]
        result = score.customer_score(items, TODAY)
        assert result.days == pytest.approx(-18.0)
        assert result.score == 100

    def test_thirty_days_late(self):
        items = [paid(2000.0, date(2026, 1, 31), 30), paid(400.0, date(2026, 4, 30), 30)]
        result = score.customer_score(items, TODAY)
        assert result.score == 50
        assert result.rating == C

    def test_broken_promise(self):
        items = [paid(2000.0, date(2026, 1, 31), 30)]
        # 50 - 10 = 40, still C; a second one: 30, D.
        assert score.customer_score(items, TODAY, broken_promises=1).score == 40
        assert score.customer_score(items, TODAY, broken_promises=1).rating == C
        assert score.customer_score(items, TODAY, broken_promises=2).rating == D

    def test_chronic_partial_payments(self):
        items = [paid(1000.0, date(2026, 3, 31), 0)]
        assert score.customer_score(items, TODAY, partial_payments=2).score == 80
        assert score.customer_score(items, TODAY, partial_payments=3).score == 70  # 80 - 10

    def test_amount_weighted(self):
        # 1,000 paid 10 days late, 3,000 on time: 10,000 / 4,000 = 2.5 days -> 77.5 -> 78, B
        items = [paid(1000.0, date(2026, 3, 31), 10), paid(3000.0, date(2026, 4, 30), 0)]
        result = score.customer_score(items, TODAY)
        assert result.days == pytest.approx(2.5)
        assert result.score == 78
        assert result.rating == B

    def test_open_overdue_counts_late_up_to_today(self):
        # Paid on time 1,000 (0 days); open 1,000 due 31 May, 30 days late on 30 Jun;
        # open 5,000 due 15 Jul, not due, no weight: (0 + 30,000) / 2,000 = 15 -> 65, B.
        items = [paid(1000.0, date(2026, 4, 30), 0), ScoreItem(1000.0, date(2026, 5, 31)),
                 ScoreItem(5000.0, date(2026, 7, 15))]
        result = score.customer_score(items, TODAY)
        assert result.days == pytest.approx(15.0)
        assert result.score == 65

    def test_window(self):
        # The 365 days to 30 Jun 2026 start on 1 Jul 2025 (30 Jun 2026 - 364 days):
        # paid 30 Jun 2025 is out, paid 1 Jul 2025 is in. Paid after today: open on
        # today, so late up to today.
        early = ScoreItem(1000.0, date(2025, 6, 1), date(2025, 6, 30))  # 29 days late, out
        first_day = ScoreItem(1000.0, date(2025, 7, 1), date(2025, 7, 1))  # on time, in
        later = ScoreItem(1000.0, date(2026, 6, 20), date(2026, 7, 10))  # 10 days late today
        result = score.customer_score([early, first_day, later], TODAY)
        assert result.days == pytest.approx(5.0)  # (0 + 10,000) / 2,000

    def test_very_late_with_penalties_clamps_at_one(self):
        items = [paid(100.0, date(2025, 10, 31), 200)]
        assert score.customer_score(items, TODAY, broken_promises=3, partial_payments=5).score == 1

    def test_nothing_to_judge(self):
        result = score.customer_score([ScoreItem(500.0, date(2026, 8, 1))], TODAY)
        assert result.days is None
        assert result.score is None
        assert result.rating is None

    def test_sixty_days_late(self):
        # 50 - 49 x 30 / 90 = 33.67 -> 34, D
        assert score.score(60) == 34
        assert score.rating(34) == D


class TestRating:
    @pytest.mark.parametrize("value, code", [
        (100, A), (80, A), (79, B), (60, B), (59, C), (40, C), (39, D), (1, D), (None, None),
    ])
    def test_bands(self, value, code):
        assert score.rating(value) == code


class TestTrend:
    def test_windows(self):
        # Last 90 days (2 Apr - 30 Jun): paid on time -> 80. The 90 before (2 Jan -
        # 1 Apr): paid 30 days late -> 50. Better: up.
        items = [paid(1000.0, date(2026, 2, 1), 30), paid(1000.0, date(2026, 5, 1), 0)]
        recent, before, trend = score.windows(items, TODAY)
        assert (recent.score, before.score, trend) == (80, 50, UP)

    def test_broken_promise_in_recent_window(self):
        items = [paid(1000.0, date(2026, 2, 15), 0), paid(1000.0, date(2026, 5, 1), 0)]
        recent, before, trend = score.windows(items, TODAY, broken_promises=(2, 0))
        assert (recent.score, before.score, trend) == (60, 80, DOWN)

    def test_tolerance(self):
        assert score.score_trend(84, 80) == FLAT
        assert score.score_trend(85, 80) == FLAT
        assert score.score_trend(86, 80) == UP
        assert score.score_trend(70, None) is None


class TestPilotGrowth:
    def test_rating_drives_pilot_growth_only_when_the_company_says_so(self):
        assert score.allows_pilot_growth("D", rating_rules=False)
        assert score.allows_pilot_growth(None, rating_rules=False)
        assert score.allows_pilot_growth("A", rating_rules=True)
        assert score.allows_pilot_growth("B", rating_rules=True)
        assert not score.allows_pilot_growth("C", rating_rules=True)
        assert not score.allows_pilot_growth("D", rating_rules=True)
        assert not score.allows_pilot_growth(None, rating_rules=True)


class TestCallOutcomes:
    """Unreachable calls and "will pay today" not kept take points off (90 days)."""

    ITEMS = [paid(1000.0, date(2026, 3, 31), 0), paid(1000.0, date(2026, 6, 10), 0)]
    CALLS = [
        score.CallFact(date(2026, 6, 1), "no_answer"),
        score.CallFact(date(2026, 6, 8), "wrong_contact"),
        score.CallFact(date(2026, 6, 15), "no_answer"),
        score.CallFact(date(2026, 6, 10), "reached", pay_today=True),  # paid that day: kept
        score.CallFact(date(2026, 6, 20), "reached", pay_today=True),  # nothing to 23 Jun
        score.CallFact(date(2026, 6, 28), "reached", pay_today=True),  # grace runs to 1 Jul
        score.CallFact(date(2026, 3, 15), "no_answer"),  # before the 90 days (2 Apr)
        score.CallFact(date(2026, 3, 1), "reached", pay_today=True),  # idem, not kept
    ]

    def test_signals(self):
        paid_on = [item.paid_date for item in self.ITEMS]
        signals = score.call_signals(self.CALLS, paid_on, TODAY, grace_days=3)
        assert signals == score.CallSignals(unreachable=3, pay_today_not_kept=1)
        # a payment on the last grace day keeps the promise
        kept = score.call_signals(self.CALLS, [*paid_on, date(2026, 6, 23)], TODAY, 3)
        assert kept.pay_today_not_kept == 0

    def test_hand_computed_score(self):
        # on time: 80; 3 unreachable calls: -10; one "will pay today" not kept: -5 -> 65, B
        result = score.customer_score(self.ITEMS, TODAY, calls=self.CALLS, grace_days=3)
        assert (result.score, result.rating) == (65, B)
        assert score.customer_score(self.ITEMS, TODAY).score == 80

    def test_two_unreachable_calls_are_not_repeated(self):
        calls = [score.CallFact(date(2026, 6, 1), "no_answer"),
                 score.CallFact(date(2026, 6, 2), "message")]  # a message is not unreachable
        assert score.customer_score(self.ITEMS, TODAY, calls=calls).score == 80
        grouped = [score.CallFact(date(2026, 6, 1), "no_answer", count=3)]
        assert score.customer_score(self.ITEMS, TODAY, calls=grouped).score == 70

    def test_each_window_judges_its_own_calls(self):
        # recent (2 Apr - 30 Jun): 80 - 10 - 5 = 65; before (2 Jan - 1 Apr): the 1 Mar
        # "will pay today" was not kept (nothing paid 1-4 Mar): 80 - 5 = 75. Worse: down.
        recent, before, trend = score.windows(self.ITEMS, TODAY, calls=self.CALLS, grace_days=3)
        assert (recent.score, before.score, trend) == (65, 75, DOWN)
