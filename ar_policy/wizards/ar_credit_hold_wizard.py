from odoo import api, fields, models


class ArCreditHoldWizard(models.TransientModel):
    """A credit manager puts customers on hold or releases them, with a reason."""

    _name = "ar.credit.hold.wizard"
    _description = "Set or Release a Credit Hold"

    file_ids = fields.Many2many("ar.credit.file", string="Credit Files", required=True)
    action = fields.Selection(
        [("hold", "Put on hold"), ("release", "Release the hold")], required=True,
        default="hold",
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        if not values.get("file_ids") and ctx.get("active_model") == "ar.credit.file":
            values["file_ids"] = [fields.Command.set(ctx.get("active_ids", []))]
        return values

    def action_apply(self):
        self.ensure_one()
        if self.action == "hold":
            self.file_ids._ar_set_manual_hold(self.reason)
        else:
            self.file_ids._ar_release_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
