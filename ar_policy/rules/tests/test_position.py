from datetime import date

import pytest
from rules.position import (
    BELOW_MINIMUM,
    CREDIT_NOTE,
    DISPUTE,
    PAYMENT,
    PROMISE,
    OpenCredit,
    OpenItem,
    Position,
)

TODAY = date(2026, 3, 10)
USD, EUR = 1, 2


def item(line_id, residual, due, currency=USD, company=None, excluded=None):
    return OpenItem(
        line_id=line_id, move_id=line_id, move_name=f"INV/{line_id}", due_date=due,
        currency_id=currency, residual=residual,
        residual_company=residual if company is None else company, excluded=excluded,
    )


def credit(line_id, amount, kind=PAYMENT, currency=USD, company=None):
    return OpenCredit(
        line_id=line_id, move_id=line_id, name=f"PAY/{line_id}", kind=kind,
        date=date(2026, 3, 1), currency_id=currency, amount=amount,
        amount_company=amount if company is None else company,
    )


def position(items=(), credits=(), **values):
    return Position(partner_id=7, company_id=1, today=TODAY, items=tuple(items),
                    credits=tuple(credits), currency_id=USD,
                    currency_roundings={USD: 0.01, EUR: 0.01}, **values)


class TestPosition:
    def test_partly_paid_invoice_is_overdue_by_its_residual(self):
        pos = position([item(1, 600.0, date(2026, 2, 1))])  # 1000 invoiced, 400 paid
        assert pos.overdue_gross == pytest.approx(600.0)
        assert pos.overdue_net == pytest.approx(600.0)
        assert pos.not_yet_due == 0.0
        assert pos.balance == pytest.approx(600.0)
        assert pos.days_late(pos.items[0]) == 37
        assert pos.oldest_overdue_due == date(2026, 2, 1)
        assert pos.oldest_overdue_days == 37

    def test_credits_larger_than_overdue_net_to_zero_and_balance_goes_negative(self):
        pos = position(
            [item(1, 500.0, date(2026, 2, 1)), item(2, 300.0, date(2026, 4, 1))],
            [credit(10, 900.0, CREDIT_NOTE), credit(11, 250.0, PAYMENT)],
        )
        assert pos.overdue_gross == pytest.approx(500.0)
        assert pos.credits_total == pytest.approx(1150.0)
        assert pos.overdue_net == 0.0
        assert pos.credits_cover_overdue
        assert pos.not_yet_due == pytest.approx(300.0)
        assert pos.balance == pytest.approx(-350.0)
        assert pos.exposure().total == pytest.approx(-350.0)

    def test_disputed_and_promised_items_leave_the_overdue_figure(self):
        pos = position([
            item(1, 1000.0, date(2026, 1, 15)),
            item(2, 300.0, date(2026, 1, 1), excluded=DISPUTE),
            item(3, 200.0, date(2026, 2, 20), excluded=PROMISE),
        ], [credit(10, 100.0)])
        assert pos.overdue_gross == pytest.approx(1500.0)
        assert pos.overdue_excluded == pytest.approx(500.0)
        assert pos.overdue_net == pytest.approx(900.0)  # 1500 - 500 - 100
        assert pos.receivable == pytest.approx(1500.0)  # still owed: in exposure
        assert pos.balance == pytest.approx(1400.0)
        assert pos.oldest_overdue_due == date(2026, 1, 15)  # not the disputed one
        assert pos.newest_overdue_due == date(2026, 1, 15)
        assert [i.line_id for i in pos.dunnable_items] == [1]

    def test_an_item_below_the_minimum_is_not_dunned_but_is_overdue(self):
        pos = position([item(1, 5.0, date(2026, 2, 1), excluded=BELOW_MINIMUM)])
        assert pos.dunnable_items == ()
        assert pos.overdue_net == pytest.approx(5.0)
        assert pos.oldest_overdue_due == date(2026, 2, 1)

    def test_an_item_due_today_is_not_yet_due(self):
        due_today = item(1, 250.0, TODAY)
        pos = position([due_today, item(2, 100.0, date(2026, 3, 9)), item(3, 50.0, None)])
        assert [i.line_id for i in pos.overdue_items] == [2]
        assert [i.line_id for i in pos.not_due_items] == [1, 3]
        assert pos.days_late(due_today) == 0
        assert pos.overdue_gross == pytest.approx(100.0)
        assert pos.not_yet_due == pytest.approx(300.0)

    def test_exposure_parts(self):
        pos = position([item(1, 1000.0, date(2026, 4, 1))], [credit(10, 200.0)],
                       drafts_company=300.0, orders_company=50.004)
        exp = pos.exposure()
        assert (exp.receivable, exp.unallocated, exp.drafts, exp.orders) == pytest.approx(
            (1000.0, 200.0, 300.0, 50.0))
        assert exp.total == pytest.approx(1150.0)
        assert pos.exposure(include_drafts=False, net_unallocated=False,
                            include_orders=False).total == pytest.approx(1000.0)

    def test_two_currencies_deduct_credits_in_their_own_currency(self):
        # EUR at 2 per USD: booked in company currency at half
        pos = position([
            item(1, 600.0, date(2026, 2, 1)),
            item(2, 800.0, date(2026, 4, 1)),
            item(3, 1000.0, date(2026, 2, 10), currency=EUR, company=500.0),
            item(4, 400.0, date(2026, 3, 31), currency=EUR, company=200.0),
        ], [
            credit(10, 150.0, CREDIT_NOTE),
            credit(11, 1200.0, PAYMENT, currency=EUR, company=600.0),
        ])
        assert pos.overdue_gross == pytest.approx(1100.0)
        assert pos.credits_total == pytest.approx(750.0)
        assert pos.overdue_net == pytest.approx(350.0)
        assert pos.balance == pytest.approx(1350.0)
        parts = pos.by_currency()
        assert list(parts) == [USD, EUR]
        usd, eur = parts[USD], parts[EUR]
        assert [i.line_id for i in usd.overdue_items] == [1]
        assert [i.line_id for i in usd.not_due_items] == [2]
        assert usd.overdue_net == pytest.approx(450.0)
        assert usd.balance == pytest.approx(1250.0)
        assert [c.line_id for c in eur.credits] == [11]
        assert eur.overdue_net == 0.0  # 1000 EUR overdue, 1200 EUR paid in advance
        assert eur.not_yet_due == pytest.approx(400.0)
        assert eur.balance == pytest.approx(200.0)

    def test_a_currency_with_credits_only_shows_a_negative_balance(self):
        pos = position([item(1, 100.0, date(2026, 2, 1))],
                       [credit(10, 80.0, currency=EUR, company=40.0)])
        eur = pos.by_currency()[EUR]
        assert eur.overdue_items == () and eur.balance == pytest.approx(-80.0)
        assert pos.overdue_net == pytest.approx(60.0)

    def test_amounts_are_rounded_at_the_currency_rounding(self):
        pos = position([item(1, 0.1, date(2026, 2, 1)), item(2, 0.2, date(2026, 2, 2))],
                       [credit(10, 0.3)])
        assert pos.overdue_gross == 0.3
        assert pos.overdue_net == 0.0
        assert pos.credits_cover_overdue
        assert pos.balance == 0.0

    def test_an_empty_position(self):
        pos = position()
        assert (pos.receivable, pos.overdue_net, pos.balance) == (0.0, 0.0, 0.0)
        assert pos.oldest_overdue_due is None and pos.oldest_overdue_days == 0
        assert pos.by_currency() == {}
