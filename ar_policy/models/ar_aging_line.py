from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..rules import aging as rules
from ..rules.money import round_amount

AGING_BUCKETS = [
    (rules.NOT_DUE, "Not Due"),
    (rules.DAYS_1_30, "1-30"),
    (rules.DAYS_31_60, "31-60"),
    (rules.DAYS_61_90, "61-90"),
    (rules.DAYS_91_120, "91-120"),
    (rules.OVER_120, "Over 120"),
]
# the per-bucket amount columns, in ``rules.aging.BUCKETS`` order
BUCKET_FIELDS = {code: f"amount_{code}" for code in rules.CODES}


class ArAgingLine(models.Model):
    """Aged receivables (issue 10): one row per receivable item open on ``as_of``,
    with what was left of it that day in company currency, its days late and bucket.

    Written in bulk by ``_ar_compute`` with one SQL statement from the account
    position's builders (``ar.account.position._ar_aged_item_sql``); recomputing a
    company and date replaces its rows. A real model, so Odoo's list, pivot, graph and
    export work on it; month-end dates are kept with the KPI snapshots, other dates
    are dropped when older than a week.
    """

    _name = "ar.aging.line"
    _description = "Aged Receivable Item"
    _order = "as_of desc, partner_id, due_date, id"
    _check_company_auto = True
    _rec_name = "move_id"

    as_of = fields.Date(string="As of", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Customer", required=True,
                                 readonly=True, index=True, ondelete="cascade")
    move_line_id = fields.Many2one("account.move.line", string="Journal Item", readonly=True,
                                   ondelete="cascade")
    move_id = fields.Many2one("account.move", string="Entry", readonly=True, ondelete="cascade")
    due_date = fields.Date(readonly=True)
    days_late = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(AGING_BUCKETS, string="Age", required=True, readonly=True,
                              index=True)
    residual = fields.Monetary(string="Open Amount", readonly=True,
                               help="What was left of the item on the date, in company "
                               "currency; negative for a credit.")
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_91_120 = fields.Monetary(string="91-120", readonly=True)
    amount_over_120 = fields.Monetary(string="Over 120", readonly=True)
    is_month_end = fields.Boolean(readonly=True, help="Kept with the KPI snapshots.")

    @api.model
    def _ar_bucket_case_sql(self, days):
        """The bucket of ``days`` late, as a CASE built from ``rules.aging.BUCKETS``."""
        whens = []
        for bucket in rules.BUCKETS:
            low = SQL("%s >= %s", days, bucket.first) if bucket.first is not None else SQL("TRUE")
            high = SQL("%s <= %s", days, bucket.last) if bucket.last is not None else SQL("TRUE")
            whens.append(SQL("WHEN %s AND %s THEN %s", low, high, bucket.code))
        return SQL("CASE %s END", SQL(" ").join(whens))

    @api.model
    def _ar_check_as_of(self, as_of, company):
        today = fields.Date.context_today(self.with_company(company))
        if as_of > today:
            raise ValidationError(self.env._(
                "As of: %(date)s is in the future; aged receivables are for today or a past "
                "date.", date=as_of,
            ))
        return today

    @api.model
    def _ar_compute(self, companies, as_of):
        """(Re)writes the aged receivables of ``companies`` on ``as_of``: two queries
        per company (delete, insert), however many customers and items."""
        companies = companies.root_id
        for company in companies:
            today = self._ar_check_as_of(as_of, company)
            self.flush_model()
            self.env.execute_query(SQL(
                "DELETE FROM ar_aging_line WHERE company_id = %s AND as_of = %s",
                company.id, as_of,
            ))
            items = self.env["ar.account.position"]._ar_aged_item_sql(company, as_of, today)
            days = SQL("(%s::date - i.due_date)", as_of)
            days_late = SQL("COALESCE(%s, 0)", days)
            bucket = self._ar_bucket_case_sql(days_late)
            amounts = SQL(", ").join(
                SQL("CASE WHEN %s = %s THEN i.residual_company ELSE 0 END", bucket, code)
                for code in rules.CODES
            )
            columns = SQL(", ").join(SQL.identifier(BUCKET_FIELDS[c]) for c in rules.CODES)
            month_end = (as_of + relativedelta(days=1)).day == 1
            self.env.execute_query(SQL(
                """
                INSERT INTO ar_aging_line (
                    as_of, company_id, partner_id, move_line_id, move_id, due_date,
                    days_late, bucket, residual, %(columns)s, is_month_end,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(as_of)s, %(company)s, i.partner_id, i.line_id, i.move_id, i.due_date,
                       %(days_late)s, %(bucket)s, i.residual_company, %(amounts)s,
                       %(month_end)s, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                       NOW() AT TIME ZONE 'UTC'
                  FROM (%(items)s) i
                """,
                columns=columns, as_of=as_of, company=company.id, days_late=days_late,
                bucket=bucket, amounts=amounts, month_end=month_end, uid=self.env.uid,
                items=items,
            ))
        self.invalidate_model()
        return True

    @api.model
    def _ar_vacuum(self, keep_days=7):
        """Drops the on-demand dates older than ``keep_days``; month ends stay."""
        limit = fields.Date.context_today(self) - relativedelta(days=keep_days)
        self.flush_model()
        self.env.execute_query(SQL(
            "DELETE FROM ar_aging_line WHERE is_month_end IS NOT TRUE AND as_of < %s", limit
        ))
        self.invalidate_model()

    @api.model
    def _ar_totals(self, company, as_of):
        """{partner id: (amounts per bucket in ``rules.aging.CODES`` order)} and the
        totals, from the stored rows, as ``rules.aging.aged`` rounds them."""
        groups = self._read_group(
            [("company_id", "=", company.id), ("as_of", "=", as_of)],
            ["partner_id"], [f"{BUCKET_FIELDS[c]}:sum" for c in rules.CODES],
        )
        rounding = company.currency_id.rounding
        rows = {
            partner.id: rules.AgedRow(partner.id, tuple(
                round_amount(amount, rounding) for amount in amounts
            ), rounding)
            for partner, *amounts in groups
        }
        totals = rules.AgedRow(None, tuple(
            round_amount(sum(row.amounts[i] for row in rows.values()), rounding)
            for i in range(len(rules.CODES))
        ), rounding)
        return rows, totals

    def action_open_item(self):
        self.ensure_one()
        return self.move_id._get_records_action() if self.move_id else False

    @api.model
    def _ar_action(self, company, as_of):
        action = self.env["ir.actions.act_window"]._for_xml_id("ar_policy.action_ar_aging_line")
        action["name"] = self.env._("Aged Receivables as of %s", fields.Date.to_string(as_of))
        action["domain"] = [("company_id", "=", company.id), ("as_of", "=", as_of)]
        action["context"] = {"search_default_group_partner": 1}
        return action
