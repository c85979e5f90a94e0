#!/usr/bin/env bash
# The demo command: a database "ar_policy_demo" with the addons and Odoo's demo data,
# every ar_policy scheduled action run once, then Odoo served on http://localhost:8069
# (login admin, password admin). Sales is installed with its app (sale_management) so the
# salesperson's path is in the menus. The PostgreSQL cluster and the filestore live in
# .run/ (git-ignored; the cluster in /var/tmp when the postgres user cannot enter the
# checkout); the database is dropped and rebuilt on every run. Mails go to a local SMTP
# sink (scripts/mail_sink.py) that writes them to .run/mail/ (open .run/mail/index.html).
#   --no-serve   build the database and run the nightly actions, then stop.
# AR_DEMO_PORT changes the HTTP port; AR_KEEP_PG=1 leaves PostgreSQL running at the end.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SERVE=1
for arg in "$@"; do
    case "$arg" in
        --no-serve) SERVE=0 ;;
        -h|--help) sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown option $arg (see --help)" ;;
    esac
done

DB=ar_policy_demo
PORT="${AR_DEMO_PORT:-8069}"
RUN="$ROOT/.run"

require_odoo
ensure_postgres_packages
apt_install_missing wkhtmltopdf:wkhtmltopdf
pip_install_missing aiosmtpd:aiosmtpd
if [ "$SERVE" = 1 ] && [ "$(free_port "$PORT")" != "$PORT" ]; then
    die "port $PORT is in use (another Odoo?): stop it or set AR_DEMO_PORT"
fi

mapfile -t ADDONS < <(project_addons)
[ ${#ADDONS[@]} -gt 0 ] || die "no addon (*/__manifest__.py) in $ROOT"
# The demo is one Odoo process: the queue_job bridge (many workers) would only enqueue the
# nightly run's batches for a job runner the demo does not start, so it stays out.
mapfile -t ADDONS < <(printf '%s\n' "${ADDONS[@]}" | grep -vx ar_policy_queue_job)

mkdir -p "$RUN"
export AR_DATA_DIR="$RUN/data"
PG="$(pg_base "$RUN")/pg"
MAIL="$RUN/mail"
cleanup() {
    stop_mail_sink
    if [ "${AR_KEEP_PG:-0}" != 1 ]; then stop_postgres "$PG"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_postgres "$PG" 5433
log "PostgreSQL in $PG (port 5433, socket in that directory)"
# Every mail Odoo sends, from the install on, goes to a local SMTP sink that keeps it.
start_mail_sink "$MAIL"
log "mail: SMTP sink on 127.0.0.1:$MAIL_SINK_PORT writing to $MAIL"

# The Sales app itself (menus), so that quotations and "Waiting for Deposit" are reachable.
ADDONS+=(sale_management)
log "new database $DB with ${ADDONS[*]} and demo data (about a minute)"
psql_admin -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
rm -rf "${AR_DATA_DIR:?}/filestore/$DB"
odoo_cmd -d "$DB" -i "$(IFS=,; echo "${ADDONS[*]}")" --stop-after-init --log-level=warn \
    --smtp=127.0.0.1 --smtp-port="$MAIL_SINK_PORT" ||
    die "installing ${ADDONS[*]} failed (see the log above)"

log "running every ar_policy scheduled action once, then the mail queue"
out="$RUN/nightly.out"
# One Odoo shell: the outgoing mail server (the sink), the nightly run and its summary
# (scripts/demo_summary.py), then the mail queue, so that the reminders are delivered.
{
    cat <<'PY'
import os
env["ir.mail_server"].sudo().create({
    "name": "Local SMTP sink (demo: scripts/mail_sink.py, mails in .run/mail)",
    "smtp_host": "127.0.0.1", "smtp_port": int(os.environ["AR_MAIL_PORT"]),
    "smtp_encryption": "none", "smtp_authentication": "login",
})
env.cr.commit()
PY
    cat "$ROOT/scripts/demo_summary.py"
    cat <<'PY'

env["mail.mail"].sudo().process_email_queue()  # commits after each mail
env.cr.commit()
left = dict(env["mail.mail"].sudo()._read_group(
    [("state", "in", ("outgoing", "exception"))], ["state"], ["__count"]))
print("@@ar_policy mail@@", left.get("outgoing", 0), left.get("exception", 0))
PY
} | AR_MAIL_PORT="$MAIL_SINK_PORT" odoo_cmd shell -d "$DB" --no-http --log-level=warn >"$out" ||
    { cat "$out" >&2; die "the nightly run failed (see the log above)"; }
grep -q '^@@ar_policy done@@$' "$out" || { cat "$out" >&2; die "the nightly run did not finish"; }
sed -n '/^@@ar_policy nightly@@$/,/^@@ar_policy done@@$/{/^@@/d;p}' "$out"
read -r _ _ waiting failed < <(grep '^@@ar_policy mail@@ ' "$out") ||
    { cat "$out" >&2; die "the mail queue was not processed"; }
delivered=$(find "$MAIL" -maxdepth 1 -name '*.eml' | wc -l)
index="$MAIL/index.html"
case "$index" in "$PWD"/*) index="${index#"$PWD"/}" ;; esac
echo
echo "Mails delivered: $delivered, see $index$([ "$waiting$failed" = 00 ] ||
    echo " (not delivered: $waiting waiting, $failed failed: see Settings > Technical > Emails)")"

if [ "$SERVE" = 0 ]; then
    log "database $DB is ready (--no-serve); mails in $MAIL"
    exit 0
fi
[ "$(free_port "$PORT")" = "$PORT" ] || die "port $PORT is in use (another Odoo?): stop it or set AR_DEMO_PORT"
log "Odoo on http://localhost:$PORT  login: admin  password: admin  (Ctrl-C stops it)"
log "its mails go on to the SMTP sink on 127.0.0.1:$MAIL_SINK_PORT: $MAIL/index.html"
odoo_cmd -d "$DB" --http-port="$PORT" --db-filter="^$DB\$"
