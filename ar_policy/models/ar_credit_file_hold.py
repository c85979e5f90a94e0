from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import format_amount

from ..guards import as_scheduler, policy_write
from ..rules import credit as rules
from .ar_credit_file import HOLD_CAUSE_FIELDS


class ArCreditFile(models.Model):
    """Credit holds: manual holds and releases, automatic causes, the nightly refresh."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    @api.depends("hold_cause_overdue", "hold_cause_stage", "hold_cause_manual")
    @api.depends_context("uid")
    def _compute_hold_causes(self):
        """The causes in the reader's words: users without Billing rights (salespeople)
        read no internal term such as the escalation stage (DESIGN 4)."""
        labels = self._hold_cause_labels()
        if not self.env.user.has_group("account.group_account_invoice"):
            labels[rules.CAUSE_STAGE] = self.env._("Unpaid after reminders")
        for file in self:
            file.hold_causes = ", ".join(
                labels[cause] for cause, fname in HOLD_CAUSE_FIELDS.items() if file[fname]
            )

    # ------------------------------------------------------------------
    # Hold causes
    # ------------------------------------------------------------------

    @api.model
    def _hold_cause_labels(self):
        return {
            rules.CAUSE_OVERDUE: self.env._("Overdue policy"),
            rules.CAUSE_STAGE: self.env._("Escalation stage"),
            rules.CAUSE_MANUAL: self.env._("Manual"),
        }

    def _hold_cause_set(self):
        self.ensure_one()
        return {cause for cause, fname in HOLD_CAUSE_FIELDS.items() if self[fname]}

    # ------------------------------------------------------------------
    # Manual hold and release
    # ------------------------------------------------------------------

    def _ar_set_manual_hold(self, reason):
        self._ar_check_manager()
        self._ar_require_reason(reason)
        today = fields.Date.context_today(self)
        for file in self.filtered(lambda f: not f.hold_cause_manual):
            policy_write(file.sudo()).write({
                "hold_cause_manual": True,
                "credit_hold": True,
                "hold_reason": reason,
                "hold_since": file.hold_since or today,
            })
            file._ar_log("hold", reason=reason,
                         cause=self._hold_cause_labels()[rules.CAUSE_MANUAL])

    def _ar_release_hold(self, reason):
        """A credit manager lifts every cause; automatic ones stay lifted until a new
        item falls due after the release (DESIGN 2)."""
        self._ar_check_manager()
        self._ar_require_reason(reason)
        today = fields.Date.context_today(self)
        labels = self._hold_cause_labels()
        for file in self.filtered("credit_hold"):
            causes = ", ".join(labels[c] for c in sorted(file._hold_cause_set()))
            policy_write(file.sudo()).write({
                "hold_cause_manual": False,
                "hold_cause_overdue": False,
                "hold_cause_stage": False,
                "credit_hold": False,
                "hold_reason": False,
                "hold_since": False,
                "hold_released_on": today,
                "deposit_after_release": True,
            })
            file._ar_log("release", reason=reason, cause=causes)

    # ------------------------------------------------------------------
    # Automatic hold
    # ------------------------------------------------------------------

    def _ar_automatic_causes(self, fig, company, today):
        """Automatic causes that hold this file today (the escalation issue adds the
        stage cause by extending this)."""
        self.ensure_one()
        oldest = fig["oldest_due"]
        held = rules.overdue_hold(
            self._ar_overdue(fig),
            (today - oldest).days if oldest else 0,
            company.ar_hold_overdue_amount,
            company.ar_hold_overdue_days,
            released_on=self.hold_released_on,
            newest_overdue_due=fig["newest_due"],
            rounding=company.currency_id.rounding,
        )
        return {rules.CAUSE_OVERDUE} if held else set()

    def _ar_refresh_holds(self):
        """Re-evaluate the automatic causes of these files, in bulk per company.

        State-based, so running it twice, or again after an interruption, changes
        nothing more. Returns the number of files whose hold changed.
        """
        changed = 0
        labels = self._hold_cause_labels()
        for company, files in self.sudo().grouped("company_id").items():
            today = fields.Date.context_today(self.with_company(company))
            figures = self._ar_figures(files.partner_id, company)
            updates = defaultdict(lambda: self.browse())
            logs = []
            for file in files:
                current = file._hold_cause_set()
                automatic = file._ar_automatic_causes(figures[file.partner_id.id], company, today)
                new = rules.hold_changes(current, automatic)
                if new == current:
                    continue
                values = {fname: cause in new for cause, fname in HOLD_CAUSE_FIELDS.items()}
                values["credit_hold"] = bool(new)
                if current and not new:
                    values["deposit_after_release"] = True
                values["hold_since"] = (file.hold_since or today) if new else False
                key = tuple(sorted(values.items()))
                updates[key] |= file
                added = ", ".join(labels[c] for c in sorted(new - current))
                lifted = ", ".join(labels[c] for c in sorted(current - new))
                if added:
                    logs.append((file, "hold", added))
                if lifted:
                    logs.append((file, "release", lifted))
            for key, group in updates.items():
                policy_write(group).with_context(tracking_disable=True).write(dict(key))
                changed += len(group)
            entries = []
            for file, event, causes in logs:
                fig = figures[file.partner_id.id]
                oldest = fig["oldest_due"]
                reason = self.env._(
                    "Overdue: %(amount)s, oldest item %(days)s days late",
                    amount=format_amount(self.env, file._ar_overdue(fig), company.currency_id),
                    days=(today - oldest).days if oldest else 0,
                )
                entries.append(dict(file=file, event=event, reason=reason, cause=causes))
            self._ar_log_many(entries)
        return changed

    @api.model
    def _ar_refresh_holds_for_partners(self, partners, companies):
        """At once when a payment is reconciled, for the customers it touches."""
        for company in companies.root_id:
            if not (company.ar_hold_overdue_amount or company.ar_hold_overdue_days):
                continue
            files = self.sudo().search([
                ("partner_id", "in", partners.commercial_partner_id.ids),
                ("company_id", "=", company.id),
            ])
            as_scheduler(files, False)._ar_refresh_holds()

    @api.model
    def _cron_refresh_holds(self, batch_size=1000):
        """Nightly: automatic hold causes for every file, in batches with a commit each."""
        files = self.sudo().search([
            "|", ("company_id.ar_hold_overdue_amount", ">", 0),
            "|", ("company_id.ar_hold_overdue_days", ">", 0),
            ("hold_cause_overdue", "=", True),
        ], order="id")
        return self._ar_run_batches(files, "_ar_refresh_holds", batch_size)
