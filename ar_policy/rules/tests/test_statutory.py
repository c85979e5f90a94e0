from datetime import date

import pytest
from rules.fees import interest_amount, interest_days
from rules.statutory import (
    PRESET_CONTRACTUAL,
    PRESET_EU,
    PRESET_UK,
    InterestPeriod,
    ReferenceRate,
    check_rate,
    fixed_compensation,
    interest_periods,
    interest_total,
    rate_on,
    statutory_rate,
)

# ECB main refinancing rate: 4.50 % since September 2025, cut to 4.25 % on 11 June 2026
# and to 4.00 % on 15 July 2026.
ECB = [
    ReferenceRate(date(2025, 9, 18), 4.50),
    ReferenceRate(date(2026, 6, 11), 4.25),
    ReferenceRate(date(2026, 7, 15), 4.00),
]
# Bank of England base rate: 4.00 % since August 2025, 3.75 % from 18 December 2025,
# 3.50 % from 30 June 2026, 3.25 % from 1 July 2026.
BOE = [
    ReferenceRate(date(2025, 8, 7), 4.00),
    ReferenceRate(date(2025, 12, 18), 3.75),
    ReferenceRate(date(2026, 6, 30), 3.50),
    ReferenceRate(date(2026, 7, 1), 3.25),
]


def test_eu_rate_is_the_one_in_force_on_1_january_or_1_july():
    # First half of 2026: the rate in force on 1 January (4.50); the June cut waits.
    assert rate_on(ECB, date(2026, 6, 30), PRESET_EU) == 4.50
    # Second half: the rate in force on 1 July (4.25); the 15 July cut waits for 2027.
    assert rate_on(ECB, date(2026, 7, 1), PRESET_EU) == 4.25
    assert rate_on(ECB, date(2026, 12, 31), PRESET_EU) == 4.25
    assert rate_on(ECB, date(2027, 1, 1), PRESET_EU) == 4.00
    assert statutory_rate(PRESET_EU, ECB, date(2026, 7, 1)) == 12.25


def test_uk_rate_is_the_one_in_force_on_the_30_june_or_31_december_before():
    # January to June 2026: base rate on 31 December 2025 = 3.75.
    assert rate_on(BOE, date(2026, 1, 1), PRESET_UK) == 3.75
    assert rate_on(BOE, date(2026, 6, 30), PRESET_UK) == 3.75
    # July to December 2026: base rate on 30 June 2026 = 3.50; the 1 July change is
    # not in force on 30 June (the EU preset, on 1 July, would take it).
    assert rate_on(BOE, date(2026, 7, 1), PRESET_UK) == 3.50
    assert rate_on(BOE, date(2026, 7, 1), PRESET_EU) == 3.25
    assert statutory_rate(PRESET_UK, BOE, date(2026, 7, 1)) == 11.50


def test_eu_interest_over_1_july_with_a_reference_rate_change():
    # EUR 10,000.00 due 15 June 2026, charged on 31 July 2026.
    # 16-30 June: 15 days at 4.50 + 8 = 12.50 %: 10,000 x 12.50 % x 15 / 365 = 51.3699
    # 1-31 July:  31 days at 4.25 + 8 = 12.25 %: 10,000 x 12.25 % x 31 / 365 = 104.0411
    periods = interest_periods(10000.0, date(2026, 6, 15), date(2026, 7, 31), PRESET_EU,
                               ECB, rounding=0.01)
    assert periods == [
        InterestPeriod(date(2026, 6, 16), date(2026, 6, 30), 15, 12.50, 51.37),
        InterestPeriod(date(2026, 7, 1), date(2026, 7, 31), 31, 12.25, 104.04),
    ]
    assert interest_total(periods) == 155.41
    # The same days as the contractual count (fees.interest_days).
    assert sum(p.days for p in periods) == interest_days(date(2026, 6, 15), None,
                                                          date(2026, 7, 31))


