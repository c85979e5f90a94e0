from odoo import models

from .. import guards

# Models whose records are a credit file's history: they follow the file, never go.
FILE_HISTORY_MODELS = ("ar.credit.log", "ar.escalation.history", "ar.promise")


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        """Merging customers merges their credit files first: Odoo's generic update
        would delete a source file whose company already has the destination's file,
        and a file's history cannot be deleted."""
        self._ar_merge_credit_files(src_partners, dst_partner)
        return super()._update_foreign_keys(src_partners, dst_partner)

    def _ar_merge_credit_files(self, src_partners, dst_partner):
        """Per company, the destination keeps one file: a source file moves to the
        destination when it has none there, else its history, promises and chatter
        move to the destination's file and the source file goes."""
        File = self.env["ar.credit.file"].sudo()
        targets = {file.company_id: file for file in File.search([("partner_id", "=", dst_partner.id)])}
        for file in File.search([("partner_id", "in", src_partners.ids)], order="id"):
            target = targets.get(file.company_id)
            if not target:
                guards.policy_write(file).write({"partner_id": dst_partner.id})
                targets[file.company_id] = file
                continue
            for model in FILE_HISTORY_MODELS:
                records = self.env[model].sudo().search([("file_id", "=", file.id)])
                guards.policy_write(records).write({"file_id": target.id})
            self.env["mail.message"].sudo().search([
                ("model", "=", file._name), ("res_id", "=", file.id),
            ]).write({"res_id": target.id})
            file.unlink()
