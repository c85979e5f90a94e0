"""Shared by the escalation process tests (scripts/process_tests/escalation_*.py).

They run real processes against their own copy of the test database (scripts/test.sh
stage 5: AR_TEST_DB names it, ODOO_RC its Odoo config): committed data, nightly runs
started as separate Python processes using Odoo as a library, killed with SIGKILL or
started together, and assertions in SQL on what the database holds afterwards.

It lives in lib/: test.sh runs only the scripts directly in scripts/process_tests.
"""
import json
import os
import subprocess
import sys
import time
from datetime import timedelta

PREFIX = "AR Process Customer"
HERE = os.path.abspath(__file__)
_PARSED = []


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def odoo_env():
    """(registry, config) for AR_TEST_DB with the ODOO_RC configuration."""
    import odoo
    from odoo.modules.registry import Registry

    db = os.environ["AR_TEST_DB"]
    if not _PARSED:  # Odoo's configuration is parsed once per process
        odoo.tools.config.parse_config(["-c", os.environ["ODOO_RC"], "-d", db])
        _PARSED.append(db)
    return Registry(db)


def prepare(customers, days_late):
    """Committed data: escalation on, ``customers`` new customers with an email and
    one posted invoice each, ``days_late`` days past due. Returns their file ids."""
    from odoo import SUPERUSER_ID, Command, api, fields

    registry = odoo_env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env.ref("base.main_company")
        if not company.ar_escalation_policy_id:
            env["ar.escalation.policy"]._ar_create_default_policies(company)
        company.write({"ar_escalation_enabled": True, "ar_escalation_min_amount": 0.0})
        # the data is set up as an import would: no credit or concentration check
        saved = company.read(["ar_enforcement_mode", "ar_conc_confirm_critical"])[0]
        company.write({"ar_enforcement_mode": "off", "ar_conc_confirm_critical": False})
        today = fields.Date.context_today(env["account.move"])
        due = today - timedelta(days=days_late)
        partners = env["res.partner"].create([{
            "name": f"{PREFIX} {n:04d}", "is_company": True,
            "email": f"ap{n:04d}@process.example", "company_id": False,
        } for n in range(customers)])
        t0 = time.time()
        moves = env["account.move"].with_company(company).create([{
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": due,
            "invoice_date_due": due,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [Command.create({
                "name": "Consulting", "quantity": 1.0, "price_unit": 1000.0,
                "tax_ids": [Command.clear()],
            })],
        } for partner in partners])
        moves.action_post()
        company.write({key: saved[key] for key in ("ar_enforcement_mode", "ar_conc_confirm_critical")})
        files = env["ar.credit.file"]._ar_files_for(partners, company, create=True)
        file_ids = sorted(file.id for file in files.values())
        cr.commit()
        log(f"prepared {customers} customers with an invoice {days_late} days late "
            f"({time.time() - t0:.0f}s)")
        return file_ids


RUNNER = r"""
import json, os, sys, time
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import escalation_common as common
from odoo import SUPERUSER_ID, api

registry = common.odoo_env()
out, batch_size, pause = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
File = registry["ar.credit.file"]
acted = []
act = File._ar_escalation_act_files
run_batch = File._ar_escalation_run_batch


def traced_act(self, evaluation, today):
    act(self, evaluation, today)
    acted.extend(f.id for f in self if any(i["reached_today"] for i in evaluation.get(f.id, [])))


def slow_batch(self):
    # the batch's work is done, not yet committed: a kill here loses it all
    done = run_batch(self)
    time.sleep(pause)
    return done


File._ar_escalation_act_files = traced_act
if pause:
    File._ar_escalation_run_batch = slow_batch
with registry.cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["ar.credit.file"]._cron_escalation(batch_size=batch_size)
    cr.commit()
with open(out, "w") as fh:
    json.dump(acted, fh)
"""


def start_run(out, batch_size=20, pause=0.0):
    """The nightly escalation run in a new Python process."""
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, HERE, out, str(batch_size), str(pause)],
        cwd="/", env=dict(os.environ),
    )


def wait(process, timeout):
    """The process's exit status; killed (status None) when it runs too long."""
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        log(f"the run took more than {timeout} s: killed")
        return None


def query(sql, params=()):
    import psycopg2

    from odoo.tools import config

    conn = psycopg2.connect(
        dbname=os.environ["AR_TEST_DB"], host=config["db_host"] or None,
        port=config["db_port"] or None, user=config["db_user"] or None,
        password=config["db_password"] or None,
    )
    try:
        with conn, conn.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchall()
    finally:
        conn.close()


def history_count(file_ids, action="email"):
    return query(
        "SELECT COUNT(*) FROM ar_escalation_history WHERE file_id = ANY(%s) AND action = %s",
        (file_ids, action),
    )[0][0]


