#!/usr/bin/env python3
"""Benchmark of ar_policy's bulk work on a realistic ledger.

    python3 bench/ar_bench.py --db DB [--customers 10000] [--invoices 10] [--generate]

``--generate`` fills the database (which must have ar_policy installed) with a
ledger written in bulk SQL: customers (some with contacts), posted customer invoices
with due dates spread over the last year, partial payments, several currencies.
Then it times the nightly hold refresh and the credit review and counts their
queries, printing figures per 10,000 open items; then the payment scores, the
worklist and the cost of opening it (``--only worklist``: those alone). Use
scripts/bench.sh to get a throwaway database.
"""

import argparse
import os
import resource
import statistics
import sys
import time

import odoo
from odoo import api, fields, sql_db
from odoo.modules.registry import Registry


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--customers", type=int, default=10000)
    parser.add_argument("--invoices", type=int, default=10, help="open invoices per customer")
    parser.add_argument("--generate", action="store_true")
    parser.add_argument("--generate-only", action="store_true",
                        help="with --generate: stop once the ledger is written")
    parser.add_argument(
        "--escalation-files", type=int,
        default=int(os.environ.get("AR_BENCH_ESCALATION_FILES", 0)),
        help="time the escalation run on the first N customers only (0: all of them; "
        "default from AR_BENCH_ESCALATION_FILES)",
    )
    parser.add_argument(
        "--only", choices=["all", "worklist", "aging"],
        default=os.environ.get("AR_BENCH_ONLY") or "all",
        help="worklist: time only the payment scores and the worklist; aging: only the aged "
        "receivables and the KPI snapshot (default from AR_BENCH_ONLY)",
    )
    parser.add_argument("--odoo-args", default="", help="extra Odoo options (db host, port...)")
    return parser.parse_args()


