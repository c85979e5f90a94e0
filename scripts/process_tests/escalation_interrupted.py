#!/usr/bin/env python3
"""Process test: a nightly escalation run killed (SIGKILL) after its first committed
batch, then run again to the end. Nothing may be sent, charged or logged twice, and
nothing may be missed: each item fires its stage once, one email per customer, no
duplicate history rows, no duplicate fee invoice.

Runs on its own copy of the test database (scripts/test.sh stage 5: AR_TEST_DB,
ODOO_RC); Odoo is used as a library, the runs are separate processes.
"""
import os
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import escalation_common as common

CUSTOMERS = int(os.environ.get("AR_PROCESS_CUSTOMERS", 60))
BATCH = 5
DAYS_LATE = 12


def main():
    file_ids = common.prepare(CUSTOMERS, DAYS_LATE)
    expect_fee = common.fee_stage_reached(DAYS_LATE)
    work = tempfile.mkdtemp(prefix="ar_interrupted_")
    first = common.start_run(os.path.join(work, "first.json"), BATCH, pause=0.5)
    deadline = time.time() + 300
    done = 0
    while time.time() < deadline and first.poll() is None:
        done = common.history_count(file_ids)
        if done:
            break
        time.sleep(0.05)
    if first.poll() is not None:
        common.log(f"FAIL: the first run ended (status {first.returncode}) before it could "
                   "be killed")
        return 1
    if not done:
        first.kill()
        common.log("FAIL: no batch committed within 300 s")
        return 1
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    time.sleep(0.5)
    killed_at = common.history_count(file_ids)
    common.log(f"killed the first run with SIGKILL after {killed_at} of {CUSTOMERS} "
               "customers were committed")
    if killed_at >= CUSTOMERS:
        common.log("FAIL: the first run had already done everything: not an interruption")
        return 1
    second = common.start_run(os.path.join(work, "second.json"), BATCH)
    if common.wait(second, 420) != 0:
        common.log(f"FAIL: the rerun exited with status {second.returncode}")
        return 1
    acted_again = set(common.read_json(os.path.join(work, "second.json")) or [])
    problems = common.check_once(file_ids, expect_fee)
    rerun_ours = acted_again & set(file_ids)
    if len(rerun_ours) != CUSTOMERS - killed_at:
        problems.append(f"the rerun acted on {len(rerun_ours)} customers, expected "
                        f"{CUSTOMERS - killed_at} (the ones the killed run had not committed)")
    for problem in problems:
        common.log("FAIL: " + problem)
    if problems:
        return 1
    common.log(f"OK: {CUSTOMERS} customers, killed after {killed_at}, rerun did the other "
               f"{CUSTOMERS - killed_at}; one email{' and one fee invoice' if expect_fee else ''}"
               " per customer, no duplicate history")
    return 0


if __name__ == "__main__":
    sys.exit(main())
