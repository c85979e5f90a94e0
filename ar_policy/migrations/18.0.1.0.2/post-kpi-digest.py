from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The monthly concentration digest gains the collection KPIs against their
    targets (issue 10): reload its noupdate template from the data file."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref("ar_policy.mail_template_concentration_digest", raise_if_not_found=False)
    if template:
        template.reset_template()
