from odoo import models


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
