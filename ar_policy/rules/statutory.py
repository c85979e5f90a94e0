"""Statutory late-payment interest and fixed compensation (issue 11), without Odoo.

A fee stage charges interest under one of three presets:

- ``contractual``: today's settings, an annual rate agreed with the customer (fees.py).
- ``eu_late_payment``, Directive 2011/7/EU: "statutory interest for late payment" is
  simple interest at the reference rate plus at least eight percentage points
  (art. 2(6)); for the euro the reference rate is the ECB's main refinancing rate
  (art. 2(7)). The reference rate for the first half of a year is the rate in force on
  1 January, for the second half the rate in force on 1 July (art. 3(2), 4(7)), so the
  rate of a running debt changes at those dates. A fixed compensation of at least
  EUR 40 is due once per late invoice (art. 6).
- ``uk_late_payment``, Late Payment of Commercial Debts (Interest) Act 1998 and the
  Rate of Interest (No. 3) Order 2002, art. 4: Bank of England base rate plus 8 %, the
  base rate being the one in force on 30 June (interest that starts to run from 1 July
  to 31 December) or 31 December (from 1 January to 30 June) immediately before the day
  statutory interest starts to run, i.e. the day after the due date (s. 4(2)). The rate
  is therefore fixed for the whole life of a debt. Fixed sum per debt (s. 5A): GBP 40
  under 1,000, GBP 70 from 1,000 to 9,999.99, GBP 100 from 10,000.

Interest is simple, accrues day by day, actual/365, on the overdue principal only:
never on fees, compensation or interest charged before. The company keeps the
reference rates in a small table of ``ReferenceRate`` rows, each in force from its
``valid_from`` until the next row's.
"""

import dataclasses
import datetime

from .fees import interest_amount
from .money import round_amount

PRESET_CONTRACTUAL = "contractual"
PRESET_EU = "eu_late_payment"
PRESET_UK = "uk_late_payment"
STATUTORY_PRESETS = (PRESET_EU, PRESET_UK)

STATUTORY_MARGIN = 8.0
"""Percentage points over the reference rate, for both statutory presets."""

REFERENCE_RATE_MIN = -5.0
REFERENCE_RATE_MAX = 50.0

PRESET_CURRENCY = {PRESET_EU: "EUR", PRESET_UK: "GBP"}
EU_COMPENSATION = 40.0
UK_COMPENSATION_TIERS = ((10000.0, 100.0), (1000.0, 70.0), (0.0, 40.0))
"""(debt from, sum): the first tier whose lower bound the debt reaches."""

ONE_DAY = datetime.timedelta(days=1)


@dataclasses.dataclass(frozen=True)
class ReferenceRate:
    """A central bank rate (percent per year), in force from ``valid_from``."""

    valid_from: datetime.date
    rate: float


@dataclasses.dataclass(frozen=True)
class InterestPeriod:
    """One line of a fee invoice: the days from ``start`` to ``end`` (both counted) at
    the annual ``rate`` (percent), for ``amount`` in the item's currency."""

    start: datetime.date
    end: datetime.date
    days: int
    rate: float
    amount: float


def check_rate(rate):
    """Refuse a reference rate outside what a central bank could plausibly set."""
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not (
        REFERENCE_RATE_MIN <= rate <= REFERENCE_RATE_MAX
    ):
        raise ValueError(
            f"Reference Rate {rate!r} % is out of range: it must be between "
            f"{REFERENCE_RATE_MIN:g} % and {REFERENCE_RATE_MAX:g} %."
        )
    return rate


def _check_statutory(preset):
    if preset not in STATUTORY_PRESETS:
        raise ValueError(f"Preset {preset!r} is not a statutory interest preset.")


def half_year_start(day):
    """1 January or 1 July of the half-year containing ``day``."""
    return datetime.date(day.year, 1 if day.month <= 6 else 7, 1)


def reference_date(preset, day):
    """The day whose rate in force is the reference rate for interest on ``day`` (EU)
    or for interest that starts to run on ``day`` (UK)."""
    _check_statutory(preset)
    start = half_year_start(day)
    return start if preset == PRESET_EU else start - ONE_DAY


