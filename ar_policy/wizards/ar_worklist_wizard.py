from odoo import fields, models


class ArWorklistSnoozeWizard(models.TransientModel):
    """Takes files off the worklist until a later day, with a reason."""

    _name = "ar.worklist.snooze.wizard"
    _description = "Snooze on the Worklist"

    file_ids = fields.Many2many("ar.credit.file", string="Credit Files", required=True)
    date = fields.Date(string="Snooze Until", required=True)
    reason = fields.Char(required=True)

    def action_apply(self):
        self.ensure_one()
        self.file_ids._ar_snooze(self.date, self.reason)
        return {"type": "ir.actions.act_window_close"}


class ArWorklistReassignWizard(models.TransientModel):
    """Gives files to another collector."""

    _name = "ar.worklist.reassign.wizard"
    _description = "Reassign on the Worklist"

    file_ids = fields.Many2many("ar.credit.file", string="Credit Files", required=True)
    collector_id = fields.Many2one("res.users", string="Collector", required=True,
                                   domain="[('share', '=', False)]")

    def action_apply(self):
        self.ensure_one()
        self.file_ids._ar_reassign(self.collector_id)
        return {"type": "ir.actions.act_window_close"}
