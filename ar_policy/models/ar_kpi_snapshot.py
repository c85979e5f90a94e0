import threading
from collections import defaultdict
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..rules import aging as aging_rules
from ..rules import kpi as rules
from ..rules.aging import Partial
from .ar_aging_line import BUCKET_FIELDS

SALES_MONTHS = 12  # months of credit sales read for the count-back DSO
TRENDS = [(rules.UP, "Up"), (rules.DOWN, "Down"), (rules.FLAT, "Flat")]
KPI_LABELS = [
    ("dso_count_back", "DSO (count-back)"),
    ("dso_simple", "DSO (simple)"),
    ("best_dso", "Best Possible DSO"),
    ("add", "Average Days Delinquent"),
    ("cei", "Collection Effectiveness Index (%)"),
    ("at_risk", "At-Risk Rate (%)"),
    ("on_time", "Paid on Time (%)"),
    ("days_to_pay", "Average Days to Pay"),
]


def month_end(day):
    return day + relativedelta(day=31)


class ArKpiSnapshot(models.Model):
    """Collection KPIs of one month (issue 10), per company (no customer) and per
    customer, with the month-end aging. Computed in bulk by ``_ar_compute`` (a fixed
    number of queries per company and month) on the 1st of each month and on demand;
    recomputing a month replaces its rows, so running twice gives the same rows.
    Formulas: ``rules.kpi.month_kpis``."""

    _name = "ar.kpi.snapshot"
    _description = "Collection KPI Snapshot"
    _order = "date desc, partner_id desc, id"
    _check_company_auto = True
    _rec_name = "date"

    date = fields.Date(string="Month End", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    # stored (not related) so that the bulk create rounds the amounts without a lookup
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True,
                                 ondelete="cascade",
                                 help="Empty on the company's own row.")
    is_company_row = fields.Boolean(string="Company Total", readonly=True, index=True)
    receivable = fields.Monetary(string="Receivables", readonly=True, aggregator="sum",
                                 help="Open items less open credits at the month's end.")
    credit_sales = fields.Monetary(string="Credit Sales", readonly=True,
                                   help="The month's invoices less credit notes, taxes "
                                   "included.")
    dso_count_back = fields.Float(string="DSO (count-back)", readonly=True, digits=(16, 2),
                                  aggregator="avg")
    dso_simple = fields.Float(string="DSO (simple)", readonly=True, digits=(16, 2),
                              aggregator="avg")
    best_dso = fields.Float(string="Best Possible DSO", readonly=True, digits=(16, 2),
                            aggregator="avg")
    add = fields.Float(string="Average Days Delinquent", readonly=True, digits=(16, 2),
                       aggregator="avg")
    cei = fields.Float(string="CEI (%)", readonly=True, digits=(16, 2), aggregator="avg")
    at_risk = fields.Float(string="At-Risk Rate (%)", readonly=True, digits=(16, 2),
                           aggregator="avg")
    on_time = fields.Float(string="Paid on Time (%)", readonly=True, digits=(16, 2),
                           aggregator="avg")
    days_to_pay = fields.Float(string="Average Days to Pay", readonly=True, digits=(16, 2),
                               aggregator="avg")
    dso_trend = fields.Selection(TRENDS, string="DSO Trend", readonly=True,
                                 help="Count-back DSO against the month before.")
    amount_not_due = fields.Monetary(string="Not Due", readonly=True)
    amount_1_30 = fields.Monetary(string="1-30", readonly=True)
    amount_31_60 = fields.Monetary(string="31-60", readonly=True)
    amount_61_90 = fields.Monetary(string="61-90", readonly=True)
    amount_91_120 = fields.Monetary(string="91-120", readonly=True)
    amount_over_120 = fields.Monetary(string="Over 120", readonly=True)

    _sql_constraints = [
        ("date_partner_company_uniq", "unique(company_id, date, partner_id)",
         "One KPI snapshot per customer per month."),
    ]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    @api.model
    def _cron_compute(self):
        """On the 1st: the month just ended, for every company."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        companies = self.env["res.company"].sudo().search([("parent_id", "=", False)],
                                                          order="id")
        self.env["ar.aging.line"].sudo()._ar_vacuum()
        for done, company in enumerate(companies, 1):
            today = fields.Date.context_today(self.with_company(company))
            self.sudo()._ar_compute(company, month_end(today - relativedelta(months=1)))
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(companies) - done)
            if auto_commit:
                # one company, one transaction: an interrupted run keeps what it did
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return len(companies)

    def action_ar_compute_now(self):
        """On demand (the dashboard's button): the current month up to today and the
        month before, for the current company."""
        self.env["ar.aging.line"].check_access("read")
        company = self.env.company.root_id
        today = fields.Date.context_today(self.with_company(company))
        snapshots = self.sudo()
        snapshots._ar_compute(company, month_end(today - relativedelta(months=1)))
        snapshots._ar_compute(company, today)
        return self.env["ir.actions.act_window"]._for_xml_id("ar_policy.action_ar_kpi_value")

    # ------------------------------------------------------------------
    # Bulk computation
    # ------------------------------------------------------------------

    @api.model
    def _ar_compute(self, company, day):
        """(Re)computes ``company``'s snapshot of the month ending on ``day`` (or up to
        ``day`` for the current month): its aging, then every customer's KPIs and the
        company's, in a fixed number of queries."""
        company = company.root_id
        Aging = self.env["ar.aging.line"]
        previous = day.replace(day=1) - timedelta(days=1)
        Aging._ar_compute(company, day)
        if not Aging.search_count([("company_id", "=", company.id), ("as_of", "=", previous)],
                                  limit=1):
            Aging._ar_compute(company, previous)
        ending, _totals = Aging._ar_totals(company, day)
        beginning, _before = Aging._ar_totals(company, previous)
        sales = self._ar_credit_sales(company, day)
        invoices = self._ar_invoices(company, day)
        partner_ids = sorted(set(ending) | set(beginning) | set(sales) | set(invoices))
        empty = aging_rules.AgedRow(None, (0.0,) * len(aging_rules.CODES))
        months = [month_end(day - relativedelta(months=n)) for n in range(SALES_MONTHS)]

        def figures(rows, begin, sales_by_month, invoice_list):
            return rules.MonthFigures(
                month_end=day, receivables=rows.total, current=rows[aging_rules.NOT_DUE],
                beginning_receivables=begin.total,
                sales=tuple(sales_by_month.get(m, 0.0) for m in months),
                invoices=tuple(invoice_list),
            )

        values = []
        company_sales = defaultdict(float)
        for partner_id in partner_ids:
            rows = ending.get(partner_id, empty)
            for month, amount in sales.get(partner_id, {}).items():
                company_sales[month] += amount
            values.append(self._ar_row_values(
                company, day, partner_id, rows,
                figures(rows, beginning.get(partner_id, empty), sales.get(partner_id, {}),
                        invoices.get(partner_id, ())),
            ))
        total = aging_rules.AgedRow(None, tuple(
            sum(v[BUCKET_FIELDS[c]] for v in values) for c in aging_rules.CODES
        ))
        begin_total = aging_rules.AgedRow(None, (sum(r.total for r in beginning.values()),))
        values.append(self._ar_row_values(company, day, False, total, figures(
            total, begin_total, company_sales,
            [invoice for partner in invoices.values() for invoice in partner],
        )))
        company_kpis = values[-1]["_kpis"]
        self._ar_write_trends(company, day, values)
        self.search([("company_id", "=", company.id), ("date", "=", day)]).unlink()
        snapshots = self.create(values)
        self.env["ar.kpi.value"]._ar_write(company, day, company_kpis)
        return snapshots

    @api.model
    def _ar_row_values(self, company, day, partner_id, rows, figures):
        kpis = rules.month_kpis(figures)
        vals = {
            "date": day, "company_id": company.id, "currency_id": company.currency_id.id,
            "partner_id": partner_id,
            "is_company_row": not partner_id, "receivable": rows.total,
            "credit_sales": figures.sales[0] if figures.sales else 0.0,
            **{BUCKET_FIELDS[code]: rows[code] for code in aging_rules.CODES},
            **{code: value or 0.0 for code, value in kpis.items()},
        }
        vals["_kpis"] = kpis
        return vals

    @api.model
    def _ar_write_trends(self, company, day, values):
        """Each row's DSO trend against the month before, from one read."""
        before = month_end(day.replace(day=1) - timedelta(days=1))
        previous = {
            partner.id: dso for partner, dso in self._read_group(
                [("company_id", "=", company.id), ("date", "=", before)],
                ["partner_id"], ["dso_count_back:max"],
            )
        }
        for vals in values:
            vals["dso_trend"] = rules.trend(
                vals.pop("_kpis")["dso_count_back"], previous.get(vals["partner_id"] or False)
            ) or False

    @api.model
    def _ar_credit_sales(self, company, day):
        """{partner id: {month end: credit sales}} of the ``SALES_MONTHS`` months to
        ``day``: what posted invoices and credit notes put on the receivable account."""
        start = month_end(day - relativedelta(months=SALES_MONTHS - 1)).replace(day=1)
        self.env["account.move.line"].flush_model(["balance", "date", "parent_state"])
        rows = self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id, date_trunc('month', aml.date)::date, SUM(aml.balance)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND aml.company_id IN %(company_ids)s
               AND aml.date BETWEEN %(start)s AND %(end)s
          GROUP BY 1, 2
            """,
            company_ids=self.env["ar.account.position"]._ar_company_ids_sql(company),
            start=start, end=day,
        ))
        result = defaultdict(dict)
        for partner_id, month, amount in rows:
            result[partner_id][month_end(month)] = amount
        return result

    @api.model
    def _ar_invoices(self, company, day):
        """{partner id: [rules.kpi.Invoice]}: the receivable lines of the invoices that
        matter to the month ending ``day`` (due within 90 days before it or later,
        issued on or before it), with the partials paying them up to ``day``."""
        self.env["account.partial.reconcile"].flush_model(["debit_move_id", "amount", "max_date"])
        self.env["account.move"].flush_model(["invoice_date"])
        rows = self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id, aml.balance, am.invoice_date, aml.date_maturity,
                   ARRAY(SELECT ARRAY[apr.max_date::text, apr.amount::text]
                           FROM account_partial_reconcile apr
                          WHERE apr.debit_move_id = aml.id AND apr.max_date <= %(end)s)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND am.move_type = 'out_invoice'
               AND aml.balance > 0
               AND aml.company_id IN %(company_ids)s
               AND am.invoice_date <= %(end)s
               AND aml.date_maturity >= %(since)s
            """,
            company_ids=self.env["ar.account.position"]._ar_company_ids_sql(company),
            end=day, since=day.replace(day=1) - timedelta(days=400),
        ))
        result = defaultdict(list)
        for partner_id, amount, invoice_date, due_date, partials in rows:
            result[partner_id].append(rules.Invoice(
                amount, invoice_date or due_date, due_date,
                tuple(Partial(date.fromisoformat(d), float(a)) for d, a in partials),
            ))
        return result


