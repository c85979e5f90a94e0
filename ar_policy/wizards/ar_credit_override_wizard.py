from odoo import api, fields, models
from odoo.exceptions import AccessError


class ArCreditOverrideWizard(models.TransientModel):
    """A credit manager posts invoices the credit policy refused, with a reason."""

    _name = "ar.credit.override.wizard"
    _description = "Post over the Credit Policy"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    refusal = fields.Text(compute="_compute_refusal", string="Why the policy refuses")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        if not values.get("move_ids") and ctx.get("active_model") == "account.move":
            values["move_ids"] = [fields.Command.set(ctx.get("active_ids", []))]
        return values

    @api.depends("move_ids")
    def _compute_refusal(self):
        for wizard in self:
            moves = wizard.move_ids._ar_checkable()
            wizard.refusal = "\n".join(
                move._ar_credit_message(file, decision, True)
                for move, (file, decision) in moves._ar_credit_decisions().items()
                if decision.refused
            )

    def action_post(self):
        self.ensure_one()
        if not self.env.user.has_group("ar_policy.group_credit_manager"):
            raise AccessError(self.env._("Only a Credit Manager can post over the credit policy."))
        self.env["ar.credit.file"]._ar_require_reason(self.reason)
        self.move_ids.with_context(ar_credit_override_reason=self.reason).action_post()
        return {"type": "ir.actions.act_window_close"}
