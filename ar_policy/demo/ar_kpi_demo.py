from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

# (customer key, monthly amount, days from invoice to payment a year ago, change per
# month): a year of paid invoices behind the collection KPIs.
DEMO_PAYERS = (
    ("good_payer", 5200.0, 26, 0),
    ("group", 2100.0, 62, -2),
    ("over_limit", 1600.0, 75, -3),
    ("euro", 900.0, 40, 1),
)


class ArKpiSnapshot(models.Model):
    """Demo data: a year of paid invoices and the monthly KPI snapshots they give,
    with the aging of each month's end; one statement sent."""

    _inherit = "ar.kpi.snapshot"

    @api.model
    def _ar_demo_history(self):
        company = self.env.ref("base.main_company")
        if self.sudo().search_count([("company_id", "=", company.id)], limit=1):
            return
        Files = self.env["ar.credit.file"].sudo()
        product = self.env.ref("ar_policy.demo_product_service")
        today = fields.Date.context_today(self.with_company(company))
        term = self.env.ref("account.account_payment_term_30days")
        mode = company.ar_enforcement_mode
        company.ar_enforcement_mode = "off"  # history: posted before the policy
        for key, amount, delay, step in DEMO_PAYERS:
            customer = self.env.ref(f"ar_policy.demo_partner_{key}")
            for months in range(12, 4, -1):
                invoice_date = today.replace(day=5) - relativedelta(months=months)
                invoice = Files._ar_demo_invoice(customer, company, product,
                                                 amount + 100.0 * (months % 3), invoice_date,
                                                 term=term)
                paid_on = invoice_date + timedelta(days=max(delay + step * (12 - months), 5))
                Files._ar_demo_pay(invoice, paid_on)
        company.ar_enforcement_mode = mode
        for months in range(12, 0, -1):
            month_end = today.replace(day=1) - relativedelta(months=months - 1) - timedelta(days=1)
            self.sudo()._ar_compute(company, month_end)
        late = Files._ar_files_for(self.env.ref("ar_policy.demo_partner_over_limit"), company)
        Files._ar_send_statements(Files.browse([file.id for file in late.values()]))
