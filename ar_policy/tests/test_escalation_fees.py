from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from .common import ArPolicyCommon

DUE = date(2026, 3, 1)


@tagged("post_install", "-at_install")
class TestEscalationFees(ArPolicyCommon):
    """Late fees and interest charged by the escalation run, their waiver and the
    dunning letters, as the customer and the credit team see them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.jpy = cls.setup_other_currency("JPY", rounding=1.0, rates=[("2020-01-01", 150.0)])
        cls.fee_product = cls.env.ref("ar_policy.product_late_fee")
        cls.policy = cls.env["ar.escalation.policy"].sudo().create({
            "name": "Fees ladder",
            "company_id": cls.company.id,
            "stage_ids": [
                Command.create({
                    "name": "First fee", "sequence": 10, "offset_days": 10,
                    "action_fee": True, "fee_product_id": cls.fee_product.id,
                    "fee_fixed": 40.0, "interest_rate": 12.0, "action_letter": True,
                    "letter_text": "<p>Please pay within eight days.</p>",
                }),
                Command.create({
                    "name": "Interest", "sequence": 20, "offset_days": 30,
                    "action_fee": True, "fee_product_id": cls.fee_product.id,
                    "interest_rate": 12.0,
                }),
            ],
        }).sudo(False)
        cls.stage_fee, cls.stage_interest = cls.policy.stage_ids.sorted("offset_days")
        cls.company.write({
            "ar_escalation_enabled": True,
            "ar_escalation_policy_id": cls.policy.id,
            "ar_fee_cap_percent": 5.0,
        })
        cls.customer = cls.env["res.partner"].create({
            "name": "Late Payer Ltd", "is_company": True, "street": "1 Slow Lane",
            "city": "Springfield", "zip": "12345",
        })
        cls.other_customer = cls.env["res.partner"].create({
            "name": "Tardy Traders", "is_company": True, "city": "Shelbyville",
        })

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _posted_invoice(self, amount, currency=None, partner=None):
        return self._post(self._invoice(
            partner or self.customer, amount, date=date(2026, 2, 1), due=DUE,
            currency=currency,
        ))

    def _run(self, day):
        with freeze_time(day):
            self.env["ar.credit.file"]._cron_escalation()

    def _fee_invoices(self, partner=None):
        return self.env["account.move"].search([
            ("partner_id", "=", (partner or self.customer).id),
            ("ar_origin", "=", "late_fee"),
            ("move_type", "=", "out_invoice"),
        ], order="id")

    def _item(self, invoice):
        return invoice.line_ids.filtered(lambda line: line.display_type == "payment_term")

    # ------------------------------------------------------------------
    # Charging
    # ------------------------------------------------------------------

    def test_fee_and_interest_in_two_currencies(self):
        usd_invoice = self._posted_invoice(1000.0)
        jpy_invoice = self._posted_invoice(200000.0, currency=self.jpy)
        self._run("2026-03-16")  # 15 days late: the first fee stage

        fees = self._fee_invoices()
        self.assertEqual(len(fees), 2, "one fee invoice per currency")
        usd_fee = fees.filtered(lambda m: m.currency_id == self.company.currency_id)
        jpy_fee = fees.filtered(lambda m: m.currency_id == self.jpy)
        for fee in fees:
            self.assertEqual(fee.state, "posted")
            self.assertEqual(fee.ar_origin, "late_fee")
            self.assertEqual(fee.invoice_date, date(2026, 3, 16))
            self.assertEqual(fee.journal_id.type, "sale")
            self.assertEqual(fee.invoice_line_ids.product_id, self.fee_product)
        # 40.00 + 1,000.00 x 12 % x 15 / 365 = 40.00 + 4.93
        self.assertAlmostEqual(usd_fee.amount_total, 44.93)
        self.assertEqual(
            usd_fee.invoice_line_ids.name,
            f"Late fee for {usd_invoice.name} (15 days late)\n"
            "Interest 12.00% on 1,000.00 for 15 days",
        )
        # 40 USD at 150 = 6,000 JPY; 200,000 x 12 % x 15 / 365 = 986.30 -> 986 (no cents)
        self.assertAlmostEqual(jpy_fee.amount_total, 6986.0)
        self.assertIn(f"Late fee for {jpy_invoice.name} (15 days late)",
                      jpy_fee.invoice_line_ids.name)
        self.assertIn("Interest 12.00% on 200,000 for 15 days", jpy_fee.invoice_line_ids.name)

        usd_item, jpy_item = self._item(usd_invoice), self._item(jpy_invoice)
        self.assertAlmostEqual(usd_item.ar_fees_charged, 44.93)
        self.assertAlmostEqual(jpy_item.ar_fees_charged, 6986.0)
        self.assertEqual(usd_item.ar_interest_date, date(2026, 3, 16))
        self.assertEqual(usd_item.ar_stage_id, self.stage_fee)
        self.assertEqual(usd_fee.invoice_line_ids.ar_fee_item_id, usd_item)

        history = self.env["ar.escalation.history"].search([
            ("file_id", "=", self._file(self.customer).id), ("action", "=", "fee"),
        ])
        self.assertEqual(history.fee_move_id, fees)

        # The same day again: each stage charges once per item.
        self._run("2026-03-16")
        self.assertEqual(self._fee_invoices(), fees)

    def test_second_stage_charges_only_new_days_and_the_cap_wins(self):
        usd_invoice = self._posted_invoice(1000.0)
        jpy_invoice = self._posted_invoice(200000.0, currency=self.jpy)
        self._run("2026-03-16")
        first = self._fee_invoices()
        self._run("2026-04-10")  # 40 days late: the interest stage, 25 new days

        second = self._fee_invoices() - first
        self.assertEqual(len(second), 2)
        usd_fee = second.filtered(lambda m: m.currency_id == self.company.currency_id)
        jpy_fee = second.filtered(lambda m: m.currency_id == self.jpy)
        # JPY: 200,000 x 12 % x 25 / 365 = 1,643.84 -> 1,644; 6,986 + 1,644 under the
        # cap of 10,000 (5 % of 200,000).
        self.assertAlmostEqual(jpy_fee.amount_total, 1644.0)
        self.assertIn("Interest 12.00% on 200,000 for 25 days", jpy_fee.invoice_line_ids.name)
        self.assertNotIn("Capped", jpy_fee.invoice_line_ids.name)
        # USD: 25 days are 8.22, but the cap (5 % of 1,000.00 = 50.00) leaves 5.07.
        self.assertAlmostEqual(usd_fee.amount_total, 5.07)
        self.assertIn(f"Late fee for {usd_invoice.name} (40 days late)",
                      usd_fee.invoice_line_ids.name)
        self.assertIn("Capped at 5.00% of the invoice", usd_fee.invoice_line_ids.name)
        self.assertAlmostEqual(self._item(usd_invoice).ar_fees_charged, 50.0)
        self.assertAlmostEqual(self._item(jpy_invoice).ar_fees_charged, 8630.0)
        self.assertEqual(self._item(jpy_invoice).ar_interest_date, date(2026, 4, 10))

    def test_cap_reached_charges_nothing(self):
        self.company.ar_fee_cap_percent = 4.0  # 40.00 on 1,000.00: the fixed fee fills it
        invoice = self._posted_invoice(1000.0)
        self._run("2026-03-16")
        self.assertAlmostEqual(self._fee_invoices().amount_total, 40.0)
        self._run("2026-04-10")
        self.assertEqual(len(self._fee_invoices()), 1, "nothing left under the cap")
        self.assertEqual(self._item(invoice).ar_stage_id, self.stage_interest)

    def test_one_fee_invoice_per_customer_per_currency_listing_the_items(self):
        self.company.ar_fee_cap_percent = 0.0
        first = self._posted_invoice(1000.0)
        second = self._posted_invoice(500.0)
        other = self._posted_invoice(800.0, partner=self.other_customer)
        self._run("2026-03-16")

        fee = self._fee_invoices()
        self.assertEqual(len(fee), 1)
        self.assertEqual(fee.state, "posted")
        self.assertEqual(len(fee.invoice_line_ids), 2)
        self.assertEqual(fee.invoice_line_ids.ar_fee_item_id, self._item(first | second))
        self.assertIn(first.name, fee.invoice_origin)
        self.assertIn(second.name, fee.invoice_origin)
        # 40.00 + 4.93 and 40.00 + 2.47 (500.00 x 12 % x 15 / 365 = 2.4658)
        self.assertAlmostEqual(fee.amount_total, 87.40)
        other_fee = self._fee_invoices(self.other_customer)
        self.assertEqual(len(other_fee), 1)
        self.assertEqual(other_fee.invoice_line_ids.ar_fee_item_id, self._item(other))

    def test_no_fee_when_the_file_disallows_fees(self):
        self._file(self.customer).with_user(self.manager).fees_allowed = False
        invoice = self._posted_invoice(1000.0)
        self._run("2026-03-16")
        self.assertFalse(self._fee_invoices())
        item = self._item(invoice)
        self.assertEqual(item.ar_stage_id, self.stage_fee, "the stage fires, without a fee")
        self.assertFalse(item.ar_fees_charged)
        self.assertFalse(item.ar_interest_date)

    def test_fees_allowed_follows_the_company_default(self):
        self.company.ar_fees_allowed_default = False
        customer = self.env["res.partner"].create({"name": "New Customer", "is_company": True})
        self.assertFalse(self._file(customer).fees_allowed)

    def test_no_fee_on_a_fee(self):
        self.company.ar_fee_cap_percent = 0.0
        invoice = self._posted_invoice(1000.0)
        self._run("2026-03-16")
        fee = self._fee_invoices()
        fee_item = self._item(fee)
        # 40 days later the fee invoice is itself 40 days late: it climbs the ladder
        # but is charged nothing; the original item gets its interest stage.
        self._run("2026-04-25")
        self.assertEqual(fee_item.ar_stage_id, self.stage_interest)
        new_fees = self._fee_invoices() - fee
        self.assertEqual(len(new_fees), 1)
        self.assertEqual(new_fees.invoice_line_ids.ar_fee_item_id, self._item(invoice))
        self.assertFalse(fee_item.ar_fees_charged)

    # ------------------------------------------------------------------
    # Waiver
    # ------------------------------------------------------------------

    def _waive(self, fee, user, reason="Goodwill: first delay in ten years"):
        wizard = Form(self.env["ar.fee.waiver.wizard"].with_user(user).with_context(
            active_model="account.move", active_id=fee.id,
        ))
        wizard.reason = reason
        return wizard.save().action_waive()

    def test_fee_waiver_by_a_manager(self):
        invoice = self._posted_invoice(1000.0)
        self._run("2026-03-16")
        fee = self._fee_invoices()
        with freeze_time("2026-03-20"):
            action = self._waive(fee, self.manager)
        credit_note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(credit_note.ar_origin, "late_fee")
        self.assertEqual(credit_note.reversed_entry_id, fee)
        self.assertAlmostEqual(credit_note.amount_total, 44.93)
        self.assertIn(fee.payment_state, ("reversed", "paid"))
        self.assertTrue(self._item(fee).reconciled)
        self.assertFalse(self._item(invoice).ar_fees_charged, "the cap counts only what is owed")

        file = self._file(self.customer)
        waiver = self.env["ar.escalation.history"].search([
            ("file_id", "=", file.id), ("action", "=", "waiver"),
        ])
        self.assertEqual(waiver.fee_move_id, fee)
        self.assertEqual(waiver.move_id, credit_note)
        self.assertEqual(waiver.user_id, self.manager)
        self.assertEqual(waiver.note, "Goodwill: first delay in ten years")
        self.assertEqual(waiver.move_line_ids, self._item(invoice))
        log = self.env["ar.credit.log"].search([("file_id", "=", file.id),
                                                ("event", "=", "waiver")])
        self.assertEqual(log.user_id, self.manager)
        self.assertEqual(log.move_id, credit_note)
        self.assertEqual(log.reason, "Goodwill: first delay in ten years")
        self.assertTrue(any("Late fee waived" in body and "Goodwill" in body
                            for body in self._messages(file)))

    def test_fee_waiver_refused_for_non_managers(self):
        self._posted_invoice(1000.0)
        self._run("2026-03-16")
        fee = self._fee_invoices()
        for user in (self.controller, self.billing):
            arch = self.env["account.move"].with_user(user).get_views([(False, "form")])
            self.assertNotIn("Waive Fee", arch["views"]["form"]["arch"])
            with self.assertRaises(AccessError):
                self._waive(fee, user)
        arch = self.env["account.move"].with_user(self.manager).get_views([(False, "form")])
        self.assertIn("Waive Fee", arch["views"]["form"]["arch"])
        self.assertEqual(fee.payment_state, "not_paid")
        self.assertFalse(self.env["ar.escalation.history"].search([("action", "=", "waiver")]))

    def test_waiver_needs_a_fee_invoice(self):
        invoice = self._posted_invoice(1000.0)
        with self.assertRaisesRegex(UserError, "not a late-fee invoice"):
            self._waive(invoice, self.manager)

    # ------------------------------------------------------------------
    # Letters
    # ------------------------------------------------------------------

    def test_dunning_letter_from_one_row_and_from_a_batch(self):
        self.company.street = "99 Letterhead Road"
        invoice = self._posted_invoice(1000.0)
        other = self._posted_invoice(800.0, partner=self.other_customer)
        disputed = self._posted_invoice(300.0)
        self._item(disputed)._ar_write_policy_fields({"ar_disputed": True})
        self._run("2026-03-16")
        History = self.env["ar.escalation.history"]
        letter = History.search([
            ("file_id", "=", self._file(self.customer).id), ("action", "=", "letter"),
        ])
        self.assertEqual(len(letter), 1, "the stage prints a letter")
        with freeze_time("2026-03-17"):
            html = self.env["ir.actions.report"]._render_qweb_pdf(
                "ar_policy.action_report_ar_dunning_letter", letter.ids
            )[0].decode()
        self.assertIn("Late Payer Ltd", html)
        self.assertIn("1 Slow Lane", html)
        self.assertIn('name="letterhead"', html, "the company letterhead, drawn in the body")
        self.assertIn("99 Letterhead Road", html)
        self.assertIn(invoice.name, html)
        self.assertNotIn("First fee", html, "no internal stage name")
        self.assertIn("Please pay within eight days.", html)
        self.assertIn("1,000.00", html)
        self.assertIn("16", html)  # days late when printed
        self.assertNotIn(other.name, html)
        # The disputed item is listed and deducted from the net amount overdue; the fee
        # invoice (due 03/16) is overdue too: net 1,000.00 + 44.93, balance + 300.00.
        self.assertIn(disputed.name, html)
        self.assertIn("in dispute", html)
        file = self._file(self.customer)
        self.assertIn("1,044.93", html)
        self.assertIn("1,344.93", html)
        with freeze_time("2026-03-17"):
            file.invalidate_recordset()
            self.assertAlmostEqual(file.overdue_amount, 1044.93)

        rows = History.search([("action", "=", "letter")])
        self.assertEqual(rows.file_id.partner_id, self.customer | self.other_customer)
        with freeze_time("2026-03-17"):
            html = self.env["ir.actions.report"]._render_qweb_pdf(
                "ar_policy.action_report_ar_dunning_letter", rows.ids
            )[0].decode()
        self.assertIn("Late Payer Ltd", html)
        self.assertIn("Tardy Traders", html)
        self.assertIn(other.name, html)
        self.assertEqual(html.count('name="totals"'), 2, "one letter per customer")

    # ------------------------------------------------------------------
    # Bad input
    # ------------------------------------------------------------------

    def test_bad_fee_stages(self):
        Stage = self.env["ar.escalation.stage"].with_user(self.manager)
        empty_policy = self.env["ar.escalation.policy"].sudo().create({
            "name": "Empty", "company_id": self.company.id,
        })
        base = {"policy_id": self.policy.id, "offset_days": 60, "sequence": 30,
                "name": "Bad stage"}
        cases = [
            ({"action_fee": True, "fee_fixed": 10.0}, "Fee Product"),
            ({"action_fee": True, "fee_product_id": self.fee_product.id, "fee_fixed": -1.0},
             "Fixed Fee"),
            ({"action_fee": True, "fee_product_id": self.fee_product.id, "fee_percent": -2.0},
             "Fee \\(% of open amount\\)"),
            ({"action_fee": True, "fee_product_id": self.fee_product.id,
              "interest_rate": 120.0}, "Interest \\(annual %\\)"),
            ({"interest_rate": -1.0}, "Interest \\(annual %\\)"),
            ({"action_fee": True, "fee_product_id": self.fee_product.id, "fee_fixed": 5.0,
              "offset_days": -3, "policy_id": empty_policy.id},
             "charges a late fee: its Day Offset must be after the due date"),
        ]
        for values, field in cases:
            with self.subTest(field=field), self.assertRaisesRegex(
                ValidationError, f"Bad stage.*{field}"
            ):
                Stage.create({**base, **values})
