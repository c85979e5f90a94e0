from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.res_company import CREDIT_STATUSES, DEPOSIT_POLICIES


class ArCreditChangeWizard(models.TransientModel):
    """A credit manager changes limit, status or review date, with a reason."""

    _name = "ar.credit.change.wizard"
    _description = "Change Credit Terms"

    file_ids = fields.Many2many("ar.credit.file", string="Credit Files", required=True)
    currency_id = fields.Many2one("res.currency", compute="_compute_current")
    change_limit = fields.Boolean()
    credit_limit = fields.Monetary(
        string="New Credit Limit", currency_field="currency_id",
        help="0 means no limit.",
    )
    current_limit = fields.Monetary(compute="_compute_current", currency_field="currency_id")
    credit_status = fields.Selection(CREDIT_STATUSES)
    review_date = fields.Date(string="Next Review Date")
    change_deposit = fields.Boolean(string="Change Deposit Policy")
    deposit_policy = fields.Selection(DEPOSIT_POLICIES, default="none")
    deposit_percent = fields.Float(string="Deposit (%)")
    deposit_min_amount = fields.Monetary(
        string="Deposit Above", currency_field="currency_id",
        help="Only documents above this amount, tax included, require the deposit. 0: all.",
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        file_ids = ctx.get("default_file_ids") or (
            ctx.get("active_ids") if ctx.get("active_model") == "ar.credit.file" else []
        )
        files = self.env["ar.credit.file"].browse(file_ids)
        values["file_ids"] = [fields.Command.set(files.ids)]
        if len(files) == 1:
            values.setdefault("credit_status", files.credit_status)
            values.setdefault("review_date", files.review_date)
            values.setdefault("credit_limit", files.credit_limit)
            values.setdefault("deposit_policy", files.deposit_policy or "none")
            values.setdefault("deposit_percent", files.deposit_percent)
            values.setdefault("deposit_min_amount", files.deposit_min_amount)
        return values

    @api.depends("file_ids")
    def _compute_current(self):
        for wizard in self:
            file = wizard.file_ids[:1]
            wizard.currency_id = file.currency_id or self.env.company.currency_id
            wizard.current_limit = file.credit_limit if file else 0.0

    @api.constrains("credit_limit", "deposit_percent", "deposit_min_amount")
    def _check_credit_limit(self):
        for wizard in self:
            if wizard.credit_limit < 0:
                raise ValidationError(self.env._("New Credit Limit cannot be negative."))
            if not 0.0 <= wizard.deposit_percent <= 100.0:
                raise ValidationError(self.env._("Deposit (%) must be between 0 and 100."))
            if wizard.deposit_min_amount < 0:
                raise ValidationError(self.env._("Deposit Above cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ar_check_limit_sign(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._ar_check_limit_sign(vals)
        return super().write(vals)

    @api.model
    def _ar_check_limit_sign(self, vals):
        """Before the currency's rounding: -0.001 is a mistake, not 0 (no limit)."""
        if (vals.get("credit_limit") or 0.0) < 0:
            raise ValidationError(self.env._("New Credit Limit cannot be negative."))

    def action_apply(self):
        self.ensure_one()
        self.file_ids._ar_check_manager()
        self.env["ar.credit.file"]._ar_require_reason(self.reason)
        if self.change_limit and self.credit_limit < 0:
            raise ValidationError(self.env._("New Credit Limit cannot be negative."))
        files = self.file_ids
        if self.credit_status:
            files._ar_set_status(self.credit_status, self.reason)
        if self.change_limit:
            files._ar_set_limit(self.credit_limit, self.reason)
        if self.change_deposit:
            files._ar_set_deposit_policy(
                self.deposit_policy, self.deposit_percent, self.deposit_min_amount, self.reason
            )
        if len(files) == 1 or self.review_date:
            files._ar_set_review_date(self.review_date, self.reason)
        return {"type": "ir.actions.act_window_close"}
