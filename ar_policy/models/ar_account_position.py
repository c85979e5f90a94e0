from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from ..rules import position as rules
from ..rules.money import round_amount


class ArAccountPosition(models.AbstractModel):
    """The one SQL builder of the account position (DESIGN 9).

    ``_ar_open_item_sql`` and ``_ar_open_credit_sql`` are the only definitions of an
    open receivable item and of an open credit; ``_ar_positions`` reads them, with the
    drafts and the orders, for many customers at once into ``rules.position.Position``.
    Other SQL (the ladder's set-based queries, concentration) joins these fragments
    rather than restating them.
    """

    _name = "ar.account.position"
    _description = "Customer Account Position"

    @api.model
    def _ar_open_line_sql(self, company, partner_ids=None, as_of=None):
        """FROM and WHERE of the posted, unreconciled receivable lines of ``company``
        (its root and branches) with a partner, for the commercial entities
        ``partner_ids`` (None: all). Aliases ``aml``, ``am`` (the move), ``p`` (the
        line's partner).

        With ``as_of`` (a past date): the posted receivable lines booked on or before
        it, reconciled since or not; ``_ar_residual_as_of_sql`` gives what was left of
        each on that date."""
        self.env["account.move.line"].flush_model([
            "amount_residual", "amount_residual_currency", "account_id", "partner_id",
            "parent_state", "reconciled", "date_maturity", "date", "company_id", "move_id",
            "currency_id", "ar_disputed", "ar_promise_line_id", "ar_stage_id",
        ])
        self.env["account.move"].flush_model([
            "name", "move_type", "ar_origin", "date", "origin_payment_id", "statement_line_id",
        ])
        self.env["account.account"].flush_model(["account_type"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.env["res.company"].flush_model(["parent_path"])
        # the companies' and the partners' ids as arrays computed once (init plans):
        # each line is tested against them, not joined to res_company line by line,
        # and PostgreSQL reads the batch's lines through an index by partner, where a
        # join on res_partner makes it scan every line of the ledger for each batch
        partner_filter = SQL(
            """AND p.commercial_partner_id IN %(ids)s
               AND aml.partner_id = ANY(ARRAY(SELECT contact.id FROM res_partner contact
                                               WHERE contact.commercial_partner_id IN %(ids)s))
               AND aml.account_id = ANY(ARRAY(SELECT receivable.id FROM account_account receivable
                                               WHERE receivable.account_type = 'asset_receivable'))""",
            ids=tuple(partner_ids),
        ) if partner_ids is not None else SQL()
        open_filter = SQL(
            "AND aml.date <= %s", as_of
        ) if as_of is not None else SQL("AND aml.reconciled IS NOT TRUE")
        return SQL(
            """
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               %(open_filter)s
               AND aml.company_id = ANY(ARRAY%(company_ids)s)
               %(partner_filter)s
            """,
            company_ids=self._ar_company_ids_sql(company), partner_filter=partner_filter,
            open_filter=open_filter,
        )

    @api.model
    def _ar_residual_as_of_sql(self, as_of):
        """What was left of the line ``aml`` on ``as_of``, in company currency, signed
        (negative for a credit): its balance less the partials dated on or before
        ``as_of`` (``rules.aging``: later payments are ignored)."""
        self.env["account.partial.reconcile"].flush_model(
            ["debit_move_id", "credit_move_id", "amount", "max_date"]
        )
        return SQL(
            """(aml.balance
                - COALESCE((SELECT SUM(apr.amount) FROM account_partial_reconcile apr
                             WHERE apr.debit_move_id = aml.id AND apr.max_date <= %(as_of)s), 0)
                + COALESCE((SELECT SUM(apr.amount) FROM account_partial_reconcile apr
                             WHERE apr.credit_move_id = aml.id AND apr.max_date <= %(as_of)s), 0))""",
            as_of=as_of,
        )

    @api.model
    def _ar_aged_item_sql(self, company, as_of, today, partner_ids=None):
        """One row per item of the aged receivables of ``company`` on ``as_of``: the
        open items and open credits of the position when ``as_of`` is ``today``, else
        each receivable line booked by ``as_of`` with what was left of it then.
        Columns: line_id, move_id, partner_id, company_id, due_date (a credit's: its
        date, as ``rules.aging.position_items`` ages it), residual_company (signed)."""
        if as_of >= today:
            return SQL(
                """SELECT line_id, move_id, partner_id, company_id, due_date,
                          residual_company FROM (%(items)s) open_items
                   UNION ALL
                   SELECT line_id, move_id, partner_id, company_id, date,
                          -amount_company FROM (%(credits)s) open_credits""",
                items=self._ar_open_item_sql(company, today, partner_ids),
                credits=self._ar_open_credit_sql(company, partner_ids),
            )
        residual = self._ar_residual_as_of_sql(as_of)
        return SQL(
            """SELECT * FROM (
                   SELECT aml.id AS line_id, aml.move_id,
                          p.commercial_partner_id AS partner_id, aml.company_id,
                          CASE WHEN aml.balance > 0 THEN aml.date_maturity
                               ELSE aml.date END AS due_date,
                          %(residual)s AS residual_company
                   %(lines)s
               ) aged WHERE aged.residual_company != 0""",
            residual=residual, lines=self._ar_open_line_sql(company, partner_ids, as_of=as_of),
        )

    @api.model
    def _ar_company_ids_sql(self, company):
        """The ids of ``company``'s root and its branches, as a sub-query (no query of
        its own: a branch's parent_path starts with its root's id)."""
        return SQL(
            "(SELECT c.id FROM res_company c WHERE c.parent_path LIKE %s)",
            f"{company.root_id.id}/%",
        )

    @api.model
    def _ar_exclusion_sql(self, company, today):
        """Why an open item (alias ``aml``, its move ``am``) is out of the ladder, as a
        CASE giving one of ``rules.EXCLUSIONS`` or NULL, strongest first:

        - ``dispute``: flagged disputed (``ar_disputed``);
        - ``promise``: under a promise to pay still open whose deadline (last
          instalment plus grace) is today or later;
        - ``policy_today``: on a late-fee or deposit invoice the policy issued today
          (it waits for the next run: a second run the same day sends nothing more);
        - ``below_minimum``: its open amount in company currency is below the company's
          Escalation Minimum Amount by more than half a rounding unit.

        The first three also take the item out of the overdue figure; see
        ``rules.position.OVERDUE_EXCLUSIONS``.
        """
        company = company.root_id.sudo()
        self.env["ar.promise"].flush_model(["state", "date_deadline"])
        minimum = company.ar_escalation_min_amount or 0.0
        below = SQL(
            "WHEN %(minimum)s - aml.amount_residual > %(half)s THEN %(reason)s",
            minimum=minimum, half=company.currency_id.rounding / 2, reason=rules.BELOW_MINIMUM,
        ) if minimum > 0 else SQL()
        return SQL(
            """CASE
                WHEN aml.ar_disputed IS TRUE THEN %(dispute)s
                WHEN aml.ar_promise_line_id IS NOT NULL AND EXISTS (
                     SELECT 1 FROM ar_promise arp
                      WHERE arp.id = aml.ar_promise_line_id
                        AND arp.state = 'open'
                        AND arp.date_deadline >= %(today)s) THEN %(promise)s
                WHEN am.ar_origin IS NOT NULL AND am.date >= %(today)s THEN %(policy_today)s
                %(below)s
            END""",
            today=today, below=below, dispute=rules.DISPUTE, promise=rules.PROMISE,
            policy_today=rules.POLICY_TODAY,
        )

    @api.model
    def _ar_open_item_sql(self, company, today, partner_ids=None):
        """One row per open receivable item of ``company`` (root and branches): a posted,
        unreconciled receivable line with a positive residual. Columns: line_id,
        move_id, move_name, partner_id (the commercial entity), company_id, due_date,
        entry_date (the accounting date), currency_id, residual (document currency),
        residual_company, stage_id, excluded (see ``_ar_exclusion_sql``). Use it as a
        sub-query or a CTE."""
        return SQL(
            """
            SELECT aml.id AS line_id, aml.move_id, am.name AS move_name,
                   p.commercial_partner_id AS partner_id, aml.company_id,
                   aml.date_maturity AS due_date, aml.date AS entry_date, aml.currency_id,
                   aml.amount_residual_currency AS residual,
                   aml.amount_residual AS residual_company,
                   aml.ar_stage_id AS stage_id, %(excluded)s AS excluded
            %(lines)s
               AND aml.amount_residual > 0
            """,
            excluded=self._ar_exclusion_sql(company, today),
            lines=self._ar_open_line_sql(company, partner_ids),
        )

    @api.model
    def _ar_open_credit_sql(self, company, partner_ids=None):
        """One row per open credit of ``company`` (root and branches): a posted,
        unreconciled receivable line with a negative residual. Columns: line_id,
        move_id, name, partner_id, company_id, kind (payment, credit_note, other), date,
        currency_id, amount (document currency) and amount_company, both positive."""
        return SQL(
            """
            SELECT aml.id AS line_id, aml.move_id, am.name AS name,
                   p.commercial_partner_id AS partner_id, aml.company_id,
                   CASE WHEN am.origin_payment_id IS NOT NULL
                          OR am.statement_line_id IS NOT NULL THEN %(payment)s
                        WHEN am.move_type = 'out_refund' THEN %(credit_note)s
                        ELSE %(other)s END AS kind,
                   aml.date, aml.currency_id,
                   -aml.amount_residual_currency AS amount,
                   -aml.amount_residual AS amount_company
            %(lines)s
               AND aml.amount_residual < 0
            """,
            payment=rules.PAYMENT, credit_note=rules.CREDIT_NOTE, other=rules.OTHER,
            lines=self._ar_open_line_sql(company, partner_ids),
        )

    @api.model
    def _ar_positions(self, partners, company, today=None, exclude_move_ids=()):
        """{commercial partner id: rules.position.Position} of the commercial entities of
        ``partners`` in ``company`` (its root and branches), on ``today`` (the company's
        today by default).

        A fixed number of queries however many customers and documents: the open
        items, the open credits, the drafts (``exclude_move_ids`` left out, as the
        credit check of a draft being posted does) and the orders through
        ``ar.credit.file._ar_figures_orders`` (the Sales bridge).
        """
        company = company.root_id
        today = today or fields.Date.context_today(self.with_company(company))
        partners = partners.commercial_partner_id
        items, credits = defaultdict(list), defaultdict(list)
        drafts = defaultdict(float)
        orders = {}
        currency_ids = {company.currency_id.id}
        if partners:
            partner_ids = tuple(partners.ids)
            rows = self.env.execute_query_dict(SQL(
                "%s ORDER BY due_date, line_id",
                self._ar_open_item_sql(company, today, partner_ids),
            ))
            for row in rows:
                partner_id = row.pop("partner_id")
                row.pop("company_id")
                items[partner_id].append(rules.OpenItem(**row))
                currency_ids.add(row["currency_id"])
            rows = self.env.execute_query_dict(SQL(
                "%s ORDER BY date, line_id", self._ar_open_credit_sql(company, partner_ids),
            ))
            for row in rows:
                partner_id = row.pop("partner_id")
                row.pop("company_id")
                credits[partner_id].append(rules.OpenCredit(**row))
                currency_ids.add(row["currency_id"])
            drafts = self._ar_drafts(partners, company, today, exclude_move_ids)
            orders = self.env["ar.credit.file"]._ar_figures_orders(partners, company, today)
        roundings = {
            currency.id: currency.rounding
            for currency in self.env["res.currency"].browse(currency_ids)
        }
        return {
            partner.id: rules.Position(
                partner_id=partner.id,
                company_id=company.id,
                today=today,
                items=tuple(items[partner.id]),
                credits=tuple(credits[partner.id]),
                drafts_company=drafts.get(partner.id, 0.0),
                orders_company=orders.get(partner.id, 0.0),
                rounding=company.currency_id.rounding,
                currency_id=company.currency_id.id,
                currency_roundings=roundings,
            )
            for partner in partners
        }

    @api.model
    def _ar_totals(self, partners, company, today=None, exclude_move_ids=()):
        """{commercial partner id: {receivable, unallocated, drafts, orders}}: the
        exposure figures of ``_ar_positions`` (the same open items, credits, drafts and
        orders, in company currency) summed in SQL, without reading the items: what the
        credit check of a document needs, in the same queries for a customer with ten
        open invoices as for one with a thousand."""
        company = company.root_id
        today = today or fields.Date.context_today(self.with_company(company))
        partners = partners.commercial_partner_id
        if not partners:
            return {}
        rounding = company.currency_id.rounding
        rows = self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id,
                   COALESCE(SUM(aml.amount_residual) FILTER (WHERE aml.amount_residual > 0), 0),
                   COALESCE(-SUM(aml.amount_residual) FILTER (WHERE aml.amount_residual < 0), 0)
            %(lines)s
               AND aml.amount_residual != 0
          GROUP BY p.commercial_partner_id
            """,
            lines=self._ar_open_line_sql(company, tuple(partners.ids)),
        ))
        sums = {pid: (float(receivable), float(credits)) for pid, receivable, credits in rows}
        drafts = self._ar_drafts(partners, company, today, exclude_move_ids)
        orders = self.env["ar.credit.file"]._ar_figures_orders(partners, company, today)
        result = {}
        for partner in partners:
            receivable, credits = sums.get(partner.id, (0.0, 0.0))
            result[partner.id] = dict(
                receivable=round_amount(receivable, rounding),
                unallocated=round_amount(credits, rounding),
                drafts=drafts.get(partner.id, 0.0),
                orders=orders.get(partner.id, 0.0),
            )
        return result

    @api.model
    def _ar_drafts(self, partners, company, today, exclude_move_ids=()):
        """{commercial partner id: draft customer invoices, tax included, in company
        currency at today's rate}, in one query."""
        self.env["account.move"].flush_model([
            "state", "move_type", "commercial_partner_id", "amount_total", "currency_id",
            "company_id",
        ])
        rows = self.env.execute_query(SQL(
            """
            SELECT m.commercial_partner_id, m.currency_id, SUM(m.amount_total)
              FROM account_move m
             WHERE m.state = 'draft'
               AND m.move_type = 'out_invoice'
               AND m.company_id IN %(company_ids)s
               AND m.commercial_partner_id IN %(partner_ids)s
               AND m.id NOT IN %(exclude)s
          GROUP BY m.commercial_partner_id, m.currency_id
            """,
            company_ids=self._ar_company_ids_sql(company), partner_ids=tuple(partners.ids),
            exclude=tuple(exclude_move_ids) or (0,),
        ))
        to_company = self.env["ar.credit.file"]._ar_to_company_currency
        result = defaultdict(float)
        for partner_id, currency_id, amount in rows:
            result[partner_id] += to_company(amount or 0.0, currency_id, company, today)
        return result
