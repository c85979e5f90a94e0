from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        self._ar_refresh_holds(partials.debit_move_id | partials.credit_move_id)
        return partials

    def unlink(self):
        lines = self.debit_move_id | self.credit_move_id
        res = super().unlink()
        self._ar_refresh_holds(lines.exists())
        return res

    @api.model
    def _ar_refresh_holds(self, lines):
        """A reconciled payment may lift (or cause) a hold and changes the payment
        score: refresh the customers it touches at once."""
        lines = lines.filtered(
            lambda line: line.partner_id and line.account_id.account_type == "asset_receivable"
        )
        if lines:
            self.env["ar.credit.file"].sudo()._ar_refresh_holds_for_partners(
                lines.partner_id, lines.company_id
            )
            self.env["ar.credit.file"].sudo()._ar_refresh_scores_for_partners(
                lines.partner_id, lines.company_id
            )
