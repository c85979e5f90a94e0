from collections import defaultdict

from markupsafe import Markup

from odoo import fields, models
from odoo.tools import SQL

from ..guards import is_scheduler, policy_write


class ArCreditFile(models.Model):
    """The escalation run's actions for one customer: email, activities, letters, hold,
    deposit, hand-over and fees, written to the escalation history."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # One customer's actions for the stages reached today
    # ------------------------------------------------------------------

    def _ar_escalation_act(self, items, today):
        """One customer's actions for the stages its items reached today."""
        self.ensure_one()
        fired = defaultdict(list)
        for item in items:
            if item["reached_today"]:
                fired[item["stage"]].append(item["line"])
        stages = sorted(fired, key=lambda s: s.offset_days)
        for stage in stages:
            lines = self.env["account.move.line"].sudo().concat(*fired[stage])
            lines._ar_write_policy_fields({"ar_stage_id": stage.id, "ar_stage_date": today})
        rows = []
        contact = self._ar_escalation_contact()
        email_stages = [s for s in stages if s.action_email]
        message = self.env["mail.message"]
        # fees first: the reminder names the fee invoice posted tonight
        fee_rows = self._ar_escalation_fee_rows(fired, stages, today)
        if email_stages and contact.email:
            message = self._ar_escalation_send_mail(email_stages[-1].mail_template_id)
        for stage in stages:
            lines = self.env["account.move.line"].sudo().concat(*fired[stage])
            rows += self._ar_escalation_stage_rows(stage, lines, contact, message, today)
        rows += fee_rows
        self._ar_escalation_log(rows, today)

    def _ar_escalation_stage_rows(self, stage, lines, contact, message, today):
        """What one stage does for ``lines`` today, except fees: its history rows."""
        rows = []
        base = dict(file=self, stage=stage, lines=lines)
        if stage.action_email:
            if message:
                rows.append(dict(base, action="email", message=message))
            else:
                rows.append(dict(base, action="letter", note=self.env._(
                    "%s has no email address: a letter instead.", contact.display_name
                )))
                activity = self._ar_escalation_activity(stage, lines, no_email=True)
                rows.append(dict(base, action="activity", activity=activity))
                rows += self._ar_letter_address_rows(base, contact)
        if stage.action_activity:
            activity = self._ar_escalation_activity(stage, lines)
            rows.append(dict(base, action="activity", activity=activity))
        if stage.action_letter and not (stage.action_email and not message):
            rows.append(dict(base, action="letter"))
            rows += self._ar_letter_address_rows(base, contact)
        if stage.action_hold:
            rows.append(dict(base, action="hold"))
        if stage.action_deposit:
            percent = max(self.stage_deposit_percent, stage.deposit_percent)
            policy_write(self.sudo()).stage_deposit_percent = percent
            rows.append(dict(base, action="deposit", note=self.env._(
                "Deposit of %s%% required on the next orders.", percent
            )))
        if stage.action_handover:
            self._ar_escalation_handover(stage, lines, today)
            rows.append(dict(base, action="handover", note=dict(
                stage._fields["handover_to"]._description_selection(self.env)
            ).get(stage.handover_to)))
        return rows

    def _ar_letter_address_rows(self, base, contact):
        """A letter needs a postal address: without one, an activity on the file to
        fix it (the letter still prints, the run goes on)."""
        if contact._ar_has_postal_address():
            return []
        user = (self.collector_id or self.company_id.ar_default_collector_id
                or self.company_id.ar_credit_manager_id or self.env.ref("base.user_admin"))
        activity = self.sudo().with_context(mail_activity_quick_update=True).activity_schedule(
            "mail.mail_activity_data_todo", user_id=user.id,
            summary=self.env._("Fix the postal address of %s for the letter",
                               contact.display_name),
            note=Markup("<p>%s</p>") % self.env._(
                "The dunning letter has no street, city or country to print in the "
                "envelope window: complete the address, then print the letter again "
                "from the escalation history."),
            date_deadline=fields.Date.context_today(self),
        )
        return [dict(base, action="activity", activity=activity, note=self.env._(
            "No postal address for the letter: activity to fix it."))]

    def _ar_escalation_send_mail(self, template):
        """One email to the customer's invoicing contact, in its language, queued to go
        out with the transaction's commit (never sent by a run rolled back); in the
        light customer layout (no follower links: it is a mail to the customer, not a
        notification of the file), the overdue invoices' PDFs attached when the stage
        says so."""
        self.ensure_one()
        file = self.sudo().with_context(
            mail_notify_force_send=False, ar_escalation_mail=True,
            model_description=self.env._("account"),
        )
        if is_scheduler(self.env):
            file = file.with_user(self.env.ref("base.user_root"))
        stage = file._ar_escalation_tone_stage()
        attachments = file._ar_escalation_invoice_pdfs() if stage.mail_attach_invoices else []
        return file.message_post_with_source(
            template, message_type="comment", subtype_xmlid="mail.mt_comment",
            email_layout_xmlid="mail.mail_notification_light",
            record_name=file.partner_id.display_name,
            attachment_ids=[fields.Command.set([a.id for a in attachments])] if attachments
            else [],
        )

    def _notify_get_recipients_groups(self, message, model_description, msg_vals=False):
        """The customer reads a reminder, not the credit file: no "view" link to an
        internal record outside Odoo's own users."""
        groups = super()._notify_get_recipients_groups(
            message, model_description, msg_vals=msg_vals
        )
        if self.env.context.get("ar_escalation_mail"):
            for name, _check, data in groups:
                if name != "user":
                    data["has_button_access"] = False
        return groups

    def _ar_escalation_invoice_pdfs(self):
        """The PDF of each overdue invoice of the customer (Odoo's own invoice report,
        the one already sent when there is one), as attachments of the file."""
        self.ensure_one()
        position = self._ar_positions_of(self, self.company_id)[self.partner_id.id]
        moves = self.env["account.move"].sudo().browse(
            list(dict.fromkeys(item.move_id for item in position.overdue_items))
        ).filtered(lambda move: move.is_invoice())
        attachments = self.env["ir.attachment"]
        for move in moves:
            if move.invoice_pdf_report_id:
                content = move.invoice_pdf_report_id.raw
            else:
                content, _kind = self.env["ir.actions.report"].sudo()._render_qweb_pdf(
                    "account.account_invoices", move.ids)
            attachments |= self.env["ir.attachment"].sudo().create({
                "name": f"{move._get_invoice_report_filename()}",
                "raw": content, "mimetype": "application/pdf",
                "res_model": self._name, "res_id": self.id,
            })
        return attachments

    def _ar_escalation_activity(self, stage, lines, no_email=False):
        self.ensure_one()
        user = (stage.activity_user_id or self.collector_id
                or self.company_id.ar_default_collector_id
                or self.company_id.ar_credit_manager_id or self.env.ref("base.user_admin"))
        activity_type = stage.activity_type_id or self.env.ref("mail.mail_activity_data_call")
        invoices = ", ".join(lines.move_id.mapped("name"))
        if no_email:
            summary = self.env._("%(stage)s: send the letter (no email address)", stage=stage.name)
        else:
            summary = self.env._("%(stage)s: %(customer)s", stage=stage.name,
                                 customer=self.partner_id.display_name)
        note = Markup("<p>%s</p>") % self.env._("Items: %s", invoices)
        if stage.activity_note:
            note = stage.activity_note + note
        # the collector sees the activity in their list; no assignment email per customer
        return self.sudo().with_context(mail_activity_quick_update=True).activity_schedule(
            activity_type_id=activity_type.id, summary=summary, note=note, user_id=user.id,
            date_deadline=fields.Date.context_today(self),
        )

    def _ar_escalation_handover(self, stage, lines, today):
        """Flags the items and the file, and tells the credit manager."""
        self.ensure_one()
        lines._ar_write_policy_fields({"ar_handover": True, "ar_handover_date": today})
        self.sudo().handover = True
        manager = self.company_id.ar_credit_manager_id
        target = dict(stage._fields["handover_to"]._description_selection(self.env)).get(
            stage.handover_to
        )
        body = Markup("<p>%s</p>") % self.env._(
            "%(customer)s: items %(items)s handed over (%(target)s). Export them from "
            "Handed-Over Items.",
            customer=self.partner_id.display_name,
            items=", ".join(lines.move_id.mapped("name")), target=target,
        )
        author = self.env.ref("base.user_root").partner_id
        self.sudo().message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_note",
            partner_ids=manager.partner_id.ids, author_id=author.id,
        )

    # ------------------------------------------------------------------
    # History and stage state
    # ------------------------------------------------------------------

    def _ar_escalation_log(self, rows, today):
        """History rows and one chatter note per file summarising them."""
        if not rows:
            return self.env["ar.escalation.history"]
        history = self.env["ar.escalation.history"]._ar_record(
            [dict(row, run_date=today) for row in rows]
        )
        labels = dict(history._fields["action"]._description_selection(self.env))
        bodies = defaultdict(Markup)
        for row in history:
            text = labels[row.action]
            if row.stage_id:
                text = f"{row.stage_id.name} · {text}"
            body = Markup("<li><b>%s</b>") % text
            if row.move_line_ids:
                body += Markup(": %s") % ", ".join(row.move_line_ids.move_id.mapped("name"))
            if row.note:
                body += Markup(" (%s)") % row.note
            bodies[row.file_id.id] += body + Markup("</li>")
        self._ar_log_notes({
            fid: Markup("<p>%s</p><ul>%s</ul>") % (self.env._("Escalation"), body)
            for fid, body in bodies.items()
        })
        return history

    def _ar_escalation_update_state(self, today):
        """Each file's highest stage among its open items; a customer with nothing
        overdue drops back: no stage deposit, no hand-over flag."""
        if not self:
            return
        evaluation = self.with_context(ar_escalation_no_fire=True)._ar_escalation_state(today)
        for file in self:
            stage, overdue = evaluation.get(file.id, (self.env["ar.escalation.stage"], False))
            values = {}
            if file.escalation_stage_id != stage:
                values["escalation_stage_id"] = stage.id
            if not overdue:
                if file.stage_deposit_percent:
                    values["stage_deposit_percent"] = 0.0
                if file.handover:
                    values["handover"] = False
            if values:
                policy_write(file.sudo()).with_context(tracking_disable=True).write(values)

    def _ar_escalation_state(self, today):
        """{file id: (highest stage of its open items, whether any is overdue)} in one
        query per company, from the open items that count in the overdue figure."""
        self.env["ar.escalation.stage"].flush_model()
        self.flush_model(["partner_id", "company_id"])
        result = {}
        for company, files in self.grouped("company_id").items():
            rows = self.env.execute_query(SQL(
                """
                SELECT f.id,
                       (ARRAY_AGG(s.id ORDER BY s.offset_days DESC NULLS LAST)
                            FILTER (WHERE s.id IS NOT NULL))[1],
                       BOOL_OR(item.due_date < %(today)s)
                  FROM (%(items)s) item
                  JOIN ar_credit_file f ON f.partner_id = item.partner_id
                                       AND f.company_id = %(company)s
             LEFT JOIN ar_escalation_stage s ON s.id = item.stage_id
                 WHERE f.id IN %(file_ids)s
                   AND %(counted)s
              GROUP BY f.id
                """,
                today=today, company=company.id, file_ids=tuple(files.ids),
                items=self.env["ar.account.position"]._ar_open_item_sql(
                    company, today, tuple(files.partner_id.ids)),
                counted=self._ar_counted_item_sql(),
            ))
            Stage = self.env["ar.escalation.stage"].sudo()
            for file_id, stage_id, overdue in rows:
                result[file_id] = (Stage.browse(stage_id) if stage_id else Stage, bool(overdue))
        return result
