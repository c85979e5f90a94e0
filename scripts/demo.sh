#!/usr/bin/env bash
# The demo command: a database "ar_policy_demo" with the addons and Odoo's demo data,
# every ar_policy scheduled action run once, then Odoo served on http://localhost:8069
# (login admin, password admin). Sales is installed with its app (sale_management) so the
# salesperson's path is in the menus. The PostgreSQL cluster and the filestore live in
# .run/ (git-ignored; the cluster in /var/tmp when the postgres user cannot enter the
# checkout); the database is dropped and rebuilt on every run.
#   --no-serve   build the database and run the nightly actions, then stop.
# AR_DEMO_PORT changes the HTTP port; AR_KEEP_PG=1 leaves PostgreSQL running at the end.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVE=1
for arg in "$@"; do
    case "$arg" in
        --no-serve) SERVE=0 ;;
        -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown option $arg (see --help)" ;;
    esac
done

DB=ar_policy_demo
PORT="${AR_DEMO_PORT:-8069}"
RUN="$ROOT/.run"

require_odoo
ensure_postgres_packages
apt_install_missing wkhtmltopdf:wkhtmltopdf
if [ "$SERVE" = 1 ] && [ "$(free_port "$PORT")" != "$PORT" ]; then
    die "port $PORT is in use (another Odoo?): stop it or set AR_DEMO_PORT"
fi

mapfile -t ADDONS < <(project_addons)
[ ${#ADDONS[@]} -gt 0 ] || die "no addon (*/__manifest__.py) in $ROOT"

mkdir -p "$RUN"
export AR_DATA_DIR="$RUN/data"
PG="$(pg_base "$RUN")/pg"
if [ "${AR_KEEP_PG:-0}" != 1 ]; then
    trap 'stop_postgres "$PG"' EXIT
fi
trap 'exit 130' INT TERM
start_postgres "$PG" 5433
log "PostgreSQL in $PG (port 5433, socket in that directory)"

# The Sales app itself (menus), so that quotations and "Waiting for Deposit" are reachable.
ADDONS+=(sale_management)
log "new database $DB with ${ADDONS[*]} and demo data (about a minute)"
psql_admin -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
rm -rf "${AR_DATA_DIR:?}/filestore/$DB"
odoo_cmd -d "$DB" -i "$(IFS=,; echo "${ADDONS[*]}")" --stop-after-init --log-level=warn ||
    die "installing ${ADDONS[*]} failed (see the log above)"

log "running every ar_policy scheduled action once"
out="$RUN/nightly.out"
odoo_cmd shell -d "$DB" --no-http --log-level=warn <"$ROOT/scripts/demo_summary.py" >"$out" ||
    { cat "$out" >&2; die "the nightly run failed (see the log above)"; }
grep -q '^@@ar_policy done@@$' "$out" || { cat "$out" >&2; die "the nightly run did not finish"; }
sed -n '/^@@ar_policy nightly@@$/,/^@@ar_policy done@@$/{/^@@/d;p}' "$out"

if [ "$SERVE" = 0 ]; then
    log "database $DB is ready (--no-serve)"
    exit 0
fi
[ "$(free_port "$PORT")" = "$PORT" ] || die "port $PORT is in use (another Odoo?): stop it or set AR_DEMO_PORT"
log "Odoo on http://localhost:$PORT  login: admin  password: admin  (Ctrl-C stops it)"
odoo_cmd -d "$DB" --http-port="$PORT" --db-filter="^$DB\$"
