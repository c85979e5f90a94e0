from collections import defaultdict

from odoo import api, models
from odoo.tools import SQL


class ArCreditFile(models.Model):
    _inherit = "ar.credit.file"

    @api.model
    def _ar_figures_orders(self, partners, company, today):
        """Confirmed orders not yet invoiced, tax included, per commercial entity, in one
        query over stored fields (DESIGN 7).

        What remains of each line is its ordered quantity less Odoo's ``qty_invoiced``,
        which already counts draft invoices: those are counted once, with the drafts.
        When the company leaves drafts out of exposure, the draft invoice lines from
        orders are added back here so that the order is not forgotten meanwhile.
        """
        result = super()._ar_figures_orders(partners, company, today)
        if not partners:
            return result
        company = company.root_id
        company_ids = tuple(self._ar_company_ids(company))
        self._ar_flush_order_figures()
        drafts_from_orders = (
            SQL("") if company.ar_exposure_include_drafts
            else self._ar_draft_lines_from_orders_sql(company_ids, partners)
        )
        rows = self.env.execute_query(SQL(
            """
            SELECT commercial_partner_id, currency_id, SUM(amount)
              FROM (
                SELECT p.commercial_partner_id, so.currency_id,
                       (sol.product_uom_qty - sol.qty_invoiced)
                       * sol.price_total / sol.product_uom_qty AS amount
                  FROM sale_order_line sol
                  JOIN sale_order so ON so.id = sol.order_id
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale'
                   AND sol.display_type IS NULL
                   AND sol.is_downpayment IS NOT TRUE
                   AND sol.product_uom_qty > 0
                   AND sol.qty_invoiced < sol.product_uom_qty
                   AND so.company_id IN %(company_ids)s
                   AND p.commercial_partner_id IN %(partner_ids)s
                %(drafts_from_orders)s
              ) lines
          GROUP BY commercial_partner_id, currency_id
            """,
            company_ids=company_ids, partner_ids=tuple(partners.ids),
            drafts_from_orders=drafts_from_orders,
        ))
        totals = defaultdict(float, result)
        for pid, currency_id, amount in rows:
            totals[pid] += self._ar_to_company_currency(amount or 0.0, currency_id, company, today)
        return dict(totals)

    @api.model
    def _ar_flush_order_figures(self):
        """The stored fields the order figures read, written to the database first."""
        self.env["sale.order.line"].flush_model([
            "order_id", "state", "product_uom_qty", "qty_invoiced", "price_total", "currency_id",
            "display_type", "is_downpayment", "company_id", "invoice_lines",
        ])
        self.env["sale.order"].flush_model(["partner_id", "state", "company_id", "currency_id"])
        self.env["account.move"].flush_model(["state", "move_type", "currency_id"])
        self.env["account.move.line"].flush_model(["move_id", "price_total"])
        self.env["res.partner"].flush_model(["commercial_partner_id"])

    @api.model
    def _ar_draft_lines_from_orders_sql(self, company_ids, partners):
        """Draft invoice lines that come from orders, to add back to the orders'
        figure when the company leaves drafts out of exposure."""
        return SQL(
            """
            UNION ALL
            SELECT p.commercial_partner_id, am.currency_id, aml.price_total
                   * CASE WHEN am.move_type = 'out_refund' THEN -1 ELSE 1 END
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
              JOIN res_partner p ON p.id = am.partner_id
             WHERE am.state = 'draft'
               AND am.move_type IN ('out_invoice', 'out_refund')
               AND am.company_id IN %(company_ids)s
               AND p.commercial_partner_id IN %(partner_ids)s
               AND EXISTS (SELECT 1 FROM sale_order_line_invoice_rel rel
                            WHERE rel.invoice_line_id = aml.id)
            """,
            company_ids=company_ids, partner_ids=tuple(partners.ids),
        )
