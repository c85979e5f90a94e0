"""Late fees and interest on overdue items (DESIGN 7), without Odoo.

A fee stage charges, per overdue item, a fixed amount, a share of its open amount and
interest at an annual rate for the days late not charged yet (actual/365). The company
caps what one overdue invoice is charged over its life, fees and interest together, as
a share of that invoice's total: the cap wins, only what remains under it is charged.
Every amount is in the invoice's currency and rounded at that currency's rounding.
"""

import dataclasses

from .money import compare, round_amount

DAYS_IN_YEAR = 365


@dataclasses.dataclass(frozen=True)
class FeeCharge:
    """What one item is charged at one stage, in the item's currency."""

    fixed: float = 0.0
    percent: float = 0.0
    interest: float = 0.0
    interest_days: int = 0
    capped: bool = False

    @property
    def total(self):
        return self.fixed + self.percent + self.interest


def interest_days(due_date, interest_date, today):
    """Days late not yet charged with interest: since the last interest charge, or
    since the due date for the first one; never negative."""
    start = max(due_date, interest_date) if interest_date else due_date
    return max((today - start).days, 0)


def interest_amount(open_amount, annual_rate, days, rounding):
    """Simple interest, actual/365, at ``annual_rate`` percent."""
    if annual_rate <= 0 or days <= 0 or open_amount <= 0:
        return 0.0
    return round_amount(open_amount * annual_rate / 100.0 * days / DAYS_IN_YEAR, rounding)


def cap_amount(invoice_total, cap_percent, rounding):
    """The most one overdue invoice may be charged in fees and interest, None for no
    cap (0 %)."""
    if cap_percent <= 0:
        return None
    return round_amount(abs(invoice_total) * cap_percent / 100.0, rounding)


def fee_amount(open_amount, fixed=0.0, percent=0.0, rate=0.0, days=0,
               already_charged=0.0, cap=None, rounding=0.01, interest=None):
    """The charge for one item at a fee stage.

    ``open_amount``: what the item still owes; ``fixed``: the fixed fee, already in the
    item's currency; ``percent``: share of the open amount; ``rate``: annual interest
    rate, for ``days`` days; ``already_charged``: fees and interest charged so far for
    the item's invoice; ``cap``: the most that invoice may be charged (None: no cap).
    When the cap bites, the components are kept in that order (fixed, percent,
    interest) until the room under the cap is used up. ``interest``: the interest
    already computed (statutory presets, period by period) instead of ``rate``.
    """
    wanted = [
        round_amount(max(fixed, 0.0), rounding),
        round_amount(max(open_amount, 0.0) * max(percent, 0.0) / 100.0, rounding),
        (interest_amount(open_amount, rate, days, rounding) if interest is None
         else round_amount(max(interest, 0.0), rounding)),
    ]
    capped = False
    if cap is not None:
        room = max(round_amount(cap - already_charged, rounding), 0.0)
        granted = []
        for amount in wanted:
            part = min(amount, room)
            if compare(part, amount, rounding) < 0:
                capped = True
            part = round_amount(part, rounding)
            room = round_amount(room - part, rounding)
            granted.append(part)
        wanted = granted
    fixed_part, percent_part, interest_part = wanted
    return FeeCharge(
        fixed=fixed_part,
        percent=percent_part,
        interest=interest_part,
        interest_days=days if (rate > 0 or interest) else 0,
        capped=capped,
    )


def check_stage(fee_fixed, fee_percent, interest_rate):
    """Names of the fee stage's fields whose values are out of bounds (negative amounts,
    an annual rate outside 0-100)."""
    bad = []
    if fee_fixed < 0:
        bad.append("fee_fixed")
    if not 0 <= fee_percent <= 100:
        bad.append("fee_percent")
    if not 0 <= interest_rate <= 100:
        bad.append("interest_rate")
    return bad


def allocate(amounts, total, rounding):
    """Share ``total`` over ``amounts`` in order, each getting at most its own amount:
    the interest periods a cap cut short keep the first periods whole."""
    room = round_amount(total, rounding)
    granted = []
    for amount in amounts:
        part = round_amount(min(amount, max(room, 0.0)), rounding)
        room = round_amount(room - part, rounding)
        granted.append(part)
    return granted
