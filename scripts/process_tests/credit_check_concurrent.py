#!/usr/bin/env python3
"""Process test: two documents of one customer posted or confirmed at the same moment
by two Odoo workers must not both pass the credit check on the same headroom.

A real Odoo server (``--workers=2``) runs on this copy of the test database
(scripts/test.sh stage 5: AR_TEST_DB, ODOO_RC). Block mode, drafts left out of
exposure, a limit of 1,000: for each round, two clients post two draft invoices of 600
of one customer at once over XML-RPC, then confirm two quotations of 600 of another
customer at once. Afterwards, in SQL: exactly one document of each pair was accepted,
and the other call got the credit refusal.
"""
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import xmlrpc.client

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import escalation_common as common
from odoo_server import start_server, stop_server

ROUNDS = int(os.environ.get("AR_PROCESS_ROUNDS", 20))
LIMIT = 1000.0
AMOUNT = 600.0
LOGIN = "ar_race_billing"
PASSWORD = "ar-race-billing-pw"
REFUSAL = "would exceed its credit limit"
PREFIX = "AR Race Customer"


def prepare(rounds):
    """Committed data: the company in block mode with drafts out of exposure, a billing
    user (no credit manager rights), and per round two customers with a limit of 1,000:
    one with two draft invoices of 600, the other with two quotations of 600."""
    from odoo import SUPERUSER_ID, Command, api, fields

    registry = common.odoo_env()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env.ref("base.main_company")
        company.write({
            "ar_enforcement_mode": "block",
            "ar_exposure_include_drafts": False,
            "ar_conc_confirm_critical": False,
            "ar_default_credit_status": "approved",
            "ar_default_deposit_policy": "none",
            "ar_deposit_limit_percent": 0.0,
            "ar_deposit_hold_percent": 0.0,
        })
        env["res.users"].create({
            "name": "Race Billing", "login": LOGIN, "password": PASSWORD,
            "company_id": company.id, "company_ids": [Command.set(company.ids)],
            "groups_id": [Command.set([
                env.ref("base.group_user").id,
                env.ref("account.group_account_invoice").id,
                env.ref("sales_team.group_sale_salesman_all_leads").id,
            ])],
        })
        product = env["product.product"].create({
            "name": "Race Service", "type": "service", "invoice_policy": "order",
            "list_price": AMOUNT, "taxes_id": [Command.clear()],
        })
        partners = env["res.partner"].create([{
            "name": f"{PREFIX} {kind} {n:03d}", "is_company": True, "company_id": False,
        } for n in range(rounds) for kind in ("invoice", "order")])
        files = env["ar.credit.file"]._ar_files_for(partners, company, create=True)
        for file in files.values():
            if file.credit_status != "approved":
                file._ar_set_status("approved", "Race test")
            file._ar_set_limit(LIMIT, "Race test")
        today = fields.Date.context_today(env["account.move"])
        pairs = []
        for n in range(rounds):
            inv_partner, order_partner = partners[2 * n], partners[2 * n + 1]
            moves = env["account.move"].with_company(company).create([{
                "move_type": "out_invoice", "partner_id": inv_partner.id, "invoice_date": today,
                "invoice_line_ids": [Command.create({
                    "name": "Consulting", "quantity": 1.0, "price_unit": AMOUNT,
                    "tax_ids": [Command.clear()],
                })],
            } for _i in range(2)])
            orders = env["sale.order"].with_company(company).create([{
                "partner_id": order_partner.id, "company_id": company.id,
                "order_line": [Command.create({
                    "product_id": product.id, "product_uom_qty": 1.0, "price_unit": AMOUNT,
                    "tax_id": [Command.clear()],
                })],
            } for _i in range(2)])
            pairs.append((tuple(moves.ids), tuple(orders.ids)))
        cr.commit()
        return pairs


def wait_ready(server, port, timeout=120):
    common_proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common")
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            uid = common_proxy.authenticate(os.environ["AR_TEST_DB"], LOGIN, PASSWORD, {})
            if uid:
                return uid
        except (OSError, xmlrpc.client.Error):
            pass
        time.sleep(1)
    raise RuntimeError("the server did not answer in time")


def call_together(port, uid, calls):
    """Runs ``calls`` [(model, method, ids)] at once from one thread each; returns
    ["ok" or the fault string] in the same order."""
    db = os.environ["AR_TEST_DB"]
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, model, method, ids):
        proxy = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/object")
        barrier.wait()
        try:
            proxy.execute_kw(db, uid, PASSWORD, model, method, [list(ids)])
            results[index] = "ok"
        except xmlrpc.client.Fault as fault:
            results[index] = fault.faultString
        except Exception as exc:
            results[index] = f"{type(exc).__name__}: {exc}"

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def check_pair(kind, ids, accepted_state, results):
    """Problems with one pair (empty = fine), and how many of the pair were accepted."""
    table = "account_move" if kind == "invoice" else "sale_order"
    states = dict(common.query(f"SELECT id, state FROM {table} WHERE id = ANY(%s)", (list(ids),)))
    accepted = [i for i in ids if states.get(i) == accepted_state]
    problems = []
    if len(accepted) != 1:
        problems.append(f"{kind}s {ids}: {len(accepted)} accepted, states "
                        f"{[states.get(i) for i in ids]}")
    for doc_id, result in zip(ids, results, strict=True):
        if doc_id in accepted and result != "ok":
            problems.append(f"{kind} {doc_id} accepted but the call said: {result[-300:]}")
        if doc_id not in accepted and REFUSAL not in (result or ""):
            problems.append(f"{kind} {doc_id} not accepted without the credit refusal: "
                            f"{(result or '')[-300:]}")
    return problems, len(accepted)


def main():
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))
    t0 = time.time()
    pairs = prepare(ROUNDS)
    common.log(f"prepared {ROUNDS} rounds ({time.time() - t0:.0f}s)")
    work = tempfile.mkdtemp(prefix="ar_credit_race_")
    server, port, logfile = start_server(work)
    problems = []
    both = {"invoice": 0, "order": 0}
    try:
        uid = wait_ready(server, port)
        # every worker loads the registry before the rounds
        call_together(port, uid, [("res.partner", "read", [1])] * 4)
        common.log(f"server up on port {port} ({time.time() - t0:.0f}s)")
        for move_ids, order_ids in pairs:
            for kind, ids, method, state in (
                ("invoice", move_ids, "action_post", "posted"),
                ("order", order_ids, "action_confirm", "sale"),
            ):
                model = "account.move" if kind == "invoice" else "sale.order"
                results = call_together(port, uid, [(model, method, [i]) for i in ids])
                pair_problems, accepted = check_pair(kind, ids, state, results)
                both[kind] += accepted == 2
                problems += pair_problems
    finally:
        stop_server(server)
    with open(logfile, errors="replace") as fh:
        retries = sum("serialization_failure" in line.lower() for line in fh)
    common.log(f"{ROUNDS} rounds: pairs with both accepted: invoices {both['invoice']}, "
               f"orders {both['order']}; requests retried after a serialisation failure: "
               f"{retries} ({time.time() - t0:.0f}s)")
    for problem in problems[:20]:
        common.log("FAIL: " + problem)
    if problems:
        common.log(f"server log: {logfile}")
        return 1
    common.log("OK: one document of each pair accepted, the other refused by the credit check")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
