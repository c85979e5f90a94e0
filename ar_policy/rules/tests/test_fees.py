from datetime import date

import pytest
from rules import fees
from rules.fees import cap_amount, check_stage, fee_amount, interest_amount, interest_days


def test_fixed_and_percent_in_cents():
    charge = fee_amount(1234.56, fixed=10.0, percent=1.5, rounding=0.01)
    assert charge.fixed == 10.0
    assert charge.percent == 18.52  # 18.5184 rounded to the cent
    assert charge.interest == 0.0
    assert charge.total == pytest.approx(28.52)
    assert not charge.capped


def test_rounding_of_a_currency_without_cents():
    # A currency rounded to the unit (e.g. JPY): 1.5 % of 12,345 = 185.175 -> 185.
    charge = fee_amount(12345.0, fixed=1500.0, percent=1.5, rate=10.0, days=30, rounding=1.0)
    assert charge.percent == 185.0
    # 12,345 x 10 % x 30 / 365 = 101.465... -> 101
    assert charge.interest == 101.0
    assert charge.total == 1786.0


def test_interest_actual_365():
    assert interest_amount(1000.0, 12.0, 15, 0.01) == 4.93  # 4.9315
    assert interest_amount(1000.0, 12.0, 365, 0.01) == 120.0
    assert interest_amount(1000.0, 0.0, 15, 0.01) == 0.0
    assert interest_amount(1000.0, 12.0, 0, 0.01) == 0.0


def test_interest_days_first_charge_counts_from_due_date():
    assert interest_days(date(2026, 3, 1), None, date(2026, 3, 16)) == 15


def test_interest_days_only_for_days_not_yet_charged():
    # Charged up to the 16th at the first fee stage; the second, on the 31st, charges 15.
    assert interest_days(date(2026, 3, 1), date(2026, 3, 16), date(2026, 3, 31)) == 15
    # Charged today already: nothing more.
    assert interest_days(date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31)) == 0


def test_interest_days_never_negative_before_due():
    assert interest_days(date(2026, 3, 10), None, date(2026, 3, 7)) == 0


def test_cap_amount():
    assert cap_amount(1000.0, 5.0, 0.01) == 50.0
    assert cap_amount(333.33, 3.0, 0.01) == 10.0  # 9.9999
    assert cap_amount(1000.0, 0.0, 0.01) is None


def test_cap_wins_charges_only_what_remains():
    # 40 charged already of a 50 cap: a fee of 25 + interest is cut to the 10 left.
    charge = fee_amount(1000.0, fixed=25.0, rate=12.0, days=15, already_charged=40.0,
                        cap=50.0, rounding=0.01)
    assert charge.capped
    assert charge.fixed == 10.0
    assert charge.interest == 0.0
    assert charge.total == 10.0


def test_cap_reached_charges_nothing():
    charge = fee_amount(1000.0, fixed=25.0, already_charged=50.0, cap=50.0, rounding=0.01)
    assert charge.total == 0.0
    assert charge.capped


def test_cap_not_reached_charges_everything():
    charge = fee_amount(1000.0, fixed=25.0, rate=12.0, days=15, already_charged=10.0,
                        cap=50.0, rounding=0.01)
    assert not charge.capped
    assert charge.total == pytest.approx(29.93)


def test_cap_in_a_currency_without_cents():
    charge = fee_amount(10000.0, fixed=300.0, percent=1.5, already_charged=0.0, cap=450.0,
                        rounding=1.0)
    assert charge.fixed == 300.0
    assert charge.percent == 150.0
    assert charge.total == 450.0
    assert not charge.capped
    charge = fee_amount(10000.0, fixed=300.0, percent=2.0, cap=450.0, rounding=1.0)
    assert charge.percent == 150.0
    assert charge.capped


def test_negative_open_amount_charges_only_the_fixed_fee():
    charge = fee_amount(-50.0, fixed=5.0, percent=10.0, rate=10.0, days=30, rounding=0.01)
    assert charge.total == 5.0


def test_check_stage_names_bad_fields():
    assert check_stage(10.0, 1.0, 12.0) == []
    assert check_stage(-1.0, 1.0, 12.0) == ["fee_fixed"]
    assert check_stage(0.0, -1.0, 12.0) == ["fee_percent"]
    assert check_stage(0.0, 0.0, 100.5) == ["interest_rate"]
    assert check_stage(0.0, 0.0, -0.1) == ["interest_rate"]


def test_allocate_keeps_the_first_periods_whole_under_a_cap():
    """A cap that cuts the interest short: the earlier rate periods are charged in
    full, the later ones get what is left, none gets more than its own amount."""
    assert fees.allocate([83.42, 26.71], 110.13, 0.01) == [83.42, 26.71]
    assert fees.allocate([83.42, 26.71], 90.0, 0.01) == [83.42, 6.58]
    assert fees.allocate([83.42, 26.71], 50.0, 0.01) == [50.0, 0.0]
    assert fees.allocate([10.0], 0.0, 0.01) == [0.0]


def test_fee_amount_takes_interest_already_computed():
    charge = fees.fee_amount(1000.0, fixed=40.0, interest=110.13, days=40, cap=100.0)
    assert (charge.fixed, charge.interest, charge.capped) == (40.0, 60.0, True)
    assert charge.interest_days == 40
