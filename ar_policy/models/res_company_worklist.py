from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import worklist as rules

# field: (lowest, highest), both allowed; the worklist thresholds and priority weights.
WORKLIST_RANGES = {
    "ar_worklist_call_after_days": (0, 365),
    "ar_worklist_contact_every_days": (1, 90),
    "ar_worklist_hand_over_days": (0, 1095),
    "ar_worklist_legal_minimum": (0.0, None),
    "ar_worklist_amount_weight": (0.0, 10.0),
    "ar_worklist_lateness_weight": (0.0, 10.0),
    "ar_worklist_rating_weight": (0.0, 10.0),
    "ar_worklist_promise_points": (0.0, 100.0),
}
WORKLIST_FIELDS = tuple(WORKLIST_RANGES)
INTERNAL = "base.group_user"
DEFAULTS = rules.Settings()


class ResCompany(models.Model):
    """The collector's worklist policy (issue 10): when a customer needs a call or a
    hand-over, and how the priority weighs its inputs (``rules.worklist``)."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    ar_worklist_call_after_days = fields.Integer(
        string="Call After Days Late", default=DEFAULTS.call_after_days, groups=INTERNAL,
        help="A customer needs a call once its oldest overdue item is this many days late "
        "(0: as soon as something is overdue).",
    )
    ar_worklist_contact_every_days = fields.Integer(
        string="Contact Interval (days)", default=DEFAULTS.contact_every_days, groups=INTERNAL,
        help="No new call while the customer was contacted less than this many days ago.",
    )
    ar_worklist_hand_over_days = fields.Integer(
        string="Hand Over After Days Late", default=DEFAULTS.hand_over_days, groups=INTERNAL,
        help="Propose handing a customer over (collection agency, lawyer) once its oldest "
        "overdue item is this many days late. 0: never.",
    )
    ar_worklist_legal_minimum = fields.Monetary(
        string="Legal Minimum for Hand-Over", currency_field="currency_id",
        default=DEFAULTS.legal_minimum, groups=INTERNAL,
        help="Hand over only when the net overdue amount is at least this.",
    )
    ar_worklist_amount_weight = fields.Float(
        string="Weight of the Amount at Risk", default=DEFAULTS.amount_weight,
        groups=INTERNAL, digits=(16, 2),
        help="Multiplies log10(1 + net overdue) in the priority (0 to 10).",
    )
    ar_worklist_lateness_weight = fields.Float(
        string="Weight of Lateness", default=DEFAULTS.lateness_weight,
        groups=INTERNAL, digits=(16, 2),
        help="Multiplies the days late (per 30, at most 365) in the priority (0 to 10).",
    )
    ar_worklist_rating_weight = fields.Float(
        string="Weight of the Rating", default=DEFAULTS.rating_weight,
        groups=INTERNAL, digits=(16, 2),
        help="Multiplies the rating's extra (B +25%, C +50%, D +100%) in the priority "
        "(0 to 10).",
    )
    ar_worklist_promise_points = fields.Float(
        string="Points per Broken Promise", default=DEFAULTS.broken_promise_points,
        groups=INTERNAL, digits=(16, 2),
        help="Added to the priority for each promise broken in the last 12 months (0 to 100).",
    )

    @api.constrains(*WORKLIST_FIELDS)
    def _check_ar_worklist_settings(self):
        for company in self:
            for fname, (low, high) in WORKLIST_RANGES.items():
                value = company[fname]
                if value < low or (high is not None and value > high):
                    label = self._fields[fname].get_description(self.env)["string"]
                    if high is None:
                        raise ValidationError(self.env._("%s cannot be negative.", label))
                    raise ValidationError(self.env._(
                        "%(field)s must be between %(low)s and %(high)s.",
                        field=label, low="%g" % low, high="%g" % high,
                    ))
            hand_over = company.ar_worklist_hand_over_days
            if hand_over and hand_over < company.ar_worklist_call_after_days:
                raise ValidationError(self.env._(
                    "Hand Over After Days Late (%(hand_over)s) cannot come before Call After "
                    "Days Late (%(call)s); 0 never hands over.",
                    hand_over=hand_over, call=company.ar_worklist_call_after_days,
                ))

    def _ar_worklist_settings(self):
        """The company's ``rules.worklist.Settings``."""
        self.ensure_one()
        company = self.sudo()
        return rules.Settings(
            call_after_days=company.ar_worklist_call_after_days,
            contact_every_days=company.ar_worklist_contact_every_days,
            hand_over_days=company.ar_worklist_hand_over_days or None,
            legal_minimum=company.ar_worklist_legal_minimum,
            rounding=company.currency_id.rounding,
            amount_weight=company.ar_worklist_amount_weight,
            lateness_weight=company.ar_worklist_lateness_weight,
            rating_weight=company.ar_worklist_rating_weight,
            broken_promise_points=company.ar_worklist_promise_points,
        )
