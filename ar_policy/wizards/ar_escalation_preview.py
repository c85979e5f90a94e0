from odoo import api, fields, models


class ArEscalationPreview(models.TransientModel):
    """What the next escalation run would do, without doing it."""

    _name = "ar.escalation.preview"
    _description = "Escalation Preview"

    date = fields.Date(default=fields.Date.context_today, readonly=True)
    file_ids = fields.Many2many("ar.credit.file", string="Customers")
    line_ids = fields.One2many("ar.escalation.preview.line", "preview_id", string="Next Run")

    @api.model
    def _ar_open(self, files=None):
        """The preview of ``files``, or of every file of the current company the user
        may read. Computed as superuser, so the user's access is checked first."""
        if files:
            files.check_access("read")
        else:
            files = self.env["ar.credit.file"]._ar_escalation_candidates(
                self.env.company.root_id
            ).with_env(self.env)._filtered_access("read")
        preview = self.create({"file_ids": [fields.Command.set(files.ids)]})
        preview._ar_compute_lines()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Escalation Preview"),
            "res_model": self._name,
            "res_id": preview.id,
            "view_mode": "form",
            "target": "new",
        }

    def _ar_compute_lines(self):
        self.ensure_one()
        files = self.sudo().file_ids
        files.with_env(self.env).check_access("read")
        files = files.sudo()
        values = []
        for company, company_files in files.grouped("company_id").items():
            company_files = company_files.with_company(company)
            today = fields.Date.context_today(company_files)
            evaluation = company_files._ar_escalation_evaluate(today)
            for file in company_files:
                contact = file._ar_escalation_contact()
                for item in evaluation.get(file.id, []):
                    if not item["reached_today"]:
                        continue
                    stage = item["stage"]
                    actions = stage._ar_actions_label()
                    if stage.action_email and not contact.email:
                        actions += self.env._(" (no email address: letter and activity)")
                    values.append({
                        "preview_id": self.id,
                        "file_id": file.id,
                        "move_line_id": item["line"].id,
                        "stage_id": stage.id,
                        "days_late": item["days_late"],
                        "actions": actions,
                    })
        self.env["ar.escalation.preview.line"].create(values)

    def action_process(self):
        """Run the ladder now for the customers previewed."""
        files = self.line_ids.file_id
        return files.action_escalation_process_now()


class ArEscalationPreviewLine(models.TransientModel):
    _name = "ar.escalation.preview.line"
    _description = "Escalation Preview Line"
    _order = "file_id, days_late desc"

    preview_id = fields.Many2one("ar.escalation.preview", required=True, ondelete="cascade")
    file_id = fields.Many2one("ar.credit.file", string="Customer File")
    partner_id = fields.Many2one(related="file_id.partner_id", string="Customer")
    move_line_id = fields.Many2one("account.move.line", string="Item")
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice")
    date_maturity = fields.Date(related="move_line_id.date_maturity", string="Due Date")
    amount_residual = fields.Monetary(related="move_line_id.amount_residual", string="Open")
    currency_id = fields.Many2one(related="move_line_id.company_currency_id")
    days_late = fields.Integer()
    stage_id = fields.Many2one("ar.escalation.stage", string="Stage Reached")
    actions = fields.Char()
