from odoo import fields, models


class AccountMoveLine(models.Model):
    """A receivable line is the unit the escalation ladder fires on (DESIGN 5): each
    instalment climbs the stages by its own due date, each stage once."""

    _inherit = "account.move.line"

    ar_stage_id = fields.Many2one(
        "ar.escalation.stage", string="Escalation Stage", readonly=True, copy=False,
        index="btree_not_null", ondelete="set null",
        help="Highest escalation stage fired for this item.",
    )
    ar_stage_date = fields.Date(string="Stage Reached On", readonly=True, copy=False)
    ar_handover = fields.Boolean(
        string="Handed Over", readonly=True, copy=False,
        help="Handed over to a collection agency or to legal by an escalation stage.",
    )
    ar_handover_date = fields.Date(string="Handed Over On", readonly=True, copy=False)
    ar_interest_date = fields.Date(
        string="Interest Charged Up To", readonly=True, copy=False,
        help="Late interest on this item was charged up to this date; the next charge "
        "counts the days from here (from the due date for the first one).",
    )
    ar_fees_charged = fields.Monetary(
        string="Fees Charged", readonly=True, copy=False, currency_field="currency_id",
        help="Late fees and interest charged for this item so far, in its currency, "
        "less waivers: counts toward the company's cap.",
    )
    ar_fee_item_id = fields.Many2one(
        "account.move.line", string="Fee Charged For", readonly=True, copy=False,
        index="btree_not_null", ondelete="set null",
        help="On a late-fee invoice line: the overdue item it charges for.",
    )
    ar_disputed = fields.Boolean(
        string="Disputed", readonly=True, copy=False,
        help="Out of the escalation ladder and charged no fee until the dispute is closed.",
    )
    ar_dispute_reason = fields.Text(string="Dispute Reason", readonly=True, copy=False)
    ar_dispute_date = fields.Date(string="Disputed On", readonly=True, copy=False)
    ar_promise_line_id = fields.Many2one(
        "ar.promise", string="Promise to Pay", readonly=True, copy=False,
        index="btree_not_null", ondelete="set null",
        help="The latest promise to pay covering this item: while it is live the item "
        "is out of the escalation ladder and of the overdue figure.",
    )

    def _ar_write_policy_fields(self, vals):
        """Writes the credit policy's own bookkeeping on items (dispute, promise...).

        None of these fields touches the accounting, so Odoo's invoice synchronisation
        and balance checks of account.move.line.write, which cost most of an
        escalation run's time on large ledgers, are skipped.
        """
        if any(not fname.startswith("ar_") for fname in vals):
            raise ValueError(f"not only credit policy fields: {sorted(vals)}")
        return models.Model.write(self, vals)
