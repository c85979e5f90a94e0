{
    "name": "Credit & Collections Policy",
    "summary": "Credit limits and holds, required deposits, nightly escalation "
    "stages and customer-concentration warnings, inside Invoicing",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "ar_policy",
    "website": "https://github.com/ar-policy/ar_policy",
    "depends": ["account", "mail"],
    "data": [
        "security/ar_policy_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_activity_data.xml",
        "wizards/ar_credit_change_wizard_views.xml",
        "wizards/ar_credit_hold_wizard_views.xml",
        "wizards/ar_credit_override_wizard_views.xml",
        "views/ar_credit_file_views.xml",
        "views/ar_credit_log_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "demo/ar_policy_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "ar_policy/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
}
