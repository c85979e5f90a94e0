from odoo import api, fields, models
from odoo.tools.misc import format_amount

from ..guards import is_scheduler
from ..rules import aging as aging_rules

# the PDF's name, as the report's print_report_name gives it
STATEMENT_PREFIX = "Statement - "


class ArEscalationHistory(models.Model):
    _inherit = "ar.escalation.history"

    action = fields.Selection(selection_add=[("statement", "Statement sent")],
                              ondelete={"statement": "cascade"})


class ArEscalationStage(models.Model):
    _inherit = "ar.escalation.stage"

    action_statement = fields.Boolean(
        string="Send Statement",
        help="Email the customer its statement of account (PDF attached) when an item "
        "reaches this stage; one statement per customer per run.",
    )


class ArCreditFile(models.Model):
    """Statement of account (issue 10): the QWeb PDF ``action_report_ar_statement`` and
    the mail ``mail_template_ar_statement``, stating the account as the file shows it
    (the same account position as the reminders), with its aging and how to pay."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_ar_send_statement(self):
        """Odoo's mail composer with the statement template and its PDF, for one file
        or many (then one mail per file, each in its customer's language)."""
        self.check_access("read")
        template = self.env.ref("ar_policy.mail_template_ar_statement")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
                "force_email": True,
                "ar_statement_sent": True,
            },
        }

    @api.model
    def _ar_statement_files(self, partners):
        """The credit files of ``partners`` in the current company (the customers
        list's "Send Statement")."""
        files = self._ar_files_for(partners, self.env.company, create=True)
        return self.browse([file.id for file in files.values()])

    @api.model
    def _ar_send_statements(self, files, stage=None, today=None):
        """Sends the statement to each of ``files`` (batch, cron, ladder) and logs it:
        a mail queued with the transaction, a history row per file."""
        template = self.env.ref("ar_policy.mail_template_ar_statement")
        author = self.env.user.partner_id
        if is_scheduler(self.env):
            author = self.env.ref("base.user_root").partner_id
        messages = {}
        # rendered as the system: the template's code is trusted, its user may not be a
        # template editor
        system_files = files.with_user(self.env.ref("base.user_root")).with_context(
            mail_notify_force_send=False, ar_statement_sent=False,
        )
        for file in system_files:
            if not file._ar_escalation_contact().email:
                continue
            # the sender as the template states it (the company, else the user): the
            # nightly run's author (the system) has no address of its own
            sender = file.company_id.email_formatted or author.email_formatted
            messages[file.with_env(self.env)] = file.message_post_with_source(
                template, message_type="comment", subtype_xmlid="mail.mt_comment",
                author_id=author.id, **({"email_from": sender} if sender else {}),
            ).with_env(self.env)
        self._ar_log_statements(messages, stage=stage, today=today)
        return self.browse([file.id for file in messages])

    def message_post(self, **kwargs):
        """A mail sent from the statement composer (``action_ar_send_statement``) is
        logged as a statement only when it carries the statement's PDF: the context
        key alone, which a client may send, logs nothing."""
        message = super().message_post(**kwargs)
        if self.env.context.get("ar_statement_sent") and any(
            name.startswith(STATEMENT_PREFIX)
            for name in message.sudo().attachment_ids.mapped("name")
        ):
            self._ar_log_statements({self: message})
        return message

    @api.model
    def _ar_log_statements(self, messages, stage=None, today=None):
        """A history row for each {file: mail.message} sent."""
        self.env["ar.escalation.history"]._ar_record([
            {"file": file, "action": "statement", "message": message, "stage": stage,
             "run_date": today}
            for file, message in messages.items()
        ])

    # ------------------------------------------------------------------
    # Ladder
    # ------------------------------------------------------------------

    def _ar_escalation_act_files(self, evaluation, today):
        """The stage action "send statement": one statement per customer per run (the
        run acts on its files in bulk and, after a failure, file by file: both come
        here)."""
        result = super()._ar_escalation_act_files(evaluation, today)
        Stage = self.env["ar.escalation.stage"]
        by_stage = {}
        for file in self:
            stages = Stage.browse([
                item["stage"].id for item in evaluation.get(file.id, []) if item["reached_today"]
            ]).filtered("action_statement")
            if stages:
                stage = stages.sorted("offset_days")[-1]
                by_stage[stage] = by_stage.get(stage, self.browse()) | file
        for stage, files in by_stage.items():
            self._ar_send_statements(files, stage=stage, today=today)
        return result

    # ------------------------------------------------------------------
    # What the statement states
    # ------------------------------------------------------------------

    def _ar_statement_values(self, position=None):
        """The reminder's figures (``_ar_escalation_mail_values``: overdue items apart
        from items not yet due, open credits deducted, net overdue and balance as on
        the file), the aging of the same position, the bank account and the payment
        reference."""
        self.ensure_one()
        file = self.sudo()
        company = file.company_id
        position = position or file._ar_positions_of(file, company)[file.partner_id.id]
        values = file._ar_escalation_mail_values(position=position)
        aged = aging_rules.aged_position(position)
        row = aged.row(position.partner_id)
        # the bucket names in the reader's language (the report sets it on the context)
        labels = dict(self.env["ar.aging.line"]._fields["bucket"]._description_selection(self.env))
        currency = company.currency_id
        values["aging"] = [
            (labels[code], format_amount(self.env, row[code] if row else 0.0, currency))
            for code in aging_rules.CODES
        ]
        bank_journal = self.env["account.journal"].sudo().search([
            ("type", "=", "bank"), ("company_id", "in", company.ids),
            ("bank_account_id", "!=", False),
        ], limit=1)
        values["bank_account"] = bank_journal.bank_account_id
        values["payment_reference"] = self.env["account.move"].new(
            {"partner_id": file.partner_id.id}
        )._get_invoice_reference_odoo_partner()
        values["today"] = fields.Date.context_today(file.with_company(company))
        values["company"] = company
        return values
