from odoo import api, fields, models
from odoo.exceptions import UserError


class ArAgingWizard(models.TransientModel):
    """Invoicing > Reporting > Aged Receivables as of: computes the aged receivables of
    the current company on a date (today or past) and opens them."""

    _name = "ar.aging.wizard"
    _description = "Aged Receivables as of"

    company_id = fields.Many2one("res.company", required=True,
                                 default=lambda self: self.env.company,
                                 domain=lambda self: [("id", "in", self.env.user.company_ids.ids)])
    as_of = fields.Date(string="As of", required=True, default=fields.Date.context_today)

    @api.constrains("as_of", "company_id")
    def _check_as_of(self):
        for wizard in self:
            self.env["ar.aging.line"]._ar_check_as_of(wizard.as_of, wizard.company_id)

    def action_open(self):
        self.ensure_one()
        self.env["ar.aging.line"].check_access("read")
        if self.company_id not in self.env.user.company_ids:
            raise UserError(self.env._("Company: you do not work in %s.", self.company_id.name))
        company = self.company_id.root_id
        self.env["ar.aging.line"].sudo()._ar_compute(company, self.as_of)
        return self.env["ar.aging.line"]._ar_action(company, self.as_of)
