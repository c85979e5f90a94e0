from datetime import date

import pytest
from rules import aging
from rules.aging import (
    DAYS_1_30,
    DAYS_31_60,
    DAYS_61_90,
    DAYS_91_120,
    NOT_DUE,
    OVER_120,
    AgingItem,
    Partial,
)
from rules.position import PAYMENT, OpenCredit, OpenItem, Position

AS_OF = date(2026, 3, 31)


def ledger():
    return [
        # Customer 1. A: due 15 Mar, 16 days late on 31 Mar; 400 paid on 20 Mar.
        AgingItem(1, date(2026, 3, 15), 1000.0, (Partial(date(2026, 3, 20), 400.0),)),
        # B: due 10 Jan, 80 days late (21 + 28 + 31); paid in full on 5 Apr, later.
        AgingItem(1, date(2026, 1, 10), 500.0, (Partial(date(2026, 4, 5), 500.0),)),
        # C: due 15 Apr, not yet due.
        AgingItem(1, date(2026, 4, 15), 300.0),
        # E: booked on 2 Apr, after the 31 Mar report.
        AgingItem(1, date(2026, 5, 2), 700.0, entry_date=date(2026, 4, 2)),
        # Customer 2. D: due 1 Nov 2025, 150 days late (30 + 31 + 31 + 28 + 30).
        AgingItem(2, date(2025, 11, 1), 200.0),
        # An unallocated payment of 50 dated 25 Mar: a credit 6 days old.
        AgingItem(2, date(2026, 3, 25), -50.0, entry_date=date(2026, 3, 25)),
    ]


class TestBucket:
    @pytest.mark.parametrize("days, code", [
        (-10, NOT_DUE), (0, NOT_DUE), (1, DAYS_1_30), (30, DAYS_1_30), (31, DAYS_31_60),
        (60, DAYS_31_60), (61, DAYS_61_90), (90, DAYS_61_90), (91, DAYS_91_120),
        (120, DAYS_91_120), (121, OVER_120), (5000, OVER_120),
    ])
    def test_boundaries(self, days, code):
        assert aging.bucket(days) == code

    def test_buckets_are_data(self):
        two = (aging.Bucket("current", None, 0), aging.Bucket("late", 1, None))
        assert aging.bucket(0, two) == "current"
        assert aging.bucket(45, two) == "late"
        with pytest.raises(ValueError):
            aging.bucket(5, (aging.Bucket("current", None, 0),))


class TestAged:
    def test_as_of_month_end(self):
        report = aging.aged(ledger(), AS_OF)
        one = report.row(1)
        # A 1000 - 400 = 600 in 1-30; B still 500 in 61-90 (paid after); C 300 not due.
        assert one.amounts == pytest.approx((300.0, 600.0, 0.0, 500.0, 0.0, 0.0))
        assert one[DAYS_61_90] == pytest.approx(500.0)
        assert one.overdue == pytest.approx(1100.0)
        assert one.total == pytest.approx(1400.0)  # E, booked later, is not there
        two = report.row(2)
        assert two.amounts == pytest.approx((0.0, -50.0, 0.0, 0.0, 0.0, 200.0))
        assert two.total == pytest.approx(150.0)
        # Totals: 300 | 600 - 50 = 550 | 0 | 500 | 0 | 200 -> 1550.
        assert report.totals.partner_id is None
        assert report.totals.amounts == pytest.approx((300.0, 550.0, 0.0, 500.0, 0.0, 200.0))
        assert report.totals.total == pytest.approx(1550.0)

    def test_past_date_ignores_later_partial_payment(self):
        # On 15 Mar: A is due that day (not due) and the 400 of 20 Mar is not paid yet.
        # B is 64 days late (21 + 28 + 15); D 134 (30 + 31 + 31 + 28 + 14).
        # The payment of 25 Mar is not booked yet.
        report = aging.aged(ledger(), date(2026, 3, 15))
        assert report.row(1).amounts == pytest.approx((1000.0 + 300.0, 0.0, 0.0, 500.0, 0.0, 0.0))
        assert report.row(2).amounts == pytest.approx((0.0, 0.0, 0.0, 0.0, 0.0, 200.0))
        assert report.totals.total == pytest.approx(1000.0 + 300.0 + 500.0 + 200.0)

    def test_later_date_drops_paid_items(self):
        # On 10 Apr: B paid on 5 Apr (gone); A 26 days late, 600; E booked 2 Apr, not due.
        report = aging.aged(ledger(), date(2026, 4, 10))
        assert report.row(1).amounts == pytest.approx((300.0 + 700.0, 600.0, 0.0, 0.0, 0.0, 0.0))

    def test_partial_on_the_date_counts(self):
        item = AgingItem(1, date(2026, 3, 1), 100.0, (Partial(date(2026, 3, 31), 100.0),))
        assert aging.aged([item], AS_OF).rows == ()
        assert aging.aged([item], date(2026, 3, 30)).row(1)[DAYS_1_30] == pytest.approx(100.0)

    def test_no_due_date_is_not_due(self):
        report = aging.aged([AgingItem(1, None, 80.0)], AS_OF)
        assert report.row(1)[NOT_DUE] == pytest.approx(80.0)

    def test_rounding_at_currency_rounding_and_totals_foot(self):
        # 0.1 + 0.2 = 0.30000000000000004 -> 0.3; 1 unit of a 0.05 rounding: 0.333 -> 0.35.
        items = [AgingItem(1, date(2026, 3, 1), 0.1), AgingItem(1, date(2026, 3, 2), 0.2),
                 AgingItem(2, date(2026, 3, 1), 1.0, (Partial(date(2026, 3, 2), 0.667),))]
        report = aging.aged(items, AS_OF, rounding=0.05)
        assert report.row(1)[DAYS_1_30] == pytest.approx(0.3)
        assert report.row(2)[DAYS_1_30] == pytest.approx(0.35)
        assert report.totals[DAYS_1_30] == pytest.approx(0.65)

    def test_fully_paid_customer_has_no_row(self):
        item = AgingItem(3, date(2026, 1, 1), 100.0, (Partial(date(2026, 2, 1), 99.999),))
        report = aging.aged([item], AS_OF)
        assert report.rows == ()
        assert report.row(3) is None
        assert report.totals.total == 0.0


class TestPosition:
    def test_aged_position(self):
        # Today 31 Mar: 600 due 15 Feb (44 days: 13 + 31) and 250 due 10 Apr; a
        # payment of 100 dated 30 Mar (1 day old, a credit in 1-30).
        position = Position(
            partner_id=7, company_id=1, today=AS_OF, currency_id=1,
            items=(
                OpenItem(1, 1, "INV/1", date(2026, 2, 15), 1, 600.0, 600.0),
                OpenItem(2, 2, "INV/2", date(2026, 4, 10), 1, 250.0, 250.0),
            ),
            credits=(OpenCredit(3, 3, "PAY/3", PAYMENT, date(2026, 3, 30), 1, 100.0, 100.0),),
        )
        report = aging.aged_position(position)
        assert report.row(7).amounts == pytest.approx((250.0, -100.0, 600.0, 0.0, 0.0, 0.0))
        assert report.row(7).total == pytest.approx(position.balance)
        assert report.row(7)[DAYS_91_120] == 0.0
