"""Exposure, the credit check, the automatic hold and the pilot limit."""

from dataclasses import dataclass
from datetime import timedelta

from .money import compare, round_amount

PREPAYMENT = "prepayment"
PILOT = "pilot"
APPROVED = "approved"

CAUSE_OVERDUE = "overdue"
CAUSE_STAGE = "stage"
CAUSE_MANUAL = "manual"
AUTOMATIC_CAUSES = frozenset({CAUSE_OVERDUE, CAUSE_STAGE})


@dataclass(frozen=True)
class Exposure:
    """What a customer owes or will owe, in company currency (all amounts >= 0)."""

    receivable: float = 0.0  # open posted receivable items
    unallocated: float = 0.0  # unreconciled payments and credit notes
    drafts: float = 0.0  # draft customer invoices, at today's rate
    orders: float = 0.0  # confirmed orders not yet invoiced (Sales bridge)
    include_drafts: bool = True
    net_unallocated: bool = True
    include_orders: bool = True

    @property
    def total(self):
        total = self.receivable
        if self.include_drafts:
            total += self.drafts
        if self.include_orders:
            total += self.orders
        if self.net_unallocated:
            total -= self.unallocated
        return total


def headroom(limit, exposure):
    """What is left under the limit; None when the customer has no limit."""
    if not limit:
        return None
    return limit - exposure


def overdue_amount(overdue_gross, unallocated, excluded=0.0):
    """DESIGN 2's one overdue figure: past-due items, less unallocated credits and
    less items taken out of dunning (disputed, under a live promise). Never negative."""
    return max(0.0, overdue_gross - excluded - unallocated)


@dataclass(frozen=True)
class Decision:
    refused: bool
    reason: str = ""  # "hold", "prepayment", "limit"
    exposure_after: float = 0.0
    excess: float = 0.0


def check_document(status, on_hold, limit, exposure_before, amount, rounding=0.01):
    """May a new document of ``amount`` be issued to this customer?

    ``limit`` of 0/None means no limit (Odoo's own convention). A prepayment-only
    customer has no credit at all: exposure after the document, net of advance
    payments, must not be above zero.
    """
    after = exposure_before + amount
    if on_hold:
        return Decision(True, "hold", after, 0.0)
    if status == PREPAYMENT:
        if compare(after, 0.0, rounding) > 0:
            return Decision(True, "prepayment", after, round_amount(after, rounding))
        return Decision(False, "", after)
    if limit and compare(after, limit, rounding) > 0:
        return Decision(True, "limit", after, round_amount(after - limit, rounding))
    return Decision(False, "", after)


def check_batch(documents, figures, rounding=0.01):
    """Check several documents at once, cumulatively per customer.

    ``documents``: iterable of (key, customer, amount), in posting order.
    ``figures``: customer -> (status, on_hold, limit, exposure_before).
    Returns {key: Decision}.
    """
    running = {}
    decisions = {}
    for key, customer, amount in documents:
        status, on_hold, limit, exposure = figures[customer]
        before = running.get(customer, exposure)
        decision = check_document(status, on_hold, limit, before, amount, rounding)
        decisions[key] = decision
        running[customer] = decision.exposure_after
    return decisions


def overdue_hold(overdue, oldest_overdue_days, amount_threshold, days_threshold,
                 released_on=None, newest_overdue_due=None, rounding=0.01):
    """Does the overdue policy put the customer on hold?

    Thresholds of 0/None are off. Only a positive net overdue amount can hold.
    A manual release on ``released_on`` suppresses the cause until an item that
    falls due after the release is overdue.
    """
    if compare(overdue, 0.0, rounding) <= 0:
        return False
    by_amount = bool(amount_threshold) and compare(overdue, amount_threshold, rounding) > 0
    by_days = bool(days_threshold) and (oldest_overdue_days or 0) > days_threshold
    if not (by_amount or by_days):
        return False
    if released_on and (newest_overdue_due is None or newest_overdue_due <= released_on):
        return False
    return True


def hold_changes(current_causes, automatic_now):
    """New set of causes once the automatic ones are re-evaluated.

    ``automatic_now``: the automatic causes that hold today. Manual causes stay
    until a credit manager releases them.
    """
    kept = {c for c in current_causes if c not in AUTOMATIC_CAUSES}
    return kept | set(automatic_now)


def pilot_limit(start, step, invoices_per_step, ceiling, paid_on_time):
    """(limit, graduated) of a pilot customer who paid ``paid_on_time`` invoices on time.

    The limit starts at ``start`` and grows by ``step`` for each ``invoices_per_step``
    invoices paid on time, up to ``ceiling``; reaching it ends the pilot.
    """
    steps = paid_on_time // invoices_per_step if invoices_per_step > 0 else 0
    limit = start + steps * step
    if ceiling and limit >= ceiling:
        return ceiling, True
    return limit, False


def paid_on_time(due_date, paid_date, grace_days):
    """An invoice paid in full no later than its due date plus the grace days."""
    return paid_date <= due_date + timedelta(days=grace_days)