def generate(env, customers, invoices, prefix="Bench Customer"):
    """Bulk SQL: as an import would do it, fast enough for hundreds of thousands of items."""
    cr = env.cr
    company = env.ref("base.main_company")
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)], limit=1)
    income = env["account.account"].search(
        [("account_type", "=", "income"), ("company_ids", "in", company.id)], limit=1)
    eur = env.ref("base.EUR")
    eur.active = True
    usd = company.currency_id
    t0 = time.time()
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, is_company, active, customer_rank,
                                 supplier_rank, type, autopost_bills, create_date, write_date,
                                 email, email_normalized, street, zip, city, country_id)
        SELECT %(prefix)s || ' ' || g, %(prefix)s || ' ' || g, TRUE, TRUE, 1, 0, 'contact',
               'ask', NOW(), NOW(), mail.address, mail.address,
               'Rue du Banc ' || g, '1000', 'Brussels', %(country)s
          FROM generate_series(1, %(customers)s) g,
               -- by default nine customers in ten have an email address (the reminder),
               -- the tenth gets a letter (AR_BENCH_EMAIL_SHARE: 0 to 10 in ten)
               LATERAL (SELECT CASE WHEN g %% 10 >= %(email_share)s THEN NULL
                                    ELSE 'ap' || g || '.' || %(tag)s || '@bench.example'
                               END AS address) mail
        RETURNING id
        """,
        {"prefix": prefix, "customers": customers, "country": env.ref("base.be").id,
         "tag": prefix.split()[-1].lower(),
         "email_share": int(os.environ.get("AR_BENCH_EMAIL_SHARE", 9))},
    )
    partner_ids = [r[0] for r in cr.fetchall()]
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id WHERE id = ANY(%s)", [partner_ids]
    )
    cr.execute("DROP TABLE IF EXISTS bench_inv; DROP TABLE IF EXISTS bench_aml")
    cr.execute(
        """
        CREATE TEMP TABLE bench_inv AS
        SELECT p.id AS partner_id, g AS n,
               (CURRENT_DATE - (random() * 365)::int) AS due,
               round((50 + random() * 5000)::numeric, 2) AS amount,
               CASE WHEN random() < 0.2 THEN %(eur)s ELSE %(usd)s END AS currency_id,
               CASE WHEN random() < 0.15 THEN round((0.2 + random() * 0.6)::numeric, 2)
                    ELSE 1 END AS open_share
          FROM unnest(%(pids)s) p(id), generate_series(1, %(n)s) g
        """,
        dict(eur=eur.id, usd=usd.id, pids=partner_ids, n=invoices),
    )
    cr.execute(
        """
        INSERT INTO account_move (name, move_type, state, date, invoice_date, invoice_date_due,
                                  journal_id, company_id, currency_id, partner_id,
                                  commercial_partner_id, amount_total, amount_total_signed,
                                  amount_untaxed, amount_untaxed_signed,
                                  amount_residual, amount_residual_signed, payment_state,
                                  auto_post, create_date, write_date)
        SELECT 'BENCH/' || b.partner_id || '/' || b.n, 'out_invoice', 'posted', b.due - 30,
               b.due - 30, b.due, %(journal)s, %(company)s, b.currency_id, b.partner_id,
               b.partner_id, b.amount, b.amount, b.amount, b.amount, b.amount * b.open_share,
               b.amount * b.open_share,
               CASE WHEN b.open_share < 1 THEN 'partial' ELSE 'not_paid' END, 'no', NOW(), NOW()
          FROM bench_inv b
        RETURNING id, partner_id, amount_total, amount_residual, invoice_date_due, currency_id
        """,
        dict(journal=journal.id, company=company.id),
    )
    moves = cr.fetchall()
    rows = []
    for move_id, partner_id, amount, residual, due, currency_id in moves:
        amount, residual = float(amount), float(residual)
        rows.append((move_id, partner_id, receivable.id, "payment_term", amount, 0.0, amount,
                     residual, due, currency_id))
        rows.append((move_id, partner_id, income.id, "product", 0.0, amount, -amount,
                     0.0, due, currency_id))
    cr.execute("CREATE TEMP TABLE bench_aml (move_id int, partner_id int, account_id int, "
               "display_type varchar, debit numeric, credit numeric, balance numeric, "
               "residual numeric, due date, currency_id int)")
    for start in range(0, len(rows), 20000):
        chunk = rows[start:start + 20000]
        cr.execute(
            "INSERT INTO bench_aml VALUES " + ",".join(["%s"] * len(chunk)), chunk
        )
    cr.execute(
        """
        INSERT INTO account_move_line (move_id, partner_id, account_id, display_type, debit,
                                       credit, balance, amount_currency, amount_residual,
                                       amount_residual_currency, reconciled, date,
                                       date_maturity, parent_state, journal_id, company_id,
                                       company_currency_id, currency_id, name,
                                       create_date, write_date)
        SELECT move_id, partner_id, account_id, display_type, debit, credit, balance, balance,
               residual, residual, FALSE, due - 30, due, 'posted', %(journal)s, %(company)s,
               %(usd)s, currency_id, 'bench', NOW(), NOW()
          FROM bench_aml
        """,
        dict(journal=journal.id, company=company.id, usd=usd.id),
    )
    env["ar.credit.file"]._ar_create_missing_files(company)
    company.write({"ar_hold_overdue_amount": 10000.0, "ar_hold_overdue_days": 90,
                   "ar_escalation_enabled": True})
    if not company.ar_escalation_policy_id:
        env["ar.escalation.policy"]._ar_create_default_policies(company)
    env.invalidate_all()
    cr.commit()
    print(f"generated {customers} customers, {len(moves)} open invoices "
          f"in {time.time() - t0:.1f}s")
    return partner_ids


def measure(env, label, func, open_items, rounds=1):
    """Runs ``func`` ``rounds`` times, each rolled back; prints the median time and the
    queries of one run."""
    times = []
    for _round in range(rounds):
        env.invalidate_all()
        queries0 = sql_db.sql_counter
        t0 = time.time()
        result = func()
        times.append(time.time() - t0)
        queries = sql_db.sql_counter - queries0
        env.cr.rollback()
    elapsed = statistics.median(times)
    per10k = 10000.0 / open_items if open_items else 0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    median = f" (median of {rounds})" if rounds > 1 else ""
    print(f"{label:<36} {elapsed:8.2f} s {queries:8d} queries   "
          f"per 10,000 open items: {elapsed * per10k:6.2f} s {queries * per10k:8.1f} queries   "
          f"max RSS {rss:.0f} MiB   result {result}{median}")
    return elapsed, queries


def sql_floor(env, company, today):
    """The SQL floor: one aggregate over the open items (the account position's own
    builder) giving how many items reach each stage of the company's ladder today."""
    from odoo.tools import SQL

    Position = env["ar.account.position"]
    rows = env.execute_query(SQL(
        """
        SELECT target.id, COUNT(*)
          FROM (%(items)s) item
          JOIN LATERAL (SELECT s.id FROM ar_escalation_stage s
                         WHERE s.policy_id = %(policy)s
                           AND s.offset_days <= %(today)s - item.due_date
                      ORDER BY s.offset_days DESC LIMIT 1) target ON TRUE
         WHERE item.excluded IS NULL
      GROUP BY target.id
        """,
        items=Position._ar_open_item_sql(company, today),
        policy=company.ar_escalation_policy_id.id, today=today,
    ))
    return f"{sum(count for _stage, count in rows)} items reach a stage"


