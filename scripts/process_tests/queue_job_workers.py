#!/usr/bin/env python3
"""Process test: the nightly escalation run as queue_job jobs over two Odoo worker
processes, one of them killed (SIGKILL) in the middle of a job.

A real Odoo server runs on this copy of the test database (scripts/test.sh stage 5:
AR_TEST_DB, ODOO_RC) with ``--workers=2 --load=base,web,queue_job``: two HTTP worker
processes take the jobs that queue_job's runner dispatches on the channel
``root.ar_policy`` (capacity 2). The nightly action enqueues one job per batch of
credit files; while both workers run jobs, the one with the oldest open transaction
is killed. queue_job re-queues its job once its lock is gone and the respawned worker
runs it again. Afterwards, in SQL: every job done, at least one of them run twice,
and each customer got exactly one email, one history row per stage and action, one
activity per stage, one fee invoice; no duplicate.
"""
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import escalation_common as common
from odoo_server import start_server, stop_server

CUSTOMERS = int(os.environ.get("AR_PROCESS_CUSTOMERS", 60))
BATCH = int(os.environ.get("AR_PROCESS_BATCH", 15))
DAYS_LATE = 12  # the late-fee stage of the default ladder, given an activity here
JOB = ("ar.credit.file", "_ar_escalation_run_job")


def add_activity_to_fee_stage():
    """The late-fee stage also schedules a call: one run gives email, activity, fee."""
    from odoo import SUPERUSER_ID, api

    registry = common.odoo_env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        stage = env.ref("base.main_company").ar_escalation_policy_id.stage_ids.filtered(
            lambda s: s.action_fee)[:1]
        stage.write({"action_activity": True,
                     "activity_type_id": env.ref("mail.mail_activity_data_call").id})
        cr.commit()


def enqueue(batch_size):
    """The nightly action as the scheduler runs it; returns the jobs' uuids."""
    from odoo import SUPERUSER_ID, api

    registry = common.odoo_env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cron = env.ref("ar_policy.ir_cron_ar_escalation")
        if cron.code.strip() != "model._cron_escalation_enqueue()":
            raise RuntimeError(f"the nightly action does not enqueue: {cron.code!r}")
        env["ar.credit.file"]._cron_escalation_enqueue(batch_size=batch_size)
        cr.commit()
    return [row[0] for row in common.query(
        "SELECT uuid FROM queue_job WHERE model_name = %s AND method_name = %s", JOB)]


def busy_workers(server_pid):
    """{os pid: seconds} of the server's workers running a job (in the job's
    transaction, holding its lock) for more than a moment, oldest first. Odoo names
    its connections odoo-PID."""
    rows = common.query(
        """SELECT a.application_name, EXTRACT(EPOCH FROM now() - a.xact_start)
             FROM pg_stat_activity a
            WHERE a.datname = %s AND a.application_name LIKE 'odoo-%%'
              AND a.xact_start IS NOT NULL AND a.state <> 'idle'
              AND now() - a.xact_start > interval '0.3 second'
              -- a running job holds its queue_job_lock row until its commit
              AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid
                             AND l.relation = 'queue_job_lock'::regclass)
         ORDER BY a.xact_start""", (os.environ["AR_TEST_DB"],))
    result = {}
    for name, seconds in rows:
        pid = int(name.split("-", 1)[1])
        if parent_of(pid) == server_pid:  # only a worker of the server this test started
            result[pid] = float(seconds)
    return result


def parent_of(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("PPid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def job_states():
    return dict(common.query(
        """SELECT state, COUNT(*) FROM queue_job WHERE model_name = %s AND method_name = %s
         GROUP BY state""", JOB))


def check_activities(file_ids):
    dup = common.query(
        """SELECT res_id, summary, COUNT(*) FROM mail_activity
            WHERE res_model = 'ar.credit.file' AND res_id = ANY(%s)
         GROUP BY res_id, summary HAVING COUNT(*) > 1""", (file_ids,))
    missing = common.query(
        """SELECT COUNT(*) FROM ar_credit_file f WHERE f.id = ANY(%s) AND NOT EXISTS (
               SELECT 1 FROM mail_activity a WHERE a.res_model = 'ar.credit.file'
                  AND a.res_id = f.id)""", (file_ids,))[0][0]
    problems = []
    if dup:
        problems.append(f"duplicate activities (file, summary, n): {dup[:5]}")
    if missing:
        problems.append(f"{missing} customers without their activity")
    return problems


def main():
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    file_ids = common.prepare(CUSTOMERS, DAYS_LATE)
    add_activity_to_fee_stage()
    expect_fee = common.fee_stage_reached(DAYS_LATE)
    uuids = enqueue(BATCH)
    common.log(f"{len(uuids)} jobs enqueued for {CUSTOMERS} customers in batches of {BATCH}")
    if len(uuids) < 3:
        common.log("FAIL: too few jobs to run on two workers")
        return 1
    work = tempfile.mkdtemp(prefix="ar_queue_job_")
    server, _port, logfile = start_server(
        work, extra_args=["--load=base,web,queue_job"],
        env={"ODOO_QUEUE_JOB_CHANNELS": "root:2,root.ar_policy:2"}, log_level="info",
        preload=False,
    )
    killed = None
    t0 = time.time()
    try:
        deadline = time.time() + 420
        while time.time() < deadline and server.poll() is None:
            states = job_states()
            if killed is None:
                busy = busy_workers(server.pid)
                if len(busy) >= 1 and states.get("started"):
                    killed = next(iter(busy))
                    os.kill(killed, signal.SIGKILL)
                    common.log(f"SIGKILL to worker {killed} after {time.time() - t0:.1f}s, "
                               f"in a transaction for {busy[killed]:.1f}s; jobs: {states}")
            if states.get("done", 0) == len(uuids):
                break
            if states.get("failed"):
                break
            time.sleep(0.1)
        states = job_states()
        common.log(f"jobs after {time.time() - t0:.0f}s: {states}")
    finally:
        stop_server(server)
    problems = []
    if killed is None:
        problems.append("no worker was caught in the middle of a job: nothing was killed")
    if states.get("done", 0) != len(uuids):
        problems.append(f"not every job is done: {states}")
        with open(logfile, errors="replace") as fh:
            tail = fh.read()[-4000:]
        common.log("end of the server log:\n" + tail)
    retried = common.query(
        "SELECT COUNT(*) FROM queue_job WHERE model_name = %s AND method_name = %s "
        "AND retry > 1", JOB)[0][0]  # retry counts the runs: 1 for the first
    if not expect_fee:
        problems.append(f"the stage reached at {DAYS_LATE} days late charges no fee")
    if killed is not None and not retried:
        problems.append("no job was run again after the kill")
    problems += common.check_once(file_ids, expect_fee)
    problems += check_activities(file_ids)
    for problem in problems:
        common.log("FAIL: " + problem)
    if problems:
        return 1
    shutil.rmtree(work, ignore_errors=True)
    common.log(f"OK: {len(uuids)} jobs on two workers, worker {killed} killed mid-job, "
               f"{retried} job(s) run again; one email, one activity"
               f"{', one fee invoice' if expect_fee else ''} per customer, no duplicate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
