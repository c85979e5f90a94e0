from freezegun import freeze_time

from odoo.tests import tagged

from .common import ArSaleCommon

TODAY = "2026-06-30"


@freeze_time(TODAY)
@tagged("post_install", "-at_install")
class TestOrderConcentration(ArSaleCommon):
    """A quotation that would take its customer over a concentration threshold says so."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(TODAY):
            cls.company.ar_concentration_enabled = True
            cls.company.ar_conc_min_customers = 1
            cls.company.ar_conc_min_revenue = 0.0
            cls.big = cls.env["res.partner"].create({"name": "Big Buyer", "is_company": True})
            cls.small = cls.env["res.partner"].create({"name": "Small Buyer", "is_company": True})
            others = cls.env["res.partner"].create([
                {"name": f"Other {n}", "is_company": True} for n in range(10)
            ])
            for partner in others:
                cls._invoice(partner, 1000.0).action_post()
            cls._invoice(cls.big, 500.0).action_post()
            cls.env["ar.concentration"]._ar_take_snapshot(cls.company)

    def test_quotation_over_critical_shows_the_share(self):
        # revenue 10,500 + 5,000 quotation: Big Buyer 5,500 / 15,500 = 35.5% (critical above 20%)
        order = self._order(self.big, 5000.0)
        banner = order.with_user(self.billing).ar_concentration_banner
        self.assertIn("Confirming this quotation brings Big Buyer to 35.5% of trailing revenue", banner)
        self.assertIn("critical above 20", banner)

    def test_salesperson_sees_the_warning_without_figures(self):
        order = self._order(self.big, 5000.0)
        banner = order.with_user(self.seller).ar_concentration_banner
        self.assertIn("Big Buyer", banner)
        self.assertNotRegex(banner, r"\d")

    def test_small_quotation_shows_nothing(self):
        # Small Buyer 50 / 10,550 = 0.5%: no warning
        order = self._order(self.small, 50.0)
        self.assertFalse(order.with_user(self.billing).ar_concentration_banner)
