from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..guards import is_policy_write
from .ar_credit_file import BILLING_GROUPS

INTERNAL = "base.group_user"


def _file_figure(fname, **kwargs):
    """A figure of the customer's credit file in the current company, in its currency."""
    return fields.Monetary(
        related=f"ar_credit_file_id.{fname}", groups=BILLING_GROUPS,
        currency_field="ar_company_currency_id", **kwargs,
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    ar_credit_file_id = fields.Many2one(
        "ar.credit.file", string="Credit File", compute="_compute_ar_credit_file_id",
        search="_search_ar_credit_file_id", groups=INTERNAL,
    )
    ar_credit_status = fields.Selection(
        string="Credit Status", related="ar_credit_file_id.credit_status", groups=INTERNAL
    )
    ar_credit_hold = fields.Boolean(
        string="On Credit Hold", compute="_compute_ar_credit_hold",
        search="_search_ar_credit_hold", groups=INTERNAL,
    )
    ar_over_limit = fields.Boolean(
        string="Over Limit", compute="_compute_ar_over_limit", search="_search_ar_over_limit",
        groups=INTERNAL, help="Exposure above the credit limit in the current company.",
    )
    ar_hold_causes = fields.Char(
        related="ar_credit_file_id.hold_causes", string="Hold Causes", groups=INTERNAL
    )
    ar_hold_reason = fields.Text(
        related="ar_credit_file_id.hold_reason", string="Manual Hold Reason", groups=INTERNAL
    )
    ar_exposure = _file_figure("exposure", string="Credit Exposure")
    ar_headroom = _file_figure("headroom", string="Credit Headroom")
    ar_overdue_amount = _file_figure("overdue_amount", string="Overdue (Net)")
    ar_exposure_receivable = _file_figure("exposure_receivable")
    ar_exposure_drafts = _file_figure("exposure_drafts")
    ar_exposure_orders = _file_figure("exposure_orders")
    ar_exposure_unallocated = _file_figure("exposure_unallocated")
    ar_company_currency_id = fields.Many2one(
        "res.currency", compute="_compute_ar_company_currency_id", groups=INTERNAL
    )
    ar_concentration_banner = fields.Text(
        compute="_compute_ar_concentration_banner", groups=INTERNAL
    )
    ar_credit_event_ids = fields.Many2many(
        "ar.credit.event", string="Credit Events", compute="_compute_ar_credit_event_ids",
        groups="ar_policy.group_credit_controller",
        help="The customer's credit events in the current company, newest first.",
    )
    ar_concentration_level = fields.Char(
        compute="_compute_ar_concentration_banner", groups=INTERNAL
    )

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
    def _compute_ar_over_limit(self):
        files = self.ar_credit_file_id.sudo()
        over = set(files.filtered(lambda f: f.has_limit and f.headroom < 0).ids)
        for partner in self:
            partner.ar_over_limit = partner.ar_credit_file_id.id in over

    def _search_ar_over_limit(self, operator, value):
        """The figures are computed, not stored: read them in bulk for the files of the
        current root company whose customer has a limit."""
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Operation not supported"))
        files = self.env["ar.credit.file"].sudo().search(
            [("company_id", "=", self.env.company.root_id.id)]
        )
        over = files.filtered(lambda f: f.has_limit and f.headroom < 0).partner_id
        positive = (operator == "=") == value
        return [("commercial_partner_id", "in" if positive else "not in", over.ids)]

    @api.depends_context("company")
    def _compute_ar_credit_event_ids(self):
        events = self.env["ar.credit.event"]._ar_events_of(self, self.env.company)
        for partner in self:
            partner.ar_credit_event_ids = events[partner.commercial_partner_id.id]

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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_credit_history(self):
        """A customer's credit history is its audit trail: archive the customer instead.
        Credit files without history go with the customer."""
        files = self._ar_files_with_history()
        if files:
            raise UserError(self.env._(
                "%(customers)s cannot be deleted: their credit files (%(companies)s) hold "
                "a credit history (credit log, escalation history or promises to pay). "
                "Archive them instead.",
                customers=", ".join(files.partner_id.mapped("display_name")),
                companies=", ".join(files.company_id.mapped("name")),
            ))

    def _ar_files_with_history(self):
        """The credit files (sudo) of these partners that hold a credit history."""
        files = self.env["ar.credit.file"].sudo().search([("partner_id", "in", self.ids)])
        if not files:
            return files
        used = set()
        for model in ("ar.credit.log", "ar.escalation.history", "ar.promise"):
            groups = self.env[model].sudo()._read_group([("file_id", "in", files.ids)], ["file_id"])
            used.update(file.id for (file,) in groups)
        return files.filtered(lambda file: file.id in used)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "credit_limit" in vals:
                parent = self.browse(
                    False if vals.get("is_company") else vals.get("parent_id")
                ).exists()
                self._ar_check_limit_write(self.browse(), vals["credit_limit"], parent=parent)
        return super().create(vals_list)

    def write(self, vals):
        if "credit_limit" in vals and self._ar_check_limit_write(self, vals["credit_limit"]):
            vals = {fname: value for fname, value in vals.items() if fname != "credit_limit"}
        return super().write(vals)

    @api.model
    def _ar_check_limit_write(self, partners, limit, parent=None):
        """Only a credit manager's wizard changes a limit (DESIGN 1, 10); Odoo's own sync
        of the limit from a commercial entity to its contacts, and a value left as it
        was, go through. ``parent``: on create, the new contact's parent.

        Returns True when the value is every partner's own to the currency's rounding:
        the write leaves it out rather than store a difference nobody logged."""
        limit = limit or 0.0
        if limit < 0:
            # before any rounding: -0.001 is a mistake, not "no limit"
            raise ValidationError(self.env._("Credit Limit cannot be negative."))
        if self.env.su or is_policy_write(self.env):
            return False
        currency = self.env.company.currency_id

        def same(partner):
            return partner and currency.compare_amounts(partner.sudo().credit_limit, limit) == 0

        synced = False
        for partner in partners:
            commercial = partner.commercial_partner_id
            if same(partner):
                continue
            if commercial != partner and same(commercial):
                synced = True
                continue
            raise UserError(self.env._(
                "Credit Limit: a limit is changed by a credit manager with 'Change Credit "
                "Terms' on the customer's credit file, with a reason."
            ))
        if partners:
            return not synced
        commercial = parent.commercial_partner_id if parent else None
        default = self._fields["credit_limit"].get_company_dependent_fallback(self) or 0.0
        if currency.compare_amounts(limit, default) and not same(commercial):
            raise UserError(self.env._(
                "Credit Limit: set the limit of a new customer with 'Change Credit Terms' "
                "on its credit file, with a reason."
            ))
        return False

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

    def _ar_has_postal_address(self):
        """A letter can go in a window envelope: a street and a city or postcode."""
        self.ensure_one()
        return bool(self.street and (self.city or self.zip))
