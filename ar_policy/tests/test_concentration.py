from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, RedirectWarning, UserError, ValidationError
from odoo.tests import tagged

from .common import ArPolicyCommon

TODAY = "2026-06-30"
BOOKED = "2026-03-01"


@tagged("post_install", "-at_install")
class TestConcentration(ArPolicyCommon):
    """Known ledger, checked by hand (company currency, untaxed):

    Alpha 6,000 invoiced - 1,000 credit note = 5,000  -> 50% of 10,000
    Beta 2,500 -> 25%, Gamma 1,500 -> 15%, Delta 600 -> 6%, Echo 400 -> 4%
    HHI = 50² + 25² + 15² + 6² + 4² = 2,500 + 625 + 225 + 36 + 16 = 3,402
    effective number = 10,000 / 3,402 = 2.94; top 1 = 50%, top 5 = top 10 = 100%.
    Net receivables (the account position's balance: Alpha's open credit note is
    deducted from its invoices): Alpha 5,000 of 10,000 = 50%, Beta 25%, Gamma 15%,
    Delta 6%, Echo 4%.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Snapshot = cls.env["ar.concentration.snapshot"]
        cls.Portfolio = cls.env["ar.concentration.portfolio"]
        cls.Conc = cls.env["ar.concentration"]
        with freeze_time(TODAY):
            cls.company.write({
                "ar_concentration_enabled": True,
                "ar_credit_manager_id": cls.manager.id,
            })
        cls.customers = {}
        for name in ("Alpha", "Beta", "Gamma", "Delta", "Echo"):
            cls.customers[name] = cls.env["res.partner"].create({
                "name": f"{name} Corp", "is_company": True,
            })
        cls.alpha, cls.beta, cls.gamma, cls.delta, cls.echo = cls.customers.values()
        for partner, amount in ((cls.alpha, 6000.0), (cls.beta, 2500.0), (cls.gamma, 1500.0),
                                (cls.delta, 600.0), (cls.echo, 400.0)):
            cls._post(cls._invoice(partner, amount, date=BOOKED))
        cls._post(cls._invoice(cls.alpha, 1000.0, date=BOOKED, move_type="out_refund"))

    def _snapshot(self, as_of=None, company=None):
        return self.Conc._ar_take_snapshot(company or self.company, as_of=as_of)

    def _rows(self, company=None, date=TODAY):
        rows = self.Snapshot.search([
            ("company_id", "=", (company or self.company).id), ("date", "=", date),
        ])
        return {row.partner_id: row for row in rows}

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_shares_and_index_on_known_ledger(self):
        portfolio = self._snapshot()
        rows = self._rows()
        self.assertEqual(len(rows), 5)
        self.assertAlmostEqual(rows[self.alpha].revenue, 5000.0)
        self.assertAlmostEqual(rows[self.alpha].revenue_share, 50.0)
        self.assertAlmostEqual(rows[self.beta].revenue_share, 25.0)
        self.assertAlmostEqual(rows[self.gamma].revenue_share, 15.0)
        self.assertAlmostEqual(rows[self.delta].revenue_share, 6.0)
        self.assertAlmostEqual(rows[self.echo].revenue_share, 4.0)
        self.assertAlmostEqual(rows[self.alpha].receivable, 5000.0)
        self.assertAlmostEqual(rows[self.alpha].receivable_share, 50.0, places=3)
        self.assertAlmostEqual(rows[self.delta].receivable_share, 6.0, places=3)
        self.assertEqual(
            {p.name: r.level for p, r in rows.items()},
            {"Alpha Corp": "critical", "Beta Corp": "critical", "Gamma Corp": "warning",
             "Delta Corp": "ok", "Echo Corp": "ok"},
        )
        self.assertAlmostEqual(portfolio.total_revenue, 10000.0)
        self.assertEqual(portfolio.customers_count, 5)
        self.assertAlmostEqual(portfolio.hhi, 3402.0)
        self.assertAlmostEqual(portfolio.effective_number, 10000 / 3402, places=2)
        self.assertAlmostEqual(portfolio.top1_share, 50.0)
        self.assertAlmostEqual(portfolio.top5_share, 100.0)
        self.assertAlmostEqual(portfolio.top10_share, 100.0)
        self.assertTrue(portfolio.eligible)
        self.assertEqual((portfolio.warning_count, portfolio.critical_count), (1, 2))

    @freeze_time(TODAY)
    def test_fee_invoices_and_fee_waivers_are_not_revenue(self):
        fee = self._post(self._invoice(self.delta, 3000.0, date=BOOKED, ar_origin="late_fee"))
        waiver = fee._reverse_moves([{"invoice_date": BOOKED, "date": BOOKED}])
        self._post(waiver)
        self._post(self._invoice(self.delta, 200.0, date=BOOKED, move_type="out_refund",
                                 ar_origin="late_fee"))
        portfolio = self._snapshot()
        rows = self._rows()
        self.assertAlmostEqual(rows[self.delta].revenue, 600.0)
        self.assertAlmostEqual(portfolio.total_revenue, 10000.0)
        self.assertAlmostEqual(portfolio.hhi, 3402.0)

    @freeze_time(TODAY)
    def test_foreign_currency_counts_in_company_currency(self):
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 2.0)])
        foxtrot = self.env["res.partner"].create({"name": "Foxtrot SA", "is_company": True})
        # 10,000 EUR at 2 EUR per company unit: 5,000 -> 5,000 of 15,000
        self._post(self._invoice(foxtrot, 10000.0, date=BOOKED, currency=eur))
        portfolio = self._snapshot()
        rows = self._rows()
        self.assertAlmostEqual(rows[foxtrot].revenue, 5000.0)
        self.assertAlmostEqual(rows[foxtrot].revenue_share, 5000 / 15000 * 100, places=3)
        self.assertAlmostEqual(portfolio.total_revenue, 15000.0)

    def test_window_under_frozen_time(self):
        old = self.env["res.partner"].create({"name": "Old Timer", "is_company": True})
        self._post(self._invoice(old, 700.0, date="2025-06-30"))
        self._post(self._invoice(old, 300.0, date="2025-07-01"))
        with freeze_time(TODAY):
            self._snapshot()
            # 12 months to 30 June 2026 start on 1 July 2025
            self.assertAlmostEqual(self._rows()[old].revenue, 300.0)
        with freeze_time("2026-07-01"):
            self._snapshot()
            # still owed, no longer revenue
            self.assertAlmostEqual(self._rows(date="2026-07-01")[old].revenue, 0.0)
            self.assertAlmostEqual(self._rows(date="2026-07-01")[old].receivable, 1000.0)
        self.company.ar_concentration_window_months = 24
        with freeze_time(TODAY):
            self._snapshot()
            self.assertAlmostEqual(self._rows()[old].revenue, 1000.0)

    @freeze_time(TODAY)
    def test_minimum_portfolio_raises_no_warning(self):
        self.company.ar_conc_min_revenue = 20000.0
        portfolio = self._snapshot()
        self.assertFalse(portfolio.eligible)
        self.assertEqual(set(r.level for r in self._rows().values()), {"ok"})
        self.assertAlmostEqual(portfolio.hhi, 3402.0, msg="figures are still shown")
        self.assertFalse(self.alpha.ar_concentration_banner)
        draft = self._invoice(self.gamma, 5000.0, date=TODAY)
        self.assertFalse(draft.ar_concentration_banner)
        self.company.write({"ar_conc_min_revenue": 0.0, "ar_conc_min_customers": 6})
        self._snapshot()
        self.assertEqual(set(r.level for r in self._rows().values()), {"ok"})
        self.company.ar_conc_min_customers = 5
        self._snapshot()
        self.assertEqual(self._rows()[self.alpha].level, "critical")

    # ------------------------------------------------------------------
    # Banners
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_banner_on_customer_and_invoice(self):
        self._snapshot()
        self.env.invalidate_all()
        self.assertEqual(
            self.gamma.ar_concentration_banner,
            "Gamma Corp is at 15.0% of trailing revenue (warning above 8%) and 15.0% of "
            "open receivables (warning above 8%).",
        )
        self.assertEqual(self.gamma.ar_concentration_level, "warning")
        self.assertFalse(self.delta.ar_concentration_banner)
        self.assertEqual(
            self.gamma.with_user(self.salesman).ar_concentration_banner,
            "Gamma Corp is above the warning concentration share.",
        )
        # 1,500 + 5,000 = 6,500 of 15,000 = 43.3%, and the same of net receivables
        draft = self._invoice(self.gamma, 5000.0, date=TODAY)
        self.assertEqual(
            draft.ar_concentration_banner,
            "Posting this invoice brings Gamma Corp to 43.3% of trailing revenue (critical "
            "above 20%) and 43.3% of open receivables (critical above 20%).",
        )
        # Echo: 400 + 100 = 500 of 10,100 = 5.0%: no banner
        self.assertFalse(self._invoice(self.echo, 100.0, date=TODAY).ar_concentration_banner)
        # Delta: 600 + 400 = 1,000 of 10,400 = 9.6%, and the same of net receivables
        self.assertEqual(
            self._invoice(self.delta, 400.0, date=TODAY).ar_concentration_banner,
            "Posting this invoice brings Delta Corp to 9.6% of trailing revenue (warning "
            "above 8%) and 9.6% of open receivables (warning above 8%).",
        )
        self.assertEqual(
            self.Conc.with_user(self.salesman)._ar_concentration_banner(
                self.gamma, self.company, 5000.0, False
            ),
            "Posting this invoice takes Gamma Corp above the critical concentration share.",
        )
        self.assertEqual(
            self.Conc._ar_concentration_banner(
                self.gamma, self.company, 5000.0, True, receivable_amount=0.0,
                action="Confirming this quotation",
            ),
            "Confirming this quotation brings Gamma Corp to 43.3% of trailing revenue "
            "(critical above 20%) and 15.0% of open receivables (warning above 8%).",
        )
        fee = self._invoice(self.gamma, 5000.0, date=TODAY, ar_origin="late_fee")
        self.assertFalse(fee.ar_concentration_banner, "fee invoices are not revenue")

    @freeze_time(TODAY)
    def test_banner_costs_a_fixed_number_of_queries(self):
        self._snapshot()
        draft = self._invoice(self.gamma, 5000.0, date=TODAY)
        draft.invalidate_recordset()
        self.env.invalidate_all()
        with self.assertQueryCount(10):
            self.Conc._ar_concentration_banner(self.gamma, self.company, 5000.0, True)
        # a bigger ledger costs no more queries
        for partner in (self.alpha, self.beta, self.delta):
            self._post(self._invoice(partner, 100.0, date=TODAY))
        self._snapshot()
        self.env.invalidate_all()
        with self.assertQueryCount(10):
            self.Conc._ar_concentration_banner(self.gamma, self.company, 5000.0, True)

    @freeze_time(TODAY)
    def test_posting_over_critical_needs_manager_confirmation(self):
        self.company.ar_conc_confirm_critical = True
        self._snapshot()
        draft = self._invoice(self.gamma, 5000.0, date=TODAY)
        with self.assertRaisesRegex(UserError, "credit manager's confirmation"):
            self._post(draft, user=self.billing)
        self.assertEqual(draft.state, "draft")
        with self.assertRaises(RedirectWarning):
            self._post(draft, user=self.manager)
        with self.assertRaises(AccessError):
            self.env["ar.concentration.confirm.wizard"].with_user(self.billing).create({
                "move_ids": [Command.set(draft.ids)], "reason": "Big contract",
            })
        wizard = self.env["ar.concentration.confirm.wizard"].with_user(self.manager).create({
            "move_ids": [Command.set(draft.ids)], "reason": "Framework contract signed",
        })
        self.assertIn("43.3% of trailing revenue", wizard.warning)
        wizard.action_confirm()
        self.assertEqual(draft.state, "posted")
        log = self.env["ar.credit.log"].search([
            ("partner_id", "=", self.gamma.id), ("event", "=", "concentration"),
        ])
        self.assertEqual(len(log), 1)
        self.assertEqual(log.reason, "Framework contract signed")
        self.assertEqual(log.move_id, draft)
        self.assertEqual(log.user_id, self.manager)
        self.assertIn("43.3%", log.cause)
        # below critical: posts without a question
        self._post(self._invoice(self.delta, 400.0, date=TODAY), user=self.billing)

    # ------------------------------------------------------------------
    # Crossings and digest
    # ------------------------------------------------------------------

    def _crossing_messages(self, partner):
        file = self._file(partner)
        file.invalidate_recordset(["message_ids", "activity_ids"])
        return file.message_ids.filtered(
            lambda m: self.manager.partner_id in m.partner_ids
            and "crossed a concentration" in str(m.body)
        )

    def test_crossing_mail_and_activity_once(self):
        with freeze_time(TODAY):
            self.Snapshot._cron_snapshot()
            for partner in (self.alpha, self.beta, self.gamma):
                self.assertEqual(len(self._crossing_messages(partner)), 1, partner.name)
                activities = self.env["mail.activity"].with_user(self.manager).search([
                    ("res_model", "=", "ar.credit.file"), ("res_id", "=", self._file(partner).id),
                ])
                self.assertEqual(
                    activities.filtered(lambda a: a.user_id == self.manager).mapped("summary"),
                    [f"Concentration: {partner.name} is above the "
                     f"{'critical' if partner != self.gamma else 'warning'} concentration share"],
                    msg=str([(a.user_id.name, a.summary) for a in activities]) + str(
                        self._crossing_messages(partner).mapped("subject")),
                )
            self.assertFalse(self._crossing_messages(self.delta))
            self.assertEqual(self._file(self.gamma).concentration_level, "warning")
            message = self._crossing_messages(self.alpha)
            self.assertEqual(
                message.subject,
                "Concentration: Alpha Corp is above the critical concentration share",
            )
            self.assertIn(self.manager.partner_id, message.notification_ids.res_partner_id,
                          "the manager is notified by mail")
            self.Snapshot._cron_snapshot()
            self.assertEqual(len(self._crossing_messages(self.alpha)), 1, "not again")
        with freeze_time("2026-07-01"):
            # Gamma goes critical, Delta crosses the warning share; Alpha stays.
            self._post(self._invoice(self.gamma, 5000.0, date="2026-07-01"))
            # Gamma 6,500 of 16,000 = 40.6%, Delta 1,600 of 16,000 = 10% (revenue and net
            # receivables alike)
            self._post(self._invoice(self.delta, 1000.0, date="2026-07-01"))
            self.Snapshot._cron_snapshot()
            self.assertEqual(len(self._crossing_messages(self.alpha)), 1)
            self.assertEqual(len(self._crossing_messages(self.gamma)), 2)
            self.assertEqual(len(self._crossing_messages(self.delta)), 1)
            self.assertEqual(self._file(self.gamma).concentration_level, "critical")

    def test_monthly_digest_once_per_month(self):
        def digests():
            return self.env["mail.mail"].search([
                ("subject", "like", "Customer concentration in"),
                ("recipient_ids", "in", self.manager.partner_id.ids),
            ])

        with freeze_time(TODAY):
            self._snapshot()
            self.Snapshot._cron_digest()
            mail = digests()
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.recipient_ids, self.manager.partner_id)
            body = str(mail.body_html)
            for text in ("3402", "Alpha Corp", "Beta Corp", "Gamma Corp", "50.0"):
                self.assertIn(text, body)
            self.assertNotIn("Delta Corp", body)
            self.Snapshot._cron_digest()
            self.assertEqual(len(digests()), 1, "idempotent within the month")
        with freeze_time("2026-07-01"):
            self.Snapshot._cron_digest()
            self.assertEqual(len(digests()), 2)

    # ------------------------------------------------------------------
    # Over time
    # ------------------------------------------------------------------

    @freeze_time(TODAY)
    def test_snapshot_rerun_replaces(self):
        self._snapshot()
        self._snapshot()
        self.assertEqual(self.Portfolio.search_count([("company_id", "=", self.company.id),
                                                      ("date", "=", TODAY)]), 1)
        self.assertEqual(len(self._rows()), 5)
        self._post(self._invoice(self.echo, 4600.0, date=TODAY))
        portfolio = self._snapshot()
        self.assertEqual(len(self._rows()), 5)
        self.assertAlmostEqual(self._rows()[self.echo].revenue, 5000.0)
        self.assertAlmostEqual(portfolio.total_revenue, 14600.0)
        self.assertTrue(all(r.is_latest for r in self._rows().values()))

    @freeze_time(TODAY)
    def test_thinning_keeps_month_ends(self):
        self.company.ar_conc_keep_daily_days = 10
        self._post(self._invoice(self.echo, 100.0, date="2025-12-01"))
        dates = ["2026-01-10", "2026-01-20", "2026-01-31", "2026-02-14", "2026-06-25", TODAY]
        for day in dates:
            self._snapshot(as_of=day)
        latest = self.Snapshot.search([("is_latest", "=", True),
                                       ("company_id", "=", self.company.id)])
        self.assertEqual(set(latest.mapped("date")), {self._date(TODAY)})
        self.assertEqual(self.Conc._ar_thin(self.company), 2)
        kept = {"2026-01-31", "2026-02-14", "2026-06-25", TODAY}
        portfolios = self.Portfolio.search([("company_id", "=", self.company.id)])
        self.assertEqual({str(d) for d in portfolios.mapped("date")}, kept)
        rows = self.Snapshot.search([("company_id", "=", self.company.id)])
        self.assertEqual({str(d) for d in rows.mapped("date")}, kept)
        self.assertEqual(self.Conc._ar_thin(self.company), 0, "idempotent")

    def _date(self, value):
        return self.env["ar.concentration.portfolio"]._fields["date"].to_date(value)

    # ------------------------------------------------------------------
    # Settings, access, companies
    # ------------------------------------------------------------------

    def test_bad_settings_name_the_field(self):
        for values, message in (
            ({"ar_conc_revenue_warning": 120.0}, "Revenue Warning Share"),
            ({"ar_conc_receivable_critical": -1.0}, "Receivables Critical Share"),
            ({"ar_conc_revenue_warning": 30.0}, "Revenue Warning Share .* above "
                                                "Revenue Critical Share"),
            ({"ar_concentration_window_months": 0}, "Revenue Window"),
            ({"ar_conc_keep_daily_days": -5}, "Keep Daily Snapshots"),
        ):
            with self.subTest(values=values), self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    self.company.write(values)

    def test_settings_changes_are_logged(self):
        settings = self.env["res.config.settings"].create({"ar_conc_revenue_critical": 25.0})
        settings.execute()
        log = self.env["ar.credit.log"].search([
            ("event", "=", "setting"), ("cause", "=", "Revenue Critical Share (%)"),
        ])
        self.assertEqual((log.old_value, log.new_value), ("20.0", "25.0"))

    @freeze_time(TODAY)
    def test_access_rights(self):
        self._snapshot()
        with self.assertRaises(AccessError):
            self.Snapshot.with_user(self.salesman).search([])
        with self.assertRaises(AccessError):
            self.Portfolio.with_user(self.salesman).search([])
        rows = self.Snapshot.with_user(self.billing).search([("company_id", "=", self.company.id)])
        self.assertEqual(len(rows), 5)
        with self.assertRaises(AccessError):
            rows[0].write({"revenue_share": 1.0})
        self.company.ar_conc_confirm_critical = True
        with self.assertRaises(AccessError):
            self.Conc.with_user(self.billing).with_context(
                ar_concentration_reason="no"
            )._ar_check_moves(self._invoice(self.gamma, 5000.0, date=TODAY).with_user(self.billing))
        self.assertEqual(len(self.Portfolio.with_user(self.billing).search([])), 1)

    @freeze_time(TODAY)
    def test_multi_company(self):
        company_b = self.setup_other_company(name="Concentration B")["company"]
        self._post(self._invoice(self.echo, 9000.0, date=BOOKED, company=company_b))
        self.Snapshot._cron_snapshot()
        self.assertFalse(self.Portfolio.search([("company_id", "=", company_b.id)]),
                         "off until the company enables it")
        self.assertAlmostEqual(self._rows()[self.echo].revenue, 400.0)
        company_b.write({"ar_concentration_enabled": True, "ar_conc_min_customers": 1})
        self.Snapshot._cron_snapshot()
        rows_b = self._rows(company=company_b)
        self.assertEqual(list(rows_b), [self.echo])
        self.assertAlmostEqual(rows_b[self.echo].revenue_share, 100.0)
        self.assertAlmostEqual(self._rows()[self.echo].revenue_share, 4.0)
        # a user of the first company only sees its own snapshots
        visible = self.Snapshot.with_user(self.billing).search([])
        self.assertEqual(set(visible.company_id.ids), {self.company.id})
        self.assertEqual(
            self.echo.with_company(company_b).ar_concentration_banner,
            "Echo Corp is at 100.0% of trailing revenue (critical above 20%) and 100.0% of "
            "open receivables (critical above 20%).",
        )

    @freeze_time(TODAY)
    def test_one_banner_on_a_held_customers_draft_invoice(self):
        """Issue 14: the hold first (its causes, the manual reason, who releases it and
        how), the concentration share second, in one banner."""
        self._snapshot()
        self._set_mode("block")
        self._set_hold(self.gamma, reason="Returned goods under dispute")
        draft = self._invoice(self.gamma, 5000.0, date=TODAY)
        self.assertEqual(draft.ar_credit_note_level, "danger")
        self.assertEqual(draft.ar_credit_note.split("\n"), [
            "Gamma Corp is on credit hold: held by the credit manager: Returned goods under "
            "dispute. Only a credit manager can release it, with Release Hold on the "
            "customer's credit file: ask Carla Manager.",
            "Posting this invoice brings Gamma Corp to 43.3% of trailing revenue (critical "
            "above 20%) and 43.3% of open receivables (critical above 20%).",
        ])
        # without the hold, the concentration share alone, as a warning
        self._file(self.gamma).with_user(self.manager)._ar_release_hold("Paid")
        draft.invalidate_recordset()
        self.assertEqual(draft.ar_credit_note_level, "warning")
        self.assertTrue(draft.ar_credit_note.startswith("Posting this invoice brings Gamma"))
        self.assertFalse(self._invoice(self.echo, 100.0, date=TODAY).ar_credit_note)
