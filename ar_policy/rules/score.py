"""Payment-behaviour score (issue 10), without Odoo.

A customer's score in one company is 1-100, from the amount-weighted days beyond
terms of its payments over a window (12 months), then less penalties:

- Days beyond terms: each amount paid counts the days from its due date to its
  payment date (negative when early); each amount still open and past due on the
  window's end counts as late up to that day. Amounts not yet due do not count.
- Points, piecewise linear through the anchors ``ANCHORS``: 15 days early or more
  -> 100, on the due date -> 80, 30 days late -> 50, 120 days late or more -> 1
  (so 1.33 points a day early, 1 a day up to 30 days late, 0.54 a day beyond).
- Less ``BROKEN_PROMISE_POINTS`` (10) per broken promise, and
  ``CHRONIC_PARTIAL_POINTS`` (10) when payments are chronically partial: at least
  ``CHRONIC_PARTIAL_COUNT`` (3) partial payments in the window.
- Less what the collector's calls tell (``CALL_WINDOW_DAYS``, the last 90 days):
  ``UNREACHABLE_POINTS`` (10) when the customer was unreachable repeatedly, at least
  ``UNREACHABLE_COUNT`` (3) calls with the outcome "no answer" or "wrong contact"; and
  ``PAY_TODAY_POINTS`` (5) per "will pay today" not kept, a call with that excuse
  followed by no payment from the call's day to the promise grace days after it (a
  promise recorded from that call and broken counts as a broken promise as well).
  A "will pay today" whose grace days are not over yet is not judged.
- Rounded to a whole number and clamped to 1..100; None without anything to judge.

Ratings: A from 80 (on time or better), B from 60, C from 40, D below. The trend
compares the last 90 days' score with the 90 days before.

When a company lets the rating drive its rules, a D customer owes the company's
"rating D" deposit (``rules.deposit``) and a pilot grows only at A or B
(``allows_pilot_growth``).
"""

from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from itertools import pairwise

from . import kpi
from .money import round_amount

# (days beyond terms, points), days increasing; flat beyond both ends.
ANCHORS = ((-15, 100.0), (0, 80.0), (30, 50.0), (120, 1.0))
BROKEN_PROMISE_POINTS = 10
CHRONIC_PARTIAL_POINTS = 10
CHRONIC_PARTIAL_COUNT = 3
CALL_WINDOW_DAYS = 90
UNREACHABLE_POINTS = 10
UNREACHABLE_COUNT = 3
UNREACHABLE_OUTCOMES = frozenset({"no_answer", "wrong_contact"})
PAY_TODAY_POINTS = 5
MIN_SCORE = 1
MAX_SCORE = 100

A, B, C, D = "A", "B", "C", "D"
# (lowest score, rating), best first.
RATING_BANDS = ((80, A), (60, B), (40, C), (MIN_SCORE, D))

WINDOW_DAYS = 365
TREND_DAYS = 90
TREND_TOLERANCE = 5  # points


@dataclass(frozen=True)
class ScoreItem:
    """An amount owed by the customer: paid on ``paid_date``, or still open when
    ``paid_date`` is None. A partly paid invoice is one item per payment and one for
    what is still open. Amount in company currency, positive."""

    amount: float
    due_date: Date
    paid_date: Date | None = None


def days_beyond_terms(items, today, start=None):
    """Amount-weighted days beyond terms on ``today`` over the window from ``start``
    (None: everything): items paid in the window by their payment date, items open on
    ``today`` (paid after it, or not at all) and past due up to ``today``. None when
    no amount counts."""
    weight = weighted = 0.0
    for item in items:
        if item.paid_date is not None and item.paid_date <= today:
            if start is not None and item.paid_date < start:
                continue
            days = (item.paid_date - item.due_date).days
        elif item.due_date < today:
            days = (today - item.due_date).days
        else:
            continue
        weight += item.amount
        weighted += item.amount * days
    if weight <= 0:
        return None
    return weighted / weight


def points(days):
    """Points for ``days`` beyond terms, by linear interpolation between ``ANCHORS``."""
    if days <= ANCHORS[0][0]:
        return ANCHORS[0][1]
    for (d0, p0), (d1, p1) in pairwise(ANCHORS):
        if days <= d1:
            return p0 + (p1 - p0) * (days - d0) / (d1 - d0)
    return ANCHORS[-1][1]


@dataclass(frozen=True)
class CallFact:
    """A collector's call: its day, its outcome (``ar.call`` outcome codes) and
    whether the customer said it would pay that day; ``count`` calls alike."""

    date: Date
    outcome: str
    pay_today: bool = False
    count: int = 1


