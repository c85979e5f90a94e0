#!/usr/bin/env bash
# The benchmark: a fresh database with ar_policy, a generated ledger, the nightly
# runs timed with their query counts.  Usage: scripts/bench.sh [CUSTOMERS] [INVOICES]
# AR_BENCH_ONLY=worklist: time only the payment scores and the worklist (a short run).
source "$(dirname "$0")/lib.sh"
CUSTOMERS="${1:-10000}"
INVOICES="${2:-10}"
DB=ar_policy_bench
require_odoo
ensure_postgres_packages
start_postgres "$(pg_base "$ROOT/.run")/pg" 5433
dropdb --if-exists -U "$DB_USER" "$DB" >/dev/null 2>&1 || true
log "installing ar_policy into $DB (no demo data)"
odoo_cmd -d "$DB" -i ar_policy --without-demo=all --stop-after-init --log-level=warn
log "generating $CUSTOMERS customers x $INVOICES open invoices, then timing the nightly runs"
(cd / && "$PYTHON" "$ROOT/bench/ar_bench.py" --db "$DB" --customers "$CUSTOMERS" \
    --invoices "$INVOICES" --generate \
    --odoo-args "--addons-path=$ROOT,$ODOO_ADDONS --db_host=$PGHOST --db_port=$PGPORT --db_user=$DB_USER")
