from odoo import SUPERUSER_ID, api

# Templates whose body changed in 18.0.1.0.1; they are noupdate records, so an update
# keeps the old body unless it is reloaded from the data file.
RELOADED_TEMPLATES = (
    # the reminder lists overdue items apart from items not yet due, deducts the open
    # credits and states the credit file's figures (issue 8)
    "ar_policy.mail_template_ar_escalation",
    # the monthly concentration digest in the company's mail layout, styled (issue 14)
    "ar_policy.mail_template_concentration_digest",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in RELOADED_TEMPLATES:
        template = env.ref(xmlid, raise_if_not_found=False)
        if template:
            template.reset_template()
