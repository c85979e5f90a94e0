from odoo import api, fields, models


class ReportArDunningLetter(models.AbstractModel):
    """Dunning letters printed from escalation history rows: one letter per customer
    among the rows printed, stating the customer's account as the reminder email does
    (the same account position: overdue items apart from items not yet due, open
    credits deducted, net amount overdue and balance), with the text of the highest
    stage the rows name."""

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
            stage = (stages or file.escalation_stage_id).sorted("offset_days")[-1:]
            values = file._ar_escalation_mail_values(position=positions[file.partner_id.id])
            letters[file.id] = dict(values, letter_stage=stage)
        return {
            "doc_ids": files.ids,
            "doc_model": "ar.credit.file",
            "docs": files,
            "letters": letters,
            "today": fields.Date.context_today(self),
        }
