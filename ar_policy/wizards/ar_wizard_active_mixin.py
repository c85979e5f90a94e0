from odoo import api, fields, models


class ArWizardActiveMixin(models.AbstractModel):
    """A wizard opened on records (a list's selection or a form): its field named by
    ``_ar_active_field`` starts with them, when the action's model is that field's."""

    _name = "ar.wizard.active.mixin"
    _description = "Wizard Opened on Records"

    _ar_active_field = ""

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        ctx = self.env.context
        field = self._fields.get(self._ar_active_field)
        if field and not values.get(field.name) and ctx.get("active_model") == field.comodel_name:
            if field.type == "many2one":
                values[field.name] = ctx.get("active_id")
            else:
                values[field.name] = [fields.Command.set(ctx.get("active_ids", []))]
        return values
