from odoo import api, fields, models
from odoo.tools import SQL

from ..guards import policy_write
from ..rules import credit as rules
from ..rules import score as score_rules
from .res_company import CREDIT_STATUSES


class ArCreditFile(models.Model):
    """Credit status, pilot growth and credit reviews."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Credit status and reviews
    # ------------------------------------------------------------------

    def _ar_set_status(self, status, reason):
        self._ar_check_manager()
        labels = dict(CREDIT_STATUSES)
        for file in self.filtered(lambda f: f.credit_status != status):
            old = file.credit_status
            policy_write(file.sudo()).credit_status = status
            file._ar_log("status", reason=reason, old_value=labels[old], new_value=labels[status],
                         chatter=True)
            if status == "pilot":
                file._ar_start_pilot(reason)

    def _ar_set_review_date(self, review_date, reason):
        self._ar_check_manager()
        for file in self.filtered(lambda f: f.review_date != review_date):
            old = file.review_date
            policy_write(file.sudo()).review_date = review_date
            file._ar_log("review", reason=reason, old_value=str(old or ""),
                         new_value=str(review_date or ""))

    # ------------------------------------------------------------------
    # Pilot growth
    # ------------------------------------------------------------------

    def _ar_start_pilot(self, reason):
        """A pilot starts at the company's starting limit and grows from today."""
        today = fields.Date.context_today(self)
        for file in self:
            policy_write(file.sudo()).write({
                "credit_status": "pilot",
                "pilot_start_date": today,
                "pilot_steps_granted": 0,
            })
            file.sudo()._ar_set_limit(file.company_id.ar_pilot_start_limit, reason)

    @api.model
    def _ar_paid_on_time_counts(self, files):
        """Invoices paid in full by their due date plus the company's grace, since each
        file's pilot started: {file id: count}, in one query."""
        if not files:
            return {}
        self.env["account.move"].flush_model()
        self.env["account.move.line"].flush_model()
        self.env["account.partial.reconcile"].flush_model()
        self.flush_model()
        rows = self.env.execute_query(SQL(
            """
            WITH paid AS (
                SELECT f.id AS file_id, m.id AS move_id, m.invoice_date_due,
                       c.ar_pilot_grace_days AS grace, MAX(apr.max_date) AS paid_on
                  FROM ar_credit_file f
                  JOIN res_company c ON c.id = f.company_id
                  JOIN res_company mc ON mc.parent_path LIKE c.parent_path || %(any)s
                  JOIN account_move m ON m.commercial_partner_id = f.partner_id
                                     AND m.company_id = mc.id
                  JOIN account_move_line l ON l.move_id = m.id AND l.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = l.id
                 WHERE f.id IN %(file_ids)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND m.ar_origin IS NULL
                   AND m.invoice_date >= f.pilot_start_date
              GROUP BY f.id, m.id, m.invoice_date_due, c.ar_pilot_grace_days
            )
            SELECT file_id, COUNT(*)
              FROM paid
             WHERE paid_on <= invoice_date_due + grace
          GROUP BY file_id
            """,
            file_ids=tuple(files.ids), any="%",
        ))
        return dict(rows)

    def _ar_grow_pilots(self):
        """Raise each pilot's limit by the steps it has earned; at the ceiling, approve."""
        counts = self._ar_paid_on_time_counts(self)
        grown = 0
        for file in self.filtered(lambda f: f.credit_status == "pilot"):
            company = file.company_id
            on_time = counts.get(file.id, 0)
            per_step = company.ar_pilot_invoices_per_step
            steps = on_time // per_step if per_step else 0
            if steps <= file.pilot_steps_granted:
                continue
            if not score_rules.allows_pilot_growth(file.payment_rating, company.ar_rating_rules):
                continue
            limit, graduated = rules.pilot_limit(
                company.ar_pilot_start_limit, company.ar_pilot_step, per_step,
                company.ar_pilot_ceiling, on_time,
            )
            reason = self.env._("%(count)s invoices paid on time since the pilot started", count=on_time)
            policy_write(file.sudo()).pilot_steps_granted = steps
            file.sudo()._ar_log(
                "pilot", reason=reason, new_value=self.env._("Step %s", steps), chatter=False
            )
            file.sudo()._ar_set_limit(limit, reason)
            if graduated:
                file.sudo()._ar_set_status("approved", self.env._("Pilot ceiling reached: %s", reason))
            grown += 1
        return grown

    # ------------------------------------------------------------------
    # Credit reviews
    # ------------------------------------------------------------------

    def _ar_schedule_reviews(self):
        """A review activity for the responsible credit manager, once per review date."""
        today = fields.Date.context_today(self)
        due = self.filtered(
            lambda f: f.review_date and f.review_date <= today
            and f.review_activity_date != f.review_date
        )
        for file in due:
            manager = file.company_id.ar_credit_manager_id or self.env.ref("base.user_admin")
            file.sudo().activity_schedule(
                "ar_policy.mail_activity_credit_review",
                date_deadline=file.review_date,
                summary=self.env._("Credit review of %s", file.partner_id.display_name),
                user_id=manager.id,
            )
            policy_write(file.sudo()).review_activity_date = file.review_date
        return len(due)

    @api.model
    def _cron_credit_review(self, batch_size=1000):
        """Nightly: pilot growth and due credit reviews."""
        today = fields.Date.context_today(self)
        pilots = self.sudo().search([("credit_status", "=", "pilot")], order="id")
        grown = self._ar_run_batches(pilots, "_ar_grow_pilots", batch_size)
        reviews = self.sudo().search([("review_date", "<=", today)], order="id")
        reviewed = self._ar_run_batches(reviews, "_ar_schedule_reviews", batch_size)
        return grown, reviewed
