{
    "name": "Credit & Collections Policy - Sales",
    "summary": "Credit check, holds and required deposits on sales orders",
    "version": "18.0.1.0.2",
    "category": "Sales/Sales",
    "license": "LGPL-3",
    "author": "ar_policy",
    "website": "https://github.com/ar-policy/ar_policy",
    "depends": ["ar_policy", "sale"],
    "data": [
        "security/ir.model.access.csv",
        "security/ar_policy_sale_security.xml",
        "wizards/ar_deposit_assign_wizard_views.xml",
        "wizards/ar_credit_override_wizard_views.xml",
        "views/sale_order_views.xml",
        "views/ar_deposit_assignment_views.xml",
        "views/menus.xml",
        "views/ar_worklist_views.xml",
    ],
    "demo": [
        "demo/ar_policy_sale_demo.xml",
    ],
    "auto_install": True,
}
