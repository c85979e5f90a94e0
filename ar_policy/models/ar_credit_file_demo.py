from odoo import models


class ArCreditFile(models.Model):
    _inherit = "ar.credit.file"