def measure_escalation(env, files_model, open_items, limit):
    """The escalation ladder: the SQL floor, its evaluation of every open item (no side
    effects) and the ratio, then the nightly run (first night: every customer reaches
    its stage at once; per customer that reaches one), then a night with nothing new."""
    company = env.ref("base.main_company")
    if not company.ar_escalation_enabled:
        company.ar_escalation_enabled = True
        env.cr.commit()
    candidates = files_model._ar_escalation_candidates(company)
    today = fields.Date.context_today(files_model.with_company(company))

    def evaluate():
        items = 0
        for start in range(0, len(candidates), 200):
            batch = candidates[start:start + 200].with_company(company)
            evaluation = batch._ar_escalation_evaluate(today)
            items += sum(len(file_items) for file_items in evaluation.values())
            batch.invalidate_recordset()
            env.invalidate_all()
        return f"{items} items reach a stage"

    floor, _q = measure(env, "SQL floor (one aggregate)", lambda: sql_floor(env, company, today),
                        open_items, rounds=3)
    ours, _q = measure(env, "escalation evaluation (all)", evaluate, open_items, rounds=3)
    print(f"{'evaluation / SQL floor':<36} {ours / floor if floor else 0:8.1f} x")
    files = candidates[:limit] if limit else candidates
    share = len(files) / len(candidates) if candidates else 0
    label = "escalation run, first night" + (f" ({len(files)} files)" if limit else "")
    reached = []

    def first_night():
        done = files_model.with_company(company)._ar_run_batches(
            files, "_ar_escalation_run_batch", 200)
        reached.append(done)
        return f"{done} customers reached a stage"

    elapsed, queries = measure(env, label, first_night,
                               int(open_items * share) if limit else open_items)
    if reached and reached[0]:
        print(f"{'first night per customer':<36} {elapsed / reached[0] * 1000:8.1f} ms "
              f"{queries / reached[0]:8.1f} queries   ({reached[0]} customers reached a stage)")
    if not limit:
        measure(env, "escalation run, next night", files_model._cron_escalation, open_items)


