from odoo import api, models


class ArPromise(models.Model):
    """A promise recorded, a dispute opened or an invoice sent again closes the
    customer's action for the day: its row leaves today's worklist."""

    _inherit = "ar.promise"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_record(self, file, lines, instalments, reason="", note=""):
        promise = super()._ar_record(file, lines, instalments, reason=reason, note=note)
        file._ar_worklist_done()
        return promise

    @api.model
    def _ar_set_dispute(self, moves, disputed, reason):
        result = super()._ar_set_dispute(moves, disputed, reason)
        self._ar_worklist_done_for(moves)
        return result

    @api.model
    def _ar_resend_invoices(self, moves):
        result = super()._ar_resend_invoices(moves)
        self._ar_worklist_done_for(moves)
        return result

    @api.model
    def _ar_worklist_done_for(self, moves):
        File = self.env["ar.credit.file"].sudo()
        for company, company_moves in moves.grouped(lambda m: m.company_id.root_id).items():
            files = File._ar_files_for(company_moves.commercial_partner_id, company)
            File.browse([file.id for file in files.values()])._ar_worklist_done()
