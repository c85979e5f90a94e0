from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..guards import policy_write


class ArFeeWaiverWizard(models.TransientModel):
    """A credit manager waives a late-fee invoice, with a reason: a posted credit note
    reconciled with it, logged on the customer's credit file."""

    _name = "ar.fee.waiver.wizard"
    _description = "Waive a Late Fee"
    _inherit = ["ar.wizard.active.mixin"]

    _ar_active_field = "move_id"

    move_id = fields.Many2one(
        "account.move", string="Fee Invoice", required=True, readonly=True,
        domain="[('ar_origin', '=', 'late_fee'), ('move_type', '=', 'out_invoice')]",
    )
    partner_id = fields.Many2one(related="move_id.partner_id", string="Customer")
    amount_total = fields.Monetary(related="move_id.amount_total", string="Fee")
    currency_id = fields.Many2one(related="move_id.currency_id")
    reason = fields.Text(required=True)

    def action_waive(self):
        self.ensure_one()
        credit_note = self._ar_waive(self.move_id, self.reason)
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": credit_note.id,
            "view_mode": "form",
        }

    @api.model
    def _ar_waive(self, move, reason):
        """Credit note waiving this fee invoice (ar_origin late_fee too: not revenue,
        DESIGN 4), posted and reconciled; the items' charged fees go back down so the
        cap counts only what the customer still owes."""
        move.ensure_one()
        File = self.env["ar.credit.file"]
        file = File.sudo()._ar_files_for(move.partner_id, move.company_id, create=True)[
            move.partner_id.commercial_partner_id.id
        ].sudo(False)
        file._ar_check_manager()
        file._ar_require_reason(reason)
        if move.ar_origin != "late_fee" or move.move_type != "out_invoice":
            raise UserError(self.env._("Fee Invoice: %s is not a late-fee invoice.", move.name))
        if move.state != "posted" or move.payment_state != "not_paid":
            raise UserError(self.env._(
                "Fee Invoice: only a posted, unpaid late-fee invoice can be waived "
                "(%(name)s is %(state)s).",
                name=move.name,
                state=dict(move._fields["payment_state"]._description_selection(self.env))[
                    move.payment_state
                ] if move.state == "posted" else move.state,
            ))
        today = fields.Date.context_today(self)
        credit_note = policy_write(move)._reverse_moves([{
            "ref": self.env._("Late fee waived: %s", reason),
            "invoice_date": today,
            "date": today,
            "ar_origin": "late_fee",
        }], cancel=True).with_env(move.env)
        waived = defaultdict(float)
        for fee_line in move.invoice_line_ids.filtered("ar_fee_item_id"):
            waived[fee_line.ar_fee_item_id] += fee_line.price_subtotal
        for item, amount in waived.items():
            item.sudo()._ar_write_policy_fields({"ar_fees_charged": item.currency_id.round(
                max(item.ar_fees_charged - amount, 0.0)
            )})
        items = self.env["account.move.line"].union(*waived)
        self.env["ar.escalation.history"]._ar_record([dict(
            file=file, action="waiver", run_date=today, lines=items, move=credit_note,
            fee_move=move, note=reason,
        )])
        file._ar_log(
            "waiver", reason=reason, cause=move.name,
            old_value=move.currency_id.format(move.amount_total),
            new_value=move.currency_id.format(0.0), move=credit_note,
        )
        return credit_note