def measure_worklist(env, files_model, open_items):
    """Payment scores and today's worklist for every file, in batches of 1,000 (the
    nightly cron), then a collector opening the list: the web client's read of one
    page, whose query count does not depend on the number of rows."""
    files = files_model.search([], order="id")
    measure(env, "payment scores (nightly)",
            lambda: files_model._ar_run_batches(files, "_ar_compute_scores", 1000), open_items)
    measure(env, "worklist refresh (nightly)",
            lambda: files_model._ar_run_batches(files, "_ar_refresh_worklist", 1000), open_items)
    files_model._ar_run_batches(files, "_ar_compute_scores", 1000)
    files_model._ar_run_batches(files, "_ar_refresh_worklist", 1000)
    rows = env["ar.worklist"].search_count([])
    Worklist = env["ar.worklist"]
    spec = {name: ({"fields": {"display_name": {}}} if field.type == "many2one" else {})
            for name, field in Worklist._fields.items()
            if field.store and name not in ("create_uid", "write_uid")}
    measure(env, f"open the worklist ({rows} rows)",
            lambda: Worklist.web_search_read([], spec, limit=80)["length"], open_items)


def measure_aging(env, open_items):
    """Aged receivables today and as of a past date, and a month's KPI snapshot, for
    every customer of the company: a fixed number of queries however many."""
    from dateutil.relativedelta import relativedelta

    company = env.ref("base.main_company")
    today = fields.Date.context_today(env["ar.aging.line"].with_company(company))
    aging = env["ar.aging.line"]

    def rows(as_of):
        aging._ar_compute(company, as_of)
        return f"{aging.search_count([('as_of', '=', as_of)])} aged rows"

    measure(env, "aging today", lambda: rows(today), open_items)
    measure(env, "aging as of 90 days ago", lambda: rows(today - relativedelta(days=90)),
            open_items)
    last_month_end = today.replace(day=1) - relativedelta(days=1)
    measure(env, "KPI snapshot (last month)",
            lambda: f"{len(env['ar.kpi.snapshot']._ar_compute(company, last_month_end))} rows",
            open_items)
