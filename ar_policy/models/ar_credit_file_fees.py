from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import formatLang

from ..guards import policy_write
from ..rules import fees as fee_rules


class ArCreditFile(models.Model):
    """Late fees and interest: charging items that reach a fee stage, fee invoices."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Late fees and interest (charged by the escalation run)
    # ------------------------------------------------------------------

    def _ar_escalation_charge_fees(self, fee_items, today):
        """Late fees and interest for the items that reached a fee stage today.

        ``fee_items``: list of (account.move.line, ar.escalation.stage) of this one
        file (``self``, a single record). Returns ``{(company, currency): [(item,
        stage, FeeCharge)]}``: the fee invoices to create, which
        ``_ar_escalation_fee_invoices`` creates for many files at once.

        One posted fee invoice per currency (DESIGN 5 and 7), one line per item; the
        items' charged amount and interest date are written in the same transaction.
        Nothing for a file that disallows fees, nor on a fee invoice's own items.
        """
        self.ensure_one()
        items = [
            (line, stage) for line, stage in fee_items
            if stage.action_fee and stage.fee_product_id and line.move_id.ar_origin != "late_fee"
        ]
        if not self.fees_allowed or not items:
            return {}
        company = self.company_id
        Line = self.env["account.move.line"]
        invoices = Line.union(*(line for line, _stage in items)).move_id
        charged = defaultdict(float, {
            move.id: amount for move, amount in Line._read_group(
                [("move_id", "in", invoices.ids), ("display_type", "=", "payment_term")],
                ["move_id"], ["ar_fees_charged:sum"],
            )
        })
        groups = defaultdict(list)
        for line, stage in items:
            currency, invoice = line.currency_id, line.move_id
            fixed = stage.fee_fixed and company.currency_id._convert(
                stage.fee_fixed, currency, line.company_id, today
            )
            days = stage.interest_rate and fee_rules.interest_days(
                line.date_maturity, line.ar_interest_date, today
            )
            charge = fee_rules.fee_amount(
                line.amount_residual_currency, fixed=fixed, percent=stage.fee_percent,
                rate=stage.interest_rate, days=days, already_charged=charged[invoice.id],
                cap=fee_rules.cap_amount(
                    invoice.amount_total, company.ar_fee_cap_percent, currency.rounding
                ),
                rounding=currency.rounding,
            )
            charged[invoice.id] += charge.total
            if stage.interest_rate:
                line._ar_write_policy_fields({"ar_interest_date": today})
            if not currency.is_zero(charge.total):
                groups[line.company_id, currency].append((line, stage, charge))
        return groups

    def _ar_escalation_fee_invoices(self, pending, today):
        """The posted late-fee invoices of many files at once: one create and one post
        per company. ``pending``: [(file, company, currency, [(item, stage,
        FeeCharge)])]. Writes the items' charged amounts; returns the fee moves in
        the order of ``pending``."""
        Move = self.env["account.move"]
        moves = [None] * len(pending)
        by_company = defaultdict(list)
        for index, entry in enumerate(pending):
            by_company[entry[1]].append(index)
        for company, indexes in by_company.items():
            journal = self.env["account.journal"].search([
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "sale"),
            ], limit=1)
            if not journal:
                raise UserError(self.env._(
                    "Late fees: company %s has no sales journal.", company.display_name
                ))
            CompanyMove = Move.with_company(company)
            created = policy_write(CompanyMove).create([
                pending[index][0]._ar_fee_invoice_values(
                    journal, pending[index][2], pending[index][3], today)
                for index in indexes
            ])
            created = CompanyMove.browse(created.ids)  # the mark stays on this path only
            created.action_post()
            for index, move in zip(indexes, created, strict=True):
                moves[index] = move
        for (_file, _company, currency, charges) in pending:
            for line, _stage, charge in charges:
                line._ar_write_policy_fields({
                    "ar_fees_charged": currency.round(line.ar_fees_charged + charge.total),
                })
        return moves

    def _ar_fee_invoice_values(self, journal, currency, charges, today):
        """The values of the late-fee invoice of ``charges`` [(item, stage, FeeCharge)]."""
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "journal_id": journal.id,
            "currency_id": currency.id,
            "invoice_date": today,
            "ar_origin": "late_fee",
            "invoice_origin": ", ".join(dict.fromkeys(line.move_id.name for line, *_ in charges)),
            "invoice_line_ids": [fields.Command.create({
                "product_id": stage.fee_product_id.id,
                "name": self._ar_fee_description(line, stage, charge, today),
                "quantity": 1.0,
                "price_unit": charge.total,
                "ar_fee_item_id": line.id,
            }) for line, stage, charge in charges],
        }

    def _ar_fee_description(self, line, stage, charge, today):
        """What the customer reads on the fee invoice line for one item."""
        digits = line.currency_id.decimal_places
        parts = [self.env._(
            "Late fee for %(invoice)s (%(days)s days late)",
            invoice=line.move_id.name, days=(today - line.date_maturity).days,
        )]
        if not line.currency_id.is_zero(charge.interest):
            parts.append(self.env._(
                "Interest %(rate)s%% on %(amount)s for %(days)s days",
                rate=formatLang(self.env, stage.interest_rate, digits=2),
                amount=formatLang(self.env, line.amount_residual_currency, digits=digits),
                days=charge.interest_days,
            ))
        if charge.capped:
            parts.append(self.env._(
                "Capped at %s%% of the invoice",
                formatLang(self.env, self.company_id.ar_fee_cap_percent, digits=2),
            ))
        return "\n".join(parts)

    def _ar_escalation_fee_rows(self, fired, today):
        """Fees for the items of the fee stages reached today, for many files: the fee
        invoices created together (``_ar_escalation_fee_invoices``), one history row
        per fee invoice, at the highest stage among its items.

        ``fired``: {file: {stage: account.move.line}}, stages in ladder order."""
        pending = []
        for file, stages in fired.items():
            fee_items = [
                (line, stage) for stage, lines in stages.items() if stage.action_fee
                for line in lines
            ]
            if not (fee_items and file.fees_allowed):
                continue
            for (company, currency), charges in file._ar_escalation_charge_fees(
                    fee_items, today).items():
                pending.append((file, company, currency, charges))
        rows = []
        fee_moves = self._ar_escalation_fee_invoices(pending, today) if pending else []
        for (file, _company, _currency, charges), fee_move in zip(pending, fee_moves, strict=True):
            lines = self.env["account.move.line"].sudo().concat(*(line for line, *_ in charges))
            stage = max((stage for _line, stage, _charge in charges),
                        key=lambda s: s.offset_days)
            rows.append(dict(file=file, stage=stage, lines=lines, action="fee",
                             fee_move=fee_move))
        return rows
