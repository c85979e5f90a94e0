"""Collection KPIs (issue 10), without Odoo.

Each function takes the period's figures in company currency and returns days or a
percentage rounded to 0.01, or None when the ratio is undefined (nothing sold, nothing
paid). "Credit sales" are the period's posted customer invoices less credit notes,
taxes included (what lands on the receivable account), as Odoo's own DSO counts them.

- Simple DSO = receivables / credit sales x days of the period.
- Count-back DSO: from the receivables at the period's end, walk back month by month
  subtracting each month's credit sales until the receivables are used up; add the
  days of each month fully used and the pro-rata share of the last one.
- Best Possible DSO = current (not yet due) receivables, at most the total, / credit
  sales x days.
- Average Days Delinquent = DSO - Best Possible DSO.
- CEI = (beginning receivables + credit sales - ending total receivables)
  / (beginning receivables + credit sales - ending current receivables) x 100.
- At-risk rate: share of a month's billing still unpaid ``days`` (90) after due.
- Share paid on time: amount-weighted share of the payments made on or before the
  due date.
- Average days to pay: amount-weighted days from invoice date to payment date.
"""

import calendar
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta

from .money import round_amount

UP = "up"
DOWN = "down"
FLAT = "flat"
MET = "met"
MISSED = "missed"

_R = 0.01  # rounding of days and percentages


def _ratio(value):
    return round_amount(value, _R)


@dataclass(frozen=True)
class Invoice:
    """An invoice with its payments: ``payments`` a tuple of ``aging.Partial``
    (date, amount), amounts in company currency, positive."""

    amount: float
    invoice_date: Date
    due_date: Date
    payments: tuple = ()

    def paid_by(self, day):
        return sum(p.amount for p in self.payments if p.date <= day)


# ---- days sales outstanding ---------------------------------------------


def simple_dso(receivables, credit_sales, days):
    """Receivables / credit sales x days of the period; None without sales."""
    if credit_sales <= 0:
        return None
    return _ratio(max(receivables, 0.0) / credit_sales * days)


def odoo_dso(receivables, total_invoiced, first_invoice_date, today):
    """Odoo's partner DSO (account/models/partner.py, ``_compute_days_sales_outstanding``):
    the simple DSO over the days since the customer's first invoice, with the total
    invoiced (posted invoices, receipts and credit notes, taxes included, signed) as
    the sales; 0 when nothing was invoiced, as Odoo shows it."""
    if not total_invoiced:
        return 0.0
    return _ratio(receivables / total_invoiced * (today - first_invoice_date).days)


def count_back_dso(receivables, months):
    """Count-back DSO. ``months``: (credit sales, days in month) pairs, newest month
    first, the newest being the month that ends on the receivables' date.

    A month with no (or negative) sales is used up whole. Receivables left once every
    month is used up are not counted: the result is then the days of all the months
    (a floor; give more months for a true figure).
    """
    left = max(receivables, 0.0)
    days = 0.0
    for sales, month_days in months:
        if left <= 0:
            break
        if sales <= 0 or left >= sales:
            days += month_days
            left -= max(sales, 0.0)
        else:
            days += left / sales * month_days
            left = 0.0
    return _ratio(days)


def month_days(year, month, count):
    """Days in ``count`` calendar months back from ``year``/``month`` included, newest
    first: the ``days`` of ``count_back_dso``'s months."""
    result = []
    for _index in range(count):
        result.append(calendar.monthrange(year, month)[1])
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


def best_possible_dso(current_receivables, credit_sales, days):
    """Current (not yet due) receivables / credit sales x days; None without sales."""
    return simple_dso(current_receivables, credit_sales, days)


def average_days_delinquent(dso, best_dso):
    """DSO less Best Possible DSO: the days the customers add to the terms."""
    if dso is None or best_dso is None:
        return None
    return _ratio(dso - best_dso)


def cei(beginning_receivables, credit_sales, ending_receivables, ending_current):
    """Collection Effectiveness Index in percent: what was collected over what could
    have been collected (everything but the receivables not yet due at the end)."""
    collectible = beginning_receivables + credit_sales - ending_current
    if collectible <= 0:
        return None
    collected = beginning_receivables + credit_sales - ending_receivables
    return _ratio(collected / collectible * 100.0)


# ---- payment behaviour ---------------------------------------------------


def at_risk_rate(invoices, as_of=None, days=90):
    """Percent of the billed amount still unpaid ``days`` after each invoice's due
    date. ``invoices``: a month's ``Invoice``s. On ``as_of`` (when given) an invoice
    not yet ``days`` past due cannot be judged and is left out; None when none can."""
    billed = unpaid = 0.0
    for invoice in invoices:
        checkpoint = invoice.due_date + timedelta(days=days)
        if as_of is not None and checkpoint > as_of:
            continue
        billed += invoice.amount
        unpaid += max(invoice.amount - invoice.paid_by(checkpoint), 0.0)
    if billed <= 0:
        return None
    return _ratio(unpaid / billed * 100.0)


