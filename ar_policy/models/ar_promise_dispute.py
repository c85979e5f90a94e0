from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError


class ArPromise(models.Model):
    """Disputes and sending an invoice again, from the invoice's buttons: the items
    leave the ladder or the customer gets the invoice once more, both logged."""

    _inherit = "ar.promise"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Disputes and sending the invoice again (invoice buttons)
    # ------------------------------------------------------------------

    @api.model
    def _ar_receivable_lines(self, moves):
        return moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )

    @api.model
    def _ar_open_receivable_lines(self, moves):
        """The open items (of the account position) of the posted customer invoices
        among ``moves``."""
        moves = moves.filtered(lambda m: m.is_sale_document() and m.state == "posted")
        Position = self.env["ar.account.position"].sudo()
        line_ids = []
        for company, company_moves in moves.grouped(lambda m: m.company_id.root_id).items():
            move_ids = set(company_moves.ids)
            positions = Position._ar_positions(company_moves.commercial_partner_id, company)
            line_ids += [item.line_id for position in positions.values()
                         for item in position.items if item.move_id in move_ids]
        return self.env["account.move.line"].browse(line_ids)

    @api.model
    def _ar_set_dispute(self, moves, disputed, reason):
        """Flags (or unflags) the receivable items of ``moves`` as disputed: out of the
        ladder and charged no fee until the dispute is closed; logged."""
        self._ar_check_controller()
        moves.check_access("read")
        if not (reason or "").strip():
            raise UserError(self.env._("Reason: explain the dispute (or how it was settled)."))
        if disputed:
            open_moves = self._ar_open_receivable_lines(moves).move_id
            closed = moves.filtered(lambda m: m not in open_moves)
            if closed:
                raise UserError(self.env._(
                    "Invoices: %s have nothing left to pay (or are not posted customer "
                    "invoices): only an open item can be disputed.",
                    ", ".join(closed.mapped("display_name")),
                ))
        moves = moves.filtered(lambda m: m.is_sale_document() and m.state == "posted")
        items = self._ar_open_receivable_lines(moves) if disputed else self._ar_receivable_lines(moves)
        lines = items.filtered(lambda line: line.ar_disputed != disputed)
        if not lines:
            raise UserError(
                self.env._("No posted customer invoice here is disputed.") if not disputed
                else self.env._("No open posted customer invoice here can be disputed.")
            )
        today = fields.Date.context_today(self)
        if disputed:
            lines.sudo()._ar_write_policy_fields({
                "ar_disputed": True, "ar_dispute_reason": reason, "ar_dispute_date": today,
            })
        else:
            lines.sudo()._ar_write_policy_fields({"ar_disputed": False})
        action = "dispute" if disputed else "dispute_closed"
        label = self.env._("Disputed") if disputed else self.env._("Dispute closed")
        File = self.env["ar.credit.file"].sudo()
        history = []
        for company, company_moves in lines.move_id.grouped(lambda m: m.company_id.root_id).items():
            files = File._ar_files_for(company_moves.partner_id, company, create=True)
            for move in company_moves:
                file = files[move.commercial_partner_id.id]
                body = Markup("<p><b>%s</b><br/>%s</p>") % (label, reason)
                move.sudo().message_post(body=body, message_type="comment",
                                         subtype_xmlid="mail.mt_note")
                file.message_post(
                    body=Markup("<p><b>%s</b>: %s<br/>%s</p>") % (label, move._get_html_link(), reason),
                    message_type="comment", subtype_xmlid="mail.mt_note",
                )
                history.append(dict(
                    file=file, action=action, run_date=today, move=move, note=reason,
                    lines=lines.filtered(lambda line, m=move: line.move_id == m),
                ))
        self.env["ar.escalation.history"]._ar_record(history)
        return True

    @api.model
    def _ar_resend_invoices(self, moves):
        """'We never got the invoice': sends it again at once with Odoo's own invoice
        sending (the invoice email template, its PDF attached), logged."""
        self._ar_check_controller()
        moves = moves.filtered(lambda m: m.move_type in ("out_invoice", "out_refund"))
        not_posted = moves.filtered(lambda m: m.state != "posted")
        if not_posted or not moves:
            raise UserError(self.env._("Only a posted customer invoice can be sent again."))
        no_email = moves.partner_id.filtered(lambda p: not p.email)
        if no_email:
            raise UserError(self.env._(
                "Email: %s has no email address.", ", ".join(no_email.mapped("display_name"))
            ))
        template = self.env.ref("account.email_template_edi_invoice")
        today = fields.Date.context_today(self)
        File = self.env["ar.credit.file"].sudo()
        history = []
        for move in moves:
            last = max(move.message_ids.ids or [0])
            self.env["account.move.send"]._generate_and_send_invoices(
                move, sending_methods={"email"}, mail_template=template,
            )
            message = move.message_ids.filtered(
                lambda m, last=last: m.id > last and m.message_type == "comment"
            )[:1]
            file = File._ar_files_for(move.partner_id, move.company_id, create=True)[
                move.commercial_partner_id.id]
            note = self.env._("Invoice %(invoice)s sent again to %(email)s.",
                              invoice=move.name, email=move.partner_id.email)
            file.message_post(body=Markup("<p>%s<br/>%s</p>") % (note, move._get_html_link()),
                              message_type="comment", subtype_xmlid="mail.mt_note")
            history.append(dict(
                file=file, action="resend", run_date=today, move=move, message=message,
                lines=self._ar_receivable_lines(move), note=note,
            ))
        self.env["ar.escalation.history"]._ar_record(history)
        return True
