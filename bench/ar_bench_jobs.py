#!/usr/bin/env python3
"""The first night of the escalation run as queue_job jobs over N Odoo workers.

    AR_TEST_DB=DB ODOO_RC=odoo.conf python3 bench/ar_bench_jobs.py --workers N

DB must hold ar_policy_queue_job and a ledger no night has run on (scripts/bench.sh
makes a copy per run). A prefork Odoo server with N HTTP workers and queue_job's
runner (channel root.ar_policy of capacity N) takes the jobs the nightly action
enqueues; the time is from the enqueue (the server ready) to the last job done.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "scripts", "process_tests", "lib"))
import escalation_common as common  # noqa: E402
from odoo_server import start_server, stop_server  # noqa: E402

JOB = ("ar.credit.file", "_ar_escalation_run_job")


def wait_ready(server, port, timeout=300):
    """Until the server answers over HTTP (its registry loaded before it forked)."""
    import urllib.error
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/web/login", timeout=30)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the Odoo server did not answer")


DUPLICATES = {
    "history rows": """SELECT file_id, stage_id, action FROM ar_escalation_history
                        WHERE action IN ('email', 'letter', 'fee', 'hold', 'deposit', 'handover')
                     GROUP BY file_id, stage_id, action HAVING COUNT(*) > 1""",
    "reminders": """SELECT res_id FROM mail_message WHERE model = 'ar.credit.file'
                       AND message_type = 'comment' GROUP BY res_id HAVING COUNT(*) > 1""",
    "queued mails": """SELECT mail_message_id FROM mail_mail
                     GROUP BY mail_message_id HAVING COUNT(*) > 1""",
    "activities": """SELECT res_id, summary FROM mail_activity WHERE res_model = 'ar.credit.file'
                    GROUP BY res_id, summary HAVING COUNT(*) > 1""",
    "fee invoices": """SELECT commercial_partner_id, currency_id FROM account_move
                        WHERE ar_origin = 'late_fee' AND state != 'cancel'
                     GROUP BY commercial_partner_id, currency_id HAVING COUNT(*) > 1""",
}


def find_duplicates():
    """What the run did twice, checked in SQL: ["3 reminders", ...] (empty: nothing)."""
    found = []
    for what, sql in DUPLICATES.items():
        rows = common.query(sql)
        if rows:
            found.append(f"{len(rows)} {what}")
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--timeout", type=int, default=3600)
    args = parser.parse_args()
    from odoo import SUPERUSER_ID, api

    work = tempfile.mkdtemp(prefix="ar_bench_jobs_")
    server, port, logfile = start_server(
        work, extra_args=["--load=base,web,queue_job", "--limit-time-real=3600",
                          "--limit-time-cpu=3600"],
        env={"ODOO_QUEUE_JOB_CHANNELS": f"root:{args.workers},root.ar_policy:{args.workers}"},
        log_level="warn", workers=args.workers,
    )
    try:
        wait_ready(server, port)
        registry = common.odoo_env()
        t0 = time.time()
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            jobs = env["ar.credit.file"]._cron_escalation_enqueue(batch_size=args.batch_size)
            cr.commit()
        states = {}
        while time.time() - t0 < args.timeout and server.poll() is None:
            states = dict(common.query(
                "SELECT state, COUNT(*) FROM queue_job WHERE model_name = %s "
                "AND method_name = %s GROUP BY state", JOB))
            if states.get("done", 0) + states.get("failed", 0) >= jobs:
                break
            time.sleep(0.5)
        elapsed = time.time() - t0
        reached = common.query(
            "SELECT COUNT(DISTINCT file_id) FROM ar_escalation_history WHERE action <> 'error'")[0][0]
        duplicates = find_duplicates()
    finally:
        stop_server(server)
    print(f"queue_job, {args.workers} worker(s): {jobs} jobs in {elapsed:.1f} s, "
          f"{reached} customers reached a stage; jobs {states}; "
          f"duplicates: {', '.join(duplicates) or 'none'}")
    if states.get("done", 0) != jobs or duplicates:
        print(f"not every job is done, or something was done twice: see {logfile}")
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
