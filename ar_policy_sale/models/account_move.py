from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _ar_order_held_amount(self):
        """What the confirmed orders still held for this invoice's lines when it was
        drafted, in company currency (tax included)."""
        self.ensure_one()
        held = 0.0
        for line in self.invoice_line_ids.filtered(lambda aml: aml.display_type == "product"):
            remaining = 0.0
            for sol in line.sale_line_ids.filtered(
                lambda s: s.order_id.state == "sale" and not s.is_downpayment and s.product_uom_qty
            ):
                # qty_invoiced already counts this draft invoice
                qty = sol.product_uom_qty - sol.qty_invoiced + sum(
                    inv_line.product_uom_id._compute_quantity(inv_line.quantity, sol.product_uom)
                    for inv_line in sol.invoice_lines if inv_line.move_id == self
                )
                remaining += max(qty, 0.0) * sol.price_total / sol.product_uom_qty
            held += min(abs(line.price_total), remaining)
        return self.env["ar.credit.file"]._ar_to_company_currency(
            held, self.currency_id.id, self.company_id.root_id,
            self.invoice_date or self.date,
        )

    def _ar_credit_exempt_amount(self):
        """Invoices from confirmed orders were checked when the order was confirmed: the
        check counts only amounts beyond what the orders hold (DESIGN 4).

        When drafts count in exposure, the order's part of this draft has already left
        the orders figure (Odoo's ``qty_invoiced`` counts drafts) and this draft is left
        out of the drafts: the invoice's full amount is then the right addition. When
        drafts do not count, the orders figure still holds it, and it is exempt here.
        """
        exempt = super()._ar_credit_exempt_amount()
        if self.company_id.root_id.ar_exposure_include_drafts:
            return exempt
        return exempt + min(self._ar_order_held_amount(), abs(self.amount_total_signed))

    def _ar_checkable(self):
        """The hold does not stop billing what was already sold: an invoice that the
        confirmed orders hold entirely is not checked again."""
        moves = super()._ar_checkable()
        return moves.filtered(lambda m: not m._ar_fully_from_orders())

    def _ar_fully_from_orders(self):
        self.ensure_one()
        if not self.invoice_line_ids.sale_line_ids:
            return False
        return self.company_id.currency_id.compare_amounts(
            abs(self.amount_total_signed) - self._ar_order_held_amount(), 0.0
        ) <= 0

    def _ar_deposit_applicable(self):
        """Invoices from orders took their deposit on the order."""
        moves = super()._ar_deposit_applicable()
        return moves.filtered(lambda m: not m.invoice_line_ids.sale_line_ids)
