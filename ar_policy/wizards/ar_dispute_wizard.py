from odoo import api, fields, models


class ArDisputeWizard(models.TransientModel):
    """A credit controller flags invoices as disputed (out of the ladder, no fee) or
    closes the dispute, with a reason kept on the history."""

    _name = "ar.dispute.wizard"
    _description = "Dispute an Invoice"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    action = fields.Selection(
        [("dispute", "Dispute"), ("close", "Close the dispute")], required=True,
        default="dispute",
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        if not values.get("move_ids") and ctx.get("active_model") == "account.move":
            values["move_ids"] = [fields.Command.set(ctx.get("active_ids", []))]
        return values

    def action_apply(self):
        self.ensure_one()
        self.env["ar.promise"]._ar_set_dispute(
            self.move_ids, self.action == "dispute", self.reason
        )
        return {"type": "ir.actions.act_window_close"}
