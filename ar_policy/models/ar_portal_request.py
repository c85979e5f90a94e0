from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_amount, format_date

from .. import guards
from ..rules import promise as promise_rules

REQUEST_KINDS = [
    ("promise", "Promise to pay"),
    ("plan", "Payment plan"),
    ("dispute", "Dispute"),
    ("copy", "Copy of an invoice"),
]
REQUEST_STATES = [
    ("requested", "Awaiting an answer"),
    ("accepted", "Accepted"),
    ("refused", "Declined"),
    ("open", "Open"),
    ("answered", "Answered"),
    ("done", "Done"),
]
# Only the addon's own code paths write these (DESIGN 10); the collector writes the answer.
REQUEST_FIELDS = {
    "file_id", "company_id", "kind", "state", "author_id", "move_ids", "line_ids",
    "currency_id", "date", "amount", "instalment_count", "reason_id", "message",
    "answer_user_id", "answer_date", "promise_id", "activity_id", "attachment_ids",
}
WAITING_STATES = ("requested",)


def _check_policy_write(records):
    if not guards.is_policy_write(records.env):
        raise AccessError(records.env._(
            "Customer requests come from the customer's account page and change only "
            "through Accept and Decline."
        ))


class ArPortalRequest(models.Model):
    """What a customer asked for on its account page in the portal (issue 12): a
    promise to pay, a payment plan, a dispute or a copy of an invoice.

    A promise within the company's limits is recorded at once as the addon's
    promise to pay; a date beyond the Promise Horizon, and every payment plan, wait
    for a credit controller to accept or decline them from the credit file.
    """

    _name = "ar.portal.request"
    _description = "Customer Request"
    _inherit = ["ar.credit.file.record.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(REQUEST_KINDS, string="Request", required=True, readonly=True)
    state = fields.Selection(REQUEST_STATES, required=True, readonly=True, index=True)
    author_id = fields.Many2one(
        "res.partner", string="Sent By", readonly=True,
        help="The customer's contact who sent it from the portal.",
    )
    move_ids = fields.Many2many("account.move", string="Invoices", readonly=True)
    line_ids = fields.Many2many(
        "account.move.line", "ar_portal_request_move_line_rel", "request_id", "line_id",
        string="Items", readonly=True,
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date(string="Proposed Date", readonly=True,
                       help="The promised date, or a plan's first instalment.")
    amount = fields.Monetary(currency_field="currency_id", readonly=True)
    instalment_count = fields.Integer(string="Instalments", readonly=True)
    reason_id = fields.Many2one("ar.dispute.reason", string="Dispute Reason", readonly=True)
    message = fields.Text(string="Customer's Message", readonly=True)
    answer = fields.Text(help="Sent to the customer with Accept or Decline.")
    answer_user_id = fields.Many2one("res.users", string="Answered By", readonly=True)
    answer_date = fields.Date(string="Answered On", readonly=True)
    promise_id = fields.Many2one("ar.promise", string="Promise to Pay", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    attachment_ids = fields.Many2many("ir.attachment", string="Attachments", readonly=True)

    @api.depends("kind", "partner_id", "create_date")
    @api.depends_context("lang")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for request in self:
            request.display_name = self.env._(
                "%(kind)s from %(customer)s", kind=kinds.get(request.kind, ""),
                customer=request.partner_id.display_name or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        _check_policy_write(self)
        return super().create(vals_list)

    def write(self, vals):
        if REQUEST_FIELDS & set(vals):
            _check_policy_write(self)
        return super().write(vals)

    # ------------------------------------------------------------------
    # What the customer sends (called by the portal controller, after its checks)
    # ------------------------------------------------------------------

    @api.model
    def _ar_check_sender(self, file, moves=None):
        """The portal's own checks before anything is written: the invoices are the
        customer's in the file's company, and today's requests are under the limit."""
        file = file.sudo()
        company = file.company_id
        if moves is not None:
            if not moves:
                raise UserError(self.env._("Invoices: choose at least one invoice."))
            foreign = moves.sudo().filtered(
                lambda m: m.commercial_partner_id != file.partner_id
                or m.company_id.root_id != company
            )
            if foreign:
                raise UserError(self.env._("Invoices: these documents are not on your account."))
        today = fields.Date.context_today(self.with_company(company))
        sent_today = self.sudo().search_count([
            ("file_id", "=", file.id),
            ("create_date", ">=", fields.Datetime.to_datetime(today)),
        ])
        if sent_today >= company.ar_portal_daily_requests:
            raise UserError(self.env._(
                "You have sent %(count)s requests today, the most this account page takes "
                "in one day: please try again tomorrow or write to us.",
                count=sent_today,
            ))
        return today

    @api.model
    def _ar_check_open_promises(self, file, today):
        file = file.sudo()
        live = self.env["ar.promise"].sudo().search_count([
            ("file_id", "=", file.id), ("state", "=", promise_rules.OPEN),
            ("date_deadline", ">=", today),
        ]) + self.sudo().search_count([
            ("file_id", "=", file.id), ("kind", "in", ("promise", "plan")),
            ("state", "in", WAITING_STATES),
        ])
        maximum = file.company_id.ar_portal_max_open_promises
        if live >= maximum:
            raise UserError(self.env._(
                "Promises: you already have %(count)s open promises to pay or requests "
                "(at most %(max)s): we will be in touch about them first.",
                count=live, max=maximum,
            ))

    @api.model
    def _ar_open_lines(self, file, moves):
        """The open items of ``moves`` (of the account position); refuses an invoice
        with nothing left to pay."""
        Promise = self.env["ar.promise"].sudo()
        lines = Promise._ar_open_receivable_lines(moves.sudo())
        closed = moves.sudo().filtered(lambda m: m not in lines.move_id)
        if closed:
            raise UserError(self.env._(
                "Invoices: %s has nothing left to pay.", ", ".join(closed.mapped("name")),
            ))
        live = lines.filtered(
            lambda line: line.ar_promise_line_id.state == promise_rules.OPEN
            and line.ar_promise_line_id.date_deadline >= fields.Date.context_today(self)
        )
        if live:
            raise UserError(self.env._(
                "Invoices: %s already has a payment promised.",
                ", ".join(live.move_id.mapped("name")),
            ))
        waiting = self.sudo().search([
            ("file_id", "=", file.id), ("kind", "in", ("promise", "plan")),
            ("state", "in", WAITING_STATES), ("line_ids", "in", lines.ids),
        ])
        if waiting:
            raise UserError(self.env._(
                "Invoices: %s already has a request awaiting our answer.",
                ", ".join((waiting.line_ids & lines).move_id.mapped("name")),
            ))
        return lines

    @api.model
    def _ar_submit_promise(self, file, author, moves, date, amounts=None, message=""):
        """A promise to pay ``moves`` on ``date``; ``amounts``: {move id: amount} for
        the invoices the customer pays only in part (each at most its open amount).
        Within the company's limits it is the addon's promise at once; a date beyond
        the Promise Horizon becomes a request for the collector."""
        file = file.sudo()
        company = file.company_id
        today = self._ar_check_sender(file, moves)
        self._ar_check_open_promises(file, today)
        if not date:
            raise UserError(self.env._("Promised Date: when will you pay?"))
        Promise = self.env["ar.promise"].sudo()
        lines = self._ar_open_lines(file, moves)
        currency = Promise._ar_line_currency(lines, company)
        open_total = Promise._ar_open_of(lines, currency)
        total = 0.0
        for move in moves:
            move_open = Promise._ar_open_of(lines.filtered(lambda li, m=move: li.move_id == m),
                                            currency)
            amount = (amounts or {}).get(move.id)
            if amount is None:
                total += move_open
                continue
            if amount <= 0 or currency.compare_amounts(amount, move_open) > 0:
                raise UserError(self.env._(
                    "Amount: %(invoice)s has %(open)s left to pay; promise a positive "
                    "amount up to that.",
                    invoice=move.name, open=format_amount(self.env, move_open, currency),
                ))
            total += amount
        instalments = [(date, currency.round(total))]
        error = Promise._ar_plan_error(instalments, today, open_total, currency, company)
        beyond = error and not guards.accept_beyond_horizon(Promise)._ar_plan_error(
            instalments, today, open_total, currency, company
        )
        if error and not beyond:
            raise UserError(error)
        values = dict(kind="promise", author=author, moves=moves, lines=lines,
                      currency=currency, date=date, amount=currency.round(total),
                      message=message)
        if beyond:
            return self._ar_create_request(file, state="requested", **values)
        promise = Promise._ar_record(
            file, lines, instalments, reason=self.env._("Promised on the account page"),
            note=message or "",
        )
        return self._ar_create_request(file, state="done", promise=promise, **values)

    @api.model
    def _ar_submit_plan(self, file, author, moves, first_date, count, message=""):
        """A payment plan of ``count`` monthly instalments from ``first_date`` for
        ``moves``, within the company's limits: a request the collector accepts into
        the addon's payment plan or declines."""
        file = file.sudo()
        company = file.company_id
        if not company.ar_portal_plans_allowed:
            raise UserError(self.env._("Payment plans are not offered on this account page."))
        today = self._ar_check_sender(file, moves)
        self._ar_check_open_promises(file, today)
        maximum = company.ar_promise_max_instalments
        if not first_date:
            raise UserError(self.env._("First Instalment: choose its date."))
        if not 2 <= (count or 0) <= maximum:
            raise UserError(self.env._(
                "Instalments: from 2 to %(max)s.", max=maximum,
            ))
        Promise = self.env["ar.promise"].sudo()
        lines = self._ar_open_lines(file, moves)
        currency = Promise._ar_line_currency(lines, company)
        open_total = Promise._ar_open_of(lines, currency)
        instalments = self._ar_plan_instalments(first_date, count, open_total, currency)
        error = Promise._ar_plan_error(instalments, today, open_total, currency, company)
        if error:
            raise UserError(error)
        return self._ar_create_request(
            file, kind="plan", state="requested", author=author, moves=moves, lines=lines,
            currency=currency, date=first_date, amount=open_total, count=count,
            message=message,
        )

    @api.model
    def _ar_plan_instalments(self, first_date, count, total, currency):
        dates = promise_rules.plan_dates(first_date, count)
        if not dates:
            raise UserError(self.env._("First Instalment: the plan would end past the calendar."))
        amounts = promise_rules.split_evenly(total, count, currency.rounding)
        return list(zip(dates, amounts, strict=True))

    @api.model
    def _ar_submit_dispute(self, file, author, moves, reason, message, attachments=()):
        """Disputes ``moves`` (out of the ladder and of fees until closed) for ``reason``
        (one of the company's dispute reasons), with the customer's message and files
        [(name, bytes)]."""
        file = file.sudo()
        self._ar_check_sender(file, moves)
        not_invoices = moves.sudo().filtered(lambda m: m.move_type != "out_invoice")
        if not_invoices:
            raise UserError(self.env._(
                "Invoices: %s is not an invoice: only an invoice can be disputed.",
                ", ".join(not_invoices.mapped("name")),
            ))
        if not reason or reason not in self._ar_dispute_reasons(file.company_id):
            raise UserError(self.env._("Reason: choose one of the reasons listed."))
        if not (message or "").strip():
            raise UserError(self.env._("Message: tell us what is wrong with the invoice."))
        lines = self.env["ar.promise"].sudo()._ar_open_receivable_lines(moves.sudo())
        self.env["ar.promise"].sudo()._ar_set_dispute(
            moves.sudo(), True, f"{reason.name}: {message.strip()}"
        )
        return self._ar_create_request(
            file, kind="dispute", state="open", author=author, moves=moves, lines=lines,
            reason=reason, message=message.strip(), attachments=attachments,
        )

    @api.model
    def _ar_submit_copy(self, file, author, move):
        """'We never got it': Odoo's own invoice sending, at once, logged."""
        file = file.sudo()
        self._ar_check_sender(file, move)
        if move.sudo().move_type not in ("out_invoice", "out_refund") or move.sudo().state != "posted":
            raise UserError(self.env._("Invoices: only a posted invoice can be sent again."))
        self.env["ar.promise"].sudo()._ar_resend_invoices(move.sudo())
        return self._ar_create_request(file, kind="copy", state="done", author=author,
                                       moves=move)

    @api.model
    def _ar_dispute_reasons(self, company):
        return self.env["ar.dispute.reason"].sudo().search([
            ("company_id", "in", [False, company.root_id.id]),
        ])

    @api.model
    def _ar_create_request(self, file, kind, state, author, moves, lines=None, currency=None,
                           date=False, amount=0.0, count=0, message="", reason=None,
                           promise=None, attachments=()):
        """The request, its line in the file's history and chatter as the customer's
        own, the collector's activity and the customer's confirmation mail."""
        request = guards.policy_write(self.sudo()).create({
            "file_id": file.id,
            "company_id": file.company_id.id,
            "kind": kind,
            "state": state,
            "author_id": author.id,
            "move_ids": [fields.Command.set(moves.ids)],
            "line_ids": [fields.Command.set(lines.ids)] if lines else [],
            "currency_id": (currency or file.company_id.currency_id).id,
            "date": date,
            "amount": amount,
            "instalment_count": count,
            "reason_id": reason.id if reason else False,
            "message": message or False,
            "promise_id": promise.id if promise else False,
        })
        summary = request._ar_summary()
        if kind in ("promise", "plan") and state == "requested":
            self.env["ar.escalation.history"]._ar_record([dict(
                file=file, action="portal_request", lines=lines, note=summary,
                move=moves if len(moves) == 1 else None,
            )])
        body = Markup("<p><b>%s</b><br/>%s</p>") % (
            self.env._("From the customer's account page"), summary,
        )
        if message and kind != "dispute":
            body += Markup("<p>%s</p>") % message
        message_record = file.message_post(
            body=body, author_id=author.id, message_type="comment",
            subtype_xmlid="mail.mt_note",
            attachments=list(attachments),
        )
        values = {"attachment_ids": [fields.Command.set(message_record.attachment_ids.ids)]}
        if kind != "copy":
            activity = request._ar_schedule_activity(summary)
            values["activity_id"] = activity.id
        guards.policy_write(request).write(values)
        request._ar_notify_customer()
        return request

    def _ar_schedule_activity(self, summary):
        self.ensure_one()
        file = self.file_id
        user = (file.collector_id or file.company_id.ar_default_collector_id
                or file.company_id.ar_credit_manager_id)
        if not user:
            return self.env["mail.activity"]
        titles = {
            "promise": (self.env._("Promise to pay beyond the horizon: accept or decline")
                        if self.state == "requested"
                        else self.env._("Promise to pay from the account page")),
            "plan": self.env._("Payment plan request: accept or decline"),
            "dispute": self.env._("Dispute from the account page: answer the customer"),
        }
        return file.activity_schedule(
            "ar_policy.mail_activity_ar_portal_request",
            date_deadline=fields.Date.context_today(self),
            summary=titles[self.kind], note=summary, user_id=user.id,
        )

    def _ar_summary(self):
        self.ensure_one()
        invoices = ", ".join(self.move_ids.mapped("name"))
        money = format_amount(self.env, self.amount, self.currency_id) if self.currency_id else ""
        if self.kind == "promise":
            text = self.env._("Promise to pay %(amount)s by %(date)s for %(invoices)s.",
                              amount=money, date=format_date(self.env, self.date),
                              invoices=invoices)
            if self.state == "requested":
                text += " " + self.env._("The date is beyond what we accept at once: it "
                                         "waits for an answer.")
            return text
        if self.kind == "plan":
            return self.env._(
                "Payment plan of %(count)s monthly instalments from %(date)s for %(amount)s "
                "(%(invoices)s).", count=self.instalment_count,
                date=format_date(self.env, self.date), amount=money, invoices=invoices,
            )
        if self.kind == "dispute":
            return self.env._("Dispute of %(invoices)s: %(reason)s. %(message)s",
                              invoices=invoices, reason=self.reason_id.name or "",
                              message=self.message or "")
        return self.env._("Copy of %(invoices)s sent again by email.", invoices=invoices)

    def _ar_notify_customer(self):
        template = self.env.ref("ar_policy.mail_template_ar_portal_request").sudo()
        for request in self.sudo():
            if request.author_id.email:
                template.send_mail(request.id)

    # ------------------------------------------------------------------
    # The collector's answer
    # ------------------------------------------------------------------

    def action_accept(self):
        """Accepts a promise or plan request into the addon's promise to pay."""
        Promise = self.env["ar.promise"]
        Promise._ar_check_controller()
        for request in self:
            if request.state != "requested":
                raise UserError(self.env._("Only a request awaiting an answer can be accepted."))
            lines = request.line_ids
            if request.kind == "plan":
                instalments = self._ar_plan_instalments(
                    request.date, request.instalment_count, request.amount, request.currency_id
                )
                recorder = Promise
            else:
                instalments = [(request.date, request.amount)]
                recorder = guards.accept_beyond_horizon(Promise)
            promise = recorder._ar_record(
                request.file_id, lines, instalments,
                reason=self.env._("Accepted from the customer's request"),
                note=request.message or "",
            )
            request._ar_answer("accepted", promise=promise)
        return True

    def action_refuse(self):
        """Declines the request; the answer tells the customer why."""
        self.env["ar.promise"]._ar_check_controller()
        for request in self:
            if request.state != "requested":
                raise UserError(self.env._("Only a request awaiting an answer can be declined."))
            if not (request.answer or "").strip():
                raise UserError(self.env._("Answer: tell the customer why the request is declined."))
            request._ar_answer("refused")
        return True

    def action_close_dispute(self):
        """Closes the customer's dispute with the answer, which reaches the customer."""
        self.env["ar.promise"]._ar_check_controller()
        for request in self:
            if request.kind != "dispute" or request.state != "open":
                raise UserError(self.env._("Only an open dispute can be closed."))
            if not (request.answer or "").strip():
                raise UserError(self.env._("Answer: tell the customer how the dispute is settled."))
            self.env["ar.promise"]._ar_set_dispute(request.move_ids, False, request.answer)
        return True

    def action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def _ar_answer(self, state, promise=None):
        """Records the collector's answer: state, history, chatter, the activity done,
        the customer's mail."""
        self.ensure_one()
        values = {"state": state, "answer_user_id": self.env.uid,
                  "answer_date": fields.Date.context_today(self)}
        if promise:
            values["promise_id"] = promise.id
        guards.policy_write(self.sudo()).write(values)
        labels = dict(self._fields["state"]._description_selection(self.env))
        note = f"{labels[state]}: {self._ar_summary()}"
        if self.answer:
            note += " " + self.answer
        self.env["ar.escalation.history"]._ar_record([dict(
            file=self.file_id, action="portal_answer", lines=self.line_ids, note=note,
            move=self.move_ids if len(self.move_ids) == 1 else None,
        )])
        self.file_id.sudo().message_post(
            body=Markup("<p><b>%s</b><br/>%s</p>") % (self.env._("Answer to the customer"), note),
            message_type="comment", subtype_xmlid="mail.mt_note",
        )
        if self.activity_id:
            self.activity_id.sudo().action_feedback(feedback=note)
        self._ar_notify_customer()
