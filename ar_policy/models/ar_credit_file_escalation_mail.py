from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_amount, format_date

from ..rules import position as position_rules


class ArCreditFile(models.Model):
    """What the escalation reminder and the dunning letter state, from the account position."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # The email (and the letter)
    # ------------------------------------------------------------------

    def _ar_escalation_mail_subject(self):
        self.ensure_one()
        return self.env._("%(company)s: payment reminder (%(customer)s)",
                          company=self.company_id.name, customer=self.partner_id.name)

    def _ar_escalation_mail_values(self, position=None):
        """What the reminder (and the letter) states, from the account position: per
        document currency, the overdue items apart from the items not yet due (each
        with its days late and portal link) and the open credits, with their totals;
        then, in company currency at the documents' rates, the figures the credit file
        shows: overdue, less disputed and promised items, less open credits, net
        amount overdue, not yet due, balance. Stage names stay internal: the highest
        stage reached today only sets the tone."""
        self.ensure_one()
        self.check_access("read")
        file = self.sudo()
        company = file.company_id
        today = fields.Date.context_today(file.with_company(company))
        # the run passes the positions of the batch (ar_positions): one read for all
        position = (position or self.env.context.get("ar_positions", {}).get(file.partner_id.id)
                    or file._ar_positions_of(file, company, today)[file.partner_id.id])
        env = self.env
        currencies, stages_today, discounts = self._ar_escalation_mail_currencies(
            position, today
        )
        company_currency = company.currency_id

        def money(amount, currency):
            return format_amount(env, amount, currency)

        stage = stages_today.sorted("offset_days")[-1:]
        hold_stages = stages_today.filtered("action_hold")
        suspension = ""
        if hold_stages:
            suspension = format_date(
                env, today + timedelta(days=max(hold_stages.mapped("suspension_days")))
            )
        return {
            "contact": file._ar_escalation_contact(),
            "currencies": currencies,
            "company_currency": company_currency,
            # the credit file's own figures: company currency, at the documents' rates
            "overdue_gross": money(position.overdue_gross, company_currency),
            "overdue_excluded": (money(position.overdue_excluded, company_currency)
                                 if position.overdue_excluded else ""),
            "credits_total": money(position.credits_total, company_currency),
            "overdue_net": money(position.overdue_net, company_currency),
            "not_yet_due": money(position.not_yet_due, company_currency),
            "balance": money(position.balance, company_currency),
            "is_overdue": not company_currency.is_zero(position.overdue_net),
            "credits_cover_overdue": position.credits_cover_overdue,
            "has_credits": bool(position.credits),
            "other_currency": any(c["currency"] != company_currency for c in currencies),
            "discounts": discounts,
            "stage": stage,
            "stages_today": stages_today.sorted("offset_days"),
            "suspension_date": suspension,
        }

    @api.model
    def _ar_escalation_item_notes(self):
        """What the reminder says of an item the overdue figure leaves out."""
        return {
            position_rules.DISPUTE: self.env._("in dispute"),
            position_rules.PROMISE: self.env._("payment promised"),
            position_rules.POLICY_TODAY: self.env._("issued today"),
        }

    def _ar_escalation_mail_currencies(self, position, today):
        """Per document currency: the overdue items, the items not yet due and the
        open credits with their totals. Returns (currencies, the stages the items
        reached today, the early-payment discounts still open)."""
        file = self.sudo()
        env = self.env
        Line = env["account.move.line"].sudo()
        Currency = env["res.currency"]
        lines = Line.browse([item.line_id for item in position.items]
                            + [credit.line_id for credit in position.credits])
        lines.fetch(["ar_stage_id", "ar_stage_date", "move_id", "discount_date",
                     "discount_amount_currency", "date"])
        base_url = file.get_base_url()
        notes = self._ar_escalation_item_notes()
        stages_today = env["ar.escalation.stage"]
        discounts = []

        def money(amount, currency):
            return format_amount(env, amount, currency)

        def item_row(item, currency):
            nonlocal stages_today
            line = Line.browse(item.line_id)
            move = line.move_id
            if line.ar_stage_id and line.ar_stage_date == today:
                stages_today |= line.ar_stage_id
            if (line.discount_date and line.discount_date >= today
                    and line.discount_amount_currency):
                discounts.append({
                    "number": move.name,
                    "amount": money(line.discount_amount_currency, currency),
                    "date": format_date(env, line.discount_date),
                })
            return {
                "number": move.name,
                "date": format_date(env, move.invoice_date or move.date),
                "due_date": format_date(env, item.due_date),
                "days_late": max(position.days_late(item), 0),
                "amount": money(item.residual, currency),
                "note": notes.get(item.excluded, ""),
                "url": base_url + move.get_portal_url() if move.is_invoice() else "",
            }

        currencies = []
        for currency_id, part in position.by_currency().items():
            currency = Currency.browse(currency_id)
            currencies.append({
                "currency": currency,
                "overdue": [item_row(item, currency) for item in part.overdue_items],
                "not_due": [item_row(item, currency) for item in part.not_due_items],
                "credits": [{
                    "number": credit.name,
                    "date": format_date(env, credit.date),
                    "amount": money(credit.amount, currency),
                } for credit in part.credits],
                "overdue_total": money(part.overdue_gross, currency),
                "not_due_total": money(part.not_yet_due, currency),
                "credits_total": money(part.credits_total, currency),
            })
        return currencies, stages_today, discounts
