from odoo import fields, models

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
    move_id = fields.Many2one("account.move", string="Document", readonly=True)
