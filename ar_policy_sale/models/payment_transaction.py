from odoo import Command, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """The payment path never raises: a blocked quotation stays unconfirmed, the
        payment is kept, and the salesperson and collector are told why. When a
        transaction completes a deposit, the salesperson hears about it."""
        arrived = self.env["sale.order"]
        for tx in self:
            for order in tx.sale_order_ids.filtered(
                lambda o: o.state in ("draft", "sent") and o.ar_deposit_amount
            ):
                currency = order.currency_id
                paid = order.ar_deposit_paid
                if (currency.compare_amounts(paid, order.ar_deposit_amount) >= 0
                        and currency.compare_amounts(paid - tx.amount, order.ar_deposit_amount) < 0):
                    arrived |= order
        confirmed = super(
            PaymentTransaction, self.with_context(ar_no_raise=True)
        )._check_amount_and_confirm_order()
        arrived._ar_notify_deposit_received()
        return confirmed.filtered(lambda o: o.state == "sale")

    def _invoice_sale_orders(self):
        """Odoo's Automatic Invoice sets the transaction's invoices to those it makes now.
        The invoice the policy made when the order was confirmed for what was paid (the
        deposit's down payment, or the whole order paid in full) stays among them while
        it is open, so that the transaction's payment is reconciled with it."""
        res = super()._invoice_sale_orders()
        for tx in self:
            open_invoices = tx.sale_order_ids.ar_deposit_move_id.filtered(
                lambda m: m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
            )
            if open_invoices - tx.invoice_ids:
                tx.invoice_ids = [Command.link(invoice.id) for invoice in open_invoices]
        return res