class ArKpiValue(models.Model):
    """The company's KPIs of one month, one row each, against the company's target
    (the "KPI" list of the dashboard and the monthly digest)."""

    _name = "ar.kpi.value"
    _description = "Collection KPI"
    _order = "date desc, sequence"
    _check_company_auto = True
    _rec_name = "kpi"

    date = fields.Date(string="Month End", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    sequence = fields.Integer(readonly=True)
    kpi = fields.Selection(KPI_LABELS, string="KPI", required=True, readonly=True)
    value = fields.Float(readonly=True, digits=(16, 2), aggregator="avg")
    has_value = fields.Boolean(readonly=True)
    previous = fields.Float(string="Month Before", readonly=True, digits=(16, 2),
                            aggregator="avg")
    has_previous = fields.Boolean(readonly=True)
    trend = fields.Selection(TRENDS, readonly=True)
    target = fields.Float(readonly=True, digits=(16, 2), aggregator="avg")
    status = fields.Selection([(rules.MET, "Met"), (rules.MISSED, "Missed")], readonly=True)

    @api.model
    def _ar_write(self, company, day, kpis):
        """Replaces the month's rows with ``kpis`` ({code: value or None}), each
        against the month before and the company's target."""
        before = month_end(day.replace(day=1) - timedelta(days=1))
        previous = {
            row.kpi: row for row in self.search([
                ("company_id", "=", company.id), ("date", "=", before)
            ])
        }
        self.search([("company_id", "=", company.id), ("date", "=", day)]).unlink()
        targets = company._ar_kpi_targets()
        values = []
        for sequence, (code, _label) in enumerate(KPI_LABELS):
            value = kpis.get(code)
            has_value = value is not None
            before_row = previous.get(code)
            before_value = before_row.value if before_row and before_row.has_value else None
            target = targets.get(code)
            values.append({
                "date": day, "company_id": company.id, "sequence": sequence, "kpi": code,
                "value": value or 0.0, "has_value": has_value,
                "previous": before_value or 0.0, "has_previous": before_value is not None,
                "trend": rules.trend(value, before_value) or False,
                "target": target or 0.0,
                "status": rules.against_target(value, target, rules.KPIS[code]) or False,
            })
        return self.create(values)

    def action_ar_compute_now(self):
        return self.env["ar.kpi.snapshot"].action_ar_compute_now()

    def _ar_label(self):
        self.ensure_one()
        return dict(self._fields["kpi"]._description_selection(self.env))[self.kpi]

    def _ar_status_label(self):
        self.ensure_one()
        return dict(self._fields["status"]._description_selection(self.env)).get(self.status, "")


class ArConcentrationPortfolio(models.Model):
    _inherit = "ar.concentration.portfolio"

    def _ar_digest_kpis(self):
        """The company's latest month of KPIs against their targets (the digest)."""
        self.ensure_one()
        KpiValue = self.env["ar.kpi.value"].sudo()
        latest = KpiValue.search([("company_id", "=", self.company_id.id)],
                                 order="date desc", limit=1)
        return KpiValue.search([
            ("company_id", "=", self.company_id.id), ("date", "=", latest.date),
        ]) if latest else KpiValue