def test_eu_interest_over_1_january():
    # EUR 2,000.00; 2nd half 2025 at 4.00 + 8 = 12 %, 1st half 2026 at 3.50 + 8 = 11.5 %.
    rates = [ReferenceRate(date(2025, 7, 1), 4.00), ReferenceRate(date(2026, 1, 1), 3.50)]
    # 18-31 Dec: 2,000 x 12 % x 14 / 365 = 9.2055; 1-10 Jan: 2,000 x 11.5 % x 10 / 365 = 6.3014
    periods = interest_periods(2000.0, date(2025, 12, 17), date(2026, 1, 10), PRESET_EU,
                               rates)
    assert [(p.days, p.rate, p.amount) for p in periods] == [(14, 12.0, 9.21),
                                                             (10, 11.5, 6.30)]
    assert interest_total(periods) == 15.51


def test_eu_same_rate_across_1_july_is_one_line():
    rates = [ReferenceRate(date(2026, 1, 1), 4.50)]
    # 16 June - 31 July, 46 days at 12.50 %: 10,000 x 12.50 % x 46 / 365 = 157.5342
    periods = interest_periods(10000.0, date(2026, 6, 15), date(2026, 7, 31), PRESET_EU,
                               rates)
    assert periods == [InterestPeriod(date(2026, 6, 16), date(2026, 7, 31), 46, 12.5, 157.53)]


def test_uk_rate_is_fixed_for_the_life_of_the_debt():
    # GBP 5,000.00 due 20 June 2026: interest starts to run on 21 June, so the base rate
    # on 31 December 2025 (3.75) + 8 = 11.75 % holds after 1 July too.
    # 21 June - 20 July, 30 days: 5,000 x 11.75 % x 30 / 365 = 48.2877
    periods = interest_periods(5000.0, date(2026, 6, 20), date(2026, 7, 20), PRESET_UK,
                               BOE, due_date=date(2026, 6, 20))
    assert periods == [InterestPeriod(date(2026, 6, 21), date(2026, 7, 20), 30, 11.75, 48.29)]
    # The next charge, from the last charge date, keeps the debt's rate:
    # 21 July - 19 August, 30 days, 48.29 again.
    later = interest_periods(5000.0, date(2026, 7, 20), date(2026, 8, 19), PRESET_UK, BOE,
                             due_date=date(2026, 6, 20))
    assert [(p.days, p.rate, p.amount) for p in later] == [(30, 11.75, 48.29)]


def test_uk_debt_late_from_july_takes_the_30_june_rate():
    # Due 10 July 2026: base rate on 30 June 2026 = 3.50, so 11.50 %.
    # 11-20 July, 10 days: 2,000 x 11.5 % x 10 / 365 = 6.3014
    periods = interest_periods(2000.0, date(2026, 7, 10), date(2026, 7, 20), PRESET_UK,
                               BOE, due_date=date(2026, 7, 10))
    assert [(p.days, p.rate, p.amount) for p in periods] == [(10, 11.5, 6.30)]


def test_contractual_is_one_line_at_the_agreed_rate():
    # EUR 3,000.00 at 10 %, 46 days: 3,000 x 10 % x 46 / 365 = 37.8082, as fees.py.
    periods = interest_periods(3000.0, date(2026, 6, 15), date(2026, 7, 31),
                               PRESET_CONTRACTUAL, contractual_rate=10.0)
    assert periods == [InterestPeriod(date(2026, 6, 16), date(2026, 7, 31), 46, 10.0, 37.81)]
    assert periods[0].amount == interest_amount(3000.0, 10.0, 46, 0.01)
    assert interest_periods(3000.0, date(2026, 6, 15), date(2026, 7, 31),
                            PRESET_CONTRACTUAL, contractual_rate=0.0) == []
    with pytest.raises(ValueError, match="contractual"):
        interest_periods(3000.0, date(2026, 6, 15), date(2026, 7, 31), PRESET_CONTRACTUAL)


def test_zero_day_period_and_nothing_owed_charge_nothing():
    assert interest_periods(10000.0, date(2026, 7, 31), date(2026, 7, 31), PRESET_EU,
                            ECB) == []
    assert interest_periods(10000.0, date(2026, 8, 5), date(2026, 7, 31), PRESET_EU,
                            ECB) == []
    assert interest_periods(0.0, date(2026, 6, 15), date(2026, 7, 31), PRESET_EU, ECB) == []
    assert interest_periods(-50.0, date(2026, 6, 15), date(2026, 7, 31), PRESET_EU, ECB) == []
    assert interest_total([]) == 0.0


