"""One credit check for every document (DESIGN 4).

Invoices and, with the Sales bridge, orders describe themselves to this service and
call it; the service decides, words the refusal, refuses or logs, and offers a credit
manager the one override wizard. A document model provides:

- ``_ar_credit_documents()``: the records of ``self`` the check looks at, as
  :class:`CreditDocument` (customer, amount in company currency, company);
- ``_ar_credit_deposits(verdicts, figures, company, weigh)``: the deposit rules applied
  to its verdicts (invoices weigh advance payments, orders their own deposit);
- ``_ar_credit_kind()``: its :class:`DocumentKind` (wording, the override wizard);
- ``_ar_deposit_message(decision, show_amounts)``: what its deposit refusal says;
- ``_ar_credit_log_values(reason)``: how the credit file's history names it;
- ``_ar_credit_proceed()``: post or confirm (the override wizard calls it);
- ``_ar_credit_interactive()`` and ``_ar_credit_blocked(verdict)``: a path that must
  never raise (the portal, a payment) sets refused documents aside and says why.
"""

import dataclasses
from typing import NamedTuple

from odoo import api, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

from ..exceptions import ArCreditRefusal, manager_override_offer
from ..rules import credit as rules
from ..rules import deposit as deposit_rules

MANAGER = "ar_policy.group_credit_manager"
BILLING = "account.group_account_invoice"
NO_DEPOSIT = deposit_rules.Requirement()


class _Reasons(NamedTuple):
    """A deposit requirement reduced to its reasons (to word them one by one)."""

    reasons: tuple


class CreditDocument(NamedTuple):
    """A document as the check sees it."""

    record: object  # one account.move or sale.order
    partner: object  # its commercial partner
    amount: float  # what it adds to exposure, in company currency
    company: object  # the root company whose credit file applies
    counted_move_id: int = 0  # a draft invoice the figures would count already


