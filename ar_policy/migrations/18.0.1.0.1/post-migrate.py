from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The reminder template lists overdue items apart from items not yet due, deducts
    the open credits and states the credit file's figures (issue 8): its body is a
    noupdate record, so reload it from the data file."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref("ar_policy.mail_template_ar_escalation", raise_if_not_found=False)
    if template:
        template.reset_template()
