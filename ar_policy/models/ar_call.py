from odoo import fields, models

CALL_OUTCOMES = [
    ("reached", "Reached the customer"),
    ("message", "Left a message"),
    ("no_answer", "No answer"),
    ("wrong_contact", "Wrong contact"),
]


class ArCall(models.Model):
    """A collector's call to a customer: who, when, the outcome and the excuse heard.
    Written by the 'Log a Call' wizard, with a history row and a chatter note."""

    _name = "ar.call"
    _description = "Collection Call"
    _inherit = ["ar.credit.file.record.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Collector", required=True, readonly=True,
        default=lambda self: self.env.user,
    )
    outcome = fields.Selection(CALL_OUTCOMES, required=True, readonly=True)
    excuse_id = fields.Many2one("ar.call.excuse", readonly=True, ondelete="restrict")
    next_step = fields.Selection(related="excuse_id.next_step")
    note = fields.Text(readonly=True)