@dataclasses.dataclass(frozen=True)
class DocumentKind:
    """How a kind of document is named in the check's messages, and where its
    override goes."""

    this: str  # "this invoice"
    this_first: str  # "This invoice", at the start of a sentence
    refuse: str  # heading of a refusal: "The credit policy refuses to post:"
    manager_only: str
    override_note: str  # with %(user)s, %(message)s, %(reason)s
    warning_note: str  # with %s, the message
    button: str  # the credit manager's button on the refusal
    action: str  # xmlid of the override wizard's action
    wizard_field: str  # the override wizard's field that holds these documents


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The check of one document."""

    document: CreditDocument
    file: object  # the customer's credit file (empty when it has none yet)
    decision: rules.Decision
    limit: float = 0.0
    requirement: deposit_rules.Requirement = NO_DEPOSIT

    @property
    def record(self):
        return self.document.record

    @property
    def blocking(self):
        """Refused in block mode, or waiting for its deposit in any mode."""
        return self.decision.refused and (
            self.record.company_id.ar_enforcement_mode == "block"
            or self.decision.reason == "deposit"
        )


class ArCreditCheck(models.AbstractModel):
    _name = "ar.credit.check"
    _description = "Credit Check of Invoices and Orders"

    @api.model
    def _ar_verdicts(self, documents, weigh_deposits=True, known_files=None):
        """{record: Verdict} for ``documents`` (CreditDocument), cumulatively per
        customer in their order: a fixed number of queries however many documents the
        customers have. ``known_files``: {company: {partner id: file}} when the caller
        has just read them."""
        File = self.env["ar.credit.file"].sudo()
        by_company = {}
        for document in documents:
            by_company.setdefault(document.company, []).append(document)
        result = {}
        for company, company_documents in by_company.items():
            partners = self.env["res.partner"].union(*(d.partner for d in company_documents))
            files = (known_files or {}).get(company) or File._ar_files_for(partners, company)
            # the exposure totals only, summed in SQL: posting costs the same for a
            # customer with a thousand open invoices as for one with ten
            figures = self.env["ar.account.position"]._ar_totals(
                partners, company, exclude_move_ids=[
                    d.counted_move_id for d in company_documents if d.counted_move_id
                ])
            limits = File._ar_limits(partners, company)
            state = {}
            for partner in partners:
                file = files.get(partner.id)
                status = file.credit_status if file else company.ar_default_credit_status
                exposure = File._ar_exposure(figures[partner.id], company)
                if status == rules.PREPAYMENT:
                    exposure = dataclasses.replace(
                        exposure, net_unallocated=True, include_drafts=True
                    )
                state[partner.id] = (
                    status, bool(file and file.credit_hold), limits[partner.id], exposure.total
                )
            decisions = rules.check_batch(
                [(d.record, d.partner.id, d.amount) for d in company_documents],
                state, company.currency_id.rounding,
            )
            verdicts = {
                d.record: Verdict(d, files.get(d.partner.id, File), decisions[d.record],
                                  limits[d.partner.id])
                for d in company_documents
            }
            if company.ar_enforcement_mode != "off":
                records = self.env[company_documents[0].record._name].union(*verdicts)
                verdicts = records._ar_credit_deposits(verdicts, figures, company, weigh_deposits)
            result.update(verdicts)
        return result

    @api.model
    def _ar_message(self, record, file, decision, show_amounts, limit=None):
        """What the check says about ``record``; amounts behind the customer's
        exposure only for Billing users (DESIGN 4)."""
        if decision.reason == "deposit":
            message = record._ar_deposit_message(decision, show_amounts)
            if file and file.sudo().credit_hold:
                # the hold first (why, who lifts it), then the deposit that lets this
                # document through (DESIGN 4)
                partner = record.partner_id.commercial_partner_id
                message = f"{self._ar_hold_message(partner, file, record.company_id)} {message}"
            return message
        kind = record._ar_credit_kind()
        partner = record.partner_id.commercial_partner_id
        currency = record.company_id.currency_id
        if decision.reason == "hold":
            return self._ar_hold_message(partner, file, record.company_id)
        if decision.reason == "prepayment":
            message = self.env._(
                "%(customer)s pays in advance (prepayment only): %(document)s is not covered "
                "by its advance payments.", customer=partner.display_name, document=kind.this,
            )
            if show_amounts:
                message += " " + self.env._(
                    "Uncovered: %s.", format_amount(self.env, decision.excess, currency)
                )
            return message
        if not show_amounts:
            return self.env._("%(document)s takes %(customer)s over its credit limit.",
                              document=kind.this_first,
                              customer=partner.display_name)
        if limit is None:
            limit = self.env["ar.credit.file"].sudo()._ar_limits(
                partner, record.company_id
            )[partner.id]
        return self.env._(
            "%(customer)s would exceed its credit limit of %(limit)s: exposure after "
            "%(document)s %(exposure)s, excess %(excess)s.",
            customer=partner.display_name, document=kind.this,
            limit=format_amount(self.env, limit, currency),
            exposure=format_amount(self.env, decision.exposure_after, currency),
            excess=format_amount(self.env, decision.excess, currency),
        )

    @api.model
    def _ar_hold_message(self, partner, file, company):
        """A hold in words anyone may read (DESIGN 4: no amounts, no internal terms):
        its causes, the credit manager's own reason, and who lifts it."""
        file = file.sudo()
        causes = []
        if file.hold_cause_overdue:
            causes.append(self.env._("invoices overdue beyond what the credit policy allows"))
        if file.hold_cause_stage:
            causes.append(self.env._("invoices still unpaid after the payment reminders"))
        if file.hold_cause_manual:
            causes.append(
                self.env._("held by the credit manager: %s", file.hold_reason.strip())
                if file.hold_reason else self.env._("held by the credit manager")
            )
        message = self.env._("%(customer)s is on credit hold: %(causes)s.",
                             customer=partner.display_name, causes="; ".join(causes)) \
            if causes else self.env._("%s is on credit hold.", partner.display_name)
        return f"{message} {self._ar_hold_next_step(file, company)}"

    @api.model
    def _ar_hold_next_step(self, file, company):
        manager = company.sudo().root_id.ar_credit_manager_id
        if file.hold_cause_manual:
            step = self.env._("Only a credit manager can release it, with Release Hold on "
                              "the customer's credit file")
        else:
            step = self.env._("It lifts once the overdue invoices are paid; until then only a "
                              "credit manager can release it, with Release Hold on the "
                              "customer's credit file")
        if manager:
            return self.env._("%(step)s: ask %(manager)s.", step=step, manager=manager.name)
        return f"{step}."

    @api.model
    def _ar_deposit_reasons(self, requirement):
        """Why a deposit is required, in words a salesperson reads (no stage codes)."""
        File = self.env["ar.credit.file"]
        words = []
        for reason in requirement.reasons:
            if reason == deposit_rules.REASON_STAGE:
                words.append(self.env._("invoices still unpaid after the payment reminders"))
            else:
                words.append(File._ar_deposit_reason_text(_Reasons((reason,))))
        return ", ".join(words)

    @api.model
    def _ar_refusal_title(self, verdicts):
        """The refusal dialog's title: what happened (the first blocked document's)."""
        reason = verdicts[0].decision.reason if verdicts else ""
        if reason == "deposit" and verdicts[0].file.sudo().credit_hold:
            reason = "hold"  # the hold is what happened; its message names the deposit
        return {
            "hold": self.env._("Credit hold"),
            "deposit": self.env._("Deposit required"),
            "prepayment": self.env._("Prepayment required"),
        }.get(reason, self.env._("Over credit limit"))

    @api.model
    def _ar_verdict_message(self, verdict, show_amounts):
        return self._ar_message(verdict.record, verdict.file, verdict.decision, show_amounts,
                                verdict.limit)

    @api.model
    def _ar_label(self, record, show_amounts=True):
        """How a refusal names a document: its number, or for a draft its customer and
        total (the total for Billing users)."""
        if record.name and record.name != "/":
            return record.name
        customer = record.partner_id.commercial_partner_id.display_name
        if show_amounts:
            return self.env._(
                "Draft invoice for %(customer)s (%(amount)s)", customer=customer,
                amount=format_amount(self.env, record.amount_total, record.currency_id),
            )
        return self.env._("Draft invoice for %s", customer)

    @api.model
    def _ar_refusal_lines(self, verdicts, show_amounts):
        return "\n".join(
            f"{self._ar_label(v.record, show_amounts)}: {self._ar_verdict_message(v, show_amounts)}"
            for v in verdicts
        )

    @api.model
    def _ar_refusal(self, records):
        """Why the policy refuses ``records`` now, with amounts (the override wizard)."""
        verdicts = self._ar_verdicts(records._ar_credit_documents())
        return self._ar_refusal_lines([v for v in verdicts.values() if v.decision.refused], True)

    @api.model
    def _ar_enforce(self, records):
        """The one refuse-or-log path: the records of ``records`` that may be posted or
        confirmed.

        Interactive, any blocked document refuses them all, and the refusal lists every
        blocked one; elsewhere (``_ar_credit_interactive``) the blocked ones are set
        aside and told. A credit manager's override (``ar_credit_override_reason``,
        from the override wizard) lets them through, logged on document and file.
        Refusals in warn mode are logged the same way.
        """
        documents = records._ar_credit_documents()
        if not documents:
            return records
        kind = records._ar_credit_kind()
        override = self.env.context.get("ar_credit_override_reason")
        if override and not (self.env.su or self.env.user.has_group(MANAGER)):
            raise AccessError(kind.manager_only)
        File = self.env["ar.credit.file"].sudo()
        checked = records.browse([d.record.id for d in documents])
        files = {}
        for company, company_records in checked.grouped(lambda r: r.company_id.root_id).items():
            files[company] = File._ar_files_for(company_records.partner_id, company, create=True)
        File._ar_serialize_credit_check(checked)
        verdicts = self._ar_verdicts(documents, known_files=files)
        refused = [v for v in verdicts.values() if v.decision.refused]
        blocked = [v for v in refused if v.blocking]
        allowed = records
        if blocked and not override:
            if records._ar_credit_interactive():
                show_amounts = self.env.user.has_group(BILLING)
                raise ArCreditRefusal(
                    kind.refuse + "\n" + self._ar_refusal_lines(blocked, show_amounts),
                    title=self._ar_refusal_title(blocked),
                )
            for verdict in blocked:
                verdict.record.with_env(self.env)._ar_credit_blocked(verdict)
                allowed -= verdict.record
            refused = [v for v in refused if not v.blocking]
        for verdict in refused:
            record = verdict.record.with_env(self.env)
            message = self._ar_verdict_message(verdict, True)
            if verdict.blocking:
                body = kind.override_note % {
                    "user": self.env.user.name, "message": message, "reason": override,
                }
                event, reason, cause = "override", override, message
            else:
                body = kind.warning_note % message
                event, reason, cause = "warning", message, ""
            record.message_post(body=body)
            verdict.file._ar_log(event, cause=cause, **record._ar_credit_log_values(reason))
        for verdict in verdicts.values():
            if (verdict.record in allowed and verdict.file
                    and getattr(verdict.decision, "covered", False)
                    and deposit_rules.REASON_RESTART in verdict.decision.reasons):
                verdict.file._ar_deposit_paid_clear_restart(verdict.record)
        return allowed

    @api.model
    def _ar_offer_manager_wizard(self, records, refusal, action_xmlid=None, button=None):
        """A credit manager gets the refusal with a button to the wizard that asks for a
        reason (the override wizard unless told otherwise); anyone else gets the
        refusal itself."""
        if not self.env.user.has_group(MANAGER):
            raise refusal
        kind = records._ar_credit_kind()
        action = self.env["ir.actions.actions"]._for_xml_id(action_xmlid or kind.action)
        action["context"] = {f"default_{kind.wizard_field}": records.ids}
        raise manager_override_offer(refusal, action, button or kind.button) from refusal
