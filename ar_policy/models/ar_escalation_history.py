from odoo import fields, models

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
]


class ArEscalationHistory(models.Model):
    """Every step of the escalation ladder: what was done, for which items, at which
    stage, when, and by the scheduler or by whom (DESIGN 3: keep a record)."""

    _name = "ar.escalation.history"
    _description = "Escalation History"
    _order = "date desc, id desc"
    _check_company_auto = True

    file_id = fields.Many2one(
        "ar.credit.file", string="Credit File", required=True, readonly=True, index=True,
        ondelete="restrict", check_company=True,
    )
    partner_id = fields.Many2one(related="file_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
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
    mail_message_id = fields.Many2one("mail.message", string="Message", readonly=True,
                                      ondelete="set null")
    activity_id = fields.Many2one("mail.activity", readonly=True,
                                  ondelete="set null")
    fee_move_id = fields.Many2one("account.move", string="Fee Invoice", readonly=True)
    note = fields.Text(readonly=True)
