from odoo import fields, models


class ArCreditFileRecordMixin(models.AbstractModel):
    """A record kept on a customer's credit file (history, promises): the file, its
    customer and company, read-only once written."""

    _name = "ar.credit.file.record.mixin"
    _description = "Record on a Credit File"
    _check_company_auto = True

    file_id = fields.Many2one(
        "ar.credit.file", string="Credit File", required=True, readonly=True, index=True,
        ondelete="restrict", check_company=True,
    )
    partner_id = fields.Many2one(related="file_id.partner_id", store=True, string="Customer")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
