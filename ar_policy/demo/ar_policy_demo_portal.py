from odoo import Command, api, models

DEMO_PORTAL_LOGIN = "portal.customer"
DEMO_PORTAL_PASSWORD = "portal.customer"


class ArCreditFile(models.Model):
    """Demo of the customer's account page (issue 12): a portal user at the customer
    over its limit, which has an overdue item and items not yet due."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_demo_portal_user(self):
        self = self.sudo()
        env = self.env
        customer = env.ref("ar_policy.demo_partner_over_limit", raise_if_not_found=False)
        if not customer or env["res.users"].search_count([("login", "=", DEMO_PORTAL_LOGIN)]):
            return
        company = env.ref("base.main_company")
        company.ar_portal_plans_allowed = True
        # The customer's own partner logs in: Odoo's "pay all overdue" pays the overdue
        # invoices addressed to the logged-in partner.
        user = env["res.users"].with_context(no_reset_password=True).create({
            "name": customer.name,
            "login": DEMO_PORTAL_LOGIN,
            "password": DEMO_PORTAL_PASSWORD,
            "partner_id": customer.id,
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set([env.ref("base.group_portal").id])],
        })
        env["ir.model.data"]._update_xmlids([
            {"xml_id": "ar_policy.demo_user_portal_customer", "record": user, "noupdate": True},
        ])
