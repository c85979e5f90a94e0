"""Escalation ladder rules (DESIGN 3 and 5), without Odoo.

A policy is a list of stages ordered by their day offset relative to an item's due
date (negative = before it). Each item climbs the ladder by its own days late; each
stage fires at most once per item, and catch-up fires only the highest stage reached.
"""


def days_late(due_date, today):
    """Days between the due date and today: negative before the due date."""
    return (today - due_date).days


def first_unordered_offset(offsets):
    """Index of the first offset that is not strictly above the one before it, in the
    stages' order, or None when the offsets strictly increase."""
    for index in range(1, len(offsets)):
        if offsets[index] <= offsets[index - 1]:
            return index
    return None


def reached_index(offsets, days):
    """Index of the highest stage whose offset is at most ``days``, or None.

    ``offsets`` strictly increase.
    """
    reached = None
    for index, offset in enumerate(offsets):
        if offset <= days:
            reached = index
    return reached


def current_index(offsets, current_offset):
    """Where an item stands on this ladder given the offset of the last stage fired for
    it (None when none fired): the highest stage at or below that offset, so that a
    stage of a policy the customer left still counts."""
    if current_offset is None:
        return None
    return reached_index(offsets, current_offset)


def target_stage(offsets, days, current=None):
    """Index of the stage an item fires today, or None.

    The highest stage reached by ``days`` late, only if it is above ``current`` (the
    index of the stage already fired for the item, None when none fired): a stage
    fires once; stages skipped over (catch-up) fire nothing.
    """
    reached = reached_index(offsets, days)
    if reached is None:
        return None
    if current is not None and reached <= current:
        return None
    return reached


def credits_cover_overdue(overdue, unallocated, rounding=0.01):
    """Customers whose unallocated payments and credit notes cover what is overdue are
    not dunned for their overdue items."""
    return overdue > rounding / 2 and unallocated - overdue > -rounding / 2


def below_minimum(amount, minimum, rounding=0.01):
    """Items whose open amount is below the company's minimum are ignored (0 = none)."""
    return minimum > 0 and minimum - amount > rounding / 2
