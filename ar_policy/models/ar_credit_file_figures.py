from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..guards import policy_write
from ..rules import credit as rules


class ArCreditFile(models.Model):
    """The file's figures: its account position, exposure and limit."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    @api.depends_context("ar_figures_date")
    def _compute_figures(self):
        for company, files in self.grouped("company_id").items():
            figures = self._ar_figures(files.partner_id, company)
            limits = self._ar_limits(files.partner_id, company)
            for file in files:
                fig = figures[file.partner_id.id]
                exposure = self._ar_exposure(fig, company)
                limit = limits[file.partner_id.id]
                file.credit_limit = limit
                file.has_limit = bool(limit)
                file.exposure_receivable = fig["receivable"]
                file.exposure_drafts = fig["drafts"]
                file.exposure_orders = fig["orders"]
                file.exposure_unallocated = fig["unallocated"]
                file.exposure = exposure.total
                file.exposure_advance = max(0.0, -exposure.total)
                file.headroom = rules.headroom(limit, exposure.total) or 0.0
                file.overdue_amount = self._ar_overdue(fig)
                file.oldest_overdue_days = fig["position"].oldest_overdue_days
                file.balance = fig["balance"]

    # ------------------------------------------------------------------
    # Figures, read in bulk (the account position)
    # ------------------------------------------------------------------

    @api.model
    def _ar_company_ids(self, company):
        """The root company and its branches: a file covers them all."""
        return self.env["res.company"].sudo().search([("id", "child_of", company.root_id.id)]).ids

    @api.model
    def _ar_figures(self, partners, company, exclude_move_ids=(), today=None):
        """Figures of commercial entities ``partners`` in ``company``, in company currency:
        a dict per partner read from its account position (``ar.account.position``).

        Keys: receivable, unallocated (open credits), drafts, orders, overdue_gross
        (every overdue item), overdue_excluded (overdue items out of the overdue figure:
        disputed, promised, issued by the policy today), overdue (DESIGN 2's net figure),
        balance, not_yet_due, oldest_due and newest_due (of the overdue items that
        count), and position (the ``rules.position.Position`` itself).
        """
        positions = self.env["ar.account.position"]._ar_positions(
            partners, company, today=today, exclude_move_ids=exclude_move_ids
        )
        return {
            pid: dict(
                receivable=position.receivable,
                unallocated=position.credits_total,
                drafts=position.drafts_company,
                orders=position.orders_company,
                overdue_gross=position.overdue_gross,
                overdue_excluded=position.overdue_excluded,
                overdue=position.overdue_net,
                balance=position.balance,
                not_yet_due=position.not_yet_due,
                oldest_due=position.oldest_overdue_due,
                newest_due=position.newest_overdue_due,
                position=position,
            )
            for pid, position in positions.items()
        }

    @api.model
    def _ar_figures_orders(self, partners, company, today):
        """Confirmed orders not yet invoiced, per commercial entity (Sales bridge)."""
        return {}

    @api.model
    def _ar_to_company_currency(self, amount, currency_id, company, date):
        currency = self.env["res.currency"].browse(currency_id)
        if not currency_id or currency == company.currency_id:
            return amount
        return currency._convert(amount, company.currency_id, company, date)

    # ------------------------------------------------------------------
    # Exposure and limits
    # ------------------------------------------------------------------

    @api.model
    def _ar_exposure(self, fig, company):
        return rules.Exposure(
            receivable=fig["receivable"],
            unallocated=fig["unallocated"],
            drafts=fig["drafts"],
            orders=fig["orders"],
            include_drafts=company.ar_exposure_include_drafts,
            net_unallocated=company.ar_exposure_net_unallocated,
        )

    @api.model
    def _ar_overdue(self, fig):
        """DESIGN 2's one overdue figure, as the position computes it."""
        return fig["overdue"]

    @api.model
    def _ar_limits(self, partners, company):
        """Odoo's own company-dependent limit of each partner (0 = no limit)."""
        partners = partners.with_company(company.root_id).sudo()
        return {partner.id: partner.credit_limit or 0.0 for partner in partners}

    def _ar_set_limit(self, limit, reason):
        self._ar_check_manager()
        if limit < 0:
            raise ValidationError(self.env._("Credit Limit cannot be negative."))
        for file in self:
            partner = file.partner_id.with_company(file.company_id)
            old = partner.sudo().credit_limit
            if file.currency_id.compare_amounts(old, limit) == 0:
                continue
            policy_write(partner.sudo()).credit_limit = limit
            file.invalidate_recordset(["credit_limit", "has_limit", "headroom"])
            file._ar_log(
                "limit", reason=reason,
                old_value=format_amount(self.env, old, file.currency_id) if old else self.env._("No limit"),
                new_value=(
                    format_amount(self.env, limit, file.currency_id) if limit else self.env._("No limit")
                ),
            )
