from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..guards import is_policy_write, policy_write

INTERNAL = "base.group_user"
# The ladder's bookkeeping on items: written only through _ar_write_policy_fields
# (and the addon's own fee invoice lines).
AR_ITEM_FIELDS = frozenset({
    "ar_stage_id", "ar_stage_date", "ar_handover", "ar_handover_date", "ar_interest_date",
    "ar_fees_charged", "ar_fee_item_id", "ar_disputed", "ar_dispute_reason",
    "ar_dispute_date", "ar_promise_line_id", "ar_compensation_charged",
})


class AccountMoveLine(models.Model):
    """A receivable line is the unit the escalation ladder fires on (DESIGN 5): each
    instalment climbs the stages by its own due date, each stage once."""

    _inherit = "account.move.line"

    ar_stage_id = fields.Many2one(
        "ar.escalation.stage", string="Escalation Stage", readonly=True, groups=INTERNAL, copy=False,
        index="btree_not_null", ondelete="set null",
        help="Highest escalation stage fired for this item.",
    )
    ar_stage_date = fields.Date(string="Stage Reached On", readonly=True, groups=INTERNAL, copy=False)
    ar_handover = fields.Boolean(
        string="Handed Over", readonly=True, groups=INTERNAL, copy=False,
        help="Handed over to a collection agency or to legal by an escalation stage.",
    )
    ar_handover_date = fields.Date(string="Handed Over On", readonly=True, groups=INTERNAL, copy=False)
    ar_interest_date = fields.Date(
        string="Interest Charged Up To", readonly=True, groups=INTERNAL, copy=False,
        help="Late interest on this item was charged up to this date; the next charge "
        "counts the days from here (from the due date for the first one).",
    )
    ar_compensation_charged = fields.Boolean(
        string="Compensation Charged", readonly=True, groups=INTERNAL, copy=False,
        help="The statutory fixed compensation (EUR 40, GBP 40/70/100) was charged for "
        "this item's invoice: once per invoice.",
    )
    ar_fees_charged = fields.Monetary(
        string="Fees Charged", readonly=True, groups=INTERNAL, copy=False, currency_field="currency_id",
        help="Late fees and interest charged for this item so far, in its currency, "
        "less waivers: counts toward the company's cap.",
    )
    ar_fee_item_id = fields.Many2one(
        "account.move.line", string="Fee Charged For", readonly=True, groups=INTERNAL, copy=False,
        index="btree_not_null", ondelete="set null",
        help="On a late-fee invoice line: the overdue item it charges for.",
    )
    ar_disputed = fields.Boolean(
        string="Disputed", readonly=True, groups=INTERNAL, copy=False,
        help="Out of the escalation ladder and charged no fee until the dispute is closed.",
    )
    ar_dispute_reason = fields.Text(string="Dispute Reason", readonly=True, groups=INTERNAL, copy=False)
    ar_dispute_date = fields.Date(string="Disputed On", readonly=True, groups=INTERNAL, copy=False)
    ar_promise_line_id = fields.Many2one(
        "ar.promise", string="Promise to Pay", readonly=True, groups=INTERNAL, copy=False,
        index="btree_not_null", ondelete="set null",
        help="The latest promise to pay covering this item: while it is live the item "
        "is out of the escalation ladder and of the overdue figure.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._ar_check_policy_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._ar_check_policy_fields(vals)
        return super().write(vals)

    @api.model
    def _ar_check_policy_fields(self, vals):
        """The ladder's bookkeeping changes only through the addon's own paths (the run,
        the dispute and promise wizards, fee invoices), which log who, when and why
        (DESIGN 10): a direct write, even by an accountant, would skip the log."""
        fnames = set(vals) & AR_ITEM_FIELDS
        if fnames and not is_policy_write(self.env):
            labels = ", ".join(sorted(self._fields[f]._description_string(self.env) for f in fnames))
            raise AccessError(self.env._(
                "%s: set by the escalation run and the dispute and promise actions, never "
                "directly.", labels,
            ))

    def _ar_write_policy_fields(self, vals):
        """Writes the credit policy's own bookkeeping on items (dispute, promise...): the
        one path that does, for the addon's code only (a private method is not callable
        over RPC).

        None of these fields touches the accounting, so Odoo's invoice synchronisation
        and balance checks of account.move.line.write, which cost most of an
        escalation run's time on large ledgers, are skipped.
        """
        if set(vals) - AR_ITEM_FIELDS:
            raise ValueError(f"not only credit policy fields: {sorted(vals)}")
        return models.Model.write(policy_write(self), vals)

