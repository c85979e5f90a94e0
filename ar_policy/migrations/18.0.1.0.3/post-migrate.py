from odoo import SUPERUSER_ID, api

# 18.0.1.0.3: the reminder's body is the QWeb view ar_policy.ar_reminder_mail_body, which
# the template calls (compiled once, not once per customer). The template is a noupdate
# record: reload it from the data file, with its translations.
RELOADED_TEMPLATES = ("ar_policy.mail_template_ar_escalation",)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in RELOADED_TEMPLATES:
        template = env.ref(xmlid, raise_if_not_found=False)
        if template:
            template.reset_template()
