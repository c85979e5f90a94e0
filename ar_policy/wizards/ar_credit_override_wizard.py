from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class ArCreditOverrideWizard(models.TransientModel):
    """A credit manager posts or confirms documents the credit policy refused, with a
    reason logged on each document and its customer's credit file. One wizard for every
    kind of document: each has its Many2many here (the Sales bridge adds the orders)."""

    _name = "ar.credit.override.wizard"
    _description = "Override the Credit Policy"

    move_ids = fields.Many2many("account.move", string="Invoices")
    move_names = fields.Char(string="Invoices to Post", compute="_compute_move_names")
    refusal = fields.Text(compute="_compute_refusal", string="Why the policy refuses")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        """The documents the action runs on (its active model's field)."""
        values = super().default_get(fields_list)
        ctx = self.env.context
        for name in self._ar_document_fields():
            if (name in fields_list and not values.get(name)
                    and ctx.get("active_model") == self._fields[name].comodel_name):
                values[name] = [fields.Command.set(ctx.get("active_ids", []))]
        return values

    @api.model
    def _ar_document_fields(self):
        return [name for name, field in self._fields.items() if field.type == "many2many"]

    def _ar_documents(self):
        """The wizard's documents, one recordset per kind."""
        self.ensure_one()
        return [self[name] for name in self._ar_document_fields() if self[name]]

    @api.depends("move_ids")
    def _compute_move_names(self):
        """Drafts by their customer and amount, as the refusal names them (Odoo's own
        name of a draft, "Draft Invoice (* 46)", means nothing to the user)."""
        Check = self.env["ar.credit.check"]
        for wizard in self:
            wizard.move_names = ", ".join(Check._ar_label(move) for move in wizard.move_ids)

    @api.depends(lambda self: self._ar_document_fields())
    def _compute_refusal(self):
        Check = self.env["ar.credit.check"]
        for wizard in self:
            wizard.refusal = "\n".join(
                Check._ar_refusal(documents.sudo()) for documents in wizard._ar_documents()
            )

    def action_override(self):
        self.ensure_one()
        documents = self._ar_documents()
        if not self.env.user.has_group("ar_policy.group_credit_manager"):
            raise AccessError(documents[0]._ar_credit_kind().manager_only if documents else
                              self.env._("Only a Credit Manager can override the credit policy."))
        self.env["ar.credit.file"]._ar_require_reason(self.reason)
        if not documents:
            raise UserError(self.env._("Choose the documents to post or confirm."))
        for records in documents:
            records.with_context(ar_credit_override_reason=self.reason)._ar_credit_proceed()
        return {"type": "ir.actions.act_window_close"}

    action_post = action_override  # the button's name before orders shared the wizard
