from odoo import api, models

from .. import guards


class ArPromise(models.Model):
    """A dispute the customer opened on its account page is answered when the
    collector closes it: the reason given reaches the customer by mail and on the page."""

    _inherit = "ar.promise"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _ar_set_dispute(self, moves, disputed, reason):
        result = super()._ar_set_dispute(moves, disputed, reason)
        if disputed:
            return result
        requests = self.env["ar.portal.request"].sudo().search([
            ("kind", "=", "dispute"), ("state", "=", "open"), ("move_ids", "in", moves.ids),
        ])
        answered = requests.filtered(lambda r: not any(
            self._ar_receivable_lines(r.move_ids.sudo()).mapped("ar_disputed")
        ))
        for request in answered:
            guards.policy_write(request).write({"answer": reason})
            request._ar_answer("answered")
        return result
