from odoo import api, fields, models
from odoo.exceptions import ValidationError

# target field: (KPI code, upper bound); 0 means "no target"
KPI_TARGET_FIELDS = {
    "ar_kpi_target_dso": ("dso_count_back", 365.0),
    "ar_kpi_target_add": ("add", 365.0),
    "ar_kpi_target_cei": ("cei", 100.0),
    "ar_kpi_target_at_risk": ("at_risk", 100.0),
    "ar_kpi_target_on_time": ("on_time", 100.0),
    "ar_kpi_target_days_to_pay": ("days_to_pay", 365.0),
}
INTERNAL = "base.group_user"


class ResCompany(models.Model):
    """Collection KPI targets (issue 10): shown against each month's KPIs."""

    _inherit = "res.company"

    ar_kpi_target_dso = fields.Float(string="Target DSO (days)", default=45.0, groups=INTERNAL)
    ar_kpi_target_add = fields.Float(string="Target Average Days Delinquent", default=10.0,
                                     groups=INTERNAL)
    ar_kpi_target_cei = fields.Float(string="Target CEI (%)", default=80.0, groups=INTERNAL)
    ar_kpi_target_at_risk = fields.Float(string="Target At-Risk Rate (%)", default=5.0,
                                         groups=INTERNAL)
    ar_kpi_target_on_time = fields.Float(string="Target Paid on Time (%)", default=75.0,
                                         groups=INTERNAL)
    ar_kpi_target_days_to_pay = fields.Float(string="Target Days to Pay", default=40.0,
                                             groups=INTERNAL)

    @api.constrains(*KPI_TARGET_FIELDS)
    def _check_ar_kpi_targets(self):
        for company in self:
            for fname, (_code, top) in KPI_TARGET_FIELDS.items():
                if not 0 <= company[fname] <= top:
                    raise ValidationError(self.env._(
                        "%(field)s must be between 0 and %(top)s (0: no target).",
                        field=self._fields[fname].get_description(self.env)["string"],
                        top="%g" % top,
                    ))

    def _ar_kpi_targets(self):
        """{KPI code: target}; a KPI without a target is left out."""
        self.ensure_one()
        company = self.sudo()
        return {code: company[fname] for fname, (code, _top) in KPI_TARGET_FIELDS.items()
                if company[fname]}
