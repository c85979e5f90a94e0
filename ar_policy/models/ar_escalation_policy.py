from odoo import Command, api, fields, models
from odoo.exceptions import UserError

# The default ladder (DESIGN 5): created, editable, for every company.
# (xml-id suffix, name, offset, actions)
DEFAULT_LADDER = [
    ("reminder", "Friendly reminder", -3, {"action_email": True}),
    ("warning", "Warning", 5, {"action_email": True, "action_activity": True,
                               "mail_attach_invoices": True}),
    ("fee", "Late fee", 10, {"action_email": True, "action_fee": True}),
    ("suspension", "Service suspended", 20,
     {"action_email": True, "action_hold": True, "action_activity": True,
      "suspension_days": 0}),
    ("formal_notice", "Formal notice", 30,
     {"action_email": True, "action_letter": True, "action_deposit": True,
      "deposit_percent": 50.0, "mail_attach_invoices": True}),
    ("agency", "Collection agency", 90,
     {"action_email": True, "action_handover": True, "handover_to": "agency"}),
]


class ArEscalationPolicy(models.Model):
    """A written-down escalation ladder, the same for every customer of a class: the
    company's default, or the one a credit file names."""

    _name = "ar.escalation.policy"
    _description = "Escalation Policy"
    _order = "company_id, name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company.root_id,
    )
    active = fields.Boolean(default=True)
    stage_ids = fields.One2many("ar.escalation.stage", "policy_id", string="Stages", copy=True)
    note = fields.Html()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """A company's default ladder, a ladder a credit file names, or one whose stages
        fired, is archived, never deleted."""
        companies = self._ar_default_of()
        if companies:
            raise UserError(self.env._(
                "%(policies)s is the default escalation policy of %(companies)s and cannot "
                "be deleted: choose another Default Escalation Policy in the settings first.",
                policies=", ".join(companies.ar_escalation_policy_id.mapped("name")),
                companies=", ".join(companies.mapped("name")),
            ))
        named = self.env["ar.credit.file"].sudo()._read_group(
            [("escalation_policy_id", "in", self.ids)], ["escalation_policy_id"],
        )
        used = self.browse([policy.id for (policy,) in named])
        used |= self.env["ar.escalation.stage"].sudo().with_context(active_test=False).search(
            [("policy_id", "in", self.ids)]
        )._ar_used_stages().policy_id
        if used:
            raise UserError(self.env._(
                "Escalation policies %(policies)s are used by credit files or by the "
                "escalation history and cannot be deleted: archive them instead.",
                policies=", ".join(used.sudo().mapped("name")),
            ))

    def write(self, vals):
        if "active" in vals and not vals["active"]:
            companies = self._ar_default_of()
            if companies:
                raise UserError(self.env._(
                    "%(policies)s is the default escalation policy of %(companies)s and "
                    "cannot be archived: choose another Default Escalation Policy in the "
                    "settings first.",
                    policies=", ".join(companies.ar_escalation_policy_id.mapped("name")),
                    companies=", ".join(companies.mapped("name")),
                ))
        if "company_id" in vals and any(
            policy.company_id.id != vals["company_id"] for policy in self
        ) and self._ar_default_of():
            raise UserError(self.env._(
                "A company's default escalation policy stays in that company."
            ))
        return super().write(vals)

    def _ar_default_of(self):
        """The companies (sudo) whose default escalation policy is among ``self``."""
        return self.env["res.company"].sudo().with_context(active_test=False).search(
            [("ar_escalation_policy_id", "in", self.ids)]
        )

    @api.model
    def _ar_create_default_policies(self, companies=None):
        """The default ladder of each root company that has none yet (at install and on
        company creation), set as the company's default policy."""
        if companies is None:
            companies = self.env["res.company"].search([("parent_id", "=", False)])
        companies = companies.sudo().filtered(
            lambda c: not c.parent_id and not c.ar_escalation_policy_id
        )
        if not companies:
            return self.browse()
        template = self.env.ref("ar_policy.mail_template_ar_escalation", raise_if_not_found=False)
        activity_type = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        fee_product = self.env.ref("ar_policy.product_late_fee", raise_if_not_found=False)
        policies = self.sudo().create([{
            "name": self.env._("Standard"),
            "company_id": company.id,
            "stage_ids": [
                Command.create(self._ar_default_stage_values(
                    sequence, name, offset, actions, template, activity_type, fee_product,
                ))
                for sequence, (_key, name, offset, actions) in enumerate(DEFAULT_LADDER, 1)
            ],
        } for company in companies])
        for company, policy in zip(companies, policies, strict=True):
            company.ar_escalation_policy_id = policy
        policies.stage_ids.filtered("letter_text")._ar_write_default_letter_texts()
        return policies

    @api.model
    def _ar_default_stage_values(self, sequence, name, offset, actions, template,
                                 activity_type, fee_product):
        values = {"sequence": sequence * 10, "name": name, "offset_days": offset, **actions}
        if values.get("action_email"):
            values["mail_template_id"] = template.id if template else False
            values["action_email"] = bool(template)
        if values.get("action_activity"):
            values["activity_type_id"] = activity_type.id if activity_type else False
        if values.get("action_fee"):
            values.update(fee_product_id=fee_product.id if fee_product else False,
                          fee_fixed=40.0, fee_percent=0.0, interest_rate=18.0)
            values["action_fee"] = bool(fee_product)
        if values.get("action_letter") or values.get("action_handover") or offset > 0:
            values["letter_text"] = self.env["ar.escalation.stage"].new(
                values)._ar_default_letter_text()
        return values
