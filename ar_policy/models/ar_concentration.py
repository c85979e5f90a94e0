import logging
import threading
from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..guards import as_scheduler, policy_write
from ..rules import concentration as rules

_logger = logging.getLogger(__name__)

INSERT_CHUNK = 50000


class ArConcentrationRefusal(UserError):
    """Posting takes a customer over a critical share: a credit manager confirms it."""

    def __init__(self, *args):
        super().__init__(*args)
        self.context = {"exception_class": "odoo.exceptions.UserError"}


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
        revenue_shares = rules.shares(revenues)
        receivable_shares = rules.shares(receivables)
        figures = rules.portfolio(revenues)
        eligible = rules.portfolio_eligible(
            figures["customers_count"], figures["total_revenue"],
            company.ar_conc_min_customers, company.ar_conc_min_revenue,
        )
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
        self._ar_insert_rows(company, as_of, values)
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
        Snapshot.invalidate_model()
        if notify and as_of == portfolio.search(
            [("company_id", "=", company.id)], order="date desc", limit=1
        ).date:
            self._ar_notify_crossings(company, levels)
        return portfolio

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
                "Concentration: %(customer)s is %(level)s",
                customer=file.partner_id.display_name,
                level=dict(row._fields["level"]._description_selection(self.env)).get(
                    row.level, "") if row else "",
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
            template.sudo().send_mail(portfolio.id)
            company.sudo().ar_conc_digest_sent_on = today
            sent += 1
        return sent

    # ------------------------------------------------------------------
    # Banners and the posting check
    # ------------------------------------------------------------------

    @api.model
    def _ar_document_shares(self, partner, company, amount, receivable_amount=None):
        """Shares and levels of ``partner`` once a document of ``amount`` (untaxed,
        company currency) and ``receivable_amount`` (tax included) is added to the
        latest snapshot; None when the warnings are off, there is no snapshot yet or
        the portfolio is below the minimum. Three queries, whatever the ledger."""
        company = company.root_id
        if not company.ar_concentration_enabled or not partner:
            return None
        partner = partner.commercial_partner_id
        receivable_amount = amount if receivable_amount is None else receivable_amount
        portfolio = self.env["ar.concentration.portfolio"].sudo().search(
            [("company_id", "=", company.id)], order="date desc", limit=1
        )
        if not portfolio:
            return None
        row = self.env["ar.concentration.snapshot"].sudo().search([
            ("company_id", "=", company.id), ("date", "=", portfolio.date),
            ("partner_id", "=", partner.id),
        ], limit=1)
        revenue = row.revenue if row else 0.0
        receivable = row.receivable if row else 0.0
        # the snapshot's amounts are rounded to the currency already
        customers = portfolio.customers_count + (1 if revenue <= 0 < revenue + amount else 0)
        total = portfolio.total_revenue - max(revenue, 0.0) + max(revenue + amount, 0.0)
        if not rules.portfolio_eligible(customers, total, company.ar_conc_min_customers,
                                        company.ar_conc_min_revenue):
            return None
        revenue_share = rules.share_after(revenue, portfolio.total_revenue, amount)
        receivable_share = rules.share_after(
            receivable, portfolio.total_receivable, receivable_amount
        )
        revenue_level = rules.level(revenue_share, company.ar_conc_revenue_warning,
                                    company.ar_conc_revenue_critical)
        receivable_level = rules.level(receivable_share, company.ar_conc_receivable_warning,
                                       company.ar_conc_receivable_critical)
        return {
            "partner": partner,
            "company": company,
            "revenue_share": revenue_share,
            "receivable_share": receivable_share,
            "revenue_level": revenue_level,
            "receivable_level": receivable_level,
            "level": rules.highest(revenue_level, receivable_level),
        }

    @api.model
    def _ar_share_phrases(self, company, revenue_share, revenue_level, receivable_share,
                          receivable_level):
        phrases = []
        for share, lvl, what, prefix in (
            (revenue_share, revenue_level, self.env._("trailing revenue"), "ar_conc_revenue"),
            (receivable_share, receivable_level, self.env._("open receivables"),
             "ar_conc_receivable"),
        ):
            if lvl == rules.OK:
                continue
            if lvl == rules.CRITICAL:
                threshold = format(company[prefix + "_critical"], "g")
                limit = self.env._("critical above %s%%", threshold)
            else:
                threshold = format(company[prefix + "_warning"], "g")
                limit = self.env._("warning above %s%%", threshold)
            phrases.append(self.env._("%(share)s%% of %(what)s (%(limit)s)",
                                      share=format(share, ".1f"), what=what, limit=limit))
        return self.env._(" and ").join(phrases)

    @api.model
    def _ar_level_phrase(self, lvl):
        if lvl == rules.CRITICAL:
            return self.env._("the critical concentration share")
        return self.env._("the warning concentration share")

    @api.model
    def _ar_concentration_banner(self, partner, company, amount_company_currency, show_figures,
                                 receivable_amount=None, action=None):
        """The warning a document shows when it takes (or keeps) its customer above a
        concentration threshold, or "". For the invoice form and the Sales bridge:
        ``action`` is what the user is about to do ("Posting this invoice" by default).
        Users without Billing rights get the warning without figures (DESIGN 4)."""
        shares = self._ar_document_shares(partner, company, amount_company_currency,
                                          receivable_amount)
        if not shares or shares["level"] == rules.OK:
            return ""
        action = action or self.env._("Posting this invoice")
        customer = shares["partner"].display_name
        if not show_figures:
            return self.env._("%(action)s takes %(customer)s above %(threshold)s.",
                              action=action, customer=customer,
                              threshold=self._ar_level_phrase(shares["level"]))
        return self.env._(
            "%(action)s brings %(customer)s to %(shares)s.", action=action, customer=customer,
            shares=self._ar_share_phrases(
                shares["company"], shares["revenue_share"], shares["revenue_level"],
                shares["receivable_share"], shares["receivable_level"],
            ),
        )

    @api.model
    def _ar_move_banners(self, moves):
        """{move: banner} of draft customer invoices (fee and deposit invoices aside)."""
        show_figures = self.env.user.has_group("account.group_account_invoice")
        return {
            move: self._ar_concentration_banner(
                move.partner_id, move.company_id, abs(move.amount_untaxed_signed),
                show_figures, receivable_amount=abs(move.amount_total_signed),
            )
            for move in self._ar_checkable_moves(moves)
        }

    @api.model
    def _ar_checkable_moves(self, moves):
        return moves.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "draft" and m.partner_id
            and not m.ar_origin and m.company_id.root_id.ar_concentration_enabled
        )

    @api.model
    def _ar_partner_banners(self, partners, company):
        """{partner id: (banner, level)} from the latest snapshot, in one query."""
        company = company.root_id
        result = {partner.id: ("", False) for partner in partners}
        if not company.ar_concentration_enabled or not partners:
            return result
        rows = {
            row.partner_id.id: row
            for row in self.env["ar.concentration.snapshot"].sudo().search([
                ("company_id", "=", company.id), ("is_latest", "=", True),
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("level", "!=", rules.OK),
            ])
        }
        show_figures = self.env.user.has_group("account.group_account_invoice")
        for partner in partners:
            row = rows.get(partner.commercial_partner_id.id)
            if not row:
                continue
            customer = row.partner_id.display_name
            if show_figures:
                text = self.env._("%(customer)s is at %(shares)s.", customer=customer,
                                  shares=self._ar_share_phrases(
                                      company, row.revenue_share, row.revenue_level,
                                      row.receivable_share, row.receivable_level))
            else:
                text = self.env._("%(customer)s is above %(threshold)s.", customer=customer,
                                  threshold=self._ar_level_phrase(row.level))
            result[partner.id] = (text, row.level)
        return result

    @api.model
    def _ar_check_moves(self, moves, soft=True):
        """Posting over a critical share needs a credit manager's confirmation with a
        reason, when the company asks for it; the confirmation is logged on the file."""
        moves = self._ar_checkable_moves(moves).filtered(
            lambda m: m.company_id.root_id.ar_conc_confirm_critical
        )
        if soft:
            today = fields.Date.context_today(self)
            moves = moves.filtered(lambda m: not m.date or m.date <= today)
        if not moves:
            return
        critical = []
        grouped = moves.grouped(lambda m: (m.company_id.root_id, m.commercial_partner_id))
        for (company, partner), group in grouped.items():
            shares = self._ar_document_shares(
                partner, company, sum(abs(m.amount_untaxed_signed) for m in group),
                sum(abs(m.amount_total_signed) for m in group),
            )
            if shares and rules.CRITICAL in (shares["revenue_level"],
                                             shares["receivable_level"]):
                critical.append((group, shares))
        if not critical:
            return
        reason = self.env.context.get("ar_concentration_reason")
        if not reason:
            raise ArConcentrationRefusal(
                self.env._("Posting needs a credit manager's confirmation:") + "\n"
                + "\n".join(self._ar_refusal_line(group, shares) for group, shares in critical)
            )
        if not (self.env.su or self.env.user.has_group("ar_policy.group_credit_manager")):
            raise AccessError(self.env._(
                "Only a Credit Manager can confirm posting over the critical concentration "
                "share."
            ))
        File = self.env["ar.credit.file"].sudo()
        entries = []
        for group, shares in critical:
            file = File._ar_files_for(shares["partner"], shares["company"], create=True)[
                shares["partner"].id
            ]
            message = self._ar_refusal_line(group, shares)
            for move in group:
                move.message_post(body=self.env._(
                    "Posted over the critical concentration share by %(user)s: %(message)s "
                    "Reason: %(reason)s", user=self.env.user.name, message=message,
                    reason=reason,
                ))
                entries.append(dict(file=file, event="concentration", reason=reason,
                                    cause=message, move=move))
        File._ar_log_many(entries)

    @api.model
    def _ar_refusal_line(self, group, shares):
        names = ", ".join(
            m.name if m.name and m.name != "/" else m.display_name.strip() for m in group
        )
        return self.env._(
            "%(documents)s brings %(customer)s to %(shares)s.", documents=names,
            customer=shares["partner"].display_name,
            shares=self._ar_share_phrases(
                shares["company"], shares["revenue_share"], shares["revenue_level"],
                shares["receivable_share"], shares["receivable_level"],
            ),
        )

    # ------------------------------------------------------------------
    # Demo
    # ------------------------------------------------------------------

    @api.model
    def _ar_demo_history(self):
        """Enable the warnings on the main company and write back-dated month-end
        snapshots for the last four months, then today's (with its crossings)."""
        company = self.env.ref("base.main_company")
        company.sudo().write({
            "ar_concentration_enabled": True,
            "ar_conc_min_customers": 3,
        })
        today = fields.Date.context_today(self.with_company(company))
        for months in (4, 3, 2, 1):
            month_end = today.replace(day=1) - relativedelta(months=months - 1) - timedelta(days=1)
            self.sudo()._ar_take_snapshot(company, as_of=month_end)
        return self.sudo()._ar_take_snapshot(company, notify=True)
