"""The demo's nightly run and its summary, fed to ``odoo shell`` by scripts/demo.sh.

Runs every ar_policy scheduled action once, as the scheduler would (in their usual
order), commits, then prints where each company and each demo customer stands. It reads
the database only through the ORM, as an administrator would see it.
"""
# ruff: noqa: F821  (``env`` is given by odoo shell)

from odoo.tools import format_amount

crons = env["ir.cron"].sudo().browse(
    env["ir.model.data"].sudo().search([
        ("module", "=", "ar_policy"), ("model", "=", "ir.cron"),
    ]).mapped("res_id")
).exists().sorted(lambda cron: (cron.nextcall.time(), cron.id))
lines = []
for cron in crons:
    cron.method_direct_trigger()
    lines.append(f"Ran scheduled action: {cron.name}")
env.cr.commit()

Files = env["ar.credit.file"].sudo()
Files.invalidate_model()
status_labels = dict(Files._fields["credit_status"]._description_selection(env))
cause_fields = {
    "Overdue policy": "hold_cause_overdue",
    "Escalation stage": "hold_cause_stage",
    "Manual": "hold_cause_manual",
}
demo_partners = env["res.partner"].browse(
    env["ir.model.data"].sudo().search([
        ("module", "=", "ar_policy"), ("model", "=", "res.partner"),
    ], order="id").mapped("res_id")
).exists().filtered("is_company")

for company in env["res.company"].sudo().search([("parent_id", "=", False)], order="id"):
    domain = [("company_id", "=", company.id)]
    by_status = dict(Files._read_group(domain, ["credit_status"], ["__count"]))
    held = Files.search_count([*domain, ("credit_hold", "=", True)])
    causes = [
        f"{label} {count}" for label, fname in cause_fields.items()
        if (count := Files.search_count([*domain, (fname, "=", True)]))
    ]
    lines += ["", f"{company.name} (enforcement: {company.ar_enforcement_mode})"]
    lines.append("  files: " + ", ".join(
        f"{label} {by_status.get(status, 0)}" for status, label in status_labels.items()
    ))
    lines.append(
        f"  on hold: {held} customers"
        + (f" (causes, a customer may have several: {', '.join(causes)})" if causes else "")
    )
    if company.ar_escalation_enabled:
        stages = Files._read_group(
            [*domain, ("escalation_stage_id", "!=", False)], ["escalation_stage_id"], ["__count"],
        )
        lines.append("  escalation stages: " + (", ".join(
            f"{stage.name} {count}"
            for stage, count in sorted(stages, key=lambda row: row[0].offset_days)
        ) or "none"))
    worklist = env["ar.worklist"].sudo()._read_group(domain, ["action"], ["__count"])
    action_labels = dict(env["ar.worklist"]._fields["action"]._description_selection(env))
    lines.append("  worklist today: " + (", ".join(
        f"{action_labels[action]} {count}" for action, count in worklist) or "nobody to call"))
    ratings = dict(Files._read_group([*domain, ("payment_rating", "!=", False)],
                                     ["payment_rating"], ["__count"]))
    lines.append("  payment ratings: " + (", ".join(
        f"{rating} {ratings[rating]}" for rating in sorted(ratings)) or "none yet"))
    currency = company.currency_id
    for file in Files.search([*domain, ("partner_id", "in", demo_partners.ids)]):
        limit = (f"limit {format_amount(env, file.credit_limit, currency)}"
                 if file.has_limit else "no limit")
        lines.append(
            f"  - {file.partner_id.name}: {status_labels[file.credit_status]} | {limit}"
            f" | exposure {format_amount(env, file.exposure, currency)}"
            f" | overdue {format_amount(env, file.overdue_amount, currency)}"
            f" | hold: {file.hold_causes or 'no'}"
            f" | rating: {file.payment_rating or '-'}"
        )

portal_user = env.ref("ar_policy.demo_user_portal_customer", raise_if_not_found=False)
if portal_user:
    from odoo.addons.ar_policy.demo.ar_policy_demo_portal import DEMO_PORTAL_PASSWORD

    lines += ["", f"Customer portal (/my/account-statement): login {portal_user.login}, "
              f"password {DEMO_PORTAL_PASSWORD} "
              f"({portal_user.partner_id.commercial_partner_id.name})"]

print("@@ar_policy nightly@@")
# format_amount keeps sign and figure together with a zero-width no-break space.
print("\n".join(lines).replace("\ufeff", ""))
print("@@ar_policy done@@")
