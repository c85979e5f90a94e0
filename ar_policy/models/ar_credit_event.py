from odoo import api, fields, models
from odoo.tools import SQL

from .ar_credit_log import done_by_label


class ArCreditEvent(models.Model):
    """A customer's credit events in one company, read-only: the credit log (hold set
    and lifted, status, limit, deposit changes) and the escalation history (reminders,
    fees, letters, promises) in one list.

    ``res.partner`` is shared between companies, so nothing company-specific is logged
    on its chatter (DESIGN 1): the customer form lists these instead, for the current
    company, each with its credit file."""

    _name = "ar.credit.event"
    _description = "Credit Event"
    _auto = False
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    file_id = fields.Many2one("ar.credit.file", string="Credit File", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    log_id = fields.Many2one("ar.credit.log", readonly=True)
    history_id = fields.Many2one("ar.escalation.history", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, help="Empty when done by the scheduler."
    )
    by_scheduler = fields.Boolean(readonly=True)
    done_by = fields.Char(string="Done By", compute="_compute_done_by")
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    event = fields.Char(compute="_compute_summary")
    summary = fields.Char(string="Details", compute="_compute_summary")

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT l.id * 2 AS id, l.date, l.company_id, l.file_id, l.partner_id,
                   l.id AS log_id, NULL::integer AS history_id, l.user_id, l.by_scheduler,
                   l.move_id
              FROM ar_credit_log l
             WHERE l.file_id IS NOT NULL
         UNION ALL
            SELECT h.id * 2 + 1, h.date, h.company_id, h.file_id, h.partner_id,
                   NULL, h.id, h.user_id, h.by_scheduler, COALESCE(h.move_id, h.fee_move_id)
              FROM ar_escalation_history h
             WHERE h.action != 'error'
            """
        )

    @api.depends("user_id", "by_scheduler")
    def _compute_done_by(self):
        for event in self:
            event.done_by = done_by_label(event)

    @api.depends("log_id", "history_id")
    def _compute_summary(self):
        """What happened and the details, as the file's chatter words them."""
        events = dict(self.env["ar.credit.log"]._fields["event"]._description_selection(self.env))
        actions = dict(
            self.env["ar.escalation.history"]._fields["action"]._description_selection(self.env)
        )
        for event in self:
            if event.log_id:
                log = event.log_id
                event.event = events.get(log.event, log.event)
                parts = [log.cause or ""]
                if log.old_value or log.new_value:
                    parts.append(f"{log.old_value or '-'} → {log.new_value or '-'}")
                parts.append(log.reason or "")
            else:
                row = event.history_id
                event.event = actions.get(row.action, row.action)
                parts = [row.stage_id.name or "",
                         ", ".join(row.move_line_ids.move_id.mapped("name")),
                         row.fee_move_id.name or "", row.note or ""]
            event.summary = " · ".join(part for part in parts if part) or False

    @api.model
    def _ar_events_of(self, partners, company, limit=40):
        """{commercial partner id: events} of ``company`` (its root), newest first."""
        result = {pid: self.browse() for pid in partners.commercial_partner_id.ids}
        if not partners:
            return result
        for model in ("ar.credit.log", "ar.escalation.history"):
            self.env[model].flush_model()  # the view reads their tables
        events = self.search([
            ("partner_id", "in", partners.commercial_partner_id.ids),
            ("company_id", "=", company.root_id.id),
        ], limit=limit * len(partners))
        for event in events:
            if len(result[event.partner_id.id]) < limit:
                result[event.partner_id.id] |= event
        return result

    def action_open_file(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "ar.credit.file",
            "res_id": self.file_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
