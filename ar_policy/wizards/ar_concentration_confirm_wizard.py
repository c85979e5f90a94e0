from odoo import api, fields, models
from odoo.exceptions import AccessError


class ArConcentrationConfirmWizard(models.TransientModel):
    """A credit manager confirms posting invoices that take a customer over a critical
    concentration share, with a reason logged on the customer's credit file."""

    _name = "ar.concentration.confirm.wizard"
    _description = "Confirm Posting over the Concentration Share"
    _inherit = ["ar.wizard.active.mixin"]

    _ar_active_field = "move_ids"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    warning = fields.Text(compute="_compute_warning")
    reason = fields.Text(required=True)

    @api.depends("move_ids")
    def _compute_warning(self):
        for wizard in self:
            banners = self.env["ar.concentration"]._ar_move_banners(wizard.move_ids)
            wizard.warning = "\n".join(banner for banner in banners.values() if banner)

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("ar_policy.group_credit_manager"):
            raise AccessError(self.env._(
                "Only a Credit Manager can confirm posting over the critical concentration "
                "share."
            ))
        self.env["ar.credit.file"]._ar_require_reason(self.reason)
        self.move_ids.with_context(ar_concentration_reason=self.reason).action_post()
        return {"type": "ir.actions.act_window_close"}
