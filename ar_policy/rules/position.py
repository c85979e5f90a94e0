"""A customer's account position in one company (DESIGN 9), without Odoo.

One structure holds what a commercial entity owes a company (its root and branches):
the open receivable items and the open credits, each in its document currency and
in company currency. Every figure about what the customer owes is a property of it:
exposure and headroom, the overdue figure of the holds (DESIGN 2), the ladder, the
reminders, deposits and concentration. The models build it in bulk
(``ar.account.position``); nothing else restates "open receivable item".
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from . import escalation
from .credit import Exposure
from .money import round_amount

DISPUTE = "dispute"
PROMISE = "promise"
POLICY_TODAY = "policy_today"
BELOW_MINIMUM = "below_minimum"
# Why an item is out of the ladder, strongest first (an item gets the first that applies).
EXCLUSIONS = (DISPUTE, PROMISE, POLICY_TODAY, BELOW_MINIMUM)
# The exclusions that also take an item out of the overdue figure (DESIGN 2): an item
# below the minimum is not dunned, but it is still owed and overdue.
OVERDUE_EXCLUSIONS = frozenset({DISPUTE, PROMISE, POLICY_TODAY})

PAYMENT = "payment"
CREDIT_NOTE = "credit_note"
OTHER = "other"


@dataclass(frozen=True)
class OpenItem:
    """An open receivable item: a posted receivable line with something left to pay.

    ``residual`` is in the document currency ``currency_id``, ``residual_company`` in
    company currency at the booked rate; both are positive. ``excluded`` is None or
    one of ``EXCLUSIONS``.
    """

    line_id: int
    move_id: int
    move_name: str
    due_date: date | None
    currency_id: int
    residual: float
    residual_company: float
    stage_id: int | None = None
    excluded: str | None = None
    entry_date: date | None = None  # accounting date of the item's entry


@dataclass(frozen=True)
class OpenCredit:
    """An open credit: an unallocated payment, an open credit note or another
    receivable line in the customer's favour. Amounts are positive."""

    line_id: int
    move_id: int
    name: str
    kind: str  # PAYMENT, CREDIT_NOTE or OTHER
    date: date | None
    currency_id: int
    amount: float
    amount_company: float


def _sum(amounts, rounding):
    return round_amount(sum(amounts, 0.0), rounding)


@dataclass(frozen=True)
class CurrencyPosition:
    """The part of a position in one document currency, credits deducted in their
    own currency: what a reminder states per currency. Amounts in that currency."""

    currency_id: int
    rounding: float
    overdue_items: tuple
    not_due_items: tuple
    credits: tuple

    @property
    def overdue_gross(self):
        return _sum((item.residual for item in self.overdue_items), self.rounding)

    @property
    def overdue_excluded(self):
        return _sum((item.residual for item in self.overdue_items
                     if item.excluded in OVERDUE_EXCLUSIONS), self.rounding)

    @property
    def credits_total(self):
        return _sum((credit.amount for credit in self.credits), self.rounding)

    @property
    def overdue_net(self):
        """Overdue, less the excluded items and the credits in this currency; >= 0."""
        return max(0.0, round_amount(
            self.overdue_gross - self.overdue_excluded - self.credits_total, self.rounding
        ))

    @property
    def not_yet_due(self):
        return _sum((item.residual for item in self.not_due_items), self.rounding)

    @property
    def balance(self):
        """Every open item less every credit in this currency; negative when the
        customer is in credit."""
        return round_amount(
            self.overdue_gross + self.not_yet_due - self.credits_total, self.rounding
        )


