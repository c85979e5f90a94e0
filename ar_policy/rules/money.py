"""Rounding and comparison of amounts at a currency's rounding (no float equality)."""

from decimal import ROUND_HALF_UP, Decimal


def round_amount(amount, rounding):
    """Round half-up to a multiple of ``rounding`` (e.g. 0.01), as Odoo's float_round."""
    if not rounding:
        return amount
    step = Decimal(repr(rounding))
    units = (Decimal(repr(amount)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(units * step)


def compare(a, b, rounding):
    """-1, 0 or 1 as ``a`` is below, equal to or above ``b`` once both are rounded."""
    delta = round_amount(a, rounding) - round_amount(b, rounding)
    if abs(delta) < rounding / 2:
        return 0
    return 1 if delta > 0 else -1


def is_zero(amount, rounding):
    return compare(amount, 0.0, rounding) == 0
