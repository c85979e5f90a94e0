from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, format_amount, format_date

from .. import guards
from ..rules import promise as rules

PROMISE_STATES = [
    (rules.OPEN, "Open"),
    (rules.KEPT, "Kept"),
    (rules.BROKEN, "Broken"),
]
CONTROLLER_GROUP = "ar_policy.group_credit_controller"
# What a promise is: changed only by the addon's own code paths (DESIGN 10).
PROMISE_FIELDS = {
    "file_id", "company_id", "currency_id", "line_ids", "instalment_ids", "grace_days",
    "amount_open_at_promise", "state", "state_date", "user_id", "reason", "note",
}


def _check_policy_write(records):
    if not guards.is_policy_write(records.env):
        raise AccessError(records.env._(
            "Promises to pay are recorded with 'Record a Promise to Pay' on the invoice "
            "or the credit file, and change only through the escalation run."
        ))


class ArPromise(models.Model):
    """A customer's promise to pay some open items on a date, or a payment plan of
    several instalments (DOMAIN 3: listen to the reason).

    While it is live (open, until its last instalment's date plus the grace days),
    its items are out of the escalation ladder and of the overdue figure. The
    escalation run marks it broken (the items escalate at once) or kept.
    """

    _name = "ar.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread", "ar.credit.file.record.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    line_ids = fields.Many2many(
        "account.move.line", "ar_promise_move_line_rel", "promise_id", "line_id",
        string="Items", readonly=True,
    )
    move_ids = fields.Many2many(
        "account.move", string="Invoices", compute="_compute_move_ids"
    )
    instalment_ids = fields.One2many(
        "ar.promise.instalment", "promise_id", string="Instalments", readonly=True
    )
    is_plan = fields.Boolean(string="Payment Plan", compute="_compute_amounts", store=True)
    date = fields.Date(
        string="Promised Date", compute="_compute_amounts", store=True,
        help="Date of the last instalment.",
    )
    grace_days = fields.Integer(readonly=True)
    date_deadline = fields.Date(
        string="Paused Until", compute="_compute_amounts", store=True, index=True,
        help="The items stay out of the escalation until this date (last instalment "
        "plus the grace days), unless the promise is broken before.",
    )
    amount = fields.Monetary(
        string="Promised Amount", compute="_compute_amounts", store=True,
        currency_field="currency_id",
    )
    amount_open_at_promise = fields.Monetary(
        string="Open When Promised", readonly=True, currency_field="currency_id"
    )
    amount_paid = fields.Monetary(
        string="Paid Since", compute="_compute_amount_paid", currency_field="currency_id",
        help="Paid on the promised items since the promise was made.",
    )
    state = fields.Selection(
        PROMISE_STATES, required=True, default=rules.OPEN, readonly=True, tracking=True,
        index=True,
    )
    state_date = fields.Date(string="Kept or Broken On", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Recorded By", readonly=True, default=lambda self: self.env.user
    )
    reason = fields.Char(readonly=True, help="What the customer said.")
    note = fields.Text(readonly=True)

    @api.depends("instalment_ids.date", "instalment_ids.amount", "grace_days")
    def _compute_amounts(self):
        for promise in self:
            dates = [d for d in promise.instalment_ids.mapped("date") if d]
            promise.is_plan = len(promise.instalment_ids) > 1
            promise.date = max(dates) if dates else False
            promise.date_deadline = rules.deadline(dates, promise.grace_days) or False
            promise.amount = sum(promise.instalment_ids.mapped("amount"))

    @api.depends("line_ids")
    def _compute_move_ids(self):
        for promise in self:
            promise.move_ids = promise.line_ids.move_id

    def _compute_amount_paid(self):
        open_now = self._ar_open_amounts()
        for promise in self:
            promise.amount_paid = promise.amount_open_at_promise - open_now.get(promise.id, 0.0)

    @api.depends("partner_id", "date", "amount")
    def _compute_display_name(self):
        for promise in self:
            promise.display_name = self.env._(
                "%(customer)s: %(amount)s by %(date)s",
                customer=promise.partner_id.display_name or "",
                amount=format_amount(self.env, promise.amount, promise.currency_id),
                date=format_date(self.env, promise.date),
            )

    @api.constrains("instalment_ids", "currency_id", "line_ids", "amount_open_at_promise")
    def _check_plan(self):
        """Every path that writes a promise meets the rules of ``_ar_record``."""
        today = fields.Date.context_today(self)
        for promise in self.sudo():
            wrong = promise._ar_wrong_lines(promise.file_id, promise.line_ids)
            if wrong:
                raise ValidationError(wrong)
            expected = self._ar_line_currency(promise.line_ids, promise.company_id)
            if promise.line_ids and promise.currency_id != expected:
                raise ValidationError(self.env._(
                    "Currency: a promise on items in %(expected)s is in %(expected)s, not "
                    "in %(currency)s.",
                    expected=expected.name, currency=promise.currency_id.name,
                ))
            error = self._ar_plan_error(
                [(inst.date, inst.amount) for inst in promise.instalment_ids], today,
                promise.amount_open_at_promise, promise.currency_id, promise.company_id,
            )
            if error:
                raise ValidationError(error)

    @api.model_create_multi
    def create(self, vals_list):
        _check_policy_write(self)
        return super().create(vals_list)

    def write(self, vals):
        if PROMISE_FIELDS & set(vals):
            _check_policy_write(self)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Recording a promise
    # ------------------------------------------------------------------

    @api.model
    def _ar_check_controller(self):
        if not self.env.su and not self.env.user.has_group(CONTROLLER_GROUP):
            raise AccessError(self.env._("Only a Credit Controller can do this."))

    @api.model
    def _ar_line_currency(self, lines, company):
        """The promise is in the items' currency when they share one, else in the
        company's."""
        currencies = lines.currency_id
        return currencies if len(currencies) == 1 else company.currency_id

    @api.model
    def _ar_open_of(self, lines, currency):
        if currency == lines.company_currency_id[:1]:
            return sum(lines.mapped("amount_residual"))
        return sum(lines.mapped("amount_residual_currency"))

    @api.model
    def _ar_record(self, file, lines, instalments, reason="", note=""):
        """Records a promise of ``file``'s customer on ``lines``.

        ``instalments``: list of (date, amount) in the items' currency (see
        ``_ar_line_currency``). Checks the items and the plan, pauses the items and
        logs the promise on the file's history and chatter and on the invoices.
        """
        self._ar_check_controller()
        file.ensure_one()
        file.check_access("read")
        lines.check_access("read")
        company = file.company_id
        today = fields.Date.context_today(self)
        wrong = self._ar_wrong_lines(file, lines)
        if wrong:
            raise ValidationError(wrong)
        live = lines.filtered(
            lambda line: line.ar_promise_line_id.state == rules.OPEN
            and line.ar_promise_line_id.date_deadline >= today
        )
        if live:
            raise ValidationError(self.env._(
                "Items: %(items)s are already under a live promise to pay.",
                items=", ".join(live.move_id.mapped("display_name")),
            ))
        currency = self._ar_line_currency(lines, company)
        open_total = self._ar_open_of(lines, currency)
        error = self._ar_plan_error(instalments, today, open_total, currency, company)
        if error:
            raise ValidationError(error)
        promise = guards.policy_write(self.sudo()).create({
            "file_id": file.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "line_ids": [fields.Command.set(lines.ids)],
            "grace_days": company.ar_promise_grace_days,
            "amount_open_at_promise": open_total,
            "user_id": self.env.user.id,
            "reason": reason,
            "note": note,
            "instalment_ids": [
                fields.Command.create({"date": date, "amount": currency.round(amount)})
                for date, amount in sorted(instalments)
            ],
        })
        lines.sudo()._ar_write_policy_fields({"ar_promise_line_id": promise.id})
        summary = promise._ar_summary()
        if reason:
            summary += " " + self.env._("Reason: %s", reason)
        self.env["ar.escalation.history"]._ar_record([dict(
            file=file, action="promise", lines=lines, run_date=today, note=summary,
            move=lines.move_id if len(lines.move_id) == 1 else None,
        )])
        body = Markup("<p><b>%s</b><br/>%s</p>") % (self.env._("Promise to pay"), summary)
        file.sudo().message_post(body=body, message_type="comment",
                                 subtype_xmlid="mail.mt_note")
        for move in lines.move_id:
            move.sudo().message_post(body=body, message_type="comment",
                                     subtype_xmlid="mail.mt_note")
        return promise.with_env(self.env)

    @api.model
    def _ar_wrong_lines(self, file, lines):
        """Why ``lines`` cannot be promised by ``file``'s customer, or ''."""
        if not lines:
            return self.env._("Items: choose the open items the customer promises to pay.")
        file = file.sudo()
        position = self.env["ar.account.position"].sudo()._ar_positions(
            file.partner_id, file.company_id
        )[file.partner_id.id]
        open_ids = {item.line_id for item in position.items}
        wrong = lines.sudo().filtered(lambda line: line.id not in open_ids)
        if not wrong:
            return ""
        return self.env._(
            "Items: %(items)s are not open receivable items of %(customer)s.",
            items=", ".join(wrong.move_id.mapped("display_name")),
            customer=file.sudo().partner_id.display_name,
        )

    @api.model
    def _ar_plan_error(self, instalments, today, open_total, currency, company):
        """What is wrong with ``instalments`` [(date, amount)], in words naming the
        field, or '' (the rules of ``rules.promise.check_instalments`` with the
        company's horizon and maximum; no horizon for a request accepted beyond it)."""
        company = company.sudo()
        horizon_days = (None if guards.is_beyond_horizon_accepted(self.env)
                        else company.ar_promise_horizon_days)
        problems = rules.check_instalments(
            instalments, today, open_total, currency.rounding,
            horizon_days=horizon_days,
            max_count=company.ar_promise_max_instalments,
        )
        if not problems:
            return ""
        labels = {"date": self.env._("Promised Date"), "amount": self.env._("Amount"),
                  "instalment_ids": self.env._("Instalments")}
        messages = {
            rules.NO_INSTALMENT: self.env._("at least one instalment is needed."),
            rules.NO_DATE: self.env._("every instalment needs a date."),
            rules.PAST: self.env._("an instalment date is in the past."),
            rules.BEYOND_HORIZON: self.env._(
                "an instalment date is after %(last)s, more than the Promise Horizon "
                "(days) of %(days)s days ahead.",
                last=format_date(self.env, rules.horizon(today, company.ar_promise_horizon_days)),
                days=company.ar_promise_horizon_days,
            ),
            rules.SAME_DATE: self.env._("two instalments fall on the same date."),
            rules.TOO_MANY: self.env._(
                "%(count)s instalments, more than the Maximum Instalments (%(max)s).",
                count=len(instalments), max=company.ar_promise_max_instalments,
            ),
            rules.NOT_POSITIVE: self.env._("every instalment amount must be positive."),
            rules.OVER_OPEN: self.env._("the plan promises more than is open on the items."),
        }
        return "\n".join(f"{labels[field]}: {messages[message]}" for field, message in problems)

    def _ar_summary(self):
        self.ensure_one()
        parts = [
            self.env._("%(amount)s by %(date)s", date=format_date(self.env, inst.date),
                       amount=format_amount(self.env, inst.amount, self.currency_id))
            for inst in self.instalment_ids
        ]
        return self.env._(
            "%(plan)s for %(items)s (paused until %(deadline)s).",
            plan="; ".join(parts),
            items=", ".join(self.line_ids.move_id.mapped("display_name")),
            deadline=format_date(self.env, self.date_deadline),
        )

    # ------------------------------------------------------------------
    # Kept or broken: checked in bulk before each escalation run
    # ------------------------------------------------------------------

    def _ar_open_amounts(self):
        """{promise id: what is still open on its items, in the promise's currency}."""
        if not self.ids:
            return {}
        self.env["account.move.line"].flush_model(["amount_residual", "amount_residual_currency"])
        self.flush_model(["currency_id", "company_id"])
        rows = self.env.execute_query(SQL(
            """
            SELECT p.id,
                   SUM(CASE WHEN p.currency_id = c.currency_id THEN aml.amount_residual
                            ELSE aml.amount_residual_currency END)
              FROM ar_promise p
              JOIN res_company c ON c.id = p.company_id
              JOIN ar_promise_move_line_rel r ON r.promise_id = p.id
              JOIN account_move_line aml ON aml.id = r.line_id
             WHERE p.id IN %(ids)s
          GROUP BY p.id
            """,
            ids=tuple(self.ids),
        ))
        return {pid: amount or 0.0 for pid, amount in rows}

    @api.model
    def _ar_check_promises(self, files, today):
        """Marks the open promises of ``files`` kept or broken as of ``today`` and logs
        them (history and chatter), in a fixed number of queries. Idempotent: only
        open promises change. Returns {'kept': promises, 'broken': promises}."""
        result = {rules.KEPT: self.browse(), rules.BROKEN: self.browse()}
        if not files:
            return result
        self.flush_model()
        self.env["ar.promise.instalment"].flush_model()
        promise_ids = [pid for (pid,) in self.env.execute_query(SQL(
            "SELECT id FROM ar_promise WHERE state = %(open)s AND file_id IN %(files)s ORDER BY id",
            open=rules.OPEN, files=tuple(files.ids),
        ))]
        if not promise_ids:
            return result
        promises = self.sudo().browse(promise_ids)
        open_now = promises._ar_open_amounts()
        instalments = defaultdict(list)
        for pid, date, amount in self.env.execute_query(SQL(
            "SELECT promise_id, date, amount FROM ar_promise_instalment WHERE promise_id IN %(ids)s",
            ids=tuple(promise_ids),
        )):
            instalments[pid].append((date, amount or 0.0))
        for promise in promises:
            left = open_now.get(promise.id, 0.0)
            state = rules.outcome(
                instalments[promise.id], promise.amount_open_at_promise - left, left, today,
                promise.grace_days, promise.currency_id.rounding,
            )
            if state != rules.OPEN:
                result[state] |= promise
        for state, changed in result.items():
            if changed:
                guards.policy_write(changed).write({"state": state, "state_date": today})
        result[rules.KEPT]._ar_log_outcome("promise_kept", today)
        result[rules.BROKEN]._ar_log_outcome("promise_broken", today)
        return result

    def _ar_log_outcome(self, action, today):
        if not self:
            return
        label = (self.env._("Promise kept") if action == "promise_kept"
                 else self.env._("Promise broken: the items escalate again"))
        notes = {}
        open_now = self._ar_open_amounts() if action == "promise_broken" else {}
        for promise in self:
            paid = format_amount(
                self.env, promise.amount_open_at_promise - open_now.get(promise.id, 0.0),
                promise.currency_id,
            ) if action == "promise_broken" else ""
            note = promise._ar_summary()
            if paid:
                note += " " + self.env._("Paid since the promise: %s.", paid)
            notes[promise] = note
        self.env["ar.escalation.history"]._ar_record([dict(
            file=promise.file_id, action=action, lines=promise.line_ids, run_date=today,
            note=notes[promise],
            move=promise.line_ids.move_id if len(promise.line_ids.move_id) == 1 else None,
        ) for promise in self])
        bodies = defaultdict(Markup)
        for promise in self:
            bodies[promise.file_id.id] += Markup("<p><b>%s</b><br/>%s</p>") % (label, notes[promise])
        self.env["ar.credit.file"]._ar_log_notes(bodies)