@dataclass(frozen=True)
class Position:
    """What a commercial entity owes one company on ``today`` (DESIGN 9).

    ``items`` and ``credits``: tuples of ``OpenItem`` and ``OpenCredit``.
    ``drafts_company`` and ``orders_company``: draft invoices and confirmed orders not
    yet invoiced, in company currency at today's rate. ``rounding``: the company
    currency's; ``currency_roundings``: {currency id: rounding} of the documents'
    currencies. Every company-currency figure is rounded at ``rounding``.
    """

    partner_id: int
    company_id: int
    today: date
    items: tuple = ()
    credits: tuple = ()
    drafts_company: float = 0.0
    orders_company: float = 0.0
    rounding: float = 0.01
    currency_id: int | None = None
    currency_roundings: dict = field(default_factory=dict, hash=False)

    # ---- items ----------------------------------------------------------

    def is_overdue(self, item):
        """Past its due date: an item due today is not yet due."""
        return item.due_date is not None and item.due_date < self.today

    @property
    def overdue_items(self):
        """Open items past their due date, oldest first (excluded ones included)."""
        return tuple(sorted((item for item in self.items if self.is_overdue(item)),
                            key=lambda item: (item.due_date, item.line_id)))

    @property
    def not_due_items(self):
        """Open items due today or later, or without a due date."""
        return tuple(sorted((item for item in self.items if not self.is_overdue(item)),
                            key=lambda item: (item.due_date or date.max, item.line_id)))

    @property
    def dunnable_items(self):
        """Items the ladder may act on: those with no exclusion at all."""
        return tuple(item for item in self.items if item.excluded is None)

    def days_late(self, item):
        """Days past the due date: negative before it, 0 on it or without one."""
        return (self.today - item.due_date).days if item.due_date else 0

    # ---- company-currency figures --------------------------------------

    @property
    def receivable(self):
        """Every open item, excluded ones included (they are still owed)."""
        return _sum((item.residual_company for item in self.items), self.rounding)

    @property
    def overdue_gross(self):
        """Every open item past its due date."""
        return _sum((item.residual_company for item in self.overdue_items), self.rounding)

    @property
    def overdue_excluded(self):
        """Overdue items out of the overdue figure: disputed, under a live promise, or
        issued by the policy today (``OVERDUE_EXCLUSIONS``)."""
        return _sum((item.residual_company for item in self.overdue_items
                     if item.excluded in OVERDUE_EXCLUSIONS), self.rounding)

    @property
    def credits_total(self):
        """Unallocated payments, open credit notes and other open credits."""
        return _sum((credit.amount_company for credit in self.credits), self.rounding)

    @property
    def overdue_net(self):
        """DESIGN 2's one overdue figure: overdue items, less the excluded ones, less
        the open credits; never negative."""
        return max(0.0, round_amount(
            self.overdue_gross - self.overdue_excluded - self.credits_total, self.rounding
        ))

    @property
    def credits_cover_overdue(self):
        """Something is overdue (after exclusions) and the open credits cover it:
        the customer is not dunned for its overdue items (DESIGN 5)."""
        return escalation.credits_cover_overdue(
            self.overdue_gross - self.overdue_excluded, self.credits_total, self.rounding
        )

    @property
    def not_yet_due(self):
        """Open items due today or later."""
        return _sum((item.residual_company for item in self.not_due_items), self.rounding)

    @property
    def balance(self):
        """Every open item less every open credit; negative when in credit."""
        return round_amount(self.receivable - self.credits_total, self.rounding)

    def exposure(self, include_drafts=True, net_unallocated=True, include_orders=True):
        """The exposure parts (DESIGN 7): posted items at their booked amounts, drafts
        and orders at today's rate, open credits deducted when ``net_unallocated``."""
        return Exposure(
            receivable=self.receivable,
            unallocated=self.credits_total,
            drafts=round_amount(self.drafts_company, self.rounding),
            orders=round_amount(self.orders_company, self.rounding),
            include_drafts=include_drafts,
            net_unallocated=net_unallocated,
            include_orders=include_orders,
        )

    def _counted_overdue(self):
        return [item for item in self.overdue_items if item.excluded not in OVERDUE_EXCLUSIONS]

    @property
    def oldest_overdue_due(self):
        """Due date of the oldest overdue item that counts in the overdue figure."""
        counted = self._counted_overdue()
        return counted[0].due_date if counted else None

    @property
    def newest_overdue_due(self):
        """Due date of the newest overdue item that counts in the overdue figure."""
        counted = self._counted_overdue()
        return counted[-1].due_date if counted else None

    @property
    def oldest_overdue_days(self):
        oldest = self.oldest_overdue_due
        return (self.today - oldest).days if oldest else 0

    # ---- per document currency -----------------------------------------

    def by_currency(self):
        """{currency id: CurrencyPosition}: per document currency, its overdue items,
        not-due items and credits, credits deducted in their own currency (a
        reminder's totals). Currencies in order of first appearance, items first."""
        items = defaultdict(list)
        credits = defaultdict(list)
        for item in self.items:
            items[item.currency_id].append(item)
        for credit in self.credits:
            credits[credit.currency_id].append(credit)
        result = {}
        for currency_id in list(dict.fromkeys([*items, *credits])):
            rounding = self.currency_roundings.get(currency_id, self.rounding)
            part = Position(self.partner_id, self.company_id, self.today,
                            items=tuple(items[currency_id]))
            result[currency_id] = CurrencyPosition(
                currency_id=currency_id,
                rounding=rounding,
                overdue_items=part.overdue_items,
                not_due_items=part.not_due_items,
                credits=tuple(sorted(credits[currency_id],
                                     key=lambda c: (c.date or date.min, c.line_id))),
            )
        return result
