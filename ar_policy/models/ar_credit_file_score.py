from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..rules import score as rules
from ..rules import worklist as worklist_rules

RATINGS = [(rules.A, "A"), (rules.B, "B"), (rules.C, "C"), (rules.D, "D")]
TRENDS = [("up", "Improving"), ("flat", "Stable"), ("down", "Worsening")]
BILLING_GROUPS = "account.group_account_invoice,account.group_account_readonly"


class ArCreditFile(models.Model):
    """The customer's payment-behaviour score (issue 10, ``rules.score``): stored,
    recomputed in bulk every night and when payments are reconciled."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    payment_score = fields.Integer(
        readonly=True, groups=BILLING_GROUPS,
        help="1-100 from the amount-weighted days beyond terms over the last 12 months "
        "(100 = paid early, 80 = on time, 50 = 30 days late), less points for broken "
        "promises, chronic partial payments, repeated unreachable calls and 'will pay "
        "today' not kept. Empty: nothing to judge yet.",
    )
    payment_rating = fields.Selection(
        RATINGS, readonly=True, index=True,
        help="A from a score of 80 (on time or better), B from 60, C from 40, D below.",
    )
    payment_trend = fields.Selection(
        TRENDS, readonly=True,
        help="The score of the last 90 days against that of the 90 days before.",
    )
    payment_days_beyond = fields.Float(
        string="Average Days Beyond Terms", readonly=True, groups=BILLING_GROUPS, digits=(16, 1),
    )
    payment_score_date = fields.Date(string="Score Computed On", readonly=True)

    # ------------------------------------------------------------------
    # Computing the score in bulk
    # ------------------------------------------------------------------

    def _ar_compute_scores(self):
        """Scores, ratings and trends of these files on the company's today: a fixed
        number of queries per company, one UPDATE for all."""
        files = self.sudo()
        rows = []
        for company, company_files in files.grouped("company_id").items():
            today = fields.Date.context_today(self.with_company(company))
            inputs = self._ar_score_inputs(company_files, company, today)
            grace = company.sudo().ar_promise_grace_days
            for file in company_files:
                items, partials, broken, calls = inputs[file.partner_id.id]
                year = rules.customer_score(items, today, broken[0], len(partials[0]),
                                            calls=calls, grace_days=grace)
                _recent, _before, trend = rules.windows(
                    items, today, broken[1:], (len(partials[1]), len(partials[2])),
                    calls=calls, grace_days=grace,
                )
                rows.append((file.id, year.score, year.rating, trend, year.days, today))
        if not rows:
            return 0
        self.flush_model()
        self.env.execute_query(SQL(
            """
            UPDATE ar_credit_file f
               SET payment_score = v.score, payment_rating = v.rating,
                   payment_trend = v.trend, payment_days_beyond = v.days,
                   payment_score_date = v.day
              FROM (VALUES %s) AS v(id, score, rating, trend, days, day)
             WHERE f.id = v.id
            """,
            SQL(", ").join(
                SQL("(%s, %s::int, %s::varchar, %s::varchar, %s::float8, %s::date)", *row)
                for row in rows
            ),
        ))
        self.invalidate_model(["payment_score", "payment_rating", "payment_trend",
                               "payment_days_beyond", "payment_score_date"])
        return len(rows)

    @api.model
    def _ar_score_inputs(self, files, company, today):
        """{commercial partner id: (score items, partial payments, broken promises,
        calls)}: the items paid in the last 12 months and those still open
        (``rules.ScoreItem``, company currency), the payment dates of partial payments as
        three lists (12 months, last 90 days, the 90 before), the broken promises
        counted the same way, and the calls of both trend windows' call windows
        (``rules.CallFact``, grouped by day and kind). Four queries."""
        partner_ids = tuple(files.partner_id.ids)
        start = today - timedelta(days=rules.WINDOW_DAYS - 1)
        recent = today - timedelta(days=rules.TREND_DAYS - 1)
        before = recent - timedelta(days=rules.TREND_DAYS)
        Position = self.env["ar.account.position"]
        self.env["account.partial.reconcile"].flush_model()
        self.env["ar.promise"].flush_model(["state", "state_date", "file_id"])
        items = defaultdict(list)
        partials = defaultdict(lambda: ([], [], []))
        half = company.currency_id.rounding / 2
        paid_rows = self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id, aml.date_maturity, apr.amount, apr.max_date,
                   apr.amount < aml.balance - %(half)s
              FROM account_partial_reconcile apr
              JOIN account_move_line aml ON aml.id = apr.debit_move_id
              JOIN account_move am ON am.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE acc.account_type = 'asset_receivable'
               AND am.move_type = 'out_invoice'
               AND aml.parent_state = 'posted'
               AND aml.date_maturity IS NOT NULL
               AND aml.company_id IN %(company_ids)s
               AND p.commercial_partner_id IN %(partner_ids)s
               AND apr.max_date BETWEEN %(start)s AND %(today)s
            """,
            half=half, company_ids=Position._ar_company_ids_sql(company),
            partner_ids=partner_ids, start=start, today=today,
        ))
        for partner_id, due, amount, paid_on, partial in paid_rows:
            items[partner_id].append(rules.ScoreItem(amount, due, paid_on))
            if partial:
                lists = partials[partner_id]
                lists[0].append(paid_on)
                if paid_on >= recent:
                    lists[1].append(paid_on)
                elif paid_on >= before:
                    lists[2].append(paid_on)
        open_rows = self.env.execute_query(SQL(
            "SELECT o.partner_id, o.due_date, o.residual_company FROM (%s) o "
            "WHERE o.due_date IS NOT NULL",
            Position._ar_open_item_sql(company, today, partner_ids),
        ))
        for partner_id, due, amount in open_rows:
            items[partner_id].append(rules.ScoreItem(amount, due))
        broken_rows = self.env.execute_query(SQL(
            """
            SELECT f.partner_id,
                   COUNT(*) FILTER (WHERE pr.state_date >= %(start)s),
                   COUNT(*) FILTER (WHERE pr.state_date >= %(recent)s),
                   COUNT(*) FILTER (WHERE pr.state_date >= %(before)s
                                      AND pr.state_date < %(recent)s)
              FROM ar_promise pr
              JOIN ar_credit_file f ON f.id = pr.file_id
             WHERE pr.state = 'broken' AND pr.file_id IN %(file_ids)s
               AND pr.state_date <= %(today)s
          GROUP BY f.partner_id
            """,
            start=start, recent=recent, before=before, today=today, file_ids=tuple(files.ids),
        ))
        broken = {row[0]: row[1:] for row in broken_rows}
        calls = self._ar_score_calls(files, today)
        return {
            partner_id: (items[partner_id], partials[partner_id],
                         broken.get(partner_id, (0, 0, 0)), calls[partner_id])
            for partner_id in partner_ids
        }

    @api.model
    def _ar_score_calls(self, files, today):
        """{commercial partner id: [``rules.CallFact``]}: the calls on these files over
        the call windows of both trend windows, counted per local day, outcome and
        whether the customer said it would pay today. One grouped query."""
        self.env["ar.call"].flush_model(["file_id", "date", "outcome", "excuse_id"])
        self.env["ar.call.excuse"].flush_model(["next_step"])
        since = today - timedelta(days=rules.TREND_DAYS + rules.CALL_WINDOW_DAYS)
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        calls = defaultdict(list)
        for partner_id, day, outcome, pay_today, count in self.env.execute_query(SQL(
            """
            SELECT f.partner_id, (c.date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS day,
                   c.outcome, COALESCE(e.next_step = %(pay_today)s, FALSE) AS pay_today,
                   COUNT(*)
              FROM ar_call c
              JOIN ar_credit_file f ON f.id = c.file_id
              LEFT JOIN ar_call_excuse e ON e.id = c.excuse_id
             WHERE c.file_id IN %(file_ids)s
               AND c.date >= %(since)s AND c.date < %(until)s
          GROUP BY f.partner_id, day, c.outcome, pay_today
            """,
            tz=tz, pay_today=worklist_rules.STEP_PROMISE_TODAY, file_ids=tuple(files.ids),
            since=since, until=today + timedelta(days=2),
        )):
            calls[partner_id].append(rules.CallFact(day, outcome, pay_today, count))
        return calls

    @api.model
    def _ar_refresh_scores_for_partners(self, partners, companies):
        """Payments were reconciled: the scores (and worklist rows) of these customers."""
        files = self.sudo().search([
            ("partner_id", "in", partners.commercial_partner_id.ids),
            ("company_id", "in", companies.root_id.ids),
        ])
        if files:
            files._ar_compute_scores()
            files._ar_refresh_worklist()

    @api.model
    def _cron_worklist(self, batch_size=1000):
        """Nightly: every file's payment score, then today's worklist, in batches."""
        files = self.sudo().search([], order="id")
        scored = self._ar_run_batches(files, "_ar_compute_scores", batch_size)
        listed = self._ar_run_batches(files, "_ar_refresh_worklist", batch_size)
        return scored, listed
