"""Aged receivables (issue 10), without Odoo.

An item's days late on a date are the days between its due date and that date; an
item due that day, or without a due date, is not yet due (as ``Position.is_overdue``).
Its residual on a date is its original amount less its partial payments dated on or
before that date: aging "as of" a past date ignores the payments that came later and
the items booked after it. Amounts are in company currency; credits (open credit
notes, unallocated payments) are items with a negative amount, aged by their date.

Buckets, by days late: not due (0 or less), 1-30, 31-60, 61-90, 91-120, over 120.
Each customer's bucket amounts are rounded at the currency's rounding; the totals
are the sums of the customers' rounded amounts, so that the report foots.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date as Date
from typing import NamedTuple

from .money import is_zero, round_amount

NOT_DUE = "not_due"
DAYS_1_30 = "1_30"
DAYS_31_60 = "31_60"
DAYS_61_90 = "61_90"
DAYS_91_120 = "91_120"
OVER_120 = "over_120"


@dataclass(frozen=True)
class Bucket:
    """Items ``first`` to ``last`` days late, both included; None: unbounded."""

    code: str
    first: int | None
    last: int | None

    def holds(self, days_late):
        return (self.first is None or days_late >= self.first) and (
            self.last is None or days_late <= self.last
        )


BUCKETS = (
    Bucket(NOT_DUE, None, 0),
    Bucket(DAYS_1_30, 1, 30),
    Bucket(DAYS_31_60, 31, 60),
    Bucket(DAYS_61_90, 61, 90),
    Bucket(DAYS_91_120, 91, 120),
    Bucket(OVER_120, 121, None),
)
CODES = tuple(b.code for b in BUCKETS)


class Partial(NamedTuple):
    """A partial payment (or credit) applied to an item: its date and amount, in the
    item's sign (positive on an invoice)."""

    date: Date
    amount: float


@dataclass(frozen=True)
class AgingItem:
    """A receivable item as the aging reads it: ``amount`` is the original amount in
    company currency (negative for a credit), ``partials`` a tuple of ``Partial``,
    ``entry_date`` the accounting date (None: always there)."""

    partner_id: int
    due_date: Date | None
    amount: float
    partials: tuple = ()
    entry_date: Date | None = None

    def residual(self, as_of):
        """Amount less the partials dated on or before ``as_of`` (not rounded)."""
        return self.amount - sum(p.amount for p in self.partials if p.date <= as_of)

    def days_late(self, as_of):
        """Days past the due date on ``as_of``: 0 or less when not yet due."""
        return (as_of - self.due_date).days if self.due_date else 0


def bucket(days_late, buckets=BUCKETS):
    """Code of the bucket holding an item ``days_late`` days late."""
    for candidate in buckets:
        if candidate.holds(days_late):
            return candidate.code
    raise ValueError("no bucket holds %s days late" % days_late)


@dataclass(frozen=True)
class AgedRow:
    """One line of the report: ``amounts`` per bucket, in the buckets' order.
    ``partner_id`` is None on the totals line."""

    partner_id: int | None
    amounts: tuple
    rounding: float = 0.01
    codes: tuple = CODES

    def __getitem__(self, code):
        return self.amounts[self.codes.index(code)]

    @property
    def overdue(self):
        """Every bucket but the first (not due)."""
        return round_amount(sum(self.amounts[1:], 0.0), self.rounding)

    @property
    def total(self):
        return round_amount(sum(self.amounts, 0.0), self.rounding)


@dataclass(frozen=True)
class Aging:
    """Aged receivables on ``as_of``: one row per customer with something open (in
    partner id order) and the totals row."""

    as_of: Date
    rows: tuple
    totals: AgedRow

    def row(self, partner_id):
        return next((row for row in self.rows if row.partner_id == partner_id), None)


def aged(items, as_of, rounding=0.01, buckets=BUCKETS):
    """The aged receivables of ``items`` (``AgingItem``) on ``as_of``.

    Items booked after ``as_of`` and items with nothing left on it are left out.
    """
    codes = tuple(b.code for b in buckets)
    raw = defaultdict(lambda: [0.0] * len(buckets))
    for item in items:
        if item.entry_date is not None and item.entry_date > as_of:
            continue
        residual = item.residual(as_of)
        if is_zero(residual, rounding):
            continue
        index = codes.index(bucket(item.days_late(as_of), buckets))
        raw[item.partner_id][index] += residual
    rows = []
    for partner_id in sorted(raw):
        amounts = tuple(round_amount(amount, rounding) for amount in raw[partner_id])
        if all(is_zero(amount, rounding) for amount in amounts):
            continue
        rows.append(AgedRow(partner_id, amounts, rounding, codes))
    totals = tuple(
        round_amount(sum((row.amounts[index] for row in rows), 0.0), rounding)
        for index in range(len(buckets))
    )
    return Aging(as_of, tuple(rows), AgedRow(None, totals, rounding, codes))


def position_items(position):
    """The open items and credits of a ``Position`` as aging items on its ``today``:
    residuals in company currency, credits negative and aged by their date."""
    items = [
        AgingItem(position.partner_id, item.due_date, item.residual_company,
                  entry_date=item.entry_date)
        for item in position.items
    ]
    items += [
        AgingItem(position.partner_id, credit.date, -credit.amount_company)
        for credit in position.credits
    ]
    return items


def aged_position(position, buckets=BUCKETS):
    """Today's aged receivables of one customer's ``Position``."""
    return aged(position_items(position), position.today, position.rounding, buckets)
