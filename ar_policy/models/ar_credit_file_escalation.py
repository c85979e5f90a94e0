import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, format_amount, format_date

from ..guards import as_scheduler, is_scheduler, policy_write
from ..rules import credit as credit_rules
from ..rules import escalation as rules

_logger = logging.getLogger(__name__)


class ArCreditFile(models.Model):
    """The escalation ladder on the credit file (DESIGN 3 and 5).

    The nightly run evaluates every open receivable item of a batch of files in one
    query, decides with ``rules.escalation`` which stage each item fires today, and
    acts per customer: one email, one activity per stage, hold, deposit, hand-over,
    fees (``_ar_escalation_charge_fees``) and letters, all written to the escalation
    history and the file's chatter. An item's stage is written in the same
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
        self.env["account.move.line"].flush_model()
        self.env["ar.escalation.stage"].flush_model(["offset_days", "action_hold", "policy_id"])
        rows = self.env.execute_query(SQL(
            """
            SELECT p.commercial_partner_id, MAX(aml.date_maturity)
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner p ON p.id = aml.partner_id
              JOIN ar_escalation_stage s ON s.id = aml.ar_stage_id
             WHERE acc.account_type = 'asset_receivable'
               AND aml.parent_state = 'posted'
               AND aml.reconciled IS NOT TRUE
               AND aml.amount_residual > 0
               AND aml.company_id IN %(company_ids)s
               AND p.commercial_partner_id IN %(partner_ids)s
               AND NOT (%(excluded)s)
               AND EXISTS (SELECT 1 FROM ar_escalation_stage h
                            WHERE h.policy_id = s.policy_id AND h.action_hold
                              AND h.offset_days <= s.offset_days)
          GROUP BY p.commercial_partner_id
            """,
            company_ids=tuple(self._ar_company_ids(company)),
            partner_ids=tuple(partners.ids),
            excluded=self._ar_excluded_line_sql(),
        ))
        return dict(rows)

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
        self.env["account.move.line"].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        self.flush_model()
        rows = self.env.execute_query(SQL(
            """
            SELECT f.id
              FROM ar_credit_file f
             WHERE f.company_id = %(company)s
               AND (f.escalation_stage_id IS NOT NULL OR f.hold_cause_stage
                    OR COALESCE(f.stage_deposit_percent, 0) > 0
                    OR EXISTS (SELECT 1 FROM ar_promise arp
                                WHERE arp.file_id = f.id AND arp.state = 'open')
                    OR EXISTS (
                       SELECT 1
                         FROM account_move_line aml
                         JOIN account_account acc ON acc.id = aml.account_id
                         JOIN res_partner p ON p.id = aml.partner_id
                        WHERE p.commercial_partner_id = f.partner_id
                          AND acc.account_type = 'asset_receivable'
                          AND aml.parent_state = 'posted'
                          AND aml.reconciled IS NOT TRUE
                          AND aml.amount_residual > 0
                          AND aml.company_id IN %(company_ids)s))
          ORDER BY f.id
            """,
            company=company.id, company_ids=tuple(self._ar_company_ids(company)),
        ))
        return self.sudo().browse([row[0] for row in rows])

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
        done = 0
        for company, company_files in files.grouped("company_id").items():
            company_files = company_files.with_company(company)
            today = fields.Date.context_today(company_files)
            company_files._ar_escalation_pre_run(today)
            evaluation = company_files._ar_escalation_evaluate(today)
            done += company_files._ar_escalation_process(evaluation, today)
        return done

    def _ar_escalation_evaluate(self, today):
        """Every open receivable item of these files with the stage it fires today.

        Returns ``{file id: [item, ...]}``, items as dicts: line, stage (the stage
        fired today, else the item's current one), days_late, reached_today,
        amount (open, in company currency). One query for all the files of a company.
        Skips exempt files, excluded lines (disputes, promises), items below the
        company's minimum; overdue items are not dunned when unallocated credits cover
        what is overdue.
        """
        result = {file.id: [] for file in self}
        files = self.filtered(lambda f: not f.escalation_exempt)
        if not files:
            return result
        Line = self.env["account.move.line"].sudo()
        for company, company_files in files.grouped("company_id").items():
            Line.flush_model()
            self.env["account.move"].flush_model(["state", "company_id"])
            self.env["res.partner"].flush_model(["commercial_partner_id"])
            rows = self.env.execute_query(SQL(
                """
                SELECT f.id, aml.id, aml.date_maturity, aml.amount_residual
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN ar_credit_file f ON f.partner_id = p.commercial_partner_id
                                       AND f.company_id = %(company)s
                 WHERE f.id IN %(file_ids)s
                   AND acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual > 0
                   AND aml.date_maturity IS NOT NULL
                   AND aml.company_id IN %(company_ids)s
                   AND NOT (%(excluded)s)
              ORDER BY f.id, aml.date_maturity, aml.id
                """,
                company=company.id, file_ids=tuple(company_files.ids),
                company_ids=tuple(self._ar_company_ids(company)),
                excluded=self._ar_excluded_line_sql(),
            ))
            if not rows:
                continue
            lines = Line.browse([row[1] for row in rows])
            lines.fetch(["ar_stage_id", "ar_stage_date", "move_id", "currency_id",
                         "amount_residual_currency"])
            figures = self._ar_figures(company_files.partner_id, company)
            rounding = company.currency_id.rounding
            minimum = company.ar_escalation_min_amount
            files_by_id = {file.id: file for file in company_files}
            policies = {}
            for file_id, line_id, due, residual in rows:
                file = files_by_id[file_id]
                if file_id not in policies:
                    policies[file_id] = file._ar_escalation_policy()
                policy = policies[file_id]
                stages = policy.stage_ids.sorted("offset_days")
                offsets = stages.mapped("offset_days")
                fig = figures[file.partner_id.id]
                line = Line.browse(line_id)
                days = rules.days_late(due, today)
                current = line.ar_stage_id
                item = dict(line=line, stage=current, days_late=days, reached_today=False,
                            amount=residual, due_date=due)
                if rules.below_minimum(residual, minimum, rounding):
                    continue
                covered = days > 0 and rules.credits_cover_overdue(
                    fig["overdue_gross"] - fig["overdue_excluded"], fig["unallocated"], rounding
                )
                if stages and not covered:
                    index = rules.target_stage(
                        offsets, days,
                        rules.current_index(offsets, current.offset_days if current else None),
                    )
                    if index is not None:
                        item.update(stage=stages[index], reached_today=True)
                result[file_id].append(item)
        return result

    def _ar_escalation_process(self, evaluation, today):
        """Acts on the evaluation, file by file; one file's failure is logged on it
        and the run goes on. Returns the number of files that reached a stage."""
        acted = 0
        for file in self:
            items = evaluation.get(file.id, [])
            if not any(item["reached_today"] for item in items):
                continue
            try:
                with self.env.cr.savepoint():
                    file._ar_escalation_act(items, today)
                acted += 1
            except Exception as error:  # pylint: disable=broad-except
                _logger.exception("Escalation of credit file %s failed", file.id)
                self.env.invalidate_all()
                file._ar_escalation_log([dict(
                    file=file, action="error", note=str(error) or repr(error),
                )], today)
        self._ar_refresh_holds()
        self._ar_escalation_update_state(today)
        return acted

    def _ar_escalation_act(self, items, today):
        """One customer's actions for the stages its items reached today."""
        self.ensure_one()
        fired = defaultdict(list)
        for item in items:
            if item["reached_today"]:
                fired[item["stage"]].append(item["line"])
        stages = sorted(fired, key=lambda s: s.offset_days)
        for stage in stages:
            lines = self.env["account.move.line"].sudo().concat(*fired[stage])
            lines._ar_write_policy_fields({"ar_stage_id": stage.id, "ar_stage_date": today})
        rows = []
        contact = self._ar_escalation_contact()
        email_stages = [s for s in stages if s.action_email]
        message = self.env["mail.message"]
        if email_stages and contact.email:
            message = self._ar_escalation_send_mail(email_stages[-1].mail_template_id)
        for stage in stages:
            lines = self.env["account.move.line"].sudo().concat(*fired[stage])
            base = dict(file=self, stage=stage, lines=lines)
            if stage.action_email:
                if message:
                    rows.append(dict(base, action="email", message=message))
                else:
                    rows.append(dict(base, action="letter", note=self.env._(
                        "%s has no email address: a letter instead.", contact.display_name
                    )))
                    activity = self._ar_escalation_activity(stage, lines, no_email=True)
                    rows.append(dict(base, action="activity", activity=activity))
            if stage.action_activity:
                activity = self._ar_escalation_activity(stage, lines)
                rows.append(dict(base, action="activity", activity=activity))
            if stage.action_letter and not (stage.action_email and not message):
                rows.append(dict(base, action="letter"))
            if stage.action_hold:
                rows.append(dict(base, action="hold"))
            if stage.action_deposit:
                percent = max(self.stage_deposit_percent, stage.deposit_percent)
                policy_write(self.sudo()).stage_deposit_percent = percent
                rows.append(dict(base, action="deposit", note=self.env._(
                    "Deposit of %s%% required on the next orders.", percent
                )))
            if stage.action_handover:
                self._ar_escalation_handover(stage, lines, today)
                rows.append(dict(base, action="handover", note=dict(
                    stage._fields["handover_to"]._description_selection(self.env)
                ).get(stage.handover_to)))
        fee_items = [
            (line, stage) for stage in stages if stage.action_fee
            for line in fired[stage]
        ]
        if fee_items and self.fees_allowed:
            fee_moves = self._ar_escalation_charge_fees(fee_items, today) or {}
            by_fee = defaultdict(list)
            stage_of = {line.id: stage for line, stage in fee_items}
            for line_id, fee_move in fee_moves.items():
                by_fee[fee_move].append(line_id)
            for fee_move, line_ids in by_fee.items():
                lines = self.env["account.move.line"].sudo().browse(line_ids)
                stage = max((stage_of[lid] for lid in line_ids), key=lambda s: s.offset_days)
                rows.append(dict(file=self, stage=stage, lines=lines, action="fee",
                                 fee_move=fee_move))
        self._ar_escalation_log(rows, today)

    def _ar_escalation_send_mail(self, template):
        """One email to the customer's invoicing contact, in its language, queued to go
        out with the transaction's commit (never sent by a run rolled back)."""
        self.ensure_one()
        file = self.sudo().with_context(mail_notify_force_send=False, ar_escalation_mail=True)
        if is_scheduler(self.env):
            file = file.with_user(self.env.ref("base.user_root"))
        return file.message_post_with_source(
            template, message_type="comment", subtype_xmlid="mail.mt_comment",
        )

    def _ar_escalation_activity(self, stage, lines, no_email=False):
        self.ensure_one()
        user = (stage.activity_user_id or self.collector_id
                or self.company_id.ar_default_collector_id
                or self.company_id.ar_credit_manager_id or self.env.ref("base.user_admin"))
        activity_type = stage.activity_type_id or self.env.ref("mail.mail_activity_data_call")
        invoices = ", ".join(lines.move_id.mapped("name"))
        if no_email:
            summary = self.env._("%(stage)s: send the letter (no email address)", stage=stage.name)
        else:
            summary = self.env._("%(stage)s: %(customer)s", stage=stage.name,
                                 customer=self.partner_id.display_name)
        note = Markup("<p>%s</p>") % self.env._("Items: %s", invoices)
        if stage.activity_note:
            note = stage.activity_note + note
        # the collector sees the activity in their list; no assignment email per customer
        return self.sudo().with_context(mail_activity_quick_update=True).activity_schedule(
            activity_type_id=activity_type.id, summary=summary, note=note, user_id=user.id,
            date_deadline=fields.Date.context_today(self),
        )

    def _ar_escalation_handover(self, stage, lines, today):
        """Flags the items and the file, and tells the credit manager."""
        self.ensure_one()
        lines._ar_write_policy_fields({"ar_handover": True, "ar_handover_date": today})
        self.sudo().handover = True
        manager = self.company_id.ar_credit_manager_id
        target = dict(stage._fields["handover_to"]._description_selection(self.env)).get(
            stage.handover_to
        )
        body = Markup("<p>%s</p>") % self.env._(
            "%(customer)s: items %(items)s handed over (%(target)s). Export them from "
            "Handed-Over Items.",
            customer=self.partner_id.display_name,
            items=", ".join(lines.move_id.mapped("name")), target=target,
        )
        author = self.env.ref("base.user_root").partner_id
        self.sudo().message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_note",
            partner_ids=manager.partner_id.ids, author_id=author.id,
        )

    def _ar_escalation_log(self, rows, today):
        """History rows and one chatter note per file summarising them."""
        if not rows:
            return self.env["ar.escalation.history"]
        by_scheduler = is_scheduler(self.env)
        now = fields.Datetime.now()
        history = self.env["ar.escalation.history"].sudo().create([{
            "file_id": row["file"].id,
            "company_id": row["file"].company_id.id,
            "date": now,
            "run_date": today,
            "stage_id": row["stage"].id if row.get("stage") else False,
            "action": row["action"],
            "move_line_ids": [fields.Command.set(row["lines"].ids)] if row.get("lines") else [],
            "move_id": row["lines"].move_id[:1].id if row.get("lines") else False,
            "user_id": False if by_scheduler else self.env.uid,
            "by_scheduler": by_scheduler,
            "mail_message_id": row["message"][:1].id if row.get("message") else False,
            "activity_id": row["activity"].id if row.get("activity") else False,
            "fee_move_id": row["fee_move"].id if row.get("fee_move") else False,
            "note": row.get("note") or False,
        } for row in rows])
        labels = dict(history._fields["action"]._description_selection(self.env))
        bodies = defaultdict(Markup)
        for row in history:
            text = labels[row.action]
            if row.stage_id:
                text = f"{row.stage_id.name} · {text}"
            body = Markup("<li><b>%s</b>") % text
            if row.move_line_ids:
                body += Markup(": %s") % ", ".join(row.move_line_ids.move_id.mapped("name"))
            if row.note:
                body += Markup(" (%s)") % row.note
            bodies[row.file_id.id] += body + Markup("</li>")
        files = self.sudo().browse(list(bodies))
        if by_scheduler:
            files = files.with_user(self.env.ref("base.user_root"))
        files._message_log_batch(
            bodies={
                fid: Markup("<p>%s</p><ul>%s</ul>") % (self.env._("Escalation"), body)
                for fid, body in bodies.items()
            },
            message_type="notification",
        )
        return history

    def _ar_escalation_update_state(self, today):
        """Each file's highest stage among its open items; a customer with nothing
        overdue drops back: no stage deposit, no hand-over flag."""
        if not self:
            return
        evaluation = self.with_context(ar_escalation_no_fire=True)._ar_escalation_state(today)
        for file in self:
            stage, overdue = evaluation.get(file.id, (self.env["ar.escalation.stage"], False))
            values = {}
            if file.escalation_stage_id != stage:
                values["escalation_stage_id"] = stage.id
            if not overdue:
                if file.stage_deposit_percent:
                    values["stage_deposit_percent"] = 0.0
                if file.handover:
                    values["handover"] = False
            if values:
                policy_write(file.sudo()).with_context(tracking_disable=True).write(values)

    def _ar_escalation_state(self, today):
        """{file id: (highest stage of its open items, whether any is overdue)} in one
        query (disputed and promised items left out, as from the overdue figure)."""
        self.env["account.move.line"].flush_model()
        self.env["ar.escalation.stage"].flush_model()
        result = {}
        for company, files in self.grouped("company_id").items():
            rows = self.env.execute_query(SQL(
                """
                SELECT f.id,
                       (ARRAY_AGG(s.id ORDER BY s.offset_days DESC NULLS LAST)
                            FILTER (WHERE s.id IS NOT NULL))[1],
                       BOOL_OR(aml.date_maturity < %(today)s)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN ar_credit_file f ON f.partner_id = p.commercial_partner_id
                                       AND f.company_id = %(company)s
             LEFT JOIN ar_escalation_stage s ON s.id = aml.ar_stage_id
                 WHERE f.id IN %(file_ids)s
                   AND acc.account_type = 'asset_receivable'
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual > 0
                   AND aml.company_id IN %(company_ids)s
                   AND NOT (%(excluded)s)
              GROUP BY f.id
                """,
                today=today, company=company.id, file_ids=tuple(files.ids),
                company_ids=tuple(self._ar_company_ids(company)),
                excluded=self._ar_excluded_line_sql(),
            ))
            Stage = self.env["ar.escalation.stage"].sudo()
            for file_id, stage_id, overdue in rows:
                result[file_id] = (Stage.browse(stage_id) if stage_id else Stage, bool(overdue))
        return result

    # ------------------------------------------------------------------
    # The email
    # ------------------------------------------------------------------

    def _ar_escalation_mail_subject(self):
        self.ensure_one()
        return self.env._("%(company)s: payment reminder (%(customer)s)",
                          company=self.company_id.name, customer=self.partner_id.name)

    def _ar_escalation_mail_values(self):
        """What the reminder lists: every open item with its stage and days late (a
        star on those that reached a stage today), totals per currency, early-payment
        discounts still open, and each invoice's portal link with its access token."""
        self.ensure_one()
        self.check_access("read")
        file = self.sudo()
        today = fields.Date.context_today(file.with_company(file.company_id))
        items = file._ar_escalation_evaluate(today).get(file.id, [])
        env = self.env
        rows, totals, discounts = [], defaultdict(float), []
        stages_today = self.env["ar.escalation.stage"]
        base_url = file.get_base_url()
        for item in items:
            line = item["line"]
            move = line.move_id
            current = line.ar_stage_id
            reached_today = bool(current) and line.ar_stage_date == today
            if reached_today:
                stages_today |= current
            currency = line.currency_id
            amount = line.amount_residual_currency
            totals[currency] += amount
            url = ""
            if move.is_invoice():
                url = base_url + move.get_portal_url()
            rows.append({
                "number": move.name,
                "date": format_date(env, move.invoice_date or move.date),
                "due_date": format_date(env, line.date_maturity),
                "days_late": max(item["days_late"], 0),
                "amount": format_amount(env, amount, currency),
                "stage": current.name or "",
                "reached_today": reached_today,
                "url": url,
            })
            if (line.discount_date and line.discount_date >= today
                    and line.discount_amount_currency):
                discounts.append({
                    "number": move.name,
                    "amount": format_amount(env, line.discount_amount_currency, currency),
                    "date": format_date(env, line.discount_date),
                })
        hold_stages = stages_today.filtered("action_hold")
        suspension = ""
        if hold_stages:
            suspension = format_date(
                env, today + timedelta(days=max(hold_stages.mapped("suspension_days")))
            )
        return {
            "contact": file._ar_escalation_contact(),
            "items": rows,
            "totals": [format_amount(env, amount, currency) for currency, amount in totals.items()],
            "discounts": discounts,
            "stages_today": stages_today.sorted("offset_days"),
            "suspension_date": suspension,
        }

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
        acted = 0
        for company, company_files in files.grouped("company_id").items():
            company_files = company_files.with_company(company)
            today = fields.Date.context_today(company_files)
            company_files._ar_escalation_pre_run(today)
            evaluation = company_files._ar_escalation_evaluate(today)
            acted += company_files._ar_escalation_process(evaluation, today)
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
