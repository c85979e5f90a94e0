from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_amount, format_date

from ..rules import aging as aging_rules
from ..rules import position as position_rules

STATEMENT_REPORT = "ar_policy.action_report_ar_statement"


class ArCreditFile(models.Model):
    """The customer's account page in Odoo's portal (issue 12): what the reminder
    states, read from the same account position, with the customer's requests."""

    _name = "ar.credit.file"
    _inherit = ["ar.credit.file", "portal.mixin"]  # pylint: disable=consider-merging-classes-inherited

    portal_request_ids = fields.One2many(
        "ar.portal.request", "file_id", string="Customer Requests"
    )
    portal_request_count = fields.Integer(compute="_compute_portal_request_count")

    def _compute_access_url(self):
        super()._compute_access_url()
        for file in self:
            file.access_url = f"/my/account-statement/{file.id}"

    def _compute_portal_request_count(self):
        counts = dict(self.env["ar.portal.request"]._read_group(
            [("file_id", "in", self.ids), ("state", "in", ("requested", "open"))],
            ["file_id"], ["__count"],
        ))
        for file in self:
            file.portal_request_count = counts.get(file, 0)

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Statement %s", self.partner_id.name)

    def _ar_portal_statement_url(self):
        """The customer's account page with this file's access token: the link the
        reminders and letters carry."""
        self.ensure_one()
        file = self.sudo()
        return file.get_base_url() + file.get_portal_url()

    def action_view_portal_requests(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customer Requests"),
            "res_model": "ar.portal.request",
            "view_mode": "list,form",
            "domain": [("file_id", "=", self.id)],
            "context": {"create": False},
        }

    @api.model
    def _ar_portal_aging_labels(self):
        return {
            aging_rules.NOT_DUE: self.env._("Not due"),
            aging_rules.DAYS_1_30: self.env._("1-30 days"),
            aging_rules.DAYS_31_60: self.env._("31-60 days"),
            aging_rules.DAYS_61_90: self.env._("61-90 days"),
            aging_rules.DAYS_91_120: self.env._("91-120 days"),
            aging_rules.OVER_120: self.env._("Over 120 days"),
        }

    def _ar_portal_values(self):
        """What the account page shows, from the account position: the reminder's
        items and totals, the aging, the promises, disputes and requests."""
        self.ensure_one()
        file = self.sudo()
        company = file.company_id
        today = fields.Date.context_today(file.with_company(company))
        position = file._ar_positions_of(file, company, today)[file.partner_id.id]
        reminder = file._ar_escalation_mail_values(position)
        env = self.env
        Line = env["account.move.line"].sudo()
        waiting_ids = set(file.portal_request_ids.filtered(
            lambda r: r.state == "requested").line_ids.ids)

        def portal_row(row):
            """The reminder's row of an item, with what the page adds: the customer's
            own request awaiting an answer, and the invoice's page on this site."""
            move, waiting = row["move"], row["line_id"] in waiting_ids
            return dict(
                row,
                note=env._("awaiting our answer") if waiting else row["note"],
                waiting=waiting,
                disputed=row["excluded"] == position_rules.DISPUTE,
                promised=row["excluded"] == position_rules.PROMISE,
                is_invoice=move.move_type == "out_invoice",
                url=move.get_portal_url() if move.is_invoice() else "",
            )

        aged = aging_rules.aged_position(position).row(file.partner_id.id)
        labels = self._ar_portal_aging_labels()
        aging = [(labels[code], format_amount(env, aged[code] if aged else 0.0,
                                              company.currency_id))
                 for code in aging_rules.CODES]
        promise_labels = dict(env["ar.promise"]._fields["state"]._description_selection(env))
        promises = file.promise_ids.filtered(
            lambda p: p.state == "open" or (p.state_date and (today - p.state_date).days <= 90)
        )
        disputed_lines = Line.browse([item.line_id for item in position.items
                                      if item.excluded == position_rules.DISPUTE])
        horizon = company.ar_promise_horizon_days
        return {
            "file": file,
            "company": company,
            "today": today,
            "reminder": reminder,
            "overdue": [portal_row(row) for part in reminder["currencies"]
                        for row in part["overdue"]],
            "not_due": [portal_row(row) for part in reminder["currencies"]
                        for row in part["not_due"]],
            "credits": [c for part in reminder["currencies"] for c in part["credits"]],
            "aging": aging,
            "promises": [{
                "summary": promise._ar_summary(),
                "state": promise_labels[promise.state],
                "state_code": promise.state,
            } for promise in promises],
            "disputes": [{
                "number": line.move_id.name,
                "date": format_date(env, line.ar_dispute_date),
                "reason": line.ar_dispute_reason or "",
            } for line in disputed_lines],
            "requests": file.portal_request_ids[:20],
            "reasons": env["ar.portal.request"]._ar_dispute_reasons(company),
            "horizon_date": fields.Date.to_string(today + timedelta(days=horizon)),
            "min_date": fields.Date.to_string(today),
            "max_instalments": company.ar_promise_max_instalments,
            "plans_allowed": company.ar_portal_plans_allowed,
        }
