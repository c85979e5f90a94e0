from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..rules import concentration as rules
from .ar_concentration import ArConcentrationRefusal


class ArConcentration(models.AbstractModel):
    """Customer concentration on documents: the banners on invoices, orders and
    customers, and the posting check, from the latest snapshot plus the document."""

    _inherit = "ar.concentration"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Banners and the posting check
    # ------------------------------------------------------------------

    @api.model
    def _ar_document_shares(self, partner, company, amount, receivable_amount=None):
        """Shares and levels of ``partner`` once a document of ``amount`` (untaxed,
        company currency) and ``receivable_amount`` (tax included) is added to the
        latest snapshot; None when the warnings are off, there is no snapshot yet or
        the portfolio is below the minimum. Three queries, whatever the ledger."""
        company = company.root_id
        if not company.ar_concentration_enabled or not partner:
            return None
        partner = partner.commercial_partner_id
        receivable_amount = amount if receivable_amount is None else receivable_amount
        portfolio = self.env["ar.concentration.portfolio"].sudo().search(
            [("company_id", "=", company.id)], order="date desc", limit=1
        )
        if not portfolio:
            return None
        row = self.env["ar.concentration.snapshot"].sudo().search([
            ("company_id", "=", company.id), ("date", "=", portfolio.date),
            ("partner_id", "=", partner.id),
        ], limit=1)
        revenue = row.revenue if row else 0.0
        receivable = row.receivable if row else 0.0
        # the snapshot's amounts are rounded to the currency already
        customers = portfolio.customers_count + (1 if revenue <= 0 < revenue + amount else 0)
        total = portfolio.total_revenue - max(revenue, 0.0) + max(revenue + amount, 0.0)
        if not rules.portfolio_eligible(customers, total, company.ar_conc_min_customers,
                                        company.ar_conc_min_revenue):
            return None
        revenue_share = rules.share_after(revenue, portfolio.total_revenue, amount)
        receivable_share = rules.share_after(
            receivable, portfolio.total_receivable, receivable_amount
        )
        revenue_level = rules.level(revenue_share, company.ar_conc_revenue_warning,
                                    company.ar_conc_revenue_critical)
        receivable_level = rules.level(receivable_share, company.ar_conc_receivable_warning,
                                       company.ar_conc_receivable_critical)
        return {
            "partner": partner,
            "company": company,
            "revenue_share": revenue_share,
            "receivable_share": receivable_share,
            "revenue_level": revenue_level,
            "receivable_level": receivable_level,
            "level": rules.highest(revenue_level, receivable_level),
        }

    @api.model
    def _ar_share_phrases(self, company, revenue_share, revenue_level, receivable_share,
                          receivable_level):
        phrases = []
        for share, lvl, what, prefix in (
            (revenue_share, revenue_level, self.env._("trailing revenue"), "ar_conc_revenue"),
            (receivable_share, receivable_level, self.env._("open receivables"),
             "ar_conc_receivable"),
        ):
            if lvl == rules.OK:
                continue
            if lvl == rules.CRITICAL:
                threshold = format(company[prefix + "_critical"], "g")
                limit = self.env._("critical above %s%%", threshold)
            else:
                threshold = format(company[prefix + "_warning"], "g")
                limit = self.env._("warning above %s%%", threshold)
            phrases.append(self.env._("%(share)s%% of %(what)s (%(limit)s)",
                                      share=format(share, ".1f"), what=what, limit=limit))
        return self.env._(" and ").join(phrases)

    @api.model
    def _ar_level_phrase(self, lvl):
        if lvl == rules.CRITICAL:
            return self.env._("the critical concentration share")
        return self.env._("the warning concentration share")

    @api.model
    def _ar_concentration_banner(self, partner, company, amount_company_currency, show_figures,
                                 receivable_amount=None, action=None):
        """The warning a document shows when it takes (or keeps) its customer above a
        concentration threshold, or "". For the invoice form and the Sales bridge:
        ``action`` is what the user is about to do ("Posting this invoice" by default).
        Users without Billing rights get the warning without figures (DESIGN 4)."""
        shares = self._ar_document_shares(partner, company, amount_company_currency,
                                          receivable_amount)
        if not shares or shares["level"] == rules.OK:
            return ""
        action = action or self.env._("Posting this invoice")
        customer = shares["partner"].display_name
        if not show_figures:
            return self.env._("%(action)s takes %(customer)s above %(threshold)s.",
                              action=action, customer=customer,
                              threshold=self._ar_level_phrase(shares["level"]))
        return self.env._(
            "%(action)s brings %(customer)s to %(shares)s.", action=action, customer=customer,
            shares=self._ar_share_phrases(
                shares["company"], shares["revenue_share"], shares["revenue_level"],
                shares["receivable_share"], shares["receivable_level"],
            ),
        )

    @api.model
    def _ar_move_banners(self, moves):
        """{move: banner} of draft customer invoices (fee and deposit invoices aside)."""
        show_figures = self.env.user.has_group("account.group_account_invoice")
        return {
            move: self._ar_concentration_banner(
                move.partner_id, move.company_id, abs(move.amount_untaxed_signed),
                show_figures, receivable_amount=abs(move.amount_total_signed),
            )
            for move in self._ar_checkable_moves(moves)
        }

    @api.model
    def _ar_checkable_moves(self, moves):
        return moves.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "draft" and m.partner_id
            and not m.ar_origin and m.company_id.root_id.ar_concentration_enabled
        )

    @api.model
    def _ar_partner_banners(self, partners, company):
        """{partner id: (banner, level)} from the latest snapshot, in one query."""
        company = company.root_id
        result = {partner.id: ("", False) for partner in partners}
        if not company.ar_concentration_enabled or not partners:
            return result
        rows = {
            row.partner_id.id: row
            for row in self.env["ar.concentration.snapshot"].sudo().search([
                ("company_id", "=", company.id), ("is_latest", "=", True),
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("level", "!=", rules.OK),
            ])
        }
        show_figures = self.env.user.has_group("account.group_account_invoice")
        for partner in partners:
            row = rows.get(partner.commercial_partner_id.id)
            if not row:
                continue
            customer = row.partner_id.display_name
            if show_figures:
                text = self.env._("%(customer)s is at %(shares)s.", customer=customer,
                                  shares=self._ar_share_phrases(
                                      company, row.revenue_share, row.revenue_level,
                                      row.receivable_share, row.receivable_level))
            else:
                text = self.env._("%(customer)s is above %(threshold)s.", customer=customer,
                                  threshold=self._ar_level_phrase(row.level))
            result[partner.id] = (text, row.level)
        return result

    @api.model
    def _ar_check_moves(self, moves, soft=True):
        """Posting over a critical share needs a credit manager's confirmation with a
        reason, when the company asks for it; the confirmation is logged on the file."""
        moves = self._ar_checkable_moves(moves).filtered(
            lambda m: m.company_id.root_id.ar_conc_confirm_critical
        )
        if soft:
            today = fields.Date.context_today(self)
            moves = moves.filtered(lambda m: not m.date or m.date <= today)
        if not moves:
            return
        critical = []
        grouped = moves.grouped(lambda m: (m.company_id.root_id, m.commercial_partner_id))
        for (company, partner), group in grouped.items():
            shares = self._ar_document_shares(
                partner, company, sum(abs(m.amount_untaxed_signed) for m in group),
                sum(abs(m.amount_total_signed) for m in group),
            )
            if shares and rules.CRITICAL in (shares["revenue_level"],
                                             shares["receivable_level"]):
                critical.append((group, shares))
        if not critical:
            return
        reason = self.env.context.get("ar_concentration_reason")
        if not reason:
            raise ArConcentrationRefusal(
                self.env._("Posting needs a credit manager's confirmation:") + "\n"
                + "\n".join(self._ar_refusal_line(group, shares) for group, shares in critical),
                title=self.env._("Customer concentration"),
            )
        if not (self.env.su or self.env.user.has_group("ar_policy.group_credit_manager")):
            raise AccessError(self.env._(
                "Only a Credit Manager can confirm posting over the critical concentration "
                "share."
            ))
        File = self.env["ar.credit.file"].sudo()
        entries = []
        for group, shares in critical:
            file = File._ar_files_for(shares["partner"], shares["company"], create=True)[
                shares["partner"].id
            ]
            message = self._ar_refusal_line(group, shares)
            for move in group:
                move.message_post(body=self.env._(
                    "Posted over the critical concentration share by %(user)s: %(message)s "
                    "Reason: %(reason)s", user=self.env.user.name, message=message,
                    reason=reason,
                ))
                entries.append(dict(file=file, event="concentration", reason=reason,
                                    cause=message, move=move))
        File._ar_log_many(entries)

    @api.model
    def _ar_refusal_line(self, group, shares):
        names = ", ".join(self.env["ar.credit.check"]._ar_label(m) for m in group)
        return self.env._(
            "%(documents)s brings %(customer)s to %(shares)s.", documents=names,
            customer=shares["partner"].display_name,
            shares=self._ar_share_phrases(
                shares["company"], shares["revenue_share"], shares["revenue_level"],
                shares["receivable_share"], shares["receivable_level"],
            ),
        )
