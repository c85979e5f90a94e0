from odoo import fields, models


class ArCreditHoldWizard(models.TransientModel):
    """A credit manager puts customers on hold or releases them, with a reason."""

    _name = "ar.credit.hold.wizard"
    _description = "Set or Release a Credit Hold"
    _inherit = ["ar.wizard.active.mixin"]

    _ar_active_field = "file_ids"

    file_ids = fields.Many2many("ar.credit.file", string="Credit Files", required=True)
    action = fields.Selection(
        [("hold", "Put on hold"), ("release", "Release the hold")], required=True,
        default="hold",
    )
    reason = fields.Text(required=True)

    def action_apply(self):
        self.ensure_one()
        if self.action == "hold":
            self.file_ids._ar_set_manual_hold(self.reason)
        else:
            self.file_ids._ar_release_hold(self.reason)
        return {"type": "ir.actions.act_window_close"}
