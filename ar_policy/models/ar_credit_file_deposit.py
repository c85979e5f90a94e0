import dataclasses

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..guards import policy_write
from ..rules import deposit as deposit_rules
from .res_company import DEPOSIT_POLICIES


class ArCreditFile(models.Model):
    """The customer's deposit policy and the deposit a document requires."""

    _inherit = "ar.credit.file"  # pylint: disable=consider-merging-classes-inherited

    deposit_effective = fields.Char(
        string="Deposit Required", compute="_compute_deposit_effective",
        help="The deposit a new order of this customer requires today, and the rules "
        "behind it (its own policy, its status, a hold, the limit, an escalation stage).",
    )

    @api.depends("deposit_policy", "deposit_percent", "deposit_min_amount", "credit_status",
                 "credit_hold", "stage_deposit_percent", "deposit_after_release", "company_id",
                 "payment_rating")
    def _compute_deposit_effective(self):
        over_limit = {
            file.id: file.has_limit and file.headroom < 0 for file in self.sudo()
        }
        for file in self:
            # a document above the policy's threshold, so that the policy is shown applying
            amount = (file.deposit_min_amount or 0.0) + 1.0
            requirement = file._ar_deposit_requirement(
                amount, file.company_id, over_limit=over_limit.get(file.id, False)
            )
            if not requirement.required:
                file.deposit_effective = self.env._("No deposit")
                continue
            file.deposit_effective = self.env._(
                "%(percent)s%% (%(reasons)s)", percent=format(requirement.percent, "g"),
                reasons=self._ar_deposit_reason_text(requirement),
            )

    # ------------------------------------------------------------------
    # Deposits (the Sales bridge uses them for orders)
    # ------------------------------------------------------------------

    def _ar_set_deposit_policy(self, policy, percent, min_amount, reason):
        """A credit manager sets the customer's own deposit policy, with a reason."""
        self._ar_check_manager()
        self._ar_require_reason(reason)
        if not deposit_rules.check_percent(percent or 0.0):
            raise ValidationError(self.env._("Deposit (%) must be between 0 and 100."))
        if (min_amount or 0.0) < 0:
            raise ValidationError(self.env._("Deposit Above cannot be negative."))
        labels = dict(DEPOSIT_POLICIES)
        for file in self:
            old = file._ar_deposit_policy_text(labels)
            policy_write(file.sudo()).write({
                "deposit_policy": policy or "none",
                "deposit_percent": percent if policy == "percent" else 0.0,
                "deposit_min_amount": min_amount or 0.0,
            })
            new = file._ar_deposit_policy_text(labels)
            if new != old:
                file._ar_log("deposit", reason=reason, old_value=old, new_value=new)

    def _ar_deposit_policy_text(self, labels):
        self.ensure_one()
        text = labels.get(self.deposit_policy or "none", "")
        if self.deposit_policy == "percent":
            text = f"{text} {self.deposit_percent:g}%"
        if self.deposit_policy in ("percent", "full") and self.deposit_min_amount:
            text += self.env._(" above %s", format_amount(self.env, self.deposit_min_amount,
                                                          self.currency_id))
        return text

    @api.model
    def _ar_deposit_risk(self, company):
        """The company's risk rules, or None when its credit enforcement is off."""
        if company.ar_enforcement_mode == "off":
            return None
        return deposit_rules.RiskSettings(
            prepayment=company.ar_deposit_prepayment_percent,
            pilot=company.ar_deposit_pilot_percent,
            limit=company.ar_deposit_limit_percent,
            hold=company.ar_deposit_hold_percent,
            restart=company.ar_deposit_restart_percent,
            rating_d=company.ar_deposit_rating_d_percent if company.ar_rating_rules else 0.0,
        )

    def _ar_deposit_requirement(self, amount, company, over_limit=False, prepayment_rule=True):
        """The deposit a document of ``amount`` (company currency, tax included) needs
        from this file's customer; an empty file gets the company's defaults.

        ``prepayment_rule``: False for invoices, where the credit check already wants a
        prepayment-only customer's invoice covered by its advance payments."""
        company = company.root_id
        file = self[:1]
        if file:
            own = (file.deposit_policy, file.deposit_percent, file.deposit_min_amount)
            status, on_hold = file.credit_status, file.credit_hold
        else:
            own = (company.ar_default_deposit_policy, company.ar_default_deposit_percent,
                   company.ar_default_deposit_min_amount)
            status, on_hold = company.ar_default_credit_status, False
        risk = self._ar_deposit_risk(company)
        if risk and not prepayment_rule:
            risk = dataclasses.replace(risk, prepayment=0.0)
        return deposit_rules.required_deposit(
            amount, policy=own[0], percent=own[1], min_amount=own[2], status=status,
            on_hold=on_hold, over_limit=over_limit,
            stage_percent=file.stage_deposit_percent if file else 0.0,
            restart=bool(file and file.deposit_after_release),
            risk=risk, rounding=company.currency_id.rounding,
            rating=file.payment_rating if file and company.ar_rating_rules else None,
        )

    @api.model
    def _ar_deposit_reason_text(self, requirement):
        """Why a deposit is required, in words (no amounts behind exposure)."""
        labels = {
            deposit_rules.REASON_POLICY: self.env._("the customer's deposit policy"),
            deposit_rules.REASON_PREPAYMENT: self.env._("prepayment only"),
            deposit_rules.REASON_PILOT: self.env._("pilot customer"),
            deposit_rules.REASON_LIMIT: self.env._("over the credit limit"),
            deposit_rules.REASON_HOLD: self.env._("on credit hold"),
            deposit_rules.REASON_STAGE: self.env._("escalation stage"),
            deposit_rules.REASON_RESTART: self.env._("released from a credit hold"),
            deposit_rules.REASON_RATING: self.env._("payment rating D"),
        }
        return ", ".join(labels[r] for r in requirement.reasons)

    def _ar_deposit_paid_clear_restart(self, document):
        """The first document whose deposit is paid after a release ends the restart rule."""
        files = self.filtered("deposit_after_release")
        if files:
            policy_write(files.sudo()).deposit_after_release = False
            files._ar_log("deposit", reason=self.env._("Deposit paid on %s", document.display_name),
                          cause=self.env._("Released from a credit hold"),
                          old_value=self.env._("Restart deposit"), new_value="-")
