from odoo import api, fields, models
from odoo.exceptions import UserError

from ..actions import wizard_action
from ..rules import worklist as rules
from .ar_call import CALL_OUTCOMES
from .ar_credit_file_score import RATINGS, TRENDS

ACTIONS = [
    (rules.CALL, "Call"),
    (rules.SEND_STATEMENT, "Send statement"),
    (rules.HAND_OVER, "Hand over"),
    (rules.REVIEW_DISPUTE, "Review dispute"),
    (rules.ANSWER_REQUEST, "Answer request"),
]
PROMISE_STATUSES = [("open", "Open"), ("due", "Due today"), ("broken", "Broken")]


class ArWorklist(models.Model):
    """Today's worklist (DESIGN 11): one row per credit file that needs a human today,
    with its next action, the reason and the figures behind the priority.

    Stored and rebuilt in bulk by ``ar.credit.file._ar_refresh_worklist`` (nightly, and
    for the files a collector acts on), so that opening the list reads one table.
    """

    _name = "ar.worklist"
    _description = "Collections Worklist"
    _order = "priority desc, overdue_amount desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    date = fields.Date(required=True, readonly=True, index=True)
    file_id = fields.Many2one(
        "ar.credit.file", string="Credit File", required=True, readonly=True, index=True,
        ondelete="cascade", check_company=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    collector_id = fields.Many2one("res.users", readonly=True, index=True)
    priority = fields.Float(readonly=True, digits=(16, 2), aggregator=False)
    action = fields.Selection(ACTIONS, string="Next Action", readonly=True, index=True)
    reason = fields.Char(readonly=True)
    overdue_amount = fields.Monetary(string="Overdue (net)", readonly=True)
    oldest_days_late = fields.Integer(string="Days Late", readonly=True, aggregator="max")
    payment_rating = fields.Selection(RATINGS, string="Rating", readonly=True, index=True)
    payment_trend = fields.Selection(TRENDS, string="Trend", readonly=True)
    last_contact_date = fields.Date(string="Last Contact", readonly=True)
    last_outcome = fields.Selection(CALL_OUTCOMES, string="Outcome", readonly=True)
    last_excuse_id = fields.Many2one("ar.call.excuse", string="Excuse", readonly=True)
    promise_id = fields.Many2one("ar.promise", string="Promise", readonly=True)
    promise_date = fields.Date(readonly=True)
    promise_amount = fields.Monetary(readonly=True, currency_field="promise_currency_id")
    promise_currency_id = fields.Many2one("res.currency", readonly=True)
    promise_status = fields.Selection(PROMISE_STATUSES, readonly=True)
    dispute_count = fields.Integer(string="Disputes", readonly=True)
    dispute_days = fields.Integer(string="Dispute Age", readonly=True, aggregator="max")
    stage_id = fields.Many2one("ar.escalation.stage", string="Stage", readonly=True)
    request_id = fields.Many2one(
        "ar.portal.request", string="Customer Request", readonly=True,
        help="The customer's request from its account page awaiting an answer.",
    )

    # ------------------------------------------------------------------
    # Row buttons
    # ------------------------------------------------------------------

    def _ar_wizard(self, model, title, **context):
        self.ensure_one()
        return wizard_action(model, title, context)

    def action_log_call(self):
        return self._ar_wizard("ar.call.wizard", self.env._("Log a Call"),
                               default_file_id=self.file_id.id)

    def action_record_promise(self):
        return self._ar_wizard("ar.promise.wizard", self.env._("Record a Promise to Pay"),
                               active_model="ar.credit.file", active_id=self.file_id.id,
                               active_ids=self.file_id.ids)

    def _ar_overdue_moves(self):
        """The invoices of the file's overdue items (the account position's)."""
        self.ensure_one()
        return self.file_id._ar_overdue_moves()

    def action_open_dispute(self):
        moves = self._ar_overdue_moves()
        return self._ar_wizard("ar.dispute.wizard", self.env._("Dispute an Invoice"),
                               default_move_ids=moves.ids)

    def action_resend_invoice(self):
        """Sends the overdue invoices again with Odoo's own invoice sending."""
        moves = self._ar_overdue_moves().filtered(lambda m: m.move_type == "out_invoice")
        if not moves:
            raise UserError(self.env._("Invoices: %s has no overdue invoice to send again.",
                                       self.partner_id.display_name))
        self.env["ar.promise"]._ar_resend_invoices(moves)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_send_statement(self):
        """The statement of account in Odoo's mail composer; once sent, the row
        leaves today's list."""
        self.ensure_one()
        return self.file_id.action_ar_send_statement()

    def action_open_request(self):
        self.ensure_one()
        return self.request_id.action_open()

    def action_snooze(self):
        return self._ar_wizard("ar.worklist.snooze.wizard", self.env._("Snooze"),
                               default_file_ids=self.file_id.ids)

    def action_reassign(self):
        return self._ar_wizard("ar.worklist.reassign.wizard", self.env._("Reassign"),
                               default_file_ids=self.file_id.ids,
                               default_collector_id=self.collector_id.id)

    def action_open_file(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "ar.credit.file",
            "res_id": self.file_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # Reason in words
    # ------------------------------------------------------------------

    @api.model
    def _ar_reason_text(self, action, today):
        """The reason shown next to the action ("call: promise broken yesterday")."""
        _ = self.env._
        params = action.params

        def days_ago(days):
            if days == 0:
                return _("today")
            if days == 1:
                return _("yesterday")
            return _("%s days ago", days)

        def silence():
            days = params.get("days_since_contact")
            return _("never contacted") if days is None else _("no contact for %s days", days)

        if action.reason == rules.PROMISE_BROKEN:
            return _("Call: promise broken %s", days_ago(params["days"]))
        if action.reason == rules.PROMISE_DUE:
            return _("Call: a promised payment is due today")
        if action.reason == rules.PLAN_REQUESTED:
            return _("Answer: payment plan requested %s", days_ago(params["days"]))
        if action.reason == rules.PROMISE_REQUESTED:
            return _("Answer: promise beyond the horizon requested %s", days_ago(params["days"]))
        if action.reason == rules.CUSTOMER_DISPUTE:
            return _("Review: invoice disputed by the customer %s", days_ago(params["days"]))
        if action.reason == rules.STATEMENT_REQUESTED:
            return _("Send statement: asked for a copy")
        if action.reason == rules.HAND_OVER_THRESHOLD:
            return _("Hand over: %s days late, above the legal minimum", params["days_late"])
        if action.reason == rules.DISPUTE_OPEN:
            return _("Review dispute: open for %(days)s days, %(silence)s",
                     days=params["days"], silence=silence())
        return _("Call: %(days)s days late, %(silence)s", days=params["days_late"],
                 silence=silence())
