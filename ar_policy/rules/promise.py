"""Promises to pay and payment plans (DOMAIN 3: listen to the reason), without Odoo.

A promise covers some open items of one customer and is made of one or more
instalments (date, amount). Its items are out of the escalation ladder and of the
overdue figure while it is live: until the last instalment's date plus the company's
grace days, unless it was broken before. It is broken when an instalment's date plus
the grace has passed and what was paid on its items since the promise does not cover
the instalments due so far; it is kept once the payments cover every instalment (or
nothing is left to pay on its items).
"""
from datetime import timedelta

OPEN = "open"
KEPT = "kept"
BROKEN = "broken"


def deadline(instalment_dates, grace_days):
    """Last day the items stay paused: the last instalment's date plus the grace."""
    if not instalment_dates:
        return None
    return max(instalment_dates) + timedelta(days=grace_days or 0)


def due_so_far(instalments, today, grace_days):
    """Sum of the instalments whose date plus the grace is before ``today``.

    ``instalments``: iterable of (date, amount).
    """
    grace = timedelta(days=grace_days or 0)
    return sum(amount for date, amount in instalments if date + grace < today)


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


def check_instalments(instalments, today, open_total, rounding=0.01):
    """Problems with a plan, as (field, message) pairs; empty when it is valid.

    Dates must not be in the past and must differ, amounts must be positive, and the
    plan cannot promise more than is open on the items.
    """
    problems = []
    half = rounding / 2
    if not instalments:
        return [("instalment_ids", "at least one instalment is needed")]
    dates = [date for date, _amount in instalments]
    if any(not date for date in dates):
        return [("date", "every instalment needs a date")]
    if any(date < today for date in dates):
        problems.append(("date", "an instalment date is in the past"))
    if len(set(dates)) != len(dates):
        problems.append(("date", "two instalments fall on the same date"))
    if any(amount <= half for _date, amount in instalments):
        problems.append(("amount", "every instalment amount must be positive"))
    if sum(amount for _date, amount in instalments) - open_total > half:
        problems.append(("amount", "the plan promises more than is open on the items"))
    return problems
