from odoo import api, fields, models

LOG_EVENTS = [
    ("status", "Credit status"),
    ("limit", "Credit limit"),
    ("review", "Review date"),
    ("hold", "Hold set"),
    ("release", "Hold lifted"),
    ("override", "Refusal overridden"),
    ("warning", "Posted over the policy"),
    ("pilot", "Pilot step"),
    ("setting", "Policy setting"),
    ("deposit", "Deposit"),
    ("concentration", "Posted over the concentration share"),
    ("waiver", "Late fee waived"),
]


def done_by_label(record):
    """Who did it, as lists show it: the user, or the nightly run (the scheduler)."""
    return record.user_id.name or (
        record.env._("Nightly run") if record.by_scheduler else False
    )


class ArCreditLog(models.Model):
    """Who or what changed a customer's credit, or a company's policy, when and why."""

    _name = "ar.credit.log"
    _description = "Credit Policy Log"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    file_id = fields.Many2one(
        "ar.credit.file", string="Credit File", readonly=True, index=True, ondelete="restrict",
        check_company=True,
    )
    partner_id = fields.Many2one(related="file_id.partner_id", store=True, string="Customer")
    event = fields.Selection(LOG_EVENTS, required=True, readonly=True)
    cause = fields.Char(readonly=True, help="Hold cause, or the setting changed.")
    old_value = fields.Char(readonly=True)
    new_value = fields.Char(readonly=True)
    reason = fields.Text(readonly=True)
    user_id = fields.Many2one(
        "res.users", string="By", readonly=True, help="Empty when done by the scheduler."
    )
    by_scheduler = fields.Boolean(readonly=True)
    done_by = fields.Char(string="Done By", compute="_compute_done_by")
    move_id = fields.Many2one("account.move", string="Document", readonly=True)

    @api.depends("user_id", "by_scheduler")
    def _compute_done_by(self):
        for log in self:
            log.done_by = done_by_label(log)
