from collections import defaultdict

from odoo import api, fields, models


class ReportArDunningLetter(models.AbstractModel):
    """Dunning letters printed from escalation history rows: one letter per customer
    among the rows printed, listing the customer's items in dunning as they stand when
    printed, with the text of the highest stage the rows name."""

    _name = "report.ar_policy.report_ar_dunning_letter"
    _description = "Dunning Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        rows = self.env["ar.escalation.history"].browse(docids)
        files = rows.file_id
        today = fields.Date.context_today(self)
        # The items the reminder email lists too: disputed items, items under a live
        # promise and items below the company's minimum are out of dunning.
        evaluation = files.sudo()._ar_escalation_evaluate(today)
        letters = {}
        for file in files:
            stages = rows.filtered(lambda r, f=file: r.file_id == f).stage_id
            stage = (stages or file.escalation_stage_id).sorted("offset_days")[-1:]
            items = sorted(evaluation.get(file.id, []),
                           key=lambda item: (item["line"].date_maturity, item["line"].id))
            totals = defaultdict(float)
            for item in items:
                totals[item["line"].currency_id] += item["line"].amount_residual_currency
            letters[file.id] = {
                "stage": stage,
                "items": [{
                    "line": item["line"].with_env(self.env),
                    "days_late": item["days_late"],
                } for item in items],
                "totals": [(currency, currency.round(amount)) for currency, amount in totals.items()],
            }
        return {
            "doc_ids": files.ids,
            "doc_model": "ar.credit.file",
            "docs": files,
            "letters": letters,
            "today": today,
        }