@dataclass(frozen=True)
class CallSignals:
    """What the calls of the ``CALL_WINDOW_DAYS`` ending on a day tell."""

    unreachable: int = 0
    pay_today_not_kept: int = 0


NO_CALLS = CallSignals()


def call_signals(calls, payment_dates, today, grace_days=0, window_days=CALL_WINDOW_DAYS):
    """Unreachable calls and "will pay today" not kept among ``calls`` (``CallFact``)
    dated in the ``window_days`` ending on ``today``. A "will pay today" is kept when a
    payment is dated from the call's day to ``grace_days`` after it; it is judged only
    once that deadline is before ``today``."""
    start = today - timedelta(days=window_days - 1)
    paid = sorted(set(payment_dates))
    unreachable = not_kept = 0
    for call in calls:
        if not start <= call.date <= today:
            continue
        if call.outcome in UNREACHABLE_OUTCOMES:
            unreachable += call.count
        elif call.pay_today:
            deadline = call.date + timedelta(days=grace_days)
            if deadline < today and not any(call.date <= day <= deadline for day in paid):
                not_kept += call.count
    return CallSignals(unreachable, not_kept)


def penalty(broken_promises=0, partial_payments=0, calls=NO_CALLS):
    """Points taken off for broken promises, chronic partial payments and what the
    calls tell (``CallSignals``)."""
    chronic = partial_payments >= CHRONIC_PARTIAL_COUNT
    unreachable = calls.unreachable >= UNREACHABLE_COUNT
    return (
        BROKEN_PROMISE_POINTS * max(broken_promises, 0)
        + (CHRONIC_PARTIAL_POINTS if chronic else 0)
        + (UNREACHABLE_POINTS if unreachable else 0)
        + PAY_TODAY_POINTS * max(calls.pay_today_not_kept, 0)
    )


def score(days, broken_promises=0, partial_payments=0, calls=NO_CALLS):
    """The 1-100 score for ``days`` beyond terms, less the penalties; None when
    ``days`` is None (nothing to judge)."""
    if days is None:
        return None
    value = points(days) - penalty(broken_promises, partial_payments, calls)
    return int(min(max(round_amount(value, 1), MIN_SCORE), MAX_SCORE))


def rating(value):
    """A, B, C or D for a score (``RATING_BANDS``); None without a score."""
    if value is None:
        return None
    for lowest, code in RATING_BANDS:
        if value >= lowest:
            return code
    return RATING_BANDS[-1][1]


@dataclass(frozen=True)
class Score:
    days: float | None
    score: int | None
    rating: str | None


def customer_score(items, today, broken_promises=0, partial_payments=0, window_days=WINDOW_DAYS,
                   calls=(), grace_days=0):
    """Days beyond terms, score and rating on ``today`` over the ``window_days``
    ending on it. Promise and partial-payment counts are those of the window; the
    calls (``CallFact``) count over the ``CALL_WINDOW_DAYS`` ending on ``today``, the
    items' payment dates telling whether a "will pay today" was kept."""
    start = today - timedelta(days=window_days - 1)
    days = days_beyond_terms(items, today, start)
    paid = [item.paid_date for item in items if item.paid_date is not None]
    signals = call_signals(calls, paid, today, grace_days)
    value = score(days, broken_promises, partial_payments, signals)
    return Score(None if days is None else round_amount(days, 0.01), value, rating(value))


def score_trend(recent, before, tolerance=TREND_TOLERANCE):
    """kpi.UP (better), kpi.DOWN (worse) or kpi.FLAT between the score of the last
    ``TREND_DAYS`` and that of the ``TREND_DAYS`` before; None without both."""
    return kpi.trend(recent, before, tolerance)


def windows(items, today, broken_promises=(0, 0), partial_payments=(0, 0), days=TREND_DAYS,
            calls=(), grace_days=0):
    """(recent, before, trend): the ``Score`` of the last ``days`` to ``today``, that of
    the ``days`` before, and the trend between them. The counts are pairs (recent,
    before); each window judges the calls of its own last ``CALL_WINDOW_DAYS``."""
    recent = customer_score(items, today, broken_promises[0], partial_payments[0], days,
                            calls, grace_days)
    before = customer_score(items, today - timedelta(days=days), broken_promises[1],
                            partial_payments[1], days, calls, grace_days)
    return recent, before, score_trend(recent.score, before.score)


PILOT_GROWTH_RATINGS = frozenset({A, B})


def allows_pilot_growth(value, rating_rules=False):
    """May a pilot's limit grow at this rating? Always when the company does not let
    the rating drive its rules; otherwise only at A or B (not without a rating)."""
    return not rating_rules or value in PILOT_GROWTH_RATINGS
