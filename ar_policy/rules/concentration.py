"""Customer concentration: shares, the Herfindahl-Hirschman index, threshold levels,
crossings and which snapshots to keep (DOMAIN 4).

Shares are percentages (0-100). A customer whose net revenue over the window is zero
or negative (more credit notes than invoices) has no share and does not count in the
portfolio: the total is the sum of the positive revenues, so shares add up to 100.
"""

import calendar
from datetime import timedelta

OK = "ok"
WARNING = "warning"
CRITICAL = "critical"
LEVELS = (OK, WARNING, CRITICAL)
_RANK = {OK: 0, WARNING: 1, CRITICAL: 2}


def shares(values):
    """{key: share in percent} of the positive ``values``; 0 for the others."""
    total = sum(v for v in values.values() if v > 0)
    if total <= 0:
        return {key: 0.0 for key in values}
    return {key: (v * 100.0 / total if v > 0 else 0.0) for key, v in values.items()}


def hhi(share_values):
    """Herfindahl-Hirschman index: the sum of the squared percentage shares (0-10,000)."""
    return sum(s * s for s in share_values)


def effective_number(index):
    """The number of equal customers that would give this index (10,000 / HHI)."""
    return 10000.0 / index if index > 0 else 0.0


def top_share(share_values, count):
    """Share of the ``count`` largest customers together."""
    return sum(sorted(share_values, reverse=True)[:count])


def level(share, warning, critical):
    """``critical`` above the critical share, ``warning`` above the warning share."""
    if share > critical:
        return CRITICAL
    if share > warning:
        return WARNING
    return OK


def highest(*levels):
    return max(levels, key=_RANK.__getitem__) if levels else OK


def is_crossing(previous, current):
    """A crossing is a move to a higher level than the one last notified: once per
    crossing, never again while the customer stays there."""
    return _RANK[current] > _RANK[previous or OK]


def portfolio_eligible(customers, total_revenue, min_customers, min_revenue):
    """Below the minimum portfolio, shares mean little: no warning is raised."""
    return customers >= (min_customers or 0) and total_revenue >= (min_revenue or 0.0)


def share_after(value, total, amount):
    """Share of a customer whose positive total is ``value`` in ``total`` (the sum of
    the positive values) once a document of ``amount`` is added."""
    before = max(value, 0.0)
    after = max(value + amount, 0.0)
    new_total = total - before + after
    return after * 100.0 / new_total if new_total > 0 else 0.0


def window_start(as_of, months):
    """First day of the trailing window of ``months`` months ending on ``as_of``
    (included): 12 months to 30 June 2026 start on 1 July 2025."""
    month_index = as_of.year * 12 + as_of.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(as_of.day, calendar.monthrange(year, month)[1])
    return as_of.replace(year=year, month=month, day=day) + timedelta(days=1)


def dates_to_drop(dates, today, keep_daily_days):
    """Snapshot dates to delete: those older than ``keep_daily_days`` that are not the
    last snapshot date of their month (month-ends are kept for ever)."""
    dates = set(dates)
    cutoff = today - timedelta(days=keep_daily_days)
    last_of_month = {}
    for day in dates:
        key = (day.year, day.month)
        if key not in last_of_month or day > last_of_month[key]:
            last_of_month[key] = day
    return sorted(
        day for day in dates
        if day < cutoff and last_of_month[(day.year, day.month)] != day
    )


def portfolio(revenues):
    """Portfolio figures from {customer: revenue}: index, effective number, top shares."""
    revenue_shares = shares(revenues)
    positive = [s for key, s in revenue_shares.items() if revenues[key] > 0]
    index = hhi(positive)
    return {
        "total_revenue": sum(v for v in revenues.values() if v > 0),
        "customers_count": len(positive),
        "hhi": index,
        "effective_number": effective_number(index),
        "top1_share": top_share(positive, 1),
        "top5_share": top_share(positive, 5),
        "top10_share": top_share(positive, 10),
    }
