from odoo import api, fields, models

from .ar_promise import _check_policy_write

INSTALMENT_FIELDS = {"promise_id", "date", "amount"}


class ArPromiseInstalment(models.Model):
    _name = "ar.promise.instalment"
    _description = "Promise to Pay Instalment"
    _order = "promise_id, date, id"

    promise_id = fields.Many2one("ar.promise", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="promise_id.company_id", store=True)
    currency_id = fields.Many2one(related="promise_id.currency_id")
    date = fields.Date(required=True)
    amount = fields.Monetary(required=True, currency_field="currency_id")

    @api.constrains("date", "amount")
    def _check_plan(self):
        self.promise_id._check_plan()

    @api.model_create_multi
    def create(self, vals_list):
        _check_policy_write(self)
        return super().create(vals_list)

    def write(self, vals):
        if INSTALMENT_FIELDS & set(vals):
            _check_policy_write(self)
        return super().write(vals)
