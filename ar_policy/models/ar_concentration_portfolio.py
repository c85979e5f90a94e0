from odoo import fields, models


class ArConcentrationPortfolio(models.Model):
    """The portfolio's concentration on one date, in one company."""

    _name = "ar.concentration.portfolio"
    _description = "Portfolio Concentration"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "date"

    date = fields.Date(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    total_revenue = fields.Monetary(string="Trailing Revenue", readonly=True,
                                    aggregator="max")
    total_receivable = fields.Monetary(string="Open Receivables", readonly=True,
                                       aggregator="max")
    customers_count = fields.Integer(string="Customers with Revenue", readonly=True,
                                     aggregator="max")
    hhi = fields.Float(string="Concentration Index (HHI)", readonly=True, digits=(16, 0),
                       aggregator="avg",
                       help="Herfindahl-Hirschman index: the sum of the squared percentage "
                       "shares of revenue, from 0 to 10,000.")
    effective_number = fields.Float(string="Effective Number of Customers", readonly=True,
                                    digits=(16, 2), aggregator="avg",
                                    help="10,000 / HHI: how many equal customers would give "
                                    "the same concentration.")
    top1_share = fields.Float(string="Top Customer (%)", readonly=True, digits=(16, 1),
                              aggregator="avg")
    top5_share = fields.Float(string="Top 5 (%)", readonly=True, digits=(16, 1),
                              aggregator="avg")
    top10_share = fields.Float(string="Top 10 (%)", readonly=True, digits=(16, 1),
                               aggregator="avg")
    eligible = fields.Boolean(string="Minimum Portfolio Reached", readonly=True,
                              help="Below the minimum portfolio no warning is raised.")
    warning_count = fields.Integer(string="Above Warning", readonly=True, aggregator="max")
    critical_count = fields.Integer(string="Above Critical", readonly=True, aggregator="max")

    _sql_constraints = [
        (
            "date_company_uniq",
            "unique(company_id, date)",
            "One portfolio snapshot per company per date.",
        ),
    ]

    def _ar_digest_rows(self):
        """Customers above a threshold on this portfolio's date, largest share first."""
        self.ensure_one()
        return self.env["ar.concentration.snapshot"].sudo().search([
            ("company_id", "=", self.company_id.id),
            ("date", "=", self.date),
            ("level", "in", ("warning", "critical")),
        ], order="revenue_share desc, receivable_share desc")

    def _ar_level_label(self, level):
        return dict(self.env["ar.concentration.snapshot"]._fields["level"]._description_selection(
            self.env
        )).get(level, "")
