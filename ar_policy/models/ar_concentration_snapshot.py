from odoo import api, fields, models
from odoo.tools import create_index

from ..rules import concentration as rules

CONCENTRATION_LEVELS = [
    (rules.OK, "Below the thresholds"),
    (rules.WARNING, "Above the warning share"),
    (rules.CRITICAL, "Above the critical share"),
]


class ArConcentrationSnapshot(models.Model):
    """One customer's concentration figures on one date, in one company.

    Written in bulk by ``ar.concentration`` (one SQL aggregation for every customer);
    rerunning a date replaces its rows.
    """

    _name = "ar.concentration.snapshot"
    _description = "Customer Concentration Snapshot"
    _order = "date desc, revenue_share desc, id"
    _check_company_auto = True
    _rec_name = "partner_id"

    date = fields.Date(required=True, readonly=True, index=True)
    is_latest = fields.Boolean(string="Latest", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True,
                                 index=True, ondelete="cascade")
    revenue = fields.Monetary(string="Trailing Revenue", readonly=True,
                              help="Posted invoices less credit notes, untaxed, in company "
                              "currency, over the company's window; late fees excluded.")
    revenue_share = fields.Float(string="Revenue Share (%)", readonly=True, digits=(16, 2),
                                 aggregator="sum")
    receivable = fields.Monetary(
        string="Net Receivables", readonly=True,
        help="The account position's balance: open items less open credits, in company "
        "currency; negative when the customer is in credit (no share then).",
    )
    receivable_share = fields.Float(string="Receivables Share (%)", readonly=True,
                                    digits=(16, 2), aggregator="sum")
    revenue_level = fields.Selection(CONCENTRATION_LEVELS, readonly=True)
    receivable_level = fields.Selection(CONCENTRATION_LEVELS, readonly=True)
    level = fields.Selection(CONCENTRATION_LEVELS, readonly=True, index=True,
                             help="The higher of the revenue and receivables levels.")

    _sql_constraints = [
        (
            "date_partner_company_uniq",
            "unique(company_id, date, partner_id)",
            "One concentration snapshot per customer per date.",
        ),
    ]

    def init(self):
        create_index(self.env.cr, "ar_concentration_snapshot_latest_idx", self._table,
                     ["company_id", "partner_id"], where="is_latest")

    @api.model
    def _cron_snapshot(self):
        """Daily: every enabled company's snapshot, crossings notified, old ones thinned."""
        return self.env["ar.concentration"]._cron_snapshot()

    @api.model
    def _cron_digest(self):
        """Monthly: the portfolio digest to each responsible credit manager."""
        return self.env["ar.concentration"]._cron_digest()
