#!/usr/bin/env python3
"""Process test: two nightly escalation runs started at the same time. Files are
claimed with FOR NO KEY UPDATE SKIP LOCKED: no customer may be processed by both,
and together they must process every customer once (one email each, no duplicate
history rows or fee invoices).

Runs on its own copy of the test database (scripts/test.sh stage 5: AR_TEST_DB,
ODOO_RC); Odoo is used as a library, the runs are separate processes.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import escalation_common as common

CUSTOMERS = int(os.environ.get("AR_PROCESS_CUSTOMERS", 60))
BATCH = 5
DAYS_LATE = 12


def main():
    file_ids = common.prepare(CUSTOMERS, DAYS_LATE)
    expect_fee = common.fee_stage_reached(DAYS_LATE)
    work = tempfile.mkdtemp(prefix="ar_concurrent_")
    outs = [os.path.join(work, f"run{n}.json") for n in (1, 2)]
    runs = [common.start_run(out, BATCH, pause=0.2) for out in outs]
    statuses = [common.wait(run, 480) for run in runs]
    if any(statuses):
        common.log(f"FAIL: the runs exited with {statuses}")
        return 1
    acted = [set(common.read_json(out) or []) & set(file_ids) for out in outs]
    problems = common.check_once(file_ids, expect_fee)
    both = acted[0] & acted[1]
    if both:
        problems.append(f"{len(both)} customers processed by both runs: {sorted(both)[:10]}")
    if len(acted[0] | acted[1]) != CUSTOMERS:
        problems.append(f"the runs processed {len(acted[0] | acted[1])} customers, "
                        f"expected {CUSTOMERS}")
    for problem in problems:
        common.log("FAIL: " + problem)
    if problems:
        return 1
    common.log(f"OK: {CUSTOMERS} customers, run 1 processed {len(acted[0])}, run 2 "
               f"{len(acted[1])}, none by both; one email per customer, no duplicates")
    return 0


if __name__ == "__main__":
    sys.exit(main())
