from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, format_date

from ..guards import is_scheduler
from ..rules import position as position_rules
from ..rules import score as score_rules
from ..rules import worklist as rules

# History actions by a collector that count as a contact with the customer (the
# customer's own, from its account page, do not).
CONTACT_ACTIONS = ("call", "promise", "dispute", "resend", "statement", "portal_answer")


class ArCreditFile(models.Model):
    """The file on the collector's worklist: snoozed, done for the day, its calls;
    ``_ar_refresh_worklist`` rebuilds its rows in bulk."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    worklist_snoozed_until = fields.Date(
        string="Snoozed Until", readonly=True,
        help="The file stays off the worklist until this date.",
    )
    worklist_snooze_reason = fields.Char(string="Snooze Reason", readonly=True)
    worklist_done_on = fields.Date(
        string="Worklist Done On", readonly=True,
        help="Last day the collector acted on the file (a call, a promise, a dispute, an "
        "invoice sent again, a snooze): it leaves that day's list.",
    )
    call_ids = fields.One2many("ar.call", "file_id", string="Calls")

    # ------------------------------------------------------------------
    # Collector's acts
    # ------------------------------------------------------------------

    def action_ar_log_call(self):
        self.ensure_one()
        return self._ar_open_wizard("ar.call.wizard", self.env._("Log a Call"),
                                    default_file_id=self.id)

    def _ar_worklist_done(self):
        """The collector acted today: off today's list (rebuilt for these files). What
        the customer does on its account page only refreshes its row: the collector
        still has to see it."""
        files = self.sudo()
        if not self.env.user._is_internal():
            files._ar_refresh_worklist()
            return
        files.write({"worklist_done_on": fields.Date.context_today(self)})
        files._ar_refresh_worklist()

    def _ar_log_statements(self, messages, stage=None, today=None):
        """A statement sent by the collector (from the worklist, the file, a list of
        customers) is the day's action: the file leaves today's list."""
        result = super()._ar_log_statements(messages, stage=stage, today=today)
        if messages and not is_scheduler(self.env):
            self.browse([file.id for file in messages])._ar_worklist_done()
        return result

    def _ar_snooze(self, until, reason):
        """Off the worklist until ``until`` (a later day), with a reason kept in the
        history and the chatter."""
        self.env["ar.promise"]._ar_check_controller()
        today = fields.Date.context_today(self)
        if not until or until <= today:
            raise ValidationError(self.env._(
                "Snooze Until: choose a day after today (%s).", format_date(self.env, today),
            ))
        if not (reason or "").strip():
            raise ValidationError(self.env._("Reason: say why the file can wait."))
        self.sudo().write({"worklist_snoozed_until": until, "worklist_snooze_reason": reason})
        note = self.env._("Snoozed until %(date)s: %(reason)s",
                          date=format_date(self.env, until), reason=reason)
        self.env["ar.escalation.history"]._ar_record([
            dict(file=file, action="snooze", note=note) for file in self
        ])
        self._ar_log_notes({file.id: Markup("<p>%s</p>") % note for file in self})
        self._ar_worklist_done()

    def _ar_reassign(self, collector):
        self.env["ar.promise"]._ar_check_controller()
        self.sudo().write({"collector_id": collector.id})
        self._ar_refresh_worklist()

    def _ar_overdue_moves(self):
        """The invoices of this file's overdue items (its account position's)."""
        self.ensure_one()
        file = self.sudo()
        position = self.env["ar.account.position"].sudo()._ar_positions(
            file.partner_id, file.company_id)[file.partner_id.id]
        return self.env["account.move"].browse(
            {item.move_id: True for item in position.overdue_items}
        )

    # ------------------------------------------------------------------
    # Rebuilding the rows in bulk
    # ------------------------------------------------------------------

    def _ar_refresh_worklist(self):
        """Today's rows of these files: a fixed number of queries per company (the
        account positions, the contacts, the promises, the disputes), then one delete
        and one create. Returns the number of rows."""
        files = self.sudo()
        Worklist = self.env["ar.worklist"].sudo()
        vals_list = []
        for company, company_files in files.grouped("company_id").items():
            today = fields.Date.context_today(self.with_company(company))
            vals_list += company_files._ar_worklist_rows(company, today)
        Worklist.search([("file_id", "in", files.ids)]).unlink()
        Worklist.create(vals_list)
        return len(vals_list)

    def _ar_worklist_rows(self, company, today):
        positions = self.env["ar.account.position"]._ar_positions(self.partner_id, company, today)
        contacts = self._ar_worklist_contacts()
        promises = self._ar_worklist_promises(today)
        requests = self._ar_worklist_requests()
        statement_asked = self._ar_worklist_statement_requested()
        disputes = self._ar_worklist_disputes(positions)
        settings = company._ar_worklist_settings()
        situations, facts = {}, {}
        for file in self:
            position = positions[file.partner_id.id]
            contact = contacts.get(file.id, {})
            promise = promises.get(file.id, {})
            dispute_count, dispute_since = disputes.get(file.partner_id.id, (0, None))
            situations[file.id] = rules.from_position(
                position,
                rating=file.payment_rating or None,
                broken_promises=promise.get("broken_count", 0),
                promise_broken_on=promise.get("broken_on"),
                promise_due_on=promise.get("next_due"),
                dispute_since=dispute_since,
                last_contact=contact.get("date"),
                snoozed_until=file.worklist_snoozed_until or None,
                done_on=file.worklist_done_on or None,
                statement_requested=file.id in statement_asked,
                request=requests.get(file.id, {}).get("kind"),
                request_since=requests.get(file.id, {}).get("date"),
            )
            facts[file.id] = (file, contact, promise, dispute_count)
        Worklist = self.env["ar.worklist"]
        rows = []
        for entry in rules.worklist(situations, today, settings):
            situation = situations[entry.key]
            file, contact, promise, dispute_count = facts[entry.key]
            rows.append({
                "date": today,
                "file_id": file.id,
                "partner_id": file.partner_id.id,
                "company_id": company.id,
                "collector_id": file.collector_id.id,
                "priority": entry.priority,
                "action": entry.action.code,
                "reason": Worklist._ar_reason_text(entry.action, today),
                "overdue_amount": situation.overdue_net,
                "oldest_days_late": situation.oldest_days_late,
                "payment_rating": file.payment_rating,
                "payment_trend": file.payment_trend,
                "last_contact_date": situation.last_contact,
                "last_outcome": contact.get("outcome"),
                "last_excuse_id": contact.get("excuse_id"),
                "promise_id": promise.get("id"),
                "promise_date": promise.get("date"),
                "promise_amount": promise.get("amount", 0.0),
                "promise_currency_id": promise.get("currency_id"),
                "promise_status": promise.get("status"),
                "dispute_count": dispute_count,
                "dispute_days": (today - situation.dispute_since).days
                if situation.dispute_since else 0,
                "stage_id": file.escalation_stage_id.id,
                "request_id": requests.get(file.id, {}).get("id"),
            })
        return rows

    def _ar_worklist_contacts(self):
        """{file id: {date, outcome, excuse_id}}: the last contact by a person (a call,
        a promise, a dispute, an invoice sent again) and the last call's outcome."""
        self.env["ar.escalation.history"].flush_model()
        self.env["ar.call"].flush_model()
        file_ids = tuple(self.ids)
        result = {}
        for file_id, day in self.env.execute_query(SQL(
            """
            SELECT h.file_id, MAX(h.date)::date
              FROM ar_escalation_history h
              JOIN res_users u ON u.id = h.user_id AND NOT u.share
             WHERE h.file_id IN %s AND h.action IN %s
          GROUP BY h.file_id
            """, file_ids, CONTACT_ACTIONS,
        )):
            result[file_id] = {"date": day}
        for file_id, outcome, excuse_id in self.env.execute_query(SQL(
            """
            SELECT DISTINCT ON (file_id) file_id, outcome, excuse_id FROM ar_call
             WHERE file_id IN %s ORDER BY file_id, date DESC, id DESC
            """, file_ids,
        )):
            result.setdefault(file_id, {}).update(outcome=outcome, excuse_id=excuse_id)
        return result

    def _ar_worklist_promises(self, today):
        """{file id: promise facts}: broken count over the score's window, when the
        latest broke, and the latest open (else latest broken) promise with its next
        instalment date and status."""
        self.env["ar.promise"].flush_model()
        self.env["ar.promise.instalment"].flush_model()
        file_ids = tuple(self.ids)
        start = today - timedelta(days=score_rules.WINDOW_DAYS - 1)
        result = {}
        for file_id, broken_on, broken_count in self.env.execute_query(SQL(
            """
            SELECT file_id, MAX(state_date), COUNT(*) FILTER (WHERE state_date >= %s)
              FROM ar_promise WHERE file_id IN %s AND state = 'broken' GROUP BY file_id
            """, start, file_ids,
        )):
            result[file_id] = {"broken_on": broken_on, "broken_count": broken_count}
        for row in self.env.execute_query_dict(SQL(
            """
            SELECT DISTINCT ON (p.file_id) p.file_id, p.id, p.state, p.date, p.amount,
                   p.currency_id, MIN(i.date) FILTER (WHERE i.date >= %(today)s) AS next_due
              FROM ar_promise p
              LEFT JOIN ar_promise_instalment i ON i.promise_id = p.id
             WHERE p.file_id IN %(files)s AND p.state IN ('open', 'broken')
          GROUP BY p.id
          ORDER BY p.file_id, p.state = 'open' DESC, p.id DESC
            """, today=today, files=file_ids,
        )):
            facts = result.setdefault(row["file_id"], {})
            if row["state"] == "open":
                facts["next_due"] = row["next_due"]
                status = "due" if row["next_due"] == today else "open"
            else:
                status = "broken"
            facts.update(id=row["id"], date=row["date"], amount=row["amount"],
                         currency_id=row["currency_id"], status=status)
        return result

    def _ar_worklist_statement_requested(self):
        """The files whose customer asked for a statement on a call (the excuse's next
        step) and got none since."""
        self.env["ar.call"].flush_model()
        self.env["ar.call.excuse"].flush_model()
        self.env["ar.escalation.history"].flush_model()
        return {file_id for (file_id,) in self.env.execute_query(SQL(
            """
            SELECT c.file_id FROM ar_call c
              JOIN ar_call_excuse e ON e.id = c.excuse_id AND e.next_step = %s
             WHERE c.file_id IN %s AND c.outcome = 'reached'
               AND NOT EXISTS (SELECT 1 FROM ar_escalation_history h
                                WHERE h.file_id = c.file_id AND h.action = 'statement'
                                  AND h.date >= c.date)
          GROUP BY c.file_id
            """, rules.STEP_STATEMENT, tuple(self.ids),
        ))}

    def _ar_worklist_requests(self):
        """{file id: {id, kind, date}}: the customer's oldest request from its account
        page still awaiting an answer (a plan or a promise to accept or decline first,
        then an open dispute)."""
        self.env["ar.portal.request"].flush_model()
        result = {}
        for row in self.env.execute_query_dict(SQL(
            """
            SELECT DISTINCT ON (file_id) file_id, id, kind, create_date::date AS date
              FROM ar_portal_request
             WHERE file_id IN %s
               AND ((kind IN ('promise', 'plan') AND state = 'requested')
                    OR (kind = 'dispute' AND state = 'open'))
          ORDER BY file_id, kind = 'dispute', create_date, id
            """, tuple(self.ids),
        )):
            result[row["file_id"]] = row
        return result

    def _ar_worklist_disputes(self, positions):
        """{partner id: (open disputed items, oldest dispute date)} from the positions'
        items out of the ladder for a dispute, dated in one query."""
        line_ids = {
            item.line_id: partner_id
            for partner_id, position in positions.items()
            for item in position.items if item.excluded == position_rules.DISPUTE
        }
        if not line_ids:
            return {}
        lines = self.env["account.move.line"].sudo().browse(list(line_ids))
        result = {}
        for line in lines:
            partner_id = line_ids[line.id]
            count, since = result.get(partner_id, (0, None))
            day = line.ar_dispute_date or line.date
            result[partner_id] = (count + 1, min(since, day) if since else day)
        return result