def test_rounding_per_period_in_a_currency_without_cents():
    # 123,457 at rounding 1: 123,457 x 12.50 % x 15 / 365 = 634.197 -> 634
    #                        123,457 x 12.25 % x 31 / 365 = 1,284.460 -> 1,284
    # Total = 634 + 1,284 = 1,918 (rounding the unsplit 1,918.657 would give 1,919).
    periods = interest_periods(123457.0, date(2026, 6, 15), date(2026, 7, 31), PRESET_EU,
                               ECB, rounding=1.0)
    assert [p.amount for p in periods] == [634.0, 1284.0]
    assert interest_total(periods, rounding=1.0) == 1918.0


def test_no_rate_for_a_date_names_the_date():
    rates = [ReferenceRate(date(2026, 3, 1), 4.0)]
    # EU, February 2026: needs the rate in force on 1 January 2026.
    with pytest.raises(ValueError, match=r"2026-02-10.*2026-01-01"):
        rate_on(rates, date(2026, 2, 10), PRESET_EU)
    # UK, January 2026: needs the rate in force on 31 December 2025.
    with pytest.raises(ValueError, match=r"2026-01-05.*2025-12-31"):
        rate_on([ReferenceRate(date(2026, 1, 1), 4.0)], date(2026, 1, 5), PRESET_UK)
    with pytest.raises(ValueError, match="No Reference Rate"):
        interest_periods(1000.0, date(2026, 2, 1), date(2026, 2, 28), PRESET_EU, rates)
    with pytest.raises(ValueError, match="No Reference Rate"):
        rate_on([], date(2026, 2, 10), PRESET_EU)


def test_reference_rate_out_of_range_is_refused():
    assert check_rate(-5.0) == -5.0
    assert check_rate(50) == 50
    for bad in (-5.01, 50.01, 75.0, float("nan"), None, True):
        with pytest.raises(ValueError, match="Reference Rate"):
            check_rate(bad)
    with pytest.raises(ValueError, match="Reference Rate"):
        rate_on([ReferenceRate(date(2026, 1, 1), 75.0)], date(2026, 2, 1), PRESET_EU)


def test_two_rates_from_the_same_day_are_refused():
    rates = [ReferenceRate(date(2026, 1, 1), 4.0), ReferenceRate(date(2026, 1, 1), 4.5)]
    with pytest.raises(ValueError, match="2026-01-01"):
        rate_on(rates, date(2026, 2, 1), PRESET_EU)


def test_contractual_preset_has_no_reference_rate():
    with pytest.raises(ValueError, match="not a statutory"):
        statutory_rate(PRESET_CONTRACTUAL, ECB, date(2026, 2, 1))


def test_uk_fixed_compensation_tiers():
    assert fixed_compensation(PRESET_UK, 999.99, False) == (40.0, "GBP")
    assert fixed_compensation(PRESET_UK, 1000.0, False) == (70.0, "GBP")
    assert fixed_compensation(PRESET_UK, 9999.99, False) == (70.0, "GBP")
    assert fixed_compensation(PRESET_UK, 10000.0, False) == (100.0, "GBP")
    assert fixed_compensation(PRESET_UK, 250000.0, False) == (100.0, "GBP")


def test_eu_fixed_compensation_whatever_the_amount():
    assert fixed_compensation(PRESET_EU, 12.0, False) == (40.0, "EUR")
    assert fixed_compensation(PRESET_EU, 1_000_000.0, False) == (40.0, "EUR")


def test_fixed_compensation_once_per_invoice():
    assert fixed_compensation(PRESET_EU, 5000.0, True) == (0.0, "EUR")
    assert fixed_compensation(PRESET_UK, 5000.0, True) == (0.0, "GBP")


def test_no_fixed_compensation_for_contractual_or_nothing_owed():
    assert fixed_compensation(PRESET_CONTRACTUAL, 5000.0, False) == (0.0, None)
    assert fixed_compensation(PRESET_UK, 0.0, False) == (0.0, "GBP")
    assert fixed_compensation(PRESET_EU, -100.0, False) == (0.0, "EUR")
    with pytest.raises(ValueError, match="preset"):
        fixed_compensation("french_law", 5000.0, False)
