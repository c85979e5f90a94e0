from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import worklist as rules

NEXT_STEPS = [
    (rules.STEP_RESEND, "Resend the invoice now"),
    (rules.STEP_PROMISE, "Ask the date, record a promise"),
    (rules.STEP_PLAN, "Offer a payment plan"),
    (rules.STEP_DISPUTE, "Open a dispute"),
    (rules.STEP_PROMISE_TODAY, "Record a promise for today"),
    (rules.STEP_CONTACT, "Update the invoicing contact"),
    (rules.STEP_RETRY, "Retry next working day"),
    (rules.STEP_STATEMENT, "Send the statement of account"),
]


class ArCallExcuse(models.Model):
    """The excuse playbook: what customers say when called, the prepared answer the
    collector reads while logging the call, and the next step it leads to."""

    _name = "ar.call.excuse"
    _description = "Call Excuse"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(string="Excuse", required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: offered in every company.",
    )
    answer = fields.Text(
        string="Prepared Answer", translate=True,
        help="What the collector answers; shown while the call is logged.",
    )
    next_step = fields.Selection(NEXT_STEPS, help="What logging the call does next.")

    @api.model_create_multi
    def create(self, vals_list):
        excuses = super().create(vals_list)
        excuses._check_next_step()  # also when the field is left out
        return excuses

    @api.constrains("next_step")
    def _check_next_step(self):
        missing = self.filtered(lambda excuse: not excuse.next_step)
        if missing:
            raise ValidationError(self.env._(
                "Next Step: choose what follows the excuse '%s'.", missing[0].name,
            ))
