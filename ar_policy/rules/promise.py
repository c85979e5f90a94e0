"""Promises to pay and payment plans (DOMAIN 3: listen to the reason), without Odoo.

A promise covers some open items of one customer and is made of one or more
instalments (date, amount). Its items are out of the escalation ladder and of the
overdue figure while it is live: until the last instalment's date plus the company's
grace days, unless it was broken before. It is broken when an instalment's date plus
the grace has passed and what was paid on its items since the promise does not cover
the instalments due so far; it is kept once the payments cover every instalment (or
nothing is left to pay on its items).
"""
from datetime import date as Date
from datetime import timedelta

from dateutil.relativedelta import relativedelta

OPEN = "open"
KEPT = "kept"
BROKEN = "broken"

# Problems with a plan (``check_instalments``): the model words them for the user.
NO_INSTALMENT = "at least one instalment is needed"
NO_DATE = "every instalment needs a date"
PAST = "an instalment date is in the past"
BEYOND_HORIZON = "an instalment date is beyond the promise horizon"
SAME_DATE = "two instalments fall on the same date"
TOO_MANY = "the plan has more instalments than allowed"
NOT_POSITIVE = "every instalment amount must be positive"
OVER_OPEN = "the plan promises more than is open on the items"


def _plus_days(day, days):
    """``day`` plus ``days``, the calendar's last day when that is past its end."""
    try:
        return day + timedelta(days=days or 0)
    except OverflowError:
        return Date.max


def deadline(instalment_dates, grace_days):
    """Last day the items stay paused: the last instalment's date plus the grace."""
    if not instalment_dates:
        return None
    return _plus_days(max(instalment_dates), grace_days)


def due_so_far(instalments, today, grace_days):
    """Sum of the instalments whose date plus the grace is before ``today``.

    ``instalments``: iterable of (date, amount).
    """
    return sum(amount for date, amount in instalments if _plus_days(date, grace_days) < today)


def outcome(instalments, paid, open_left, today, grace_days, rounding=0.01):
    """State of a promise today: KEPT, BROKEN or OPEN.

    ``paid``: what was paid on the promise's items since the promise was made;
    ``open_left``: what is still open on them (0 when they are all paid).
    """
    half = rounding / 2
    promised = sum(amount for _date, amount in instalments)
    if open_left <= half or paid - promised > -half:
        return KEPT
    if due_so_far(instalments, today, grace_days) - paid > half:
        return BROKEN
    return OPEN


def split_evenly(total, count, rounding=0.01):
    """``count`` instalment amounts summing exactly to ``total`` at the currency's
    rounding; the last one takes the remainder."""
    if count < 1:
        raise ValueError("count must be at least 1")
    units = round(total / rounding)
    base, extra = divmod(units, count)
    amounts = [base * rounding] * count
    amounts[-1] = (base + extra) * rounding
    return [round(amount, 10) for amount in amounts]


def horizon(today, horizon_days):
    """Last date a promise may fall on, ``horizon_days`` after ``today``."""
    return _plus_days(today, horizon_days)


def plan_dates(first, count):
    """Dates of ``count`` monthly instalments from ``first``, or None when the last
    one would fall past the calendar's end."""
    try:
        return [first + relativedelta(months=index) for index in range(count)]
    except (OverflowError, ValueError):
        return None


def check_instalments(instalments, today, open_total, rounding=0.01, horizon_days=None,
                      max_count=None):
    """Problems with a plan, as (field, message) pairs; empty when it is valid.

    Dates must not be in the past nor beyond ``horizon_days`` after ``today`` (when
    given) and must differ; at most ``max_count`` instalments (when given); amounts
    must be positive, and the plan cannot promise more than is open on the items.
    """
    problems = []
    half = rounding / 2
    if not instalments:
        return [("instalment_ids", NO_INSTALMENT)]
    if max_count is not None and len(instalments) > max_count:
        return [("instalment_ids", TOO_MANY)]
    dates = [date for date, _amount in instalments]
    if any(not date for date in dates):
        return [("date", NO_DATE)]
    if any(date < today for date in dates):
        problems.append(("date", PAST))
    if horizon_days is not None and any(date > horizon(today, horizon_days) for date in dates):
        problems.append(("date", BEYOND_HORIZON))
    if len(set(dates)) != len(dates):
        problems.append(("date", SAME_DATE))
    if any(amount <= half for _date, amount in instalments):
        problems.append(("amount", NOT_POSITIVE))
    if sum(amount for _date, amount in instalments) - open_total > half:
        problems.append(("amount", OVER_OPEN))
    return problems
