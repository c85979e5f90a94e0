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
        self._ar_escalation_act_files({self.id: items}, today)

    def _ar_escalation_act_files(self, evaluation, today):
        """The actions of these files for the stages their items reached today, in bulk:
        one stage write per stage, the reminders rendered in one composer per template
        and queued together, the activities in one create, the history rows in one
        insert and the chatter notes in one batch; fees per customer and currency.

        ``evaluation``: {file id: [item, ...]} as ``_ar_escalation_evaluate`` returns.
        """
        Line = self.env["account.move.line"].sudo()
        fired = {}
        by_stage = defaultdict(list)
        for file in self:
            stages = defaultdict(list)
            for item in evaluation.get(file.id, []):
                if item["reached_today"]:
                    stages[item["stage"]].append(item["line"].id)
                    by_stage[item["stage"]].append(item["line"].id)
            if stages:
                fired[file] = {stage: Line.browse(ids) for stage, ids in sorted(
                    stages.items(), key=lambda pair: pair[0].offset_days)}
        # the items' invoice names, read once for the batch (activities, notes)
        Line.browse([lid for ids in by_stage.values() for lid in ids]).move_id.mapped("name")
        for stage, line_ids in by_stage.items():
            Line.browse(line_ids)._ar_write_policy_fields(
                {"ar_stage_id": stage.id, "ar_stage_date": today})
        # fees first, for the whole batch: the reminder names the fee invoice posted tonight
        fee_rows = self._ar_escalation_fee_rows(fired, today)
        contacts = {file: file._ar_escalation_contact() for file in fired}
        templates = defaultdict(list)
        for file, stages in fired.items():
            email_stages = [s for s in stages if s.action_email]
            if email_stages and contacts[file].email:
                templates[email_stages[-1].mail_template_id].append(file.id)
        messages = {}
        if templates:
            files = self.browse([fid for ids in templates.values() for fid in ids])
            # read after the fees: the fee invoices count in the balance the mail states
            positions = self._ar_positions_of(files, files.company_id[:1], today)
            for template, file_ids in templates.items():
                messages.update(self.browse(file_ids).with_context(
                    ar_positions=positions)._ar_escalation_send_mails(template))
        rows, activities, handovers = [], [], []
        for file, stages in fired.items():
            message = messages.get(file.id, self.env["mail.message"])
            for stage, lines in stages.items():
                rows += file._ar_escalation_stage_rows(
                    stage, lines, contacts[file], message, today, activities, handovers)
        self._ar_escalation_create_activities(activities)
        self._ar_escalation_handovers(handovers, today)
        rows += fee_rows
        self._ar_escalation_log(rows, today)

    def _ar_xmlid_record(self, xmlid):
        """The record of ``xmlid`` from Odoo's cached lookup: ``env.ref`` also checks
        that the record exists, a query per call, so once per customer of a batch."""
        model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(
            xmlid, raise_if_not_found=True)
        return self.env[model].browse(res_id)

    def _ar_escalation_create_activities(self, activities):
        """Creates the activities [(row, values)] and completes their rows: in one
        create per round, a round holding at most one activity per file and user
        (mail.activity's create subscribes the users to the records in batch, and a
        record twice in that batch would be subscribed twice)."""
        rounds = []
        for row, values in activities:
            key = (values["res_id"], values["user_id"])
            for entries in rounds:
                if key not in entries:
                    entries[key] = (row, values)
                    break
            else:
                rounds.append({key: (row, values)})
        Activity = self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True)
        for entries in rounds:
            created = Activity.create([values for _row, values in entries.values()])
            for (row, _values), activity in zip(entries.values(), created, strict=True):
                row["activity"] = activity

    def _ar_escalation_stage_rows(self, stage, lines, contact, message, today, activities,
                                  handovers):
        """What one stage does for ``lines`` today, except fees: its history rows. The
        activities to create are appended to ``activities`` as (row, values), the
        hand-overs to ``handovers`` as (file, stage, lines): the caller does them all
        at once (and completes the activities' rows)."""
        rows = []
        base = dict(file=self, stage=stage, lines=lines)
        if stage.action_email:
            if message:
                rows.append(dict(base, action="email", message=message))
            else:
                rows.append(dict(base, action="letter", note=self.env._(
                    "%s has no email address: a letter instead.", contact.display_name
                )))
                row = dict(base, action="activity")
                activities.append((row, self._ar_escalation_activity_values(
                    stage, lines, no_email=True)))
                rows.append(row)
                rows += self._ar_letter_address_rows(base, contact, activities)
        if stage.action_activity:
            row = dict(base, action="activity")
            activities.append((row, self._ar_escalation_activity_values(stage, lines)))
            rows.append(row)
        if stage.action_letter and not (stage.action_email and not message):
            rows.append(dict(base, action="letter"))
            rows += self._ar_letter_address_rows(base, contact, activities)
        if stage.action_hold:
            rows.append(dict(base, action="hold"))
        if stage.action_deposit:
            percent = max(self.stage_deposit_percent, stage.deposit_percent)
            # not tracked, and tracking it would track the file's hand-over flag too
            policy_write(self.sudo()).with_context(tracking_disable=True).write(
                {"stage_deposit_percent": percent})
            rows.append(dict(base, action="deposit", note=self.env._(
                "Deposit of %s%% required on the next orders.", percent
            )))
        if stage.action_handover:
            handovers.append((self, stage, lines))
            rows.append(dict(base, action="handover", note=dict(
                stage._fields["handover_to"]._description_selection(self.env)
            ).get(stage.handover_to)))
        return rows

    def _ar_letter_address_rows(self, base, contact, activities):
        """A letter needs a postal address: without one, an activity on the file to
        fix it (the letter still prints, the run goes on). The activity is appended
        to ``activities`` as (row, values), created with the batch's others."""
        if contact._ar_has_postal_address():
            return []
        user = (self.collector_id or self.company_id.ar_default_collector_id
                or self.company_id.ar_credit_manager_id or self._ar_xmlid_record("base.user_admin"))
        row = dict(base, action="activity", note=self.env._(
            "No postal address for the letter: activity to fix it."))
        activities.append((row, {
            "activity_type_id": self._ar_xmlid_record("mail.mail_activity_data_todo").id,
            "summary": self.env._("Fix the postal address of %s for the letter",
                                  contact.display_name),
            "automated": True,
            "note": Markup("<p>%s</p>") % self.env._(
                "The dunning letter has no street, city or country to print in the "
                "envelope window: complete the address, then print the letter again "
                "from the escalation history."),
            "date_deadline": fields.Date.context_today(self),
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "user_id": user.id,
        }))
        return [row]

    def _ar_escalation_send_mails(self, template):
        """One email per file to its customer's invoicing contact, in its language,
        rendered for all these files by one composer (one render per field and
        language) and queued to go out with the transaction's commit (never sent by a
        run rolled back); in the light customer layout (no follower links: it is a
        mail to the customer, not a notification of the file), with the overdue
        invoices' PDFs attached when the stage says so (the highest stage reached
        today decides, as it sets the tone; the PDFs of all these files rendered in
        one report call). Returns {file id: mail.message}."""
        batch = self._ar_escalation_mail_batch()
        tone = batch["tone"]
        attachments = self.filtered(
            lambda file: tone[file.id].mail_attach_invoices)._ar_escalation_invoice_pdfs()
        files = self.sudo().with_context(
            mail_notify_force_send=False, ar_escalation_mail=True,
            model_description=self.env._("account"), ar_mail_batch=batch,
            ar_qweb_compiled={},  # the template's body compiled once per language
        )
        if is_scheduler(self.env):
            files = files.with_user(self._ar_xmlid_record("base.user_root"))
        composer = files.env["mail.compose.message"].with_context(
            default_composition_mode="comment",
            default_model=files._name,
            default_res_ids=files.ids,
            default_template_id=template.id,
        ).create({
            "message_type": "comment",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
            "email_layout_xmlid": "mail.mail_notification_light",
            # the body comes from the template itself (below): the composer's own
            # copy would be rendered for nothing
            "body": "",
        })
        # the composer's own comment mode, with what differs per file: the
        # customer's name as record name and the file's invoice PDFs
        post_values_all = composer._prepare_mail_values(files.ids)
        # the composer keeps a style-sanitized copy of the body, which no longer equals
        # the template's and so would be rendered as is, in English: the body comes from
        # the template itself, in each customer's language
        bodies = template.with_env(files.env)._render_field(
            "body_html", files.ids, compute_lang=True,
        )
        # the layout's "Your account" in the customer's language too
        langs = template.with_env(files.env)._render_lang(files.ids)
        descriptions = {lang: files.with_context(lang=lang).env._("account")
                        for lang in set(langs.values())}
        if composer.composition_batch:
            files = files.with_context(mail_create_nosubscribe=True)
        # what message_post looks up for each message, read for the batch at once: the
        # thread's first message (the parent), the reply-to address; and no tracking
        # values to look for (a reminder tracks nothing)
        files = files.with_context(
            ar_thread_parents=files._ar_thread_parents(),
            # the partners with a browser push device: Odoo looks for a reminder's
            # recipients' devices once per reminder, mostly to find none
            ar_push_partners=frozenset(
                self.env["mail.push.device"].sudo().search([]).partner_id.ids),
        )
        senders = defaultdict(list)
        for file in files:
            senders[post_values_all[file.id].get("email_from")].append(file.id)
        reply_tos = {}
        for sender, file_ids in senders.items():
            reply_tos.update(files.browse(file_ids)._notify_get_reply_to(default=sender))
        messages = {}
        for file in files:
            values = post_values_all[file.id]
            values.setdefault("reply_to", reply_tos[file.id])
            values["tracking_value_ids"] = []
            values["body"] = bodies[file.id]
            values["record_name"] = file.partner_id.display_name
            if attachments.get(file.id):
                values["attachment_ids"] = [
                    *(values.get("attachment_ids") or []), *attachments[file.id].ids]
            values["model_description"] = descriptions[langs[file.id]]
            messages[file.id] = file.message_post(**values)
        return messages

    def _ar_thread_parents(self):
        """{file id: id of the first message of its chatter, or False}: the parent
        ``message_post`` gives a new message of a flat thread, in one query."""
        parents = dict.fromkeys(self.ids, False)
        if self and self._mail_flat_thread:
            self.env["mail.message"].flush_model(["model", "res_id", "message_type"])
            parents.update(self.env.execute_query(SQL(
                """SELECT DISTINCT ON (res_id) res_id, id FROM mail_message
                    WHERE model = %s AND res_id IN %s AND message_type != 'user_notification'
                 ORDER BY res_id, id""", self._name, tuple(self.ids))))
        return parents

    def _message_compute_parent_id(self, parent_id):
        """The parent read in bulk by the run (``_ar_thread_parents``), when it has."""
        parents = self.env.context.get("ar_thread_parents")
        if not parent_id and isinstance(parents, dict) and self.id in parents:
            return parents[self.id]
        return super()._message_compute_parent_id(parent_id)

    def _notify_thread_by_web_push(self, message, recipients_data, msg_vals=False, **kwargs):
        """No browser push to look for when none of the recipients has a device (the
        run reads the partners with one once per batch: ``ar_push_partners``)."""
        with_devices = self.env.context.get("ar_push_partners")
        if isinstance(with_devices, frozenset) and not with_devices & {
                recipient["id"] for recipient in recipients_data}:
            return None
        return super()._notify_thread_by_web_push(
            message, recipients_data, msg_vals=msg_vals, **kwargs)

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

    def _mail_get_partner_fields(self, introspect_fields=False):
        """While the run posts reminders, the file names no customer of its own: the
        template addresses the invoicing contact, and the customer is given no link
        to the file; so Odoo's portal prepares no access link (a signup write on the
        customer) per reminder."""
        if self.env.context.get("ar_escalation_mail"):
            return []
        return super()._mail_get_partner_fields(introspect_fields=introspect_fields)

    def _ar_escalation_invoice_pdfs(self):
        """{file id: ir.attachment}: the PDF of each overdue invoice of these files'
        customers (Odoo's own invoice report, the one already sent when there is one),
        as attachments of the file. The invoices without a sent PDF are rendered
        together, in one report call for the batch."""
        positions = self.env.context.get("ar_positions") or {}
        moves_of = {}
        for file in self:
            position = positions.get(file.partner_id.id) or self._ar_positions_of(
                file, file.company_id)[file.partner_id.id]
            moves_of[file] = self.env["account.move"].sudo().browse(
                list(dict.fromkeys(item.move_id for item in position.overdue_items))
            ).filtered(lambda move: move.is_invoice())
        moves = self.env["account.move"].sudo().union(*moves_of.values())
        to_render = moves.filtered(lambda move: not move.invoice_pdf_report_id)
        contents = {move.id: move.invoice_pdf_report_id.raw
                    for move in moves - to_render}
        if to_render:
            contents.update(self._ar_invoice_pdf_contents(to_render))
        values = []
        for file, file_moves in moves_of.items():
            for move in file_moves:
                content = contents[move.id]
                values.append({
                    "name": move._get_invoice_report_filename(),
                    "raw": content, "mimetype": "application/pdf",
                    "res_model": self._name, "res_id": file.id,
                })
        result = defaultdict(lambda: self.env["ir.attachment"])
        for attachment in self.env["ir.attachment"].sudo().create(values):
            result[attachment.res_id] |= attachment
        return dict(result)

    def _ar_invoice_pdf_contents(self, moves):
        """{move id: PDF bytes} of Odoo's invoice report for ``moves``: one report
        call split per invoice; one call per invoice when the report cannot be split
        (and in tests, where Odoo renders HTML instead)."""
        Report = self.env["ir.actions.report"].sudo()
        streams, _kind = Report._pre_render_qweb_pdf("account.account_invoices", moves.ids)
        if isinstance(streams, dict) and all(
                streams.get(move.id, {}).get("stream") for move in moves):
            return {move.id: streams[move.id]["stream"].getvalue() for move in moves}
        return {move.id: Report._render_qweb_pdf("account.account_invoices", move.ids)[0]
                for move in moves}

    def _ar_escalation_activity_values(self, stage, lines, no_email=False):
        """The values of the activity a stage schedules for this file's ``lines``."""
        self.ensure_one()
        user = (stage.activity_user_id or self.collector_id
                or self.company_id.ar_default_collector_id
                or self.company_id.ar_credit_manager_id or self._ar_xmlid_record("base.user_admin"))
        activity_type = stage.activity_type_id or self._ar_xmlid_record("mail.mail_activity_data_call")
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
        return {
            "activity_type_id": activity_type.id,
            "summary": summary,
            "automated": True,
            "note": note,
            "date_deadline": fields.Date.context_today(self),
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "user_id": user.id,
        }

    def _ar_escalation_handovers(self, handovers, today):
        """Flags the items and the files handed over today [(file, stage, lines)], and
        tells each credit manager once for the batch: one notification listing the
        customers, their items and where they go (the files' own escalation notes and
        history say it per customer). The flag is not tracked: the history is its
        record."""
        if not handovers:
            return
        Line = self.env["account.move.line"].sudo()
        Line.union(*(lines for _file, _stage, lines in handovers))._ar_write_policy_fields(
            {"ar_handover": True, "ar_handover_date": today})
        files = self.browse().union(*(file for file, _stage, _lines in handovers)).sudo()
        policy_write(files).with_context(tracking_disable=True).write({"handover": True})
        targets = dict(self.env["ar.escalation.stage"]._fields["handover_to"]
                       ._description_selection(self.env))
        by_manager = defaultdict(list)
        for file, stage, lines in handovers:
            by_manager[file.company_id.ar_credit_manager_id].append(
                # a link that works in the manager's email as in the web client
                Markup('<li><a href="%s">%s</a>: %s (%s)</li>') % (
                    file.sudo()._notify_get_action_link("view"), file.partner_id.display_name,
                    ", ".join(lines.move_id.mapped("name")), targets.get(stage.handover_to)))
        author = self._ar_xmlid_record("base.user_root").partner_id
        for manager, items in by_manager.items():
            if not manager:
                continue
            body = Markup("<p>%s</p><ul>%s</ul><p>%s</p>") % (
                self.env._("Handed over by tonight's escalation run:"), Markup().join(items),
                self.env._("Export them from Handed-Over Items."))
            self.browse().sudo().message_notify(
                partner_ids=manager.partner_id.ids, author_id=author.id, body=body,
                subject=self.env._("Credit Policy: %s customer(s) handed over", len(items)),
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
        self._ar_escalation_invoice_notes(history, labels)
        return history

    def _ar_escalation_invoice_notes(self, history, labels):
        """A short internal note on each invoice the run acted on: the stage it reached,
        the reminder or fee sent for it, with a link to the credit file; one batch of
        notes for all the invoices (``_ar_message_log_bulk``: internal, no notification)."""
        steps = defaultdict(lambda: defaultdict(list))  # move id: {stage: [text]}
        files = {}
        for row in history.filtered(lambda r: r.action != "error" and r.move_line_ids):
            text = labels[row.action]
            if row.fee_move_id:
                text = Markup("%s %s") % (text, row.fee_move_id._get_html_link())
            for move in row.move_line_ids.move_id:
                steps[move.id][row.stage_id].append(text)
                files[move.id] = row.file_id
        if not steps:
            return
        bodies = {}
        for move_id, by_stage in steps.items():
            items = Markup().join(
                Markup("<li>%s</li>") % (
                    Markup("%s: %s") % (
                        self.env._("%s reached", stage.name) if stage else
                        self.env._("Escalation"),
                        Markup(", ").join(texts),
                    )
                )
                for stage, texts in sorted(by_stage.items(), key=lambda p: p[0].offset_days)
            )
            file = files[move_id].sudo()
            bodies[move_id] = Markup("<p>%s (%s)</p><ul>%s</ul>") % (
                self.env._("Credit escalation"),
                file._get_html_link(title=self.env._("credit file")),
                items,
            )
        moves = self.env["account.move"].sudo().browse(list(bodies))
        if is_scheduler(self.env):
            moves = moves.with_user(self._ar_xmlid_record("base.user_root"))
        moves._ar_message_log_bulk(bodies)

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
