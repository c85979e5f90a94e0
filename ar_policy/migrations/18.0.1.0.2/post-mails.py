from odoo import SUPERUSER_ID, api

# The reminder was rewritten in 18.0.1.0.2 (issue 11): its tone follows the stage, it
# names the fee charged tonight, the next step, payment instructions and the collector,
# in the light customer layout. It is a noupdate record: reload it from the data file.
RELOADED_TEMPLATES = ("ar_policy.mail_template_ar_escalation",)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in RELOADED_TEMPLATES:
        template = env.ref(xmlid, raise_if_not_found=False)
        if template:
            template.reset_template()
    # stages without a letter text get the default one for their tone, in every
    # installed language, so that the company sees (and can edit) what the letter prints
    stages = env["ar.escalation.stage"].with_context(active_test=False).search([])
    stages.filtered(
        lambda s: not s.letter_text and s.offset_days > 0)._ar_write_default_letter_texts()
