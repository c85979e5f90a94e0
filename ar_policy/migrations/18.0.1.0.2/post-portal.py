from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The reminder links to the customer's account page (issue 12): its template is
    noupdate, so an update reloads it from the data file."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref("ar_policy.mail_template_ar_escalation", raise_if_not_found=False)
    if template:
        template.reset_template()
