from odoo import api, models
from odoo.exceptions import AccessError


class ReportArStatement(models.AbstractModel):
    """Statements of account of credit files: one account position per company for
    every file printed (a fixed number of queries), then each file's figures."""

    _name = "report.ar_policy.report_ar_statement"
    _description = "Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
        files = self.env["ar.credit.file"].browse(docids)
        # Odoo does not enforce a report's groups when it renders: a salesperson, who
        # reads credit files for their hold badge, must not print their amounts (the
        # portal renders the customer's own statement as superuser, after its checks)
        if not self.env.su and not self.env.user.has_group("account.group_account_invoice"):
            raise AccessError(self.env._(
                "Only Billing users and credit controllers print a statement of account."))
        files.check_access("read")
        statements = {}
        for company, company_files in files.sudo().grouped("company_id").items():
            positions = company_files._ar_positions_of(company_files, company)
            for file in company_files:
                lang = file._ar_escalation_contact().lang or self.env.lang
                statements[file.id] = file.with_context(lang=lang)._ar_statement_values(
                    position=positions[file.partner_id.id]
                )
        return {
            "doc_ids": files.ids,
            "doc_model": "ar.credit.file",
            "docs": files,
            "statements": statements,
        }
