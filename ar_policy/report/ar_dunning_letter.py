from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date


class ReportArDunningLetter(models.AbstractModel):
    """Dunning letters printed from escalation history rows: one business letter per
    customer among the rows printed (a batch prints as one PDF), stating the
    customer's account as the reminder email does (the same account position:
    overdue items apart from items not yet due, open credits deducted, net amount
    overdue and balance), with the text of the highest stage the rows name."""

    _name = "report.ar_policy.report_ar_dunning_letter"
    _description = "Dunning Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        rows = self.env["ar.escalation.history"].browse(docids)
        files = rows.file_id
        positions = {}
        for company, company_files in files.sudo().grouped("company_id").items():
            positions.update(company_files._ar_positions_of(company_files, company))
        letters = {}
        for file in files:
            stages = rows.filtered(lambda r, f=file: r.file_id == f).stage_id
            stage = (stages or file.escalation_stage_id).sudo().sorted("offset_days")[-1:]
            lang = file._ar_escalation_contact().lang or self.env.lang
            file_lang = file.with_context(lang=lang)
            position = positions[file.partner_id.id]
            values = file_lang._ar_escalation_mail_values(position=position)
            letters[file.id] = dict(values, **file_lang._ar_letter_values(stage, values, position))
        return {
            "doc_ids": files.ids,
            "doc_model": "ar.credit.file",
            "docs": files,
            "letters": letters,
            "today": fields.Date.context_today(self),
        }


class ArCreditFile(models.Model):
    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    def _ar_letter_values(self, stage, values, position):
        """What the letter adds to the reminder's values for ``stage``: its kind
        (reminder, formal notice, hand-over notice), the deadline, the date service
        stops, the stage's own text with its placeholders filled, and the address."""
        self.ensure_one()
        env = self.env
        today = fields.Date.context_today(self.with_company(self.company_id))
        days = stage.payment_days if stage else 10
        deadline = format_date(env, today + timedelta(days=days))
        stops = values["suspension_date"] or deadline
        handover = values["handover_to"]
        if not handover and stage:
            later = stage.policy_id.stage_ids.filtered(
                lambda s: s.offset_days > stage.offset_days and s.action_handover)[:1]
            handover = dict(later._fields["handover_to"]._description_selection(env)).get(
                later.handover_to, "") if later else ""
        kind = ("handover" if stage and stage.action_handover
                else "formal" if stage and stage._ar_tone() == "formal" else "reminder")
        titles = {
            "reminder": env._("Payment reminder"),
            "formal": env._("Demand for payment"),
            "handover": env._("Notice of hand-over for collection"),
        }
        # the stage as read in the letter's language: its default text is translated
        text = stage.with_env(env)._ar_letter_text({
            "customer": self.partner_id.name or "",
            "company": self.company_id.name or "",
            "deadline": deadline,
            "net_overdue": values["overdue_net"],
            "balance": values["balance"],
            "suspension_date": stops,
            "handover_to": handover.lower() if handover else "",
        }) if stage else ""
        contact = self._ar_escalation_contact()
        return {
            "letter_stage": stage,
            # the consequence follows the letter's stage, not the file's current one
            "next_step": self.sudo()._ar_escalation_next_step(position, stage, today),
            "letter_kind": kind,
            "letter_title": titles[kind],
            "letter_text": text,
            "letter_deadline": deadline,
            "letter_stops": stops,
            "letter_contact": contact,
            "letter_address_ok": contact._ar_has_postal_address(),
            "letter_date": format_date(env, today, date_format="long"),
            "company_address": ", ".join(
                part.strip() for part in self.company_id.partner_id._display_address(
                    without_company=True).split("\n") if part.strip()),
        }