def check_once(file_ids, expect_fee):
    """Everything fired once per customer; returns a list of problems (empty = fine)."""
    problems = []
    n = len(file_ids)
    dup_history = query(
        """SELECT file_id, stage_id, action, COUNT(*) FROM ar_escalation_history
            WHERE file_id = ANY(%s) AND action NOT IN ('error')
         GROUP BY file_id, stage_id, action HAVING COUNT(*) > 1""", (file_ids,))
    if dup_history:
        problems.append(f"duplicate history rows (file, stage, action, n): {dup_history[:5]}")
    errors = query(
        "SELECT file_id, note FROM ar_escalation_history WHERE file_id = ANY(%s) AND action = 'error'",
        (file_ids,))
    if errors:
        problems.append(f"{len(errors)} customers failed: {errors[:3]}")
    emails = dict(query(
        """SELECT f.id, COUNT(h.id) FROM ar_credit_file f
             LEFT JOIN ar_escalation_history h ON h.file_id = f.id AND h.action = 'email'
            WHERE f.id = ANY(%s) GROUP BY f.id""", (file_ids,)))
    wrong = {fid: count for fid, count in emails.items() if count != 1}
    if wrong:
        problems.append(f"{len(wrong)} customers without exactly one email row: "
                        f"{list(wrong.items())[:5]}")
    messages = dict(query(
        """SELECT f.id, COUNT(DISTINCT h.mail_message_id) FROM ar_credit_file f
             LEFT JOIN ar_escalation_history h ON h.file_id = f.id AND h.action = 'email'
            WHERE f.id = ANY(%s) GROUP BY f.id""", (file_ids,)))
    wrong = {fid: c for fid, c in messages.items() if c != 1}
    if wrong:
        problems.append(f"{len(wrong)} customers without exactly one email message")
    mails = dict(query(
        """SELECT f.id, COUNT(DISTINCT mm.id)
             FROM ar_credit_file f
             LEFT JOIN mail_message m ON m.model = 'ar.credit.file' AND m.res_id = f.id
                                      AND m.message_type = 'comment'
             LEFT JOIN mail_mail mm ON mm.mail_message_id = m.id
            WHERE f.id = ANY(%s) GROUP BY f.id""", (file_ids,)))
    wrong = {fid: c for fid, c in mails.items() if c != 1}
    if wrong:
        problems.append(f"{len(wrong)} customers without exactly one queued email "
                        f"(mail.mail): {list(wrong.items())[:5]}")
    stages = query(
        """SELECT COUNT(*) FROM account_move_line aml
             JOIN account_account acc ON acc.id = aml.account_id
             JOIN res_partner p ON p.id = aml.partner_id
             JOIN ar_credit_file f ON f.partner_id = p.commercial_partner_id
            WHERE f.id = ANY(%s) AND acc.account_type = 'asset_receivable'
              AND aml.ar_stage_id IS NOT NULL
              AND aml.move_id NOT IN (SELECT id FROM account_move WHERE ar_origin IS NOT NULL)
        """, (file_ids,))[0][0]
    if stages != n:
        problems.append(f"{stages} items carry a stage, expected {n}")
    fees = dict(query(
        """SELECT f.id, COUNT(m.id) FROM ar_credit_file f
             LEFT JOIN account_move m ON m.commercial_partner_id = f.partner_id
                                     AND m.ar_origin = 'late_fee' AND m.state != 'cancel'
            WHERE f.id = ANY(%s) GROUP BY f.id""", (file_ids,)))
    if expect_fee:
        wrong = {fid: c for fid, c in fees.items() if c != 1}
        fee_rows = history_count(file_ids, "fee")
        if fee_rows != n:
            problems.append(f"{fee_rows} fee history rows, expected {n}")
    else:
        wrong = {fid: c for fid, c in fees.items() if c}
    if wrong:
        problems.append(f"{len(wrong)} customers with a wrong number of fee invoices: "
                        f"{list(wrong.items())[:5]}")
    return problems


def fee_stage_reached(days_late):
    """Whether the highest stage an item ``days_late`` days late reaches charges a fee."""
    rows = query(
        """SELECT s.action_fee AND s.fee_product_id IS NOT NULL AND c.ar_fees_allowed_default
             FROM ar_escalation_stage s
             JOIN res_company c ON c.ar_escalation_policy_id = s.policy_id
            WHERE c.id = (SELECT res_id FROM ir_model_data
                           WHERE module = 'base' AND name = 'main_company')
              AND s.offset_days <= %s
         ORDER BY s.offset_days DESC LIMIT 1""", (days_late,))
    return bool(rows and rows[0][0])


def read_json(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None

