from odoo import api, models


class ArPortalRequest(models.Model):
    """The customer's requests on the collector's worklist: the file's row is rebuilt
    when the customer sends one (it shows the promise, the dispute, the request
    awaiting an answer) and leaves today's list when the collector answers."""

    _inherit = "ar.portal.request"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_create_request(self, file, kind, state, author, moves, **values):
        request = super()._ar_create_request(file, kind, state, author, moves, **values)
        file.sudo()._ar_refresh_worklist()
        return request

    def _ar_answer(self, state, promise=None):
        result = super()._ar_answer(state, promise=promise)
        self.file_id._ar_worklist_done()
        return result
