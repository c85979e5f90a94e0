from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import ArPolicyCommon

TODAY = date(2026, 3, 10)


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10")
class TestAccountPosition(ArPolicyCommon):
    """DESIGN 9: one account position per customer and company, built in bulk, that
    every figure reads. One customer (and its invoicing contact) owes, on 2026-03-10,
    in USD unless said otherwise:

    =====  ======================  ==========  ===========  ===================
    item   what                    due         open         why excluded
    =====  ======================  ==========  ===========  ===================
    A      1000 invoice, 400 paid  2026-02-01  600          -
    B      500 invoice             2026-03-10  500          - (due today)
    C      800 invoice             2026-04-01  800          -
    D      300 invoice, disputed   2026-02-15  300          dispute
    E      200 invoice, promised   2026-02-20  200          promise
    F      EUR 1000 (2 EUR = 1$)   2026-02-10  EUR 1000/500 -
    G      5 invoice               2026-02-25  5            below_minimum (10)
    =====  ======================  ==========  ===========  ===================

    Credits: a 150 credit note and a 250 unallocated payment. A 100 draft invoice.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        cls.company.ar_escalation_min_amount = 10.0
        cls.customer = cls.env["res.partner"].create({
            "name": "Netting Industries", "is_company": True, "email": "ap@netting.example",
        })
        cls.contact = cls.env["res.partner"].create({
            "name": "Accounts Payable", "type": "invoice", "parent_id": cls.customer.id,
            "email": "payables@netting.example",
        })
        cls.usd = cls.company.currency_id

        def posted(partner, amount, due, **values):
            return cls._post(cls._invoice(partner, amount, date=date(2026, 1, 2), due=due,
                                          **values))

        cls.inv_a = posted(cls.contact, 1000.0, date(2026, 2, 1))
        cls.inv_b = posted(cls.customer, 500.0, TODAY)
        cls.inv_c = posted(cls.contact, 800.0, date(2026, 4, 1))
        cls.inv_d = posted(cls.customer, 300.0, date(2026, 2, 15))
        cls.inv_e = posted(cls.customer, 200.0, date(2026, 2, 20))
        cls.inv_f = posted(cls.customer, 1000.0, date(2026, 2, 10), currency=cls.eur)
        cls.inv_g = posted(cls.customer, 5.0, date(2026, 2, 25))
        cls.refund = cls._post(cls._invoice(cls.customer, 150.0, date=date(2026, 3, 5),
                                            move_type="out_refund"))
        cls.payment = cls._payment(cls.contact, 250.0, date=date(2026, 3, 1))
        cls.draft = cls._invoice(cls.customer, 100.0)
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.inv_a.ids,
        ).create({"amount": 400.0, "payment_date": date(2026, 2, 15)})._create_payments()
        cls.env["ar.dispute.wizard"].with_user(cls.controller).with_context(
            active_model="account.move", active_ids=cls.inv_d.ids,
        ).create({"action": "dispute", "reason": "Goods arrived damaged"}).action_apply()
        form = Form(cls.env["ar.promise.wizard"].with_user(cls.controller).with_context(
            active_model="account.move", active_ids=cls.inv_e.ids, active_id=cls.inv_e.id,
        ))
        form.date = date(2026, 3, 20)
        form.reason = "Pays after its own customer does"
        form.save().action_confirm()
        cls.env.invalidate_all()

    def _position(self, partners=None):
        positions = self.env["ar.account.position"]._ar_positions(
            partners or self.contact, self.company
        )
        return positions[self.customer.id] if partners is None else positions

    @staticmethod
    def _line(move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    def test_items_and_credits(self):
        position = self._position()
        self.assertEqual((position.partner_id, position.company_id, position.today),
                         (self.customer.id, self.company.id, TODAY))
        usd, eur = self.usd.id, self.eur.id
        self.assertEqual(
            {(item.move_id, item.line_id, item.due_date, item.currency_id, item.residual,
              item.residual_company, item.excluded) for item in position.items},
            {
                (self.inv_a.id, self._line(self.inv_a).id, date(2026, 2, 1), usd, 600.0, 600.0,
                 None),
                (self.inv_b.id, self._line(self.inv_b).id, TODAY, usd, 500.0, 500.0, None),
                (self.inv_c.id, self._line(self.inv_c).id, date(2026, 4, 1), usd, 800.0, 800.0,
                 None),
                (self.inv_d.id, self._line(self.inv_d).id, date(2026, 2, 15), usd, 300.0, 300.0,
                 "dispute"),
                (self.inv_e.id, self._line(self.inv_e).id, date(2026, 2, 20), usd, 200.0, 200.0,
                 "promise"),
                (self.inv_f.id, self._line(self.inv_f).id, date(2026, 2, 10), eur, 1000.0, 500.0,
                 None),
                (self.inv_g.id, self._line(self.inv_g).id, date(2026, 2, 25), usd, 5.0, 5.0,
                 "below_minimum"),
            },
        )
        self.assertEqual(
            [item.move_name for item in position.overdue_items],
            [self.inv_a.name, self.inv_f.name, self.inv_d.name, self.inv_e.name, self.inv_g.name],
        )
        self.assertEqual([item.move_name for item in position.not_due_items],
                         [self.inv_b.name, self.inv_c.name])
        self.assertEqual(
            {(credit.move_id, credit.kind, credit.currency_id, credit.amount,
              credit.amount_company) for credit in position.credits},
            {
                (self.refund.id, "credit_note", usd, 150.0, 150.0),
                (self.payment.move_id.id, "payment", usd, 250.0, 250.0),
            },
        )

    def test_figures(self):
        position = self._position()
        self.assertAlmostEqual(position.overdue_gross, 1605.0)  # A 600 + D + E + F 500 + G
        self.assertAlmostEqual(position.overdue_excluded, 500.0)  # D 300 + E 200
        self.assertAlmostEqual(position.credits_total, 400.0)
        self.assertAlmostEqual(position.overdue_net, 705.0)  # 1605 - 500 - 400
        self.assertAlmostEqual(position.not_yet_due, 1300.0)  # B (due today) + C
        self.assertAlmostEqual(position.receivable, 2905.0)
        self.assertAlmostEqual(position.balance, 2505.0)
        self.assertEqual(position.oldest_overdue_due, date(2026, 2, 1))
        self.assertEqual(position.newest_overdue_due, date(2026, 2, 25))  # G still counts
        self.assertEqual(position.oldest_overdue_days, 37)
        exposure = position.exposure()
        self.assertEqual(
            (exposure.receivable, exposure.unallocated, exposure.drafts, exposure.orders),
            (2905.0, 400.0, 100.0, 0.0),
        )
        self.assertAlmostEqual(exposure.total, 2605.0)
        by_currency = position.by_currency()
        self.assertEqual(set(by_currency), {self.usd.id, self.eur.id})
        usd, eur = by_currency[self.usd.id], by_currency[self.eur.id]
        self.assertAlmostEqual(usd.overdue_net, 205.0)  # 1105 - 500 - 400
        self.assertAlmostEqual(usd.balance, 2005.0)
        self.assertAlmostEqual(eur.overdue_net, 1000.0)
        self.assertAlmostEqual(eur.balance, 1000.0)
        self.assertEqual(eur.credits, ())

    def test_credit_file_exposure_equals_the_position(self):
        position = self._position()
        file = self._file(self.customer)
        exposure = position.exposure(
            include_drafts=self.company.ar_exposure_include_drafts,
            net_unallocated=self.company.ar_exposure_net_unallocated,
        )
        self.assertEqual(
            (file.exposure_receivable, file.exposure_unallocated, file.exposure_drafts,
             file.exposure_orders, file.exposure),
            (exposure.receivable, exposure.unallocated, exposure.drafts, exposure.orders,
             exposure.total),
        )
        self.assertEqual(file.oldest_overdue_days, position.oldest_overdue_days)

    def test_credit_file_overdue_equals_the_position(self):
        """The file's overdue figure is DESIGN 2's: 1605 overdue, less 500 disputed or
        promised, less 400 of credits = 705 (it was 205 while the file deducted the
        excluded items twice)."""
        file = self._file(self.customer)
        self.assertAlmostEqual(file.overdue_amount, self._position().overdue_net)

    def test_open_item_sql_is_a_reusable_fragment(self):
        """The open-item SQL, for every customer of the company, in another query."""
        Position = self.env["ar.account.position"]
        rows = dict(self.env.execute_query(SQL(
            """SELECT item.partner_id, SUM(item.residual_company)
                 FROM (%s) item
                WHERE item.excluded IS NULL
             GROUP BY item.partner_id""",
            Position._ar_open_item_sql(self.company, TODAY),
        )))
        self.assertAlmostEqual(rows[self.customer.id], 2400.0)  # A + B + C + F
        credits = dict(self.env.execute_query(SQL(
            "SELECT item.partner_id, SUM(item.amount_company) FROM (%s) item "
            "GROUP BY item.partner_id",
            Position._ar_open_credit_sql(self.company, [self.customer.id]),
        )))
        self.assertEqual(credits, {self.customer.id: 400.0})

    def test_exposure_totals_equal_the_position(self):
        """The credit check's totals, summed in SQL, are the position's exposure: 2905
        owed (the excluded items too), 400 of credits, the 100 draft; the draft being
        posted is left out; a customer without anything gets zeros."""
        Position = self.env["ar.account.position"]
        empty = self.env["res.partner"].create({"name": "Nothing Owed", "is_company": True})
        totals = Position._ar_totals(self.contact | empty, self.company, TODAY)
        exposure = self._position().exposure()
        self.assertEqual(totals[self.customer.id], dict(
            receivable=exposure.receivable, unallocated=exposure.unallocated,
            drafts=exposure.drafts, orders=exposure.orders))
        self.assertEqual(totals[self.customer.id]["receivable"], 2905.0)
        self.assertEqual(totals[self.customer.id]["unallocated"], 400.0)
        self.assertEqual(totals[empty.id], dict(
            receivable=0.0, unallocated=0.0, drafts=0.0, orders=0.0))
        posting = Position._ar_totals(self.customer, self.company, TODAY,
                                      exclude_move_ids=self.draft.ids)
        self.assertEqual(posting[self.customer.id]["drafts"], 0.0)

    def test_a_customer_in_credit(self):
        """Credits above what is overdue: nothing overdue, a negative balance."""
        self._payment(self.customer, 3000.0, date=TODAY)
        position = self._position()
        self.assertEqual(position.overdue_net, 0.0)
        self.assertTrue(position.credits_cover_overdue)
        self.assertAlmostEqual(position.balance, -495.0)  # 2905 - 3400

    def test_a_fixed_number_of_queries(self):
        others = self.env["res.partner"].create([
            {"name": f"Customer {index}", "is_company": True} for index in range(19)
        ])
        moves = self.env["account.move"].with_company(self.company).create([
            self._invoice_vals(partner, 100.0 + index, date=date(2026, 1, 5),
                               due=date(2026, 2, 5))
            for index, partner in enumerate(others)
        ])
        moves._post(soft=False)
        Position = self.env["ar.account.position"]
        counts = []
        for partners in (self.customer, self.customer | others, self.customer):
            self.env.flush_all()
            self.env.invalidate_all()
            count0 = self.cr.sql_log_count
            positions = Position._ar_positions(partners, self.company)
            counts.append(self.cr.sql_log_count - count0)
            self.assertEqual(set(positions), set(partners.ids))
        self.assertEqual(counts[1], counts[2], f"queries for 1, 20 and 1 customers: {counts}")
        self.assertAlmostEqual(positions[self.customer.id].overdue_net, 705.0)
