from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from odoo.addons.account.controllers.portal import PortalAccount

from ..models.ar_credit_file_portal import STATEMENT_REPORT

MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_SIZE = 10 * 1024 * 1024


class ArPolicyPortal(PortalAccount):
    """The customer's account page (issue 12): what it owes one company, as the
    reminder states it, and what it may do about it. A portal user acts only on its
    own commercial entity in a company that invited it; a reminder's access token
    shows the page, read-only, to whoever holds the link."""

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def _ar_user_company(self, company_id=None):
        """The company the portal user asks about: one that invited it."""
        user = request.env.user
        if not company_id:
            return user.company_id.root_id
        try:
            company = request.env["res.company"].sudo().browse(int(company_id)).exists()
        except (TypeError, ValueError):
            company = None
        if not company or company.root_id not in user.company_ids.root_id:
            raise AccessError(request.env._("This account page is not available to you."))
        return company.root_id

    def _ar_user_file(self, company):
        """The portal user's credit file in ``company``, or an empty recordset."""
        partner = request.env.user.partner_id.commercial_partner_id
        files = request.env["ar.credit.file"].sudo()._ar_files_for(partner, company)
        return files.get(partner.id, request.env["ar.credit.file"].sudo())

    def _ar_is_own_file(self, file):
        user = request.env.user
        return (
            not user._is_public()
            and user.partner_id.commercial_partner_id == file.partner_id
            and file.company_id in user.company_ids.root_id
        )

    def _ar_file_access(self, file_id, access_token=None):
        """(file sudo, whether the user may act on it); the file's own customer, or
        anyone with the file's access token (read-only)."""
        file = request.env["ar.credit.file"].sudo().browse(file_id).exists()
        if not file:
            raise MissingError(request.env._("This account page does not exist."))
        if self._ar_is_own_file(file):
            return file, True
        if access_token and file.access_token and consteq(file.access_token, access_token):
            return file, False
        raise AccessError(request.env._("This account page is not available to you."))

    # ------------------------------------------------------------------
    # /my: the card and its counter
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "ar_statement_count" in counters:
            count = 0
            user = request.env.user
            if not user._is_public() and not user._is_internal():
                file = self._ar_user_file(user.company_id.root_id)
                if file:
                    position = file._ar_positions_of(file, file.company_id)[file.partner_id.id]
                    count = len(position.items)
            values["ar_statement_count"] = count
        return values

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------

    @http.route(["/my/account-statement"], type="http", auth="user", website=True)
    def portal_ar_statement(self, company_id=None, **kw):
        try:
            company = self._ar_user_company(company_id)
        except AccessError:
            return request.redirect("/my")
        file = self._ar_user_file(company)
        if not file:
            values = self._prepare_portal_layout_values()
            values.update(page_name="ar_statement", ar_company=company)
            return request.render("ar_policy.portal_ar_statement_empty", values)
        return self._ar_render(file, True, **kw)

    @http.route(["/my/account-statement/<int:file_id>"], type="http", auth="public",
                website=True)
    def portal_ar_statement_file(self, file_id, access_token=None, **kw):
        try:
            file, can_act = self._ar_file_access(file_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._ar_render(file, can_act, access_token=access_token, **kw)

    @http.route(["/my/account-statement/<int:file_id>/pdf"], type="http", auth="public",
                website=True)
    def portal_ar_statement_pdf(self, file_id, access_token=None, download=False, **kw):
        try:
            file, _can_act = self._ar_file_access(file_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._show_report(model=file, report_type="pdf", report_ref=STATEMENT_REPORT,
                                 download=download)

    def _ar_render(self, file, can_act, access_token=None, error=None, done=None, **kw):
        values = self._prepare_portal_layout_values()
        values.update(file._ar_portal_values())
        # Odoo's own "pay all overdue" (account_payment) pays the overdue invoices
        # addressed to the logged-in contact: offered when there are some.
        has_overdue_page = can_act and bool(request.env.ref(
            "account_payment.portal_overdue_invoices_page", raise_if_not_found=False
        )) and bool(self._get_overdue_invoice_count())
        values.update({
            "page_name": "ar_statement",
            "can_act": can_act,
            "access_token": access_token or "",
            "error": error,
            "done": done if done in DONE_KINDS else None,
            "pay_all_url": "/my/invoices/overdue" if has_overdue_page else "",
            "statement_pdf_url": (f"/my/account-statement/{file.id}/pdf"
                                  + (f"?access_token={access_token}" if access_token else "")),
            "login_url": "/web/login?redirect=" + request.httprequest.full_path,
        })
        return request.render("ar_policy.portal_ar_statement", values)

    # ------------------------------------------------------------------
    # What the customer sends
    # ------------------------------------------------------------------

    def _ar_post(self, file_id, submit):
        """Runs ``submit(file, author)`` (which returns the request) for the file's own
        customer, in a savepoint: a refusal shows its message on the page and changes
        nothing."""
        file = request.env["ar.credit.file"].sudo().browse(file_id).exists()
        if not file or not self._ar_is_own_file(file):
            return request.redirect("/my")
        author = request.env.user.partner_id
        try:
            with request.env.cr.savepoint():
                sent = submit(file, author)
        except (UserError, ValidationError, AccessError) as error:
            return self._ar_render(file, True, error=error.args[0])
        return request.redirect(
            f"/my/account-statement/{file.id}?done={sent.kind}_{sent.state}"
        )

    def _ar_form_moves(self, field="move_ids"):
        try:
            ids = [int(value) for value in request.httprequest.form.getlist(field)]
        except ValueError as error:
            raise UserError(request.env._("Invoices: choose invoices from the list.")) from error
        moves = request.env["account.move"].sudo().browse(ids).exists()
        if len(moves) != len(set(ids)):
            raise UserError(request.env._("Invoices: these documents are not on your account."))
        return moves

    def _ar_form_date(self, value, label):
        try:
            return fields.Date.to_date(value) if value else None
        except ValueError as error:
            raise UserError(request.env._("%s: enter a date.", label)) from error

    def _ar_form_amount(self, value):
        if value in (None, ""):
            return None
        try:
            return float(value)
        except ValueError as error:
            raise UserError(request.env._("Amount: enter a number.")) from error

    @http.route(["/my/account-statement/<int:file_id>/promise"], type="http", auth="user",
                methods=["POST"], website=True)
    def portal_ar_promise(self, file_id, date=None, message=None, **kw):
        def submit(file, author):
            moves = self._ar_form_moves()
            amounts = {move.id: self._ar_form_amount(kw.get(f"amount_{move.id}"))
                       for move in moves}
            return request.env["ar.portal.request"]._ar_submit_promise(
                file, author, moves, self._ar_form_date(date, request.env._("Promised Date")),
                amounts={k: v for k, v in amounts.items() if v is not None},
                message=(message or "").strip(),
            )
        return self._ar_post(file_id, submit)

    @http.route(["/my/account-statement/<int:file_id>/plan"], type="http", auth="user",
                methods=["POST"], website=True)
    def portal_ar_plan(self, file_id, date=None, instalment_count=None, message=None, **kw):
        def submit(file, author):
            try:
                count = int(instalment_count or 0)
            except ValueError as error:
                raise UserError(request.env._("Instalments: enter a number.")) from error
            return request.env["ar.portal.request"]._ar_submit_plan(
                file, author, self._ar_form_moves(),
                self._ar_form_date(date, request.env._("First Instalment")), count,
                message=(message or "").strip(),
            )
        return self._ar_post(file_id, submit)

    @http.route(["/my/account-statement/<int:file_id>/dispute"], type="http", auth="user",
                methods=["POST"], website=True)
    def portal_ar_dispute(self, file_id, reason_id=None, message=None, **kw):
        def submit(file, author):
            try:
                reason = request.env["ar.dispute.reason"].sudo().browse(int(reason_id or 0))
            except ValueError as error:
                raise UserError(request.env._("Reason: choose one of the reasons listed.")) from error
            files = [f for f in request.httprequest.files.getlist("attachments") if f.filename]
            if len(files) > MAX_ATTACHMENTS:
                raise UserError(request.env._("Attachments: at most %s files.", MAX_ATTACHMENTS))
            attachments = []
            for upload in files:
                content = upload.read(MAX_ATTACHMENT_SIZE + 1)
                if len(content) > MAX_ATTACHMENT_SIZE:
                    raise UserError(request.env._(
                        "Attachments: %s is larger than 10 MB.", upload.filename
                    ))
                attachments.append((upload.filename, content))
            return request.env["ar.portal.request"]._ar_submit_dispute(
                file, author, self._ar_form_moves(), reason.exists(), message or "",
                attachments=attachments,
            )
        return self._ar_post(file_id, submit)

    @http.route(["/my/account-statement/<int:file_id>/copy"], type="http", auth="user",
                methods=["POST"], website=True)
    def portal_ar_copy(self, file_id, **kw):
        def submit(file, author):
            moves = self._ar_form_moves()
            if len(moves) != 1:
                raise UserError(request.env._("Invoices: choose one invoice to receive again."))
            return request.env["ar.portal.request"]._ar_submit_copy(file, author, moves)
        return self._ar_post(file_id, submit)


# What the page says after a request (the words are in the template).
DONE_KINDS = {
    "promise_done", "promise_requested", "plan_requested", "dispute_open", "copy_done",
}
