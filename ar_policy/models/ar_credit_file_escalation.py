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
from ..rules import position as position_rules

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
        """Every open receivable item of these files the ladder may act on, with the
        stage it fires today, read from the account position.

        Returns ``{file id: [item, ...]}``, items as dicts: line, stage (the stage
        fired today, else the item's current one), days_late, reached_today,
        amount (open, in company currency), due_date. A fixed number of queries per
        company. Skips exempt files and the items the position excludes (disputes,
        live promises, issued by the policy today, below the company's minimum);
        overdue items are not dunned when open credits cover what is overdue.
        """
        result = {file.id: [] for file in self}
        files = self.filtered(lambda f: not f.escalation_exempt)
        if not files:
            return result
        Line = self.env["account.move.line"].sudo()
        for company, company_files in files.grouped("company_id").items():
            positions = self._ar_positions_of(company_files, company, today)
            line_ids = [
                item.line_id for position in positions.values()
                for item in position.dunnable_items if item.due_date
            ]
            if not line_ids:
                continue
            Line.browse(line_ids).fetch(["ar_stage_id", "ar_stage_date", "move_id",
                                         "currency_id", "amount_residual_currency"])
            for file in company_files:
                position = positions[file.partner_id.id]
                items = [item for item in position.dunnable_items if item.due_date]
                if not items:
                    continue
                stages = file._ar_escalation_policy().stage_ids.sorted("offset_days")
                offsets = stages.mapped("offset_days")
                covered = position.credits_cover_overdue
                for open_item in items:
                    line = Line.browse(open_item.line_id)
                    days = position.days_late(open_item)
                    current = line.ar_stage_id
                    item = dict(line=line, stage=current, days_late=days, reached_today=False,
                                amount=open_item.residual_company, due_date=open_item.due_date)
                    if stages and not (covered and days > 0):
                        index = rules.target_stage(
                            offsets, days,
                            rules.current_index(offsets, current.offset_days if current else None),
                        )
                        if index is not None:
                            item.update(stage=stages[index], reached_today=True)
                    result[file.id].append(item)
        return result

    def _ar_positions_of(self, files, company, today=None):
        """{commercial partner id: Position} of these files' customers in ``company``."""
        return self.env["ar.account.position"]._ar_positions(
            files.partner_id, company, today=today
        )

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
        history = self.env["ar.escalation.history"]._ar_record(
            [dict(row, run_date=today) for row in rows]
        )
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
        self._ar_log_notes({
            fid: Markup("<p>%s</p><ul>%s</ul>") % (self.env._("Escalation"), body)
            for fid, body in bodies.items()
        })
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
        query per company, from the open items that count in the overdue figure."""
        self.env["ar.escalation.stage"].flush_model()
        self.flush_model(["partner_id", "company_id"])
        result = {}
        for company, files in self.grouped("company_id").items():
            rows = self.env.execute_query(SQL(
                """
                SELECT f.id,
                       (ARRAY_AGG(s.id ORDER BY s.offset_days DESC NULLS LAST)
                            FILTER (WHERE s.id IS NOT NULL))[1],
                       BOOL_OR(item.due_date < %(today)s)
                  FROM (%(items)s) item
                  JOIN ar_credit_file f ON f.partner_id = item.partner_id
                                       AND f.company_id = %(company)s
             LEFT JOIN ar_escalation_stage s ON s.id = item.stage_id
                 WHERE f.id IN %(file_ids)s
                   AND %(counted)s
              GROUP BY f.id
                """,
                today=today, company=company.id, file_ids=tuple(files.ids),
                items=self.env["ar.account.position"]._ar_open_item_sql(
                    company, today, tuple(files.partner_id.ids)),
                counted=self._ar_counted_item_sql(),
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

    def _ar_escalation_mail_values(self, position=None):
        """What the reminder (and the letter) states, from the account position: per
        document currency, the overdue items apart from the items not yet due (each
        with its days late and portal link) and the open credits, with their totals;
        then, in company currency at the documents' rates, the figures the credit file
        shows: overdue, less disputed and promised items, less open credits, net
        amount overdue, not yet due, balance. Stage names stay internal: the highest
        stage reached today only sets the tone."""
        self.ensure_one()
        self.check_access("read")
        file = self.sudo()
        company = file.company_id
        today = fields.Date.context_today(file.with_company(company))
        position = position or file._ar_positions_of(file, company, today)[file.partner_id.id]
        env = self.env
        Line = env["account.move.line"].sudo()
        Currency = env["res.currency"]
        lines = Line.browse([item.line_id for item in position.items]
                            + [credit.line_id for credit in position.credits])
        lines.fetch(["ar_stage_id", "ar_stage_date", "move_id", "discount_date",
                     "discount_amount_currency", "date"])
        base_url = file.get_base_url()
        notes = {
            position_rules.DISPUTE: env._("in dispute"),
            position_rules.PROMISE: env._("payment promised"),
            position_rules.POLICY_TODAY: env._("issued today"),
        }
        stages_today = env["ar.escalation.stage"]
        discounts = []

        def money(amount, currency):
            return format_amount(env, amount, currency)

        def item_row(item, currency):
            nonlocal stages_today
            line = Line.browse(item.line_id)
            move = line.move_id
            if line.ar_stage_id and line.ar_stage_date == today:
                stages_today |= line.ar_stage_id
            if (line.discount_date and line.discount_date >= today
                    and line.discount_amount_currency):
                discounts.append({
                    "number": move.name,
                    "amount": money(line.discount_amount_currency, currency),
                    "date": format_date(env, line.discount_date),
                })
            return {
                "number": move.name,
                "date": format_date(env, move.invoice_date or move.date),
                "due_date": format_date(env, item.due_date),
                "days_late": max(position.days_late(item), 0),
                "amount": money(item.residual, currency),
                "note": notes.get(item.excluded, ""),
                "url": base_url + move.get_portal_url() if move.is_invoice() else "",
            }

        currencies = []
        for currency_id, part in position.by_currency().items():
            currency = Currency.browse(currency_id)
            currencies.append({
                "currency": currency,
                "overdue": [item_row(item, currency) for item in part.overdue_items],
                "not_due": [item_row(item, currency) for item in part.not_due_items],
                "credits": [{
                    "number": credit.name,
                    "date": format_date(env, credit.date),
                    "amount": money(credit.amount, currency),
                } for credit in part.credits],
                "overdue_total": money(part.overdue_gross, currency),
                "not_due_total": money(part.not_yet_due, currency),
                "credits_total": money(part.credits_total, currency),
            })
        company_currency = company.currency_id
        stage = stages_today.sorted("offset_days")[-1:]
        hold_stages = stages_today.filtered("action_hold")
        suspension = ""
        if hold_stages:
            suspension = format_date(
                env, today + timedelta(days=max(hold_stages.mapped("suspension_days")))
            )
        return {
            "contact": file._ar_escalation_contact(),
            "currencies": currencies,
            "company_currency": company_currency,
            # the credit file's own figures: company currency, at the documents' rates
            "overdue_gross": money(position.overdue_gross, company_currency),
            "overdue_excluded": (money(position.overdue_excluded, company_currency)
                                 if position.overdue_excluded else ""),
            "credits_total": money(position.credits_total, company_currency),
            "overdue_net": money(position.overdue_net, company_currency),
            "not_yet_due": money(position.not_yet_due, company_currency),
            "balance": money(position.balance, company_currency),
            "is_overdue": not company_currency.is_zero(position.overdue_net),
            "credits_cover_overdue": position.credits_cover_overdue,
            "has_credits": bool(position.credits),
            "other_currency": any(c["currency"] != company_currency for c in currencies),
            "discounts": discounts,
            "stage": stage,
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
