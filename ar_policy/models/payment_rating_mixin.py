from odoo import api, fields, models

from .ar_credit_file_score import RATINGS, TRENDS

INTERNAL = "base.group_user"


class ArPaymentRatingMixin(models.AbstractModel):
    """The customer's payment rating (A-D) and trend in the document's company, read
    from its credit file: on customers, invoices and quotations. The letter only,
    never the amounts behind it, so salespeople may see it."""

    _name = "ar.payment.rating.mixin"
    _description = "Customer Payment Rating"

    ar_payment_rating = fields.Selection(
        RATINGS, string="Payment Rating", compute="_compute_ar_payment_rating", groups=INTERNAL,
        help="The customer's payment behaviour in this company: A from a score of 80 (on "
        "time or better), B from 60, C from 40, D below.",
    )
    ar_payment_trend = fields.Selection(
        TRENDS, string="Payment Trend", compute="_compute_ar_payment_rating", groups=INTERNAL,
    )

    def _ar_rating_partner_company(self):
        """(commercial partner, company) of each record."""
        raise NotImplementedError

    @api.depends_context("company")
    def _compute_ar_payment_rating(self):
        File = self.env["ar.credit.file"].sudo()
        pairs = {record: record._ar_rating_partner_company() for record in self}
        files = {}
        by_company = {}
        for partner, company in pairs.values():
            if partner and company:
                by_company.setdefault(company.root_id, self.env["res.partner"])
                by_company[company.root_id] |= partner
        for company, partners in by_company.items():
            for partner_id, file in File._ar_files_for(partners, company).items():
                files[partner_id, company.id] = file
        for record, (partner, company) in pairs.items():
            file = files.get((partner.id, company.root_id.id)) if partner and company else None
            record.ar_payment_rating = file.payment_rating if file else False
            record.ar_payment_trend = file.payment_trend if file else False


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "ar.payment.rating.mixin"]

    def _ar_rating_partner_company(self):
        return self.commercial_partner_id, self.env.company


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "ar.payment.rating.mixin"]

    def _ar_rating_partner_company(self):
        if not self.is_sale_document(include_receipts=True):
            return self.env["res.partner"], self.env["res.company"]
        return self.commercial_partner_id, self.company_id