def measure_posting(env, partner_ids, rounds=15):
    """Posting one invoice for a customer with 10 and with 1,000 open invoices: the
    check off (vanilla action_post) and in block mode, taken in turns (so that the
    machine's load weighs on both alike; each first in every other round) after one
    warm-up round; medians of ``rounds``, queries counted."""
    from odoo import Command

    from odoo.addons.ar_policy.guards import policy_write

    company = env.ref("base.main_company")
    partners = env["res.partner"].browse(partner_ids)
    policy_write(partners.with_company(company)).write({"credit_limit": 1e12})
    # the generated ledger puts them on hold: the check then refuses; measure a pass
    env.cr.execute("""UPDATE ar_credit_file SET credit_hold = FALSE, hold_cause_overdue = FALSE,
                      hold_cause_stage = FALSE, hold_cause_manual = FALSE,
                      stage_deposit_percent = 0 WHERE partner_id = ANY(%s)""", [partner_ids])
    env.cr.commit()
    env.invalidate_all()
    for partner in partners:
        count = env["account.move"].search_count([
            ("partner_id", "=", partner.id), ("state", "=", "posted")])
        figures = {"off": ([], []), "block": ([], [])}
        for round_ in range(rounds + 1):
            # each mode first in every other round: the second post of a round finds
            # one more posted invoice in the journal than the first
            for mode in (("off", "block") if round_ % 2 else ("block", "off")):
                company.ar_enforcement_mode = mode
                move = env["account.move"].with_company(company).create({
                    "move_type": "out_invoice", "partner_id": partner.id,
                    "invoice_line_ids": [Command.create({
                        "name": "Bench", "quantity": 1, "price_unit": 100.0,
                        "tax_ids": [Command.clear()]})],
                })
                env.flush_all()
                env.invalidate_all()
                q0, t0 = sql_db.sql_counter, time.time()
                try:
                    move.action_post()
                    env.flush_all()
                except Exception as error:  # pylint: disable=broad-except
                    print(f"posting in {mode} mode failed: {error}")
                    env.cr.rollback()
                    return
                if round_:  # the first round warms the caches
                    figures[mode][0].append(time.time() - t0)
                    figures[mode][1].append(sql_db.sql_counter - q0)
        env.cr.rollback()
        env.invalidate_all()
        (t_off, q_off), (t_block, q_block) = (
            (sorted(figures[mode][0])[rounds // 2], sorted(figures[mode][1])[rounds // 2])
            for mode in ("off", "block"))
        print(f"posting, customer with {count:>5} invoices: vanilla (check off) "
              f"{t_off * 1000:7.1f} ms {q_off:4d} queries; block mode {t_block * 1000:7.1f} ms "
              f"{q_block:4d} queries; overhead {(t_block / t_off - 1) * 100 if t_off else 0:+.0f}%")


def main():
    args = parse_args()
    odoo.tools.config.parse_config(["-d", args.db, *args.odoo_args.split()])
    registry = Registry(args.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        if args.generate:
            generate(env, args.customers, args.invoices)
            posting_ids = (generate(env, 1, 10, "Bench Posting Small")
                           + generate(env, 1, 1000, "Bench Posting Large"))
            env["ir.config_parameter"].set_param("ar_bench.posting_partners",
                                                 ",".join(map(str, posting_ids)))
            cr.commit()
            # the statistics autovacuum gathers a minute or so after a bulk load: without
            # them PostgreSQL plans the first queries on the new ledger blind (a batch's
            # open items found by scanning every open line), and the figures would depend
            # on when autovacuum happens to run
            cr.execute("ANALYZE")
            if args.generate_only:
                return 0
        cr.execute("""SELECT COUNT(*) FROM account_move_line l JOIN account_account a
                      ON a.id = l.account_id WHERE a.account_type = 'asset_receivable'
                      AND NOT l.reconciled AND l.parent_state = 'posted'""")
        open_items = cr.fetchone()[0]
        files = env["ar.credit.file"].search_count([])
        print(f"ledger: {open_items} open receivable items, {files} credit files")
        if args.only == "aging":
            measure_aging(env, open_items)
            return 0
        files_model = env["ar.credit.file"]
        if args.only == "worklist":
            measure_worklist(env, files_model, open_items)
            return 0
        # The first night after enabling the hold rules: every file evaluated, every
        # customer over the thresholds put on hold and logged. Then a night with no change.
        cr.execute("""UPDATE ar_credit_file SET credit_hold = FALSE, hold_cause_overdue = FALSE,
                      hold_since = NULL; DELETE FROM ar_credit_log""")
        cr.commit()
        measure(env, "hold refresh, first night", files_model._cron_refresh_holds, open_items)
        measure(env, "hold refresh, next night", files_model._cron_refresh_holds, open_items)
        measure(env, "pilot growth + reviews (nightly)", files_model._cron_credit_review,
                open_items)
        measure_escalation(env, files_model, open_items, args.escalation_files)
        posting = env["ir.config_parameter"].get_param("ar_bench.posting_partners")
        if posting:
            measure_posting(env, [int(pid) for pid in posting.split(",")])
        # Concentration: every customer's revenue and receivables in one aggregation,
        # shares and levels in Python, rows written in bulk (one company).
        company = env.ref("base.main_company")
        cr.execute("UPDATE res_company SET ar_concentration_enabled = TRUE WHERE id = %s",
                   [company.id])
        cr.execute("""UPDATE account_move SET amount_untaxed = amount_total,
                      amount_untaxed_signed = amount_total_signed
                      WHERE amount_untaxed_signed IS NULL AND move_type = 'out_invoice'""")
        cr.commit()
        measure(env, "concentration snapshot",
                lambda: env["ar.concentration"]._ar_take_snapshot(company).customers_count,
                open_items)
        measure_worklist(env, files_model, open_items)
        measure_aging(env, open_items)
    return 0


if __name__ == "__main__":
    sys.exit(main())
