def post_init_hook(env):
    """Installing changes nothing until the company turns it on (DESIGN 3).

    Every root company gets its credit files (approved, current limit, no hold) and
    starts in *warn* when it already used Odoo's credit limits, *off* otherwise.
    """
    companies = env["res.company"].search([("parent_id", "=", False)])
    # The hook runs after the demo data, which may already have chosen a mode.
    for company in companies.filtered(lambda c: c.ar_enforcement_mode == "off"):
        if company.account_use_credit_limit:
            company.ar_enforcement_mode = "warn"
    env["ar.credit.file"]._ar_create_missing_files(companies)
