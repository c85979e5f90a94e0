import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..guards import as_scheduler
from ..rules import credit as credit_rules
from ..rules import position as position_rules

_logger = logging.getLogger(__name__)


class ArCreditFile(models.Model):
    """The escalation ladder on the credit file (DESIGN 3 and 5).

    The nightly run decides in one set-based SQL query per batch which open items
    fire a stage today (the rules of ``rules.escalation`` in SQL, checked item by item
    against them by ``tests/test_escalation_decision.py``), and acts per customer:
    one email, one activity per stage, hold, deposit, hand-over, fees
    (``_ar_escalation_charge_fees``) and letters, all written to the escalation history
    and the file's chatter. An item's stage is written in the same
    transaction as the actions, so a stage fires once whatever happens to the run.
    """

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Policy, contact
    # ------------------------------------------------------------------

    @api.constrains("escalation_exempt", "escalation_exempt_reason")
    def _check_escalation_exempt_reason(self):
        for file in self:
            if file.escalation_exempt and not (file.escalation_exempt_reason or "").strip():
                raise ValidationError(self.env._(
                    "Exemption Reason: say why %s is exempt from escalation.",
                    file.partner_id.display_name,
                ))

    def _ar_escalation_policy(self):
        """The file's own ladder, unless archived: then the company's, logged."""
        self.ensure_one()
        policy = self.escalation_policy_id
        if policy and not policy.active:
            _logger.warning(
                "Credit file %s names the archived escalation policy %s: the company's "
                "default policy is used.", self.id, policy.id,
            )
            policy = policy.browse()
        policy = policy or self.company_id.ar_escalation_policy_id
        if policy and not policy.active:
            _logger.warning("The default escalation policy %s of company %s is archived: "
                            "no ladder for credit file %s.", policy.id, self.company_id.id, self.id)
            policy = policy.browse()
        return policy

    def _ar_escalation_contact(self):
        """The customer's invoicing contact, else the commercial entity."""
        self.ensure_one()
        partner = self.partner_id
        contacts = partner.child_ids.filtered(lambda c: c.type == "invoice" and c.active)
        return contacts[:1] or partner

    # ------------------------------------------------------------------
    # Hold cause of the stages
    # ------------------------------------------------------------------

    @api.model
    def _ar_stage_holds(self, partners, company):
        """{commercial partner id: latest due date of its open items at or above a hold
        stage}, for those that have such an item, in one query."""
        if not partners:
            return {}
        self.env["ar.escalation.stage"].flush_model(["offset_days", "action_hold", "policy_id"])
        today = fields.Date.context_today(self.with_company(company))
        rows = self.env.execute_query(SQL(
            """
            SELECT item.partner_id, MAX(item.due_date)
              FROM (%(items)s) item
              JOIN ar_escalation_stage s ON s.id = item.stage_id
             WHERE %(counted)s
               AND EXISTS (SELECT 1 FROM ar_escalation_stage h
                            WHERE h.policy_id = s.policy_id AND h.action_hold
                              AND h.offset_days <= s.offset_days)
          GROUP BY item.partner_id
            """,
            items=self.env["ar.account.position"]._ar_open_item_sql(
                company, today, tuple(partners.ids)),
            counted=self._ar_counted_item_sql(),
        ))
        return dict(rows)

    @api.model
    def _ar_counted_item_sql(self):
        """Open items (alias ``item``, a row of ``_ar_open_item_sql``) that count in the
        overdue figure and the stage state: not disputed, promised or issued today."""
        return SQL("(item.excluded IS NULL OR item.excluded NOT IN %s)",
                   tuple(position_rules.OVERDUE_EXCLUSIONS))

    def _ar_refresh_holds(self):
        """The stage cause is read for all the files at once, per company."""
        holds = {}
        for company, files in self.sudo().grouped("company_id").items():
            # keyed by company too: a partner is shared between companies, its items are not
            for partner_id, due in self._ar_stage_holds(files.partner_id, company).items():
                holds[company.id, partner_id] = due
        return super(ArCreditFile, self.with_context(ar_stage_holds=holds))._ar_refresh_holds()

    def _ar_automatic_causes(self, fig, company, today):
        """The stage cause holds while an open item is at or above a hold stage; a
        manual release suppresses it until such an item falls due after the release."""
        causes = super()._ar_automatic_causes(fig, company, today)
        holds = self.env.context.get("ar_stage_holds")
        if holds is None:
            holds = {
                (company.id, partner_id): due
                for partner_id, due in self._ar_stage_holds(self.partner_id, company).items()
            }
        newest_due = holds.get((company.id, self.partner_id.id))
        if newest_due and not (self.hold_released_on and newest_due <= self.hold_released_on):
            causes.add(credit_rules.CAUSE_STAGE)
        return causes

    @api.model
    def _ar_refresh_holds_for_partners(self, partners, companies):
        """A payment lifts the stage hold at once, and the customer drops back."""
        result = super()._ar_refresh_holds_for_partners(partners, companies)
        files = self.sudo().search([
            ("partner_id", "in", partners.commercial_partner_id.ids),
            ("company_id", "in", companies.root_id.ids),
            "|", "|", ("hold_cause_stage", "=", True), ("escalation_stage_id", "!=", False),
            ("stage_deposit_percent", ">", 0),
        ])
        if files:
            files = as_scheduler(files, False)
            files._ar_refresh_holds()
            files._ar_escalation_update_state(fields.Date.context_today(self))
        return result

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    @api.model
    def _cron_escalation(self, batch_size=200):
        """Nightly, per company that enabled it: the escalation ladder, in batches of
        files with a commit each. Idempotent: a stage fires once per item, so a second
        run the same day, or the rest of an interrupted one, does only what is left."""
        done = 0
        companies = self.env["res.company"].sudo().search([
            ("parent_id", "=", False), ("ar_escalation_enabled", "=", True),
        ])
        for company in companies:
            files = self._ar_escalation_candidates(company)
            done += self.with_company(company)._ar_run_batches(
                files, "_ar_escalation_run_batch", batch_size
            )
        return done

    @api.model
    def _ar_escalation_candidates(self, company):
        """Files with an open receivable item, or a stage state to drop back, in one query."""
        today = fields.Date.context_today(self.with_company(company))
        items = self.env["ar.account.position"]._ar_open_item_sql(company, today)
        self.flush_model()
        self.env["ar.promise"].flush_model(["file_id", "state"])
        rows = self.env.execute_query(SQL(
            """
            SELECT f.id
              FROM ar_credit_file f
             WHERE f.company_id = %(company)s
               AND (f.escalation_stage_id IS NOT NULL OR f.hold_cause_stage
                    OR COALESCE(f.stage_deposit_percent, 0) > 0
                    OR EXISTS (SELECT 1 FROM ar_promise arp
                                WHERE arp.file_id = f.id AND arp.state = 'open')
                    OR f.partner_id IN (SELECT item.partner_id FROM (%(items)s) item))
          ORDER BY f.id
            """,
            company=company.id, items=items,
        ))
        return self.sudo().browse([row[0] for row in rows])

    def _ar_escalation_pre_run(self, today):
        """Before the escalation run evaluates these files: promises kept or broken
        (a broken one's items escalate in this run), in bulk for the batch."""
        self.env["ar.promise"].sudo()._ar_check_promises(self, today)

    def _ar_escalation_claim(self):
        """The files of this batch no other worker holds, locked until the commit."""
        if not self:
            return self
        rows = self.env.execute_query(SQL(
            "SELECT id FROM ar_credit_file WHERE id IN %s ORDER BY id "
            "FOR NO KEY UPDATE SKIP LOCKED",
            tuple(self.ids),
        ))
        return self.browse([row[0] for row in rows])

    def _ar_escalation_run_batch(self):
        """One batch: claim, evaluate in bulk, act per file, refresh holds."""
        files = self._ar_escalation_claim()
        if not files:
            return 0
        return files._ar_escalation_run_files()

    def _ar_escalation_run_files(self):
        """The ladder for these (claimed) files, per company at its own date: promises,
        evaluation, actions. Returns the number of files that reached a new stage."""
        done = 0
        for company, company_files in self.grouped("company_id").items():
            company_files = company_files.with_company(company)
            today = fields.Date.context_today(company_files)
            company_files._ar_escalation_pre_run(today)
            evaluation = company_files._ar_escalation_evaluate(today)
            done += company_files._ar_escalation_process(evaluation, today)
        return done

    def _ar_escalation_evaluate(self, today):
        """The open items of these files that reach a stage today, decided in SQL
        (``_ar_escalation_decision_sql``, one query per company).

        Returns ``{file id: [item, ...]}``, items as dicts: line, stage (the stage
        fired today), days_late, reached_today (True), amount (open, in company
        currency), due_date. Exempt files, items the position excludes (disputes,
        live promises, issued by the policy today, below the company's minimum),
        overdue items of customers whose open credits cover what is overdue, and
        items whose stage is already at or above what they reach get nothing.
        """
        result = {file.id: [] for file in self}
        if not self:
            return result
        Line = self.env["account.move.line"].sudo()
        stages = {}
        for company, ladders in self._ar_escalation_ladders().items():
            rows = self.env.execute_query(
                self._ar_escalation_decision_sql(company, today, ladders)
            )
            if not rows:
                continue
            # one recordset for the batch's lines: read together when first used
            lines = Line.browse([row[1] for row in rows])
            for (file_id, _line_id, stage_id, days, amount, due_date), line in zip(
                    rows, lines, strict=True):
                stage = stages.get(stage_id)
                if stage is None:
                    stage = stages[stage_id] = self.env["ar.escalation.stage"].sudo().browse(
                        stage_id)
                result[file_id].append({
                    "line": line, "stage": stage, "days_late": days,
                    "reached_today": True, "amount": amount, "due_date": due_date,
                })
        return result

    def _ar_escalation_ladders(self):
        """{company: [(file id, customer id, policy id)]}: the ladder of each of these
        files not exempt from escalation, as ``_ar_escalation_policy`` chooses it (the
        file's own policy unless archived, else the company's, none when that is
        archived too), read for the batch at once; the archived policies are logged
        once per batch."""
        # only what the choice needs of the files (the ORM would read every column)
        self.fetch(["company_id", "partner_id", "escalation_policy_id", "escalation_exempt"])
        archived = self.filtered(lambda file: file.escalation_policy_id
                                 and not file.escalation_policy_id.active)
        if archived:
            _logger.warning(
                "Credit files %s name an archived escalation policy: the company's "
                "default policy is used.", archived.ids,
            )
        ladders = {}
        for company, files in self.grouped("company_id").items():
            default = company.ar_escalation_policy_id
            if default and not default.active:
                _logger.warning("The default escalation policy %s of company %s is archived: "
                                "no ladder for its credit files.", default.id, company.id)
                default = default.browse()
            rows = []
            for file in files:
                policy = file.escalation_policy_id
                policy = policy if policy.active else default
                if policy and not file.escalation_exempt:
                    rows.append((file.id, file.partner_id.id, policy.id))
            if rows:
                ladders[company] = rows
        return ladders

    @api.model
    def _ar_escalation_decision_sql(self, company, today, ladders):
        """One set-based query over the account position: a row (file id, line id,
        stage id, days late, open amount in company currency, due date) per open item
        that fires a stage today, of the files of ``company`` in ``ladders``
        ([(file id, customer id, policy id)], as ``_ar_escalation_ladders`` gives
        them: exempt files and files without a ladder are not in it), oldest first.

        An item reaches the highest stage of its file's ladder whose offset is at most
        its days late, and fires it only above the offset of the stage it already
        carries (catch-up: the stages skipped over fire nothing;
        ``rules.escalation.target_stage``). Excluded items (``_ar_exclusion_sql``) never
        fire; overdue items do not when the open credits cover the overdue figure
        (``rules.escalation.credits_cover_overdue``, at the company currency's
        rounding, as ``rules.position.Position`` rounds it).
        """
        root = company.root_id.sudo()
        self.env["ar.escalation.stage"].flush_model(["policy_id", "offset_days"])
        Position = self.env["ar.account.position"]
        file_ids = [file_id for file_id, _partner_id, _policy_id in ladders]
        partner_ids = [partner_id for _file_id, partner_id, _policy_id in ladders]
        policy_ids = [policy_id for _file_id, _partner_id, policy_id in ladders]
        rounding = root.currency_id.rounding

        def rounded(amount):
            return SQL("(ROUND(%s / %s) * %s)", amount, rounding, rounding)

        return SQL(
            """
            WITH item AS (%(items)s),
                 credit AS (%(credits)s),
                 ladder AS (
                    SELECT * FROM UNNEST(%(file_ids)s::int[], %(partner_ids)s::int[],
                                         %(policy_ids)s::int[])
                                  AS ladder(file_id, partner_id, policy_id)),
                 rung AS (
                    SELECT s.id, s.policy_id, s.offset_days,
                           LEAD(s.offset_days) OVER (PARTITION BY s.policy_id
                                                    ORDER BY s.offset_days) AS next_offset
                      FROM ar_escalation_stage s),
                 overdue AS (
                    SELECT item.partner_id,
                           %(gross)s - %(excluded)s AS counted
                      FROM item
                     WHERE item.due_date < %(today)s
                  GROUP BY item.partner_id),
                 credits AS (
                    SELECT credit.partner_id, %(credits_total)s AS total
                      FROM credit GROUP BY credit.partner_id),
                 covered AS (
                    SELECT overdue.partner_id
                      FROM overdue
                 LEFT JOIN credits ON credits.partner_id = overdue.partner_id
                     WHERE overdue.counted > %(half)s
                       AND COALESCE(credits.total, 0) - overdue.counted > -%(half)s)
            SELECT ladder.file_id, item.line_id, rung.id,
                   %(today)s - item.due_date, item.residual_company, item.due_date
              FROM item
              JOIN ladder ON ladder.partner_id = item.partner_id
              JOIN rung ON rung.policy_id = ladder.policy_id
                       AND rung.offset_days <= %(today)s - item.due_date
                       AND (rung.next_offset IS NULL
                            OR rung.next_offset > %(today)s - item.due_date)
         LEFT JOIN ar_escalation_stage cur ON cur.id = item.stage_id
             WHERE item.excluded IS NULL
               AND item.due_date IS NOT NULL
               AND (cur.id IS NULL OR rung.offset_days > cur.offset_days)
               AND NOT (item.due_date < %(today)s
                        AND item.partner_id IN (SELECT partner_id FROM covered))
          ORDER BY ladder.file_id, item.due_date, item.line_id
            """,
            items=Position._ar_open_item_sql(root, today, tuple(partner_ids) or (0,)),
            credits=Position._ar_open_credit_sql(root, tuple(partner_ids) or (0,)),
            file_ids=file_ids, partner_ids=partner_ids, policy_ids=policy_ids,
            today=today,
            half=rounding / 2,
            gross=rounded(SQL("SUM(item.residual_company)")),
            excluded=rounded(SQL(
                "COALESCE(SUM(item.residual_company) FILTER (WHERE item.excluded IN %s), 0)",
                tuple(position_rules.OVERDUE_EXCLUSIONS),
            )),
            credits_total=rounded(SQL("SUM(credit.amount_company)")),
        )

    def _ar_positions_of(self, files, company, today=None):
        """{commercial partner id: Position} of these files' customers in ``company``."""
        return self.env["ar.account.position"]._ar_positions(
            files.partner_id, company, today=today
        )

    def _ar_escalation_process(self, evaluation, today):
        """Acts on the evaluation for the whole batch at once
        (``_ar_escalation_act_files``); when that fails, file by file, so that one
        file's failure is logged on it and the run goes on. Returns the number of
        files that reached a stage."""
        files = self.filtered(lambda f: any(
            item["reached_today"] for item in evaluation.get(f.id, [])))
        acted = 0
        if files:
            try:
                with self.env.cr.savepoint():
                    files._ar_escalation_act_files(evaluation, today)
                acted = len(files)
            except Exception:  # pylint: disable=broad-except
                _logger.warning("Escalation of %s credit files in one batch failed: file by "
                                "file instead", len(files), exc_info=True)
                self.env.invalidate_all()
                acted = files._ar_escalation_process_each(evaluation, today)
        self._ar_refresh_holds()
        self._ar_escalation_update_state(today)
        return acted

    def _ar_escalation_process_each(self, evaluation, today):
        """Acts file by file, each in its own savepoint; a failure is logged on the
        file and the run goes on."""
        acted = 0
        for file in self:
            try:
                with self.env.cr.savepoint():
                    file._ar_escalation_act(evaluation[file.id], today)
                acted += 1
            except Exception as error:  # pylint: disable=broad-except
                _logger.exception("Escalation of credit file %s failed", file.id)
                self.env.invalidate_all()
                file._ar_escalation_log([dict(
                    file=file, action="error", note=str(error) or repr(error),
                )], today)
        return acted

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _ar_check_controller(self):
        if not self.env.su and not self.env.user.has_group("ar_policy.group_credit_controller"):
            raise AccessError(self.env._("Only a Credit Controller can run the escalation."))

    def action_escalation_process_now(self):
        """Process now: the ladder for these customers at once, recorded as done by
        the current user (even when the company's nightly run is off)."""
        self._ar_check_controller()
        self.check_access("write")
        files = as_scheduler(self.sudo(), False)._ar_escalation_claim()
        acted = files._ar_escalation_run_files()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": self.env._("%(acted)s of %(count)s customers reached a new stage.",
                                      acted=acted, count=len(self)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_escalation_preview(self):
        self._ar_check_controller()
        self.check_access("read")
        return self.env["ar.escalation.preview"]._ar_open(self)

    def action_view_escalation_history(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "ar_policy.action_ar_escalation_history"
        )
        action["domain"] = [("file_id", "=", self.id)]
        return action
