from odoo import api, fields, models
from odoo.exceptions import AccessError


class ArOrderOverrideWizard(models.TransientModel):
    """A credit manager confirms orders the credit policy refused, with a reason."""

    _name = "ar.order.override.wizard"
    _description = "Confirm over the Credit Policy"

    order_ids = fields.Many2many("sale.order", string="Orders", required=True)
    refusal = fields.Text(compute="_compute_refusal", string="Why the policy refuses")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        if not values.get("order_ids") and ctx.get("active_model") == "sale.order":
            values["order_ids"] = [fields.Command.set(ctx.get("active_ids", []))]
        return values

    @api.depends("order_ids")
    def _compute_refusal(self):
        for wizard in self:
            orders = wizard.order_ids.filtered(lambda o: o.state in ("draft", "sent"))
            wizard.refusal = "\n".join(
                f"{order.name}: {order._ar_refusal_message(file, decision, True)}"
                for order, (file, decision, _req) in orders.sudo()._ar_order_decisions().items()
                if decision.refused
            )

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("ar_policy.group_credit_manager"):
            raise AccessError(self.env._("Only a Credit Manager can confirm over the credit policy."))
        self.env["ar.credit.file"]._ar_require_reason(self.reason)
        self.order_ids.with_context(ar_credit_override_reason=self.reason).action_confirm()
        return {"type": "ir.actions.act_window_close"}