def rate_on(rates, day, preset):
    """The reference rate (percent) the ``preset`` applies to ``day``: the row of
    ``rates`` in force on the half-year's reference date (EU: 1 January / 1 July; UK:
    the 31 December / 30 June before). A change inside a half-year waits for the next.
    """
    ref = reference_date(preset, day)
    in_force = [row for row in rates if row.valid_from <= ref]
    if not in_force:
        raise ValueError(
            f"No Reference Rate covers {day.isoformat()}: enter the rate in force on "
            f"{ref.isoformat()}."
        )
    latest = max(row.valid_from for row in in_force)
    found = {row.rate for row in in_force if row.valid_from == latest}
    if len(found) > 1:
        raise ValueError(
            f"Two Reference Rates are valid from {latest.isoformat()}: keep only one."
        )
    return check_rate(found.pop())


def statutory_rate(preset, rates, day):
    """Reference rate plus 8 points (percent per year)."""
    return rate_on(rates, day, preset) + STATUTORY_MARGIN


def _rate_spans(first, last, preset, rates, due_date, contractual_rate):
    """(start, end, rate) from ``first`` to ``last``, both counted; a new span where the
    rate changes."""
    if preset == PRESET_CONTRACTUAL:
        if contractual_rate is None:
            raise ValueError("The contractual preset needs an interest rate.")
        return [(first, last, contractual_rate)]
    if preset == PRESET_UK:
        # Fixed for the life of the debt by the day interest started to run.
        started = due_date + ONE_DAY if due_date else first
        return [(first, last, statutory_rate(preset, rates, started))]
    _check_statutory(preset)
    spans = []
    day = first
    while day <= last:
        start = half_year_start(day)
        next_start = datetime.date(start.year + 1, 1, 1) if start.month == 7 else (
            datetime.date(start.year, 7, 1))
        end = min(last, next_start - ONE_DAY)
        rate = statutory_rate(preset, rates, day)
        if spans and abs(spans[-1][2] - rate) < 1e-9:
            spans[-1] = (spans[-1][0], end, rate)
        else:
            spans.append((day, end, rate))
        day = end + ONE_DAY
    return spans


def interest_periods(principal, start_exclusive, end_inclusive, preset, rates=(),
                     contractual_rate=None, rounding=0.01, due_date=None):
    """Interest on ``principal`` for the days after ``start_exclusive`` up to
    ``end_inclusive``, one ``InterestPeriod`` per rate.

    ``start_exclusive`` is the due date, or the last interest charge date: the days
    counted are those of ``fees.interest_days(due, last_charge, today)``.
    ``principal`` is the overdue amount of the invoice, without fees or interest.
    ``due_date`` (UK) fixes the debt's rate; without it, the day after
    ``start_exclusive`` does. Each period is rounded at ``rounding``; the interest
    charged is their sum (``interest_total``). Nothing for no days, no principal or a
    rate that is not positive.
    """
    first = start_exclusive + ONE_DAY
    if end_inclusive < first or principal <= 0:
        return []
    periods = []
    spans = _rate_spans(first, end_inclusive, preset, rates, due_date, contractual_rate)
    for start, end, rate in spans:
        if rate <= 0:
            continue
        days = (end - start).days + 1
        amount = interest_amount(principal, rate, days, rounding)
        periods.append(InterestPeriod(start=start, end=end, days=days, rate=rate,
                                      amount=amount))
    return periods


def interest_total(periods, rounding=0.01):
    """The interest charged: the sum of the rounded period amounts."""
    return round_amount(sum(period.amount for period in periods), rounding)


def fixed_compensation(preset, invoice_amount, already_charged):
    """(amount, currency code) of the fixed compensation for one late invoice, in the
    preset's currency (the caller converts): EUR 40 (EU); GBP 40 / 70 / 100 by the
    debt in GBP (UK); 0 once charged for this invoice, for the contractual preset, or
    for nothing owed.
    """
    currency = PRESET_CURRENCY.get(preset)
    if currency is None:
        if preset != PRESET_CONTRACTUAL:
            raise ValueError(f"Unknown interest preset {preset!r}.")
        return 0.0, None
    debt = round_amount(invoice_amount, 0.01)
    if already_charged or debt <= 0:
        return 0.0, currency
    if preset == PRESET_EU:
        return EU_COMPENSATION, currency
    for lower, amount in UK_COMPENSATION_TIERS:
        if debt >= lower:
            return amount, currency
    return 0.0, currency
