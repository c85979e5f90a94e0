#!/usr/bin/env bash
# The benchmark: a fresh database with ar_policy, a generated ledger, the nightly
# runs timed with their query counts: the SQL floor of the escalation decision, our
# evaluation and its ratio, the first night (per customer), the next night, memory,
# the posting overhead of the credit check (10 and 1,000 invoices), and with
# --workers N the first night as queue_job jobs over 1 then N Odoo workers.
# Usage: scripts/bench.sh [CUSTOMERS] [INVOICES] [--workers N]
# AR_BENCH_ONLY=worklist|aging: time only the payment scores and the worklist, or only the
# aging and the KPI snapshot (a short run).
# AR_BENCH_EMAIL_SHARE=0..10: customers in ten with an email address (default 9).
source "$(dirname "$0")/lib.sh"
CUSTOMERS=10000
INVOICES=10
WORKERS=0
POSITIONAL=()
while [ $# -gt 0 ]; do
    case "$1" in
        --workers) WORKERS="$2"; shift 2 ;;
        --workers=*) WORKERS="${1#*=}"; shift ;;
        *) POSITIONAL+=("$1"); shift ;;
    esac
done
CUSTOMERS="${POSITIONAL[0]:-$CUSTOMERS}"
INVOICES="${POSITIONAL[1]:-$INVOICES}"
DB=ar_policy_bench
ADDONS=ar_policy
require_odoo
if [ "$WORKERS" -gt 0 ]; then
    require_queue_job
    ADDONS=ar_policy,ar_policy_queue_job
fi
ensure_postgres_packages
start_postgres "$(pg_base "$ROOT/.run")/pg" "${AR_BENCH_PGPORT:-5433}"
dropdb --if-exists -U "$DB_USER" "$DB" >/dev/null 2>&1 || true
log "installing $ADDONS into $DB (no demo data)"
odoo_cmd -d "$DB" -i "$ADDONS" --without-demo=all --stop-after-init --log-level=warn
ODOO_ARGS="--addons-path=$ROOT,$ODOO_ADDONS$(oca_addons_path) --db_host=$PGHOST --db_port=$PGPORT --db_user=$DB_USER"
log "generating $CUSTOMERS customers x $INVOICES open invoices"
(cd / && "$PYTHON" "$ROOT/bench/ar_bench.py" --db "$DB" --customers "$CUSTOMERS" \
    --invoices "$INVOICES" --generate --generate-only --odoo-args "$ODOO_ARGS")
if [ "$WORKERS" -gt 0 ]; then
    # the ledger before any night, for the queue_job runs
    copy_database "$DB" "${DB}_night0"
fi
log "timing the nightly runs"
(cd / && "$PYTHON" "$ROOT/bench/ar_bench.py" --db "$DB" --odoo-args "$ODOO_ARGS")
if [ "$WORKERS" -gt 0 ]; then
    for n in $(printf '%s\n' 1 "$WORKERS" | sort -un); do
        copy="${DB}_jobs$n"
        copy_database "${DB}_night0" "$copy"
        write_odoo_config "$ROOT/.run/$copy.conf" "$copy"
        log "the first night as queue_job jobs over $n worker(s)"
        (cd "$ROOT" && AR_TEST_DB="$copy" ODOO_RC="$ROOT/.run/$copy.conf" \
            "$PYTHON" "$ROOT/bench/ar_bench_jobs.py" --workers "$n")
        psql_admin -c "DROP DATABASE IF EXISTS \"$copy\"" || true
    done
    psql_admin -c "DROP DATABASE IF EXISTS \"${DB}_night0\"" || true
fi
