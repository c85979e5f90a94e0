from odoo import api, fields, models

from ..guards import is_scheduler
from .ar_credit_log import done_by_label

HISTORY_ACTIONS = [
    ("email", "Email"),
    ("activity", "Activity"),
    ("letter", "Letter"),
    ("fee", "Late fee"),
    ("hold", "Credit hold"),
    ("deposit", "Deposit required"),
    ("handover", "Handed over"),
    ("promise", "Promise to pay"),
    ("promise_kept", "Promise kept"),
    ("promise_broken", "Promise broken"),
    ("dispute", "Dispute"),
    ("dispute_closed", "Dispute closed"),
    ("resend", "Invoice sent again"),
    ("waiver", "Fee waived"),
    ("error", "Error"),
    ("call", "Call"),
    ("snooze", "Snoozed"),
]


class ArEscalationHistory(models.Model):
    """Every step of the escalation ladder: what was done, for which items, at which
    stage, when, and by the scheduler or by whom (DESIGN 3: keep a record)."""

    _name = "ar.escalation.history"
    _description = "Escalation History"
    _inherit = ["ar.credit.file.record.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    run_date = fields.Date(
        readonly=True, index=True, help="The day of the run the action belongs to."
    )
    stage_id = fields.Many2one("ar.escalation.stage", readonly=True, ondelete="restrict")
    action = fields.Selection(HISTORY_ACTIONS, required=True, readonly=True)
    move_line_ids = fields.Many2many(
        "account.move.line", "ar_escalation_history_move_line_rel", "history_id", "line_id",
        string="Items", readonly=True,
    )
    move_id = fields.Many2one("account.move", string="Invoice", readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, help="Empty when done by the scheduler."
    )
    by_scheduler = fields.Boolean(readonly=True)
    done_by = fields.Char(string="Done By", compute="_compute_done_by",
                          help="The user, or the nightly run.")
    mail_message_id = fields.Many2one("mail.message", string="Message", readonly=True,
                                      ondelete="set null")
    activity_id = fields.Many2one("mail.activity", readonly=True,
                                  ondelete="set null")
    fee_move_id = fields.Many2one("account.move", string="Fee Invoice", readonly=True)
    note = fields.Text(readonly=True)

    @api.depends("user_id", "by_scheduler")
    def _compute_done_by(self):
        for row in self:
            row.done_by = done_by_label(row)

    @api.model
    def _ar_record(self, entries):
        """The one way history rows are written, in one create.

        ``entries``: dicts with ``file`` and ``action``, and optionally ``stage``,
        ``lines`` (account.move.line), ``move`` (the invoice; by default the first of
        the lines'), ``run_date`` (the company's today by default), ``message``,
        ``activity``, ``fee_move``, ``note``. Who: the scheduler when the environment
        is the scheduler's, else the current user.
        """
        if not entries:
            return self.browse()
        by_scheduler = is_scheduler(self.env)
        user_id = False if by_scheduler else self.env.uid
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)

        def record_id(entry, key):
            value = entry.get(key)
            return value[:1].id if value else False

        return self.sudo().create([{
            "file_id": entry["file"].id,
            "company_id": entry["file"].company_id.id,
            "date": now,
            "run_date": entry.get("run_date") or today,
            "stage_id": record_id(entry, "stage"),
            "action": entry["action"],
            "move_line_ids": [fields.Command.set(entry["lines"].ids)] if entry.get("lines") else [],
            "move_id": (record_id(entry, "move") if "move" in entry
                        else record_id(entry, "lines") and entry["lines"].move_id[:1].id),
            "user_id": user_id,
            "by_scheduler": by_scheduler,
            "mail_message_id": record_id(entry, "message"),
            "activity_id": record_id(entry, "activity"),
            "fee_move_id": record_id(entry, "fee_move"),
            "note": entry.get("note") or False,
        } for entry in entries])
