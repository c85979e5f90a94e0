from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """What a customer may ask for on its account page in the portal (issue 12)."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    ar_portal_max_open_promises = fields.Integer(
        string="Open Promises per Customer", default=3,
        help="A customer promises a date on its account page only while it has fewer "
        "open promises to pay (and requests awaiting an answer) than this.",
    )
    ar_portal_daily_requests = fields.Integer(
        string="Portal Requests per Day", default=5,
        help="How many promises, disputes, copies and plan requests one customer may "
        "send from its account page in one day.",
    )
    ar_portal_plans_allowed = fields.Boolean(
        string="Payment Plans on Request",
        help="Customers may ask for a payment plan on their account page, within the "
        "Promise Horizon and the Maximum Instalments; a credit controller accepts or "
        "declines it.",
    )

    @api.constrains("ar_portal_max_open_promises", "ar_portal_daily_requests")
    def _check_ar_portal_limits(self):
        if any(company.ar_portal_max_open_promises < 1 or company.ar_portal_daily_requests < 1
               for company in self):
            raise ValidationError(self.env._(
                "Open Promises per Customer and Portal Requests per Day must be at least 1."
            ))