def share_paid_on_time(invoices):
    """Percent of the amount paid on ``invoices`` that was paid on or before the due
    date (each payment by its own date); None when nothing was paid."""
    paid = on_time = 0.0
    for invoice in invoices:
        for payment in invoice.payments:
            paid += payment.amount
            if payment.date <= invoice.due_date:
                on_time += payment.amount
    if paid <= 0:
        return None
    return _ratio(on_time / paid * 100.0)


def average_days_to_pay(invoices):
    """Amount-weighted days from invoice date to payment date over the payments of
    ``invoices``; None when nothing was paid."""
    paid = weighted = 0.0
    for invoice in invoices:
        for payment in invoice.payments:
            paid += payment.amount
            weighted += payment.amount * (payment.date - invoice.invoice_date).days
    if paid <= 0:
        return None
    return _ratio(weighted / paid)


# ---- trend and target ----------------------------------------------------


def trend(current, previous, tolerance=0.0):
    """UP, DOWN or FLAT (a move of at most ``tolerance``); None without both values.
    Direction only: whether up is good depends on the KPI (see ``against_target``)."""
    if current is None or previous is None:
        return None
    delta = current - previous
    if abs(delta) <= tolerance + 1e-9:
        return FLAT
    return UP if delta > 0 else DOWN


def against_target(value, target, lower_is_better=True):
    """MET when ``value`` is at the target or on its good side, MISSED otherwise;
    None without a value or a target."""
    if value is None or target is None:
        return None
    delta = value - target
    if abs(delta) < _R / 2:
        return MET
    return MET if (delta < 0) == lower_is_better else MISSED


# ---- one month's KPIs ----------------------------------------------------

DSO_MONTHS = 3  # the simple and Best Possible DSO look at the last three months

# KPI code: lower is better (for ``against_target``)
KPIS = {
    "dso_count_back": True,
    "dso_simple": True,
    "best_dso": True,
    "add": True,
    "cei": False,
    "at_risk": True,
    "on_time": False,
    "days_to_pay": True,
}


@dataclass(frozen=True)
class MonthFigures:
    """One customer's (or a company's) figures for the month ending ``month_end``, in
    company currency: receivables (open items less credits) and current receivables
    (not yet due) at the month's end and at the previous month's end; ``sales``: the
    credit sales of the last months, newest (this month) first; ``invoices``:
    ``Invoice``s with their payments, from which the month's judged and paid ones
    are taken."""

    month_end: Date
    receivables: float
    current: float
    beginning_receivables: float
    sales: tuple = ()
    invoices: tuple = ()


def month_kpis(figures):
    """{KPI code: value or None} of one month (see the module's definitions):

    - DSO simple and Best Possible DSO over the last ``DSO_MONTHS`` months' sales;
    - count-back DSO over every month given;
    - CEI over the month (beginning: the previous month's end);
    - at-risk rate of the invoices whose 90th day after due falls in the month;
    - share paid on time and average days to pay of the payments made in the month.
    """
    end = figures.month_end
    start = end.replace(day=1)
    days = month_days(end.year, end.month, max(len(figures.sales), DSO_MONTHS))
    recent_sales = sum(figures.sales[:DSO_MONTHS], 0.0)
    recent_days = sum(days[:DSO_MONTHS])
    # current receivables beyond the net total (credits exceeding what is overdue)
    # would put the best possible DSO above the DSO: capped at the total
    current = max(min(figures.current, figures.receivables), 0.0)
    dso = simple_dso(figures.receivables, recent_sales, recent_days)
    best = best_possible_dso(current, recent_sales, recent_days)
    judged = [
        invoice for invoice in figures.invoices
        if start <= invoice.due_date + timedelta(days=90) <= end
    ]
    paid_in_month = [
        Invoice(invoice.amount, invoice.invoice_date, invoice.due_date, tuple(
            p for p in invoice.payments if start <= p.date <= end
        ))
        for invoice in figures.invoices
    ]
    month_sales = figures.sales[0] if figures.sales else 0.0
    return {
        "dso_count_back": count_back_dso(
            figures.receivables, list(zip(figures.sales, days, strict=False))
        ) if figures.sales else None,
        "dso_simple": dso,
        "best_dso": best,
        "add": average_days_delinquent(dso, best),
        "cei": cei(figures.beginning_receivables, month_sales, figures.receivables, current),
        "at_risk": at_risk_rate(judged, as_of=end),
        "on_time": share_paid_on_time(paid_in_month),
        "days_to_pay": average_days_to_pay(paid_in_month),
    }
