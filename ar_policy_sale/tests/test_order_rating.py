from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ArSaleCommon


@tagged("post_install", "-at_install")
class TestOrderRating(ArSaleCommon):
    """The payment rating on the quotation (issue 10): the seller sees the letter,
    never the score or the amounts behind it."""

    def test_seller_sees_the_rating_letter(self):
        today = fields.Date.context_today(self.env.user)
        invoice = self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.customer.id,
            "invoice_date": today - timedelta(days=140),
            "invoice_date_due": today - timedelta(days=130), "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({
                "name": "Widget", "quantity": 1, "price_unit": 1000.0,
                "tax_ids": [Command.clear()],
            })],
        })
        invoice.action_post()
        self._file(self.customer)._ar_compute_scores()
        order = self._order(self.contact, 200.0).with_user(self.seller)
        self.assertEqual(order.ar_payment_rating, "D", "130 days late: 1 point, rating D")
        form_fields = order.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="ar_payment_rating"', form_fields)
        file = self._file(self.customer).with_user(self.seller)
        self.assertEqual(file.payment_rating, "D")
        with self.assertRaises(AccessError):
            file.read(["payment_score"])
