from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id


class MailThread(models.AbstractModel):
    """Internal notes written in bulk by the policy's runs."""

    _inherit = "mail.thread"

    def _ar_message_log_bulk(self, bodies):
        """Internal notes {record id: Markup} on these records, the messages Odoo's
        ``_message_log_batch`` creates (note subtype, internal, by the environment
        user's partner, no notification, no follower), written in one INSERT: the ORM
        creates them one at a time, and a night's batch logs one on each invoice it
        acted on. Each distinct body is sanitized by ``mail.message.body`` itself,
        as a create would store it. Returns the messages (sudo)."""
        records = self.filtered(lambda record: record.id in bodies)
        Message = self.env["mail.message"].sudo()
        if not records:
            return Message
        author_id, email_from = records._message_compute_author(raise_on_email=False)
        body_field = Message._fields["body"]
        sanitized = {}
        for record_id in records.ids:
            body = bodies[record_id]
            if body not in sanitized:
                sanitized[body] = body_field.convert_to_column(body, Message)
        Message.flush_model()
        rows = self.env.execute_query(SQL(
            """
            INSERT INTO mail_message (
                   model, res_id, body, message_type, subtype_id, is_internal,
                   author_id, email_from, reply_to, message_id, email_add_signature,
                   date, create_uid, create_date, write_uid, write_date)
            SELECT %(model)s, note.res_id, note.body, 'notification', %(subtype)s, TRUE,
                   %(author)s, %(email_from)s, %(reply_to)s, %(message_id)s, FALSE,
                   %(date)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM UNNEST(%(res_ids)s::int[], %(bodies)s::text[]) WITH ORDINALITY
                   AS note(res_id, body, position)
          ORDER BY note.position
         RETURNING id
            """,
            model=self._name,
            subtype=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            author=author_id or None,
            email_from=email_from or None,
            reply_to=self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False]
            or None,
            message_id=generate_tracking_message_id("message-notify"),
            date=fields.Datetime.now(),
            now=self.env.cr.now(),
            uid=self.env.uid,
            res_ids=records.ids,
            bodies=[sanitized[bodies[record_id]] for record_id in records.ids],
        ))
        # what a create of the messages invalidates (mail.message._invalidate_documents)
        records.invalidate_recordset(
            ["message_ids", "message_needaction", "message_needaction_counter"])
        return Message.browse([row[0] for row in rows])
