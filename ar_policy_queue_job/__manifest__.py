{
    "name": "Credit & Collections Policy - Job Queue",
    "summary": "The nightly escalation run spread over many Odoo workers with OCA queue_job",
    "version": "18.0.1.0.2",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "author": "ar_policy",
    "website": "https://github.com/ar-policy/ar_policy",
    "depends": ["ar_policy", "queue_job"],
    "data": [
        "data/queue_job_data.xml",
    ],
    "auto_install": True,
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
}
