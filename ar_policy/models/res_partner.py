from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .ar_credit_file import BILLING_GROUPS


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_credit_file_id = fields.Many2one(
        "ar.credit.file", string="Credit File", compute="_compute_ar_credit_file_id",
        search="_search_ar_credit_file_id",
    )
    ar_credit_status = fields.Selection(
        string="Credit Status", related="ar_credit_file_id.credit_status"
    )
    ar_credit_hold = fields.Boolean(
        string="On Credit Hold", compute="_compute_ar_credit_hold", search="_search_ar_credit_hold"
    )
    ar_hold_causes = fields.Char(related="ar_credit_file_id.hold_causes", string="Hold Causes")
    ar_exposure = fields.Monetary(
        related="ar_credit_file_id.exposure", string="Credit Exposure", groups=BILLING_GROUPS,
        currency_field="ar_company_currency_id",
    )
    ar_headroom = fields.Monetary(
        related="ar_credit_file_id.headroom", string="Credit Headroom", groups=BILLING_GROUPS,
        currency_field="ar_company_currency_id",
    )
    ar_overdue_amount = fields.Monetary(
        related="ar_credit_file_id.overdue_amount", string="Overdue (Net)",
        groups=BILLING_GROUPS, currency_field="ar_company_currency_id",
    )
    ar_exposure_receivable = fields.Monetary(
        related="ar_credit_file_id.exposure_receivable", groups=BILLING_GROUPS,
        currency_field="ar_company_currency_id",
    )
    ar_exposure_drafts = fields.Monetary(
        related="ar_credit_file_id.exposure_drafts", groups=BILLING_GROUPS,
        currency_field="ar_company_currency_id",
    )
    ar_exposure_orders = fields.Monetary(
        related="ar_credit_file_id.exposure_orders", groups=BILLING_GROUPS,
        currency_field="ar_company_currency_id",
    )
    ar_exposure_unallocated = fields.Monetary(
        related="ar_credit_file_id.exposure_unallocated", groups=BILLING_GROUPS,
        currency_field="ar_company_currency_id",
    )
    ar_company_currency_id = fields.Many2one(
        "res.currency", compute="_compute_ar_company_currency_id"
    )
    ar_concentration_banner = fields.Text(compute="_compute_ar_concentration_banner")
    ar_concentration_level = fields.Char(compute="_compute_ar_concentration_banner")

    @api.depends_context("company")
    def _compute_ar_credit_file_id(self):
        files = self.env["ar.credit.file"]._ar_files_for(self, self.env.company)
        for partner in self:
            partner.ar_credit_file_id = files.get(partner.commercial_partner_id.id, False)

    def _search_ar_credit_file_id(self, operator, value):
        files = self.env["ar.credit.file"].search(
            [("id", operator, value), ("company_id", "=", self.env.company.root_id.id)]
        )
        return [("commercial_partner_id", "in", files.partner_id.ids)]

    @api.depends_context("company")
    def _compute_ar_credit_hold(self):
        for partner in self:
            partner.ar_credit_hold = partner.ar_credit_file_id.credit_hold

    def _search_ar_credit_hold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        held = self.env["ar.credit.file"].search([
            ("credit_hold", "=", True), ("company_id", "=", self.env.company.root_id.id),
        ]).partner_id
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", held.ids)]

    @api.depends_context("company")
    def _compute_ar_company_currency_id(self):
        self.ar_company_currency_id = self.env.company.currency_id

    @api.depends_context("company", "uid")
    def _compute_ar_concentration_banner(self):
        banners = self.env["ar.concentration"]._ar_partner_banners(self, self.env.company)
        for partner in self:
            partner.ar_concentration_banner, partner.ar_concentration_level = banners[partner.id]

    @api.constrains("credit_limit")
    def _check_ar_credit_limit(self):
        for partner in self:
            if partner.sudo().credit_limit < 0:
                raise ValidationError(
                    self.env._("Credit Limit of %s cannot be negative.", partner.display_name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("credit_limit"):
                self._ar_check_limit_write(self.browse(), vals["credit_limit"])
        return super().create(vals_list)

    def write(self, vals):
        if "credit_limit" in vals:
            self._ar_check_limit_write(self, vals["credit_limit"])
        return super().write(vals)

    @api.model
    def _ar_check_limit_write(self, partners, limit):
        """Only a credit manager's wizard changes a limit (DESIGN 1); Odoo's own sync of
        the limit from a commercial entity to its contacts goes through."""
        if self.env.su or self.env.context.get("ar_credit_wizard") or self.env.context.get(
            "install_mode"
        ):
            return
        for partner in partners:
            commercial = partner.commercial_partner_id
            if commercial != partner and commercial.sudo().credit_limit == limit:
                continue
            if partner.sudo().credit_limit == limit:
                continue
            raise UserError(self.env._(
                "Credit Limit: a limit is changed by a credit manager with 'Change Credit "
                "Terms' on the customer's credit file, with a reason."
            ))
        if not partners and limit:
            raise UserError(self.env._(
                "Credit Limit: set the limit of a new customer with 'Change Credit Terms' "
                "on its credit file, with a reason."
            ))

    def _ar_credit_file(self):
        self.ensure_one()
        file = self.ar_credit_file_id
        if not file:
            raise UserError(self.env._("%s has no credit file in this company yet.", self.display_name))
        return file

    def action_ar_view_receivable(self):
        return self._ar_credit_file().action_view_receivable()

    def action_ar_view_drafts(self):
        return self._ar_credit_file().action_view_drafts()

    def action_ar_view_unallocated(self):
        return self._ar_credit_file().action_view_unallocated()

    def action_ar_view_overdue(self):
        return self._ar_credit_file().action_view_overdue()

    def action_open_ar_credit_file(self):
        self.ensure_one()
        file = self.ar_credit_file_id
        if not file:
            file = self.env["ar.credit.file"].sudo()._ar_files_for(
                self, self.env.company, create=True
            )[self.commercial_partner_id.id]
        return {
            "type": "ir.actions.act_window",
            "res_model": "ar.credit.file",
            "res_id": file.id,
            "view_mode": "form",
            "name": self.env._("Credit File"),
        }
