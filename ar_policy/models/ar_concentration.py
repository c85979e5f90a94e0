import logging
import threading
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..guards import as_scheduler, policy_write
from ..rules import concentration as rules

_logger = logging.getLogger(__name__)

INSERT_CHUNK = 50000


class ArConcentrationRefusal(UserError):
    """Posting takes a customer over a critical share: a credit manager confirms it."""

    def __init__(self, message, title=None):
        super().__init__(message)
        self.title = title  # the dialog's title, as ArCreditRefusal's
        self.context = {"exception_class": "odoo.exceptions.UserError", "title": title}


class ArConcentration(models.AbstractModel):
    """Customer concentration (DOMAIN 4): snapshots, banners, crossings and digest.

    The figures come from one SQL aggregation per company; the rules (shares, index,
    levels, crossings, thinning) are in ``rules/concentration.py``. Banners and the
    posting check read the latest snapshot plus the document's own amount.
    """

    _name = "ar.concentration"
    _description = "Customer Concentration"

    # ------------------------------------------------------------------
    # Settings
    # ------------------------------------------------------------------

    @api.model
    def _ar_check_settings(self, company):
        def label(fname):
            return company._fields[fname].get_description(self.env)["string"]

        for fname in ("ar_conc_revenue_warning", "ar_conc_revenue_critical",
                      "ar_conc_receivable_warning", "ar_conc_receivable_critical"):
            if not 0.0 <= company[fname] <= 100.0:
                raise ValidationError(self.env._("%s must be between 0 and 100.", label(fname)))
        for warning, critical in (("ar_conc_revenue_warning", "ar_conc_revenue_critical"),
                                  ("ar_conc_receivable_warning", "ar_conc_receivable_critical")):
            if company[warning] > company[critical]:
                raise ValidationError(self.env._(
                    "%(warning)s cannot be above %(critical)s.",
                    warning=label(warning), critical=label(critical),
                ))
        if company.ar_concentration_window_months < 1:
            raise ValidationError(self.env._(
                "%s must be at least 1.", label("ar_concentration_window_months")
            ))
        for fname in ("ar_conc_min_customers", "ar_conc_min_revenue", "ar_conc_keep_daily_days"):
            if company[fname] < 0:
                raise ValidationError(self.env._("%s cannot be negative.", label(fname)))

    # ------------------------------------------------------------------
    # Snapshot
    # ------------------------------------------------------------------

    @api.model
    def _ar_gather(self, company, start, as_of):
        """[(commercial partner id, revenue, net receivable)] of every customer of
        ``company`` (root and branches), in one query. The net receivable is the
        account position's balance (open items less open credits, booked by
        ``as_of``): negative when the customer is in credit."""
        company_ids = tuple(self.env["ar.credit.file"]._ar_company_ids(company))
        self.env["account.move"].flush_model([
            "move_type", "state", "company_id", "invoice_date", "commercial_partner_id",
            "amount_untaxed_signed", "ar_origin", "reversed_entry_id",
        ])
        Position = self.env["ar.account.position"]
        return self.env.execute_query(SQL(
            """
            WITH revenue AS (
                SELECT m.commercial_partner_id AS partner_id,
                       SUM(m.amount_untaxed_signed) AS amount
                  FROM account_move m
             LEFT JOIN account_move reversed ON reversed.id = m.reversed_entry_id
                 WHERE m.move_type IN ('out_invoice', 'out_refund')
                   AND m.state = 'posted'
                   AND m.company_id IN %(company_ids)s
                   AND m.invoice_date BETWEEN %(start)s AND %(as_of)s
                   AND m.commercial_partner_id IS NOT NULL
                   AND m.ar_origin IS DISTINCT FROM 'late_fee'
                   AND reversed.ar_origin IS DISTINCT FROM 'late_fee'
              GROUP BY m.commercial_partner_id
            ), receivable AS (
                SELECT balance.partner_id, SUM(balance.amount) AS amount
                  FROM (SELECT item.partner_id, item.residual_company AS amount
                          FROM (%(items)s) item
                         WHERE item.entry_date <= %(as_of)s
                         UNION ALL
                        SELECT credit.partner_id, -credit.amount_company
                          FROM (%(credits)s) credit
                         WHERE credit.date <= %(as_of)s) balance
              GROUP BY balance.partner_id
            )
            SELECT COALESCE(r.partner_id, o.partner_id),
                   COALESCE(r.amount, 0), COALESCE(o.amount, 0)
              FROM revenue r
         FULL JOIN receivable o ON o.partner_id = r.partner_id
            """,
            company_ids=company_ids, start=start, as_of=as_of,
            items=Position._ar_open_item_sql(company, as_of),
            credits=Position._ar_open_credit_sql(company),
        ))

    @api.model
    def _ar_take_snapshot(self, company, as_of=None, notify=False):
        """Store the figures of every customer of ``company`` on ``as_of`` (today by
        default), replacing any snapshot of that date. Returns the portfolio record.

        Net receivables are the account position's balance of the items and credits
        open today that were booked by ``as_of`` (a back-dated snapshot is only exact
        for revenue); a customer in credit has no receivables share.
        """
        company = company.root_id
        as_of = fields.Date.to_date(as_of) or fields.Date.context_today(self.with_company(company))
        start = rules.window_start(as_of, company.ar_concentration_window_months)
        rows = self._ar_gather(company, start, as_of)
        currency = company.currency_id
        revenues = {pid: currency.round(float(revenue)) for pid, revenue, _rec in rows}
        receivables = {pid: currency.round(float(receivable)) for pid, _rev, receivable in rows}
        figures = rules.portfolio(revenues)
        eligible = rules.portfolio_eligible(
            figures["customers_count"], figures["total_revenue"],
            company.ar_conc_min_customers, company.ar_conc_min_revenue,
        )
        levels, values = self._ar_snapshot_rows(company, revenues, receivables, eligible)
        self._ar_snapshot_clear(company, as_of)
        self._ar_insert_rows(company, as_of, values)
        portfolio = self._ar_snapshot_portfolio(
            company, as_of, figures, eligible, receivables, levels
        )
        self._ar_snapshot_mark_latest(company)
        if notify and as_of == portfolio.search(
            [("company_id", "=", company.id)], order="date desc", limit=1
        ).date:
            self._ar_notify_crossings(company, levels)
        return portfolio

    @api.model
    def _ar_snapshot_rows(self, company, revenues, receivables, eligible):
        """Each customer's shares and levels: ({partner id: level}, snapshot rows)."""
        currency = company.currency_id
        revenue_shares = rules.shares(revenues)
        receivable_shares = rules.shares(receivables)
        levels = {}
        values = []
        rev_warning, rev_critical = (company.ar_conc_revenue_warning,
                                     company.ar_conc_revenue_critical)
        rec_warning, rec_critical = (company.ar_conc_receivable_warning,
                                     company.ar_conc_receivable_critical)
        for pid, revenue, receivable in ((p, revenues[p], receivables[p]) for p in revenues):
            if currency.is_zero(revenue) and currency.compare_amounts(receivable, 0.0) <= 0:
                continue
            rev_level = rec_level = rules.OK
            if eligible:
                rev_level = rules.level(revenue_shares[pid], rev_warning, rev_critical)
                rec_level = rules.level(receivable_shares[pid], rec_warning, rec_critical)
            levels[pid] = rules.highest(rev_level, rec_level)
            values.append((pid, revenue, round(revenue_shares[pid], 4),
                           receivable, round(receivable_shares[pid], 4),
                           rev_level, rec_level, levels[pid]))
        return levels, values

    @api.model
    def _ar_snapshot_clear(self, company, as_of):
        """Drop the snapshot of ``as_of``, if any: a new one replaces it."""
        Portfolio = self.env["ar.concentration.portfolio"].sudo()
        Snapshot = self.env["ar.concentration.snapshot"].sudo()
        Snapshot.flush_model()
        Portfolio.flush_model()
        self.env.execute_query(SQL(
            "DELETE FROM ar_concentration_snapshot WHERE company_id = %s AND date = %s",
            company.id, as_of,
        ))
        self.env.execute_query(SQL(
            "DELETE FROM ar_concentration_portfolio WHERE company_id = %s AND date = %s",
            company.id, as_of,
        ))
        Snapshot.invalidate_model()
        Portfolio.invalidate_model()

    @api.model
    def _ar_snapshot_portfolio(self, company, as_of, figures, eligible, receivables, levels):
        """The portfolio record of the snapshot: totals, indexes and level counts."""
        currency = company.currency_id
        Portfolio = self.env["ar.concentration.portfolio"].sudo()
        portfolio = Portfolio.create({
            "company_id": company.id,
            "date": as_of,
            "total_revenue": figures["total_revenue"],
            "total_receivable": currency.round(sum(
                v for v in receivables.values() if currency.compare_amounts(v, 0.0) > 0
            )),
            "customers_count": figures["customers_count"],
            "hhi": figures["hhi"],
            "effective_number": figures["effective_number"],
            "top1_share": figures["top1_share"],
            "top5_share": figures["top5_share"],
            "top10_share": figures["top10_share"],
            "eligible": eligible,
            "warning_count": sum(1 for lvl in levels.values() if lvl == rules.WARNING),
            "critical_count": sum(1 for lvl in levels.values() if lvl == rules.CRITICAL),
        })
        Portfolio.flush_model()
        return portfolio

    @api.model
    def _ar_snapshot_mark_latest(self, company):
        """Only the rows of the company's latest snapshot are marked latest."""
        self.env.execute_query(SQL(
            """
            UPDATE ar_concentration_snapshot s
               SET is_latest = (s.date = m.max_date)
              FROM (SELECT MAX(date) AS max_date FROM ar_concentration_portfolio
                     WHERE company_id = %(company)s) m
             WHERE s.company_id = %(company)s
               AND (s.is_latest OR s.date = m.max_date)
            """,
            company=company.id,
        ))
        self.env["ar.concentration.snapshot"].sudo().invalidate_model()

    @api.model
    def _ar_insert_rows(self, company, as_of, values):
        """Rows in bulk: one INSERT per chunk, the columns passed as arrays."""
        for start in range(0, len(values), INSERT_CHUNK):
            columns = list(zip(*values[start:start + INSERT_CHUNK], strict=True))
            self.env.execute_query(SQL(
                """
                INSERT INTO ar_concentration_snapshot
                    (company_id, date, partner_id, revenue, revenue_share, receivable,
                     receivable_share, revenue_level, receivable_level, level, is_latest,
                     create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, %(date)s, r.*, FALSE,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s::int[], %(revenues)s::numeric[],
                              %(revenue_shares)s::numeric[], %(receivables)s::numeric[],
                              %(receivable_shares)s::numeric[], %(revenue_levels)s::varchar[],
                              %(receivable_levels)s::varchar[], %(levels)s::varchar[]) r
                """,
                company=company.id, date=as_of, uid=self.env.uid,
                partners=list(columns[0]), revenues=list(columns[1]),
                revenue_shares=list(columns[2]), receivables=list(columns[3]),
                receivable_shares=list(columns[4]), revenue_levels=list(columns[5]),
                receivable_levels=list(columns[6]), levels=list(columns[7]),
            ))

    @api.model
    def _ar_thin(self, company, today=None):
        """Snapshots older than the company's daily retention keep only month-ends."""
        company = company.root_id
        today = today or fields.Date.context_today(self.with_company(company))
        self.env["ar.concentration.portfolio"].flush_model()
        self.env["ar.concentration.snapshot"].flush_model()
        dates = [row[0] for row in self.env.execute_query(SQL(
            """
            SELECT date FROM ar_concentration_portfolio WHERE company_id = %(company)s
             UNION
            SELECT DISTINCT date FROM ar_concentration_snapshot WHERE company_id = %(company)s
            """,
            company=company.id,
        ))]
        drop = rules.dates_to_drop(dates, today, company.ar_conc_keep_daily_days)
        if drop:
            for table in ("ar_concentration_snapshot", "ar_concentration_portfolio"):
                self.env.execute_query(SQL(
                    "DELETE FROM %s WHERE company_id = %s AND date IN %s",
                    SQL.identifier(table), company.id, tuple(drop),
                ))
            self.env["ar.concentration.snapshot"].invalidate_model()
            self.env["ar.concentration.portfolio"].invalidate_model()
        return len(drop)

    @api.model
    def _ar_enabled_companies(self):
        return self.env["res.company"].sudo().search([
            ("parent_id", "=", False), ("ar_concentration_enabled", "=", True),
        ], order="id")

    @api.model
    def _cron_snapshot(self):
        """Daily and idempotent: today's snapshot replaces any earlier run of today."""
        auto_commit = not getattr(threading.current_thread(), "testing", False)
        companies = self._ar_enabled_companies()
        done = 0
        for company in companies:
            as_scheduler(self.with_company(company))._ar_take_snapshot(
                company, notify=True
            )
            self._ar_thin(company)
            done += 1
            self.env["ir.cron"]._notify_progress(done=done, remaining=len(companies) - done)
            if auto_commit:
                # one company, one transaction: an interrupted run keeps what it did
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    @api.model
    def _ar_snapshot_on_enable(self, companies):
        """Enabling the warnings takes today's snapshot at once, so that banners show
        before the first night (crossings are notified by the nightly run)."""
        for company in companies.filtered(lambda c: not c.parent_id and c.ar_concentration_enabled):
            self.sudo()._ar_take_snapshot(company)

    # ------------------------------------------------------------------
    # Crossings and digest
    # ------------------------------------------------------------------

    @api.model
    def _ar_concentration_manager(self, company):
        """Who is told about crossings: the responsible credit manager, else the
        company's administrator (as credit reviews do); empty when neither exists."""
        manager = company.ar_credit_manager_id or self.env.ref(
            "base.user_admin", raise_if_not_found=False
        )
        return manager if manager and manager.active else self.env["res.users"]

    @api.model
    def _ar_notify_crossings(self, company, levels):
        """A mail and an activity to the responsible credit manager (else the
        administrator) when a customer crosses a threshold upward. The level notified
        is kept on the credit file, so a customer that stays above is not notified
        again; a crossing is recorded only when someone was told."""
        File = self.env["ar.credit.file"].sudo()
        above = self.env["res.partner"].browse(
            [pid for pid, lvl in levels.items() if lvl != rules.OK]
        )
        files = dict(File._ar_files_for(above, company, create=True))
        for file in File.search([
            ("company_id", "=", company.id), ("concentration_level", "!=", rules.OK),
            ("partner_id", "not in", above.ids),
        ]):
            files[file.partner_id.id] = file
        manager = self._ar_concentration_manager(company)
        changes = defaultdict(File.browse)
        crossings = File.browse()
        for pid, file in files.items():
            new = levels.get(pid, rules.OK)
            if rules.is_crossing(file.concentration_level, new):
                if not manager:
                    continue  # nobody told: reported once someone can be
                crossings |= file
            if new != file.concentration_level:
                changes[new] |= file
        for new, group in changes.items():
            policy_write(group).write({"concentration_level": new})
        if not crossings:
            return crossings
        rows = {
            row.partner_id.id: row
            for row in self.env["ar.concentration.snapshot"].sudo().search([
                ("company_id", "=", company.id), ("is_latest", "=", True),
                ("partner_id", "in", crossings.partner_id.ids),
            ])
        }
        for file in crossings:
            row = rows.get(file.partner_id.id)
            summary = self.env._(
                "Concentration: %(customer)s is above %(level)s",
                customer=file.partner_id.display_name,
                level=self._ar_level_phrase(row.level if row else file.concentration_level),
            )
            file.message_post_with_source(
                "ar_policy.concentration_crossing_body",
                render_values={"row": row, "company": company, "file": file},
                subtype_xmlid="mail.mt_comment",
                partner_ids=manager.partner_id.ids,
                subject=summary,
            )
            file.activity_schedule(
                "ar_policy.mail_activity_concentration",
                summary=summary,
                user_id=manager.id,
            )
        return crossings

    @api.model
    def _cron_digest(self):
        """Monthly and idempotent: at most one digest per company per calendar month."""
        template = self.env.ref("ar_policy.mail_template_concentration_digest")
        sent = 0
        for company in self._ar_enabled_companies():
            today = fields.Date.context_today(self.with_company(company))
            last = company.ar_conc_digest_sent_on
            if last and (last.year, last.month) == (today.year, today.month):
                continue
            if not company.ar_credit_manager_id:
                continue
            portfolio = self.env["ar.concentration.portfolio"].sudo().search(
                [("company_id", "=", company.id)], order="date desc", limit=1
            )
            if not portfolio:
                portfolio = self._ar_take_snapshot(company)
            template.sudo().send_mail(portfolio.id, email_layout_xmlid="mail.mail_notification_light")
            company.sudo().ar_conc_digest_sent_on = today
            sent += 1
        return sent
