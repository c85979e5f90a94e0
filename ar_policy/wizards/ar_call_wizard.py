from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..actions import wizard_action
from ..models.ar_call import CALL_OUTCOMES
from ..rules import worklist as rules


class ArCallWizard(models.TransientModel):
    """Log a call: who, when, the outcome and the excuse heard. The excuse's prepared
    answer shows while the collector logs; confirming records the call (history and
    chatter) and performs or schedules the excuse's next step."""

    _name = "ar.call.wizard"
    _description = "Log a Call"

    file_id = fields.Many2one("ar.credit.file", string="Credit File", required=True)
    partner_id = fields.Many2one(related="file_id.partner_id")
    company_id = fields.Many2one(related="file_id.company_id")
    outcome = fields.Selection(CALL_OUTCOMES, required=True, default="reached")
    excuse_id = fields.Many2one(
        "ar.call.excuse", string="Excuse",
        domain="['|', ('company_id', '=', False), ('company_id', 'parent_of', company_id)]",
    )
    answer = fields.Text(related="excuse_id.answer", string="Prepared Answer")
    next_step = fields.Selection(related="excuse_id.next_step")
    move_ids = fields.Many2many(
        "account.move", string="Invoices",
        help="The invoices the next step is about (sent again, disputed): the overdue "
        "ones by default.",
    )
    note = fields.Text()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if values.get("file_id") and "move_ids" in fields_list:
            file = self.env["ar.credit.file"].browse(values["file_id"])
            values["move_ids"] = [fields.Command.set(file._ar_overdue_moves().ids)]
        return values

    def _step(self):
        if self.outcome == "no_answer":
            return rules.STEP_RETRY
        if self.outcome == "wrong_contact":
            return rules.STEP_CONTACT
        return self.excuse_id.next_step

    def action_confirm(self):
        self.ensure_one()
        self.env["ar.promise"]._ar_check_controller()
        file = self.file_id
        step = self._step()
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[self.outcome]
        summary = " · ".join(filter(None, [outcome, self.excuse_id.name, self.note]))
        call = self.env["ar.call"].sudo().create({
            "file_id": file.id,
            "company_id": file.company_id.id,
            "user_id": self.env.uid,
            "outcome": self.outcome,
            "excuse_id": self.excuse_id.id,
            "note": self.note,
        })
        self.env["ar.escalation.history"]._ar_record([
            dict(file=file, action="call", note=summary)
        ])
        body = Markup("<p><b>%s</b><br/>%s</p>") % (self.env._("Call logged"), summary)
        file.sudo().message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        action = self._ar_next_step(step)
        file.sudo()._ar_compute_scores()  # call outcomes feed the score
        file._ar_worklist_done()
        return action or {"type": "ir.actions.act_window_close", "res_id": call.id}

    def _ar_next_step(self, step):
        """Performs the step (resend now) or schedules it (activity), or returns the
        wizard that records it (promise, plan, dispute, the statement's composer)."""
        file = self.file_id
        today = fields.Date.context_today(self)
        moves = self.move_ids
        if step == rules.STEP_RESEND:
            moves = moves.filtered(lambda m: m.move_type == "out_invoice")
            if not moves:
                raise UserError(self.env._("Invoices: choose the invoice to send again."))
            self.env["ar.promise"]._ar_resend_invoices(moves)
            return None
        if step in (rules.STEP_PROMISE, rules.STEP_PROMISE_TODAY, rules.STEP_PLAN):
            context = {"active_model": "ar.credit.file", "active_id": file.id,
                       "active_ids": file.ids, "default_reason": self.excuse_id.name}
            if step == rules.STEP_PROMISE_TODAY:
                context["default_date"] = today
            if step == rules.STEP_PLAN:
                context["default_is_plan"] = True
            return self._ar_wizard("ar.promise.wizard", self.env._("Record a Promise to Pay"),
                                   context)
        if step == rules.STEP_STATEMENT:
            return file.action_ar_send_statement()
        if step == rules.STEP_DISPUTE:
            return self._ar_wizard("ar.dispute.wizard", self.env._("Dispute an Invoice"),
                                   {"default_move_ids": moves.ids,
                                    "default_reason": self.note or self.excuse_id.name})
        user = file.collector_id or self.env.user
        if step == rules.STEP_CONTACT:
            file.sudo().activity_schedule(
                "mail.mail_activity_data_todo", date_deadline=today, user_id=user.id,
                summary=self.env._("Update the invoicing contact of %s",
                                   file.partner_id.display_name),
            )
        elif step == rules.STEP_RETRY:
            file.sudo().activity_schedule(
                "mail.mail_activity_data_call", date_deadline=rules.next_working_day(today),
                user_id=user.id, summary=self.env._("Call %s again", file.partner_id.display_name),
            )
        return None

    @api.model
    def _ar_wizard(self, model, title, context):
        return wizard_action(model, title, context)
