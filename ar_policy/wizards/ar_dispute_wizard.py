from odoo import fields, models


class ArDisputeWizard(models.TransientModel):
    """A credit controller flags invoices as disputed (out of the ladder, no fee) or
    closes the dispute, with a reason kept on the history."""

    _name = "ar.dispute.wizard"
    _description = "Dispute an Invoice"
    _inherit = ["ar.wizard.active.mixin"]

    _ar_active_field = "move_ids"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    action = fields.Selection(
        [("dispute", "Dispute"), ("close", "Close the dispute")], required=True,
        default="dispute",
    )
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        self.env["ar.promise"]._ar_set_dispute(
            self.move_ids, self.action == "dispute", self.reason
        )
        return {"type": "ir.actions.act_window_close"}
