from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import statutory


class ArReferenceRate(models.Model):
    """A central bank's reference rate, in force from a date until the next row of the
    same preset: the ECB main refinancing rate for the EU Late Payment Directive, the
    Bank of England base rate for the UK Late Payment Act. The statutory presets read
    the row in force on the half-year's reference date (``rules/statutory.py``). The
    rates are public and the same for every company, so the table is shared; the
    credit manager keeps it up to date each half-year."""

    _name = "ar.reference.rate"
    _description = "Statutory Interest Reference Rate"
    _order = "preset, valid_from desc"

    preset = fields.Selection(
        [(statutory.PRESET_EU, "EU Late Payment Directive (ECB rate)"),
         (statutory.PRESET_UK, "UK Late Payment Act (Bank of England base rate)")],
        string="Applies To", required=True,
    )
    valid_from = fields.Date(string="Valid From", required=True)
    rate = fields.Float(
        string="Reference Rate (%)", required=True, digits=(16, 2), aggregator=None,
        help="Annual rate in percent; the statutory rate adds 8 points.",
    )
    note = fields.Char(help="Where the rate was published.")

    _sql_constraints = [(
        "preset_date_unique", "unique(preset, valid_from)",
        "One Reference Rate per preset and Valid From date.",
    )]

    @api.constrains("rate")
    def _check_rate(self):
        for row in self:
            try:
                statutory.check_rate(row.rate)
            except ValueError as error:
                raise ValidationError(self.env._(
                    "Reference Rate (%%): %(rate)s %% is out of range; it must be between "
                    "%(low)s %% and %(high)s %%.",
                    rate=row.rate, low=statutory.REFERENCE_RATE_MIN,
                    high=statutory.REFERENCE_RATE_MAX,
                )) from error

    @api.model
    def _ar_rates(self, preset):
        """The rows of ``preset`` as ``statutory.ReferenceRate`` tuples."""
        rows = self.sudo().search_read([("preset", "=", preset)], ["valid_from", "rate"])
        return tuple(statutory.ReferenceRate(row["valid_from"], row["rate"]) for row in rows)
