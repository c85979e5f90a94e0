from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import ArPolicyCommon


@tagged("post_install", "-at_install")
class TestStatutoryInterest(ArPolicyCommon):
    """The statutory interest presets of a fee stage on hand-computed examples:
    interest day by day on the overdue amount (never on fees), one line per rate
    period, the fixed compensation once per invoice, and the reminder stating it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2020-01-01", 1.0)])
        cls.gbp = cls.setup_other_currency("GBP", rates=[("2020-01-01", 1.0)])
        cls.Rate = cls.env["ar.reference.rate"].sudo()
        cls.Rate.search([]).unlink()  # the published rows: the examples use their own
        cls.fee_product = cls.env.ref("ar_policy.product_late_fee")
        cls.customer = cls.env["res.partner"].create({
            "name": "Ritardo SpA", "is_company": True, "email": "ritardo@example.com",
            "street": "Via Lenta 1", "city": "Roma",
        })
        cls.company.write({"ar_escalation_enabled": True, "ar_fee_cap_percent": 0.0})

    def _ladder(self, preset, offsets):
        policy = self.env["ar.escalation.policy"].sudo().create({
            "name": f"Statutory {preset}", "company_id": self.company.id,
            "stage_ids": [Command.create({
                "name": f"Interest {offset}", "sequence": offset, "offset_days": offset,
                "action_fee": True, "fee_product_id": self.fee_product.id,
                "interest_preset": preset, "action_email": True,
                "mail_template_id": self.env.ref("ar_policy.mail_template_ar_escalation").id,
            }) for offset in offsets],
        })
        self.company.ar_escalation_policy_id = policy
        return policy

    def _run(self, day):
        with freeze_time(day):
            self.env["ar.credit.file"]._cron_escalation()
        self.env.invalidate_all()

    def _fees(self):
        return self.env["account.move"].search([
            ("partner_id", "=", self.customer.id), ("ar_origin", "=", "late_fee")], order="id")

    def _lines(self, move):
        return [(line.name, line.price_subtotal) for line in move.invoice_line_ids]

    def test_eu_directive_rate_change_mid_period(self):
        """EUR 10,000 due 31 May 2026, charged on 10 July (40 days late).
        ECB rate in force on 1 January 2026: 2.15 % (the March cut to 2.00 % waits
        for the next half-year); on 1 July 2026: 1.75 %.
        June (1-30): 10,000 x 10.15 % x 30 / 365 = 83.42
        July (1-10): 10,000 x  9.75 % x 10 / 365 = 26.71
        Fixed compensation: EUR 40.00 -> 150.13 in all."""
        self.Rate.create([
            {"preset": "eu_late_payment", "valid_from": date(2025, 6, 11), "rate": 2.15},
            {"preset": "eu_late_payment", "valid_from": date(2026, 3, 1), "rate": 2.00},
            {"preset": "eu_late_payment", "valid_from": date(2026, 6, 15), "rate": 1.75},
        ])
        self._ladder("eu_late_payment", [40, 70])
        invoice = self._post(self._invoice(self.customer, 10000.0, date=date(2026, 5, 1),
                                           due=date(2026, 5, 31), currency=self.eur))
        self._run(date(2026, 7, 10))
        fee = self._fees()
        self.assertEqual(len(fee), 1)
        self.assertEqual(fee.currency_id, self.eur)
        self.assertAlmostEqual(fee.amount_total, 150.13)
        lines = self._lines(fee)
        self.assertEqual([amount for _name, amount in lines], [40.0, 83.42, 26.71])
        self.assertIn(f"{invoice.name}: fixed compensation", lines[0][0])
        self.assertIn("06/01/2026 to 06/30/2026, 30 days at 10.15%", lines[1][0])
        self.assertIn("07/01/2026 to 07/10/2026, 10 days at 9.75%", lines[2][0])
        self.assertIn("EU Late Payment Directive", lines[1][0])
        body = self.env["ar.credit.file"].search([("partner_id", "=", self.customer.id)]) \
            .message_ids.filtered(lambda m: m.message_type == "comment")[:1].body
        self.assertIn(fee.name, body, "the reminder names the fee invoice")
        self.assertIn("10.15%", body, "and states the interest")

        # 30 days later: interest only from 11 July, no second compensation, nothing
        # charged on the open fee invoice: 10,000 x 9.75 % x 30 / 365 = 80.14
        self._run(date(2026, 8, 9))
        second = self._fees() - fee
        self.assertEqual(len(second), 1)
        self.assertEqual([amount for _name, amount in self._lines(second)], [80.14])
        self.assertIn("07/11/2026 to 08/09/2026, 30 days", second.invoice_line_ids.name)
        self.assertNotIn(fee.name, second.invoice_origin, "no interest on fees")

    def test_uk_act_rate_fixed_for_the_debt_and_sum_by_size(self):
        """GBP 5,000 due 20 June 2026, charged on 20 July (30 days late). Interest starts
        on 21 June: base rate in force on 31 December 2025 (4.00 %) + 8 = 12 %, for the
        life of the debt, although the rate in force on 30 June 2026 is 3.00 %.
        5,000 x 12 % x 30 / 365 = 49.32; fixed sum GBP 70 (1,000 to 9,999.99)."""
        self.Rate.create([
            {"preset": "uk_late_payment", "valid_from": date(2025, 8, 7), "rate": 4.00},
            {"preset": "uk_late_payment", "valid_from": date(2026, 6, 25), "rate": 3.00},
        ])
        self._ladder("uk_late_payment", [30])
        self._post(self._invoice(self.customer, 5000.0, date=date(2026, 5, 21),
                                 due=date(2026, 6, 20), currency=self.gbp))
        small = self._post(self._invoice(self.customer, 500.0, date=date(2026, 5, 21),
                                         due=date(2026, 6, 20), currency=self.gbp))
        self._run(date(2026, 7, 20))
        fee = self._fees()
        self.assertEqual(len(fee), 1, "one fee invoice per currency")
        by_amount = self._lines(fee)
        amounts = sorted(amount for _name, amount in by_amount)
        # small: 500 x 12 % x 30 / 365 = 4.93 and GBP 40 (under 1,000)
        self.assertEqual(amounts, [4.93, 40.0, 49.32, 70.0])
        self.assertTrue(all("12.00%" in name for name, _a in by_amount if "interest" in name))
        self.assertTrue(any(small.name in name and amount == 40.0 for name, amount in by_amount))

    def test_reference_rate_out_of_range_names_the_field(self):
        with self.assertRaisesRegex(ValidationError, r"Reference Rate \(%\): 75.0 % is out of range"):
            self.Rate.create({"preset": "eu_late_payment", "valid_from": date(2026, 1, 1),
                              "rate": 75.0})

    def test_contractual_preset_keeps_todays_settings(self):
        stage = self._ladder("contractual", [10]).stage_ids
        stage.write({"fee_fixed": 10.0, "interest_rate": 12.0})
        self._post(self._invoice(self.customer, 1000.0, date=date(2026, 2, 1),
                                 due=date(2026, 3, 1)))
        self._run(date(2026, 3, 11))
        # 10.00 + 1,000 x 12 % x 10 / 365 = 3.29
        self.assertAlmostEqual(self._fees().amount_total, 13.29)
