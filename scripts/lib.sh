#!/usr/bin/env bash
# Shared helpers for the project's scripts: Odoo check, system packages, PostgreSQL.
set -euo pipefail

# AR_ROOT points the scripts at another checkout of the addons (e.g. a throwaway copy).
ROOT="$(cd "${AR_ROOT:-$(dirname "${BASH_SOURCE[0]}")/..}" && pwd)"
PYTHON="${PYTHON:-python3}"
DB_USER="${AR_DB_USER:-odoo}"

log() {
    if [ -t 2 ]; then printf '\033[1m[ar_policy]\033[0m %s\n' "$*" >&2; else printf '[ar_policy] %s\n' "$*" >&2; fi
}
die() { log "ERROR: $*"; exit 1; }

require_odoo() {
    local version
    if ! version=$(cd / && "$PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null); then
        die "Odoo 18.0 is not importable by $PYTHON.
  Get the Odoo 18.0 source (e.g. git clone -b 18.0 --depth 1 https://github.com/odoo/odoo),
  install its requirements (pip install -r requirements.txt) and Odoo itself
  (pip install --no-deps -e .), so that: $PYTHON -c 'import odoo' works. Then run this again."
    fi
    [ "$version" = "18" ] || die "Odoo $version found; ar_policy needs Odoo 18.0."
    ODOO_ADDONS="$(cd / && "$PYTHON" -c 'import odoo.addons, os; print(",".join(p for p in odoo.addons.__path__ if os.path.isdir(p)))')"
    export ODOO_ADDONS
}

# OCA addons the bridges need (queue_job for ar_policy_queue_job), installed from PyPI
# with pip --target into a cache directory: a wheel's odoo/ folder installed into
# site-packages would shadow an editable Odoo. Their DIR/odoo/addons joins the addons path.
OCA_DIR="${AR_OCA_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ar_policy/oca}"
QUEUE_JOB_SPEC="${AR_QUEUE_JOB_SPEC:-odoo-addon-queue-job==18.0.*}"

# oca_addons_path: ",DIR/odoo/addons" when queue_job is in the cache, else nothing.
oca_addons_path() {
    if [ -f "$OCA_DIR/odoo/addons/queue_job/__manifest__.py" ]; then
        printf ',%s' "$OCA_DIR/odoo/addons"
    fi
    return 0
}

# require_queue_job: OCA queue_job 18.0 in $OCA_DIR, installed from PyPI when missing.
# Odoo 18.0 builds older than 2025 have no api.private (queue_job marks queue.job's
# create with it): on those the decorator is dropped from the cached copy; nobody has
# the create right on queue.job (its access rules), so RPC still cannot create jobs.
require_queue_job() {
    local qj="$OCA_DIR/odoo/addons/queue_job"
    if [ ! -f "$qj/__manifest__.py" ]; then
        log "installing OCA queue_job ($QUEUE_JOB_SPEC) from PyPI into $OCA_DIR"
        mkdir -p "$OCA_DIR"
        "$PYTHON" -m pip install -q --no-deps --target "$OCA_DIR" "$QUEUE_JOB_SPEC" >/dev/null 2>&1 ||
            die "pip install --no-deps --target $OCA_DIR $QUEUE_JOB_SPEC failed"
        pip_install_missing requests:requests
    fi
    if ! (cd / && "$PYTHON" -c 'import odoo.api as a; a.private' >/dev/null 2>&1) &&
        grep -rqs '@api.private' "$qj" --include=*.py; then
        log "this Odoo build has no api.private: dropping the decorator from $qj"
        grep -rls '@api.private' "$qj" --include=*.py | xargs sed -i '/^ *@api\.private$/d'
    fi
}

apt_install_missing() {
    # apt_install_missing CMD:PACKAGE ...  installs PACKAGE when CMD is absent.
    local want=() pair
    for pair in "$@"; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || want+=("${pair#*:}")
    done
    [ ${#want[@]} -eq 0 ] && return 0
    [ "$(id -u)" = 0 ] || die "missing ${want[*]}: install them (apt-get install ${want[*]})"
    log "installing from Debian: ${want[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
}

pip_install_missing() {
    # pip_install_missing MODULE:PACKAGE ...  installs PACKAGE when MODULE does not import.
    local want=() pair
    for pair in "$@"; do
        (cd / && "$PYTHON" -c "import ${pair%%:*}" >/dev/null 2>&1) || want+=("${pair#*:}")
    done
    [ ${#want[@]} -eq 0 ] && return 0
    log "installing from PyPI: ${want[*]}"
    "$PYTHON" -m pip install -q "${want[@]}" >/dev/null 2>&1 || die "pip install ${want[*]} failed"
}

pg_bin() {
    local d
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
    return 1
}

ensure_postgres_packages() {
    pg_bin >/dev/null 2>&1 || apt_install_missing "__none__:postgresql"
    pg_bin >/dev/null 2>&1 || die "PostgreSQL server binaries not found after install"
}

as_pg_owner() {
    # Runs a command as the cluster owner: PostgreSQL refuses to run as root.
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start_postgres BASEDIR PORT: starts (creating if needed) a private cluster in
# BASEDIR/data with its socket in BASEDIR; exports PGHOST/PGPORT and creates the
# role $DB_USER (Odoo refuses to connect as postgres).
start_postgres() {
    local base="$1" port="$2" bin datadir
    datadir="$1/data"
    bin="$(pg_bin)"
    mkdir -p "$base"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$base"; chmod 755 "$base"; fi
    if [ ! -f "$datadir/PG_VERSION" ]; then
        as_pg_owner "$bin/initdb" -D "$datadir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! as_pg_owner "$bin/pg_ctl" -D "$datadir" status >/dev/null 2>&1; then
        as_pg_owner "$bin/pg_ctl" -D "$datadir" -l "$datadir/server.log" -w -t 60 \
            -o "-p $port -k $base -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            start >/dev/null
    fi
    export PGHOST="$base" PGPORT="$port"
    as_pg_owner "$bin/psql" -h "$base" -p "$port" -U postgres -d postgres -qtAc \
        "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" | grep -q 1 ||
        as_pg_owner "$bin/psql" -h "$base" -p "$port" -U postgres -d postgres -qc \
            "CREATE ROLE \"$DB_USER\" LOGIN SUPERUSER" >/dev/null
}

# pg_base PREFERRED: PREFERRED when the cluster owner (postgres) can enter it; otherwise a
# directory of its own under /var/tmp, named after this checkout, and a line saying so.
# A clone in root's home (mode 700) is such a case: initdb, run as postgres, could not
# reach a cluster inside it.
pg_base() {
    local want="$1" alt
    mkdir -p "$want"
    if [ "$(id -u)" != 0 ] || runuser -u postgres -- test -x "$want" 2>/dev/null; then
        echo "$want"
        return
    fi
    alt="/var/tmp/ar_policy-$(printf '%s' "$want" | md5sum | cut -c1-12)"
    mkdir -p "$alt"
    log "the postgres user cannot enter $want: the cluster lives in $alt instead"
    echo "$alt"
}

stop_postgres() {
    as_pg_owner "$(pg_bin)/pg_ctl" -D "$1/data" -m fast stop >/dev/null 2>&1 || true
}

# free_port START: prints the first TCP port from START up that nothing listens on.
free_port() {
    "$PYTHON" - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
while True:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            port += 1
            continue
    print(port)
    break
PY
}

# start_mail_sink DIR: empties DIR and starts scripts/mail_sink.py (aiosmtpd) on a free
# loopback port in the background: every mail Odoo sends there lands in DIR as .eml, with
# DIR/index.html listing them. Sets MAIL_SINK_PORT and MAIL_SINK_PID; its log is DIR.log.
start_mail_sink() {
    local dir="$1" i
    rm -rf "${dir:?}"
    mkdir -p "$dir"
    MAIL_SINK_PORT="$(free_port 2525)"
    "$PYTHON" "$ROOT/scripts/mail_sink.py" --port "$MAIL_SINK_PORT" --dir "$dir" >"$dir.log" 2>&1 &
    MAIL_SINK_PID=$!
    for i in $(seq 150); do
        # the sink writes its (empty) index once it listens
        [ -f "$dir/index.html" ] && return 0
        kill -0 "$MAIL_SINK_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir.log" >&2
    die "the mail sink did not start (see above)"
}

# stop_mail_sink: stops the sink start_mail_sink started, if it runs.
stop_mail_sink() {
    if [ -n "${MAIL_SINK_PID:-}" ]; then
        kill -TERM "$MAIL_SINK_PID" 2>/dev/null && wait "$MAIL_SINK_PID" 2>/dev/null || true
        MAIL_SINK_PID=""
    fi
    return 0
}

# project_addons: the addons of this repository, one a line.
project_addons() {
    local m
    for m in "$ROOT"/*/__manifest__.py; do
        [ -f "$m" ] && basename "$(dirname "$m")"
    done
    return 0
}

# odoo_cmd [SUBCOMMAND] ARGS...: runs Odoo against the private cluster. A subcommand
# (shell, ...) must come first on Odoo's command line, so it is kept in front.
# AR_DATA_DIR, when set, keeps the filestore and sessions there; AR_TIMEOUT (seconds),
# when set, stops Odoo after that long (exit status 124).
odoo_cmd() {
    local sub=()
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then sub=("$1"); shift; fi
    (cd / && ${AR_TIMEOUT:+timeout --kill-after=30 "$AR_TIMEOUT"} "$PYTHON" -m odoo "${sub[@]}" --addons-path="$ROOT,$ODOO_ADDONS$(oca_addons_path)" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$DB_USER" \
        ${AR_DATA_DIR:+--data-dir="$AR_DATA_DIR"} "$@")
}

# write_odoo_config FILE DBNAME: an Odoo configuration file for the private cluster
# (for tools that read one, such as pytest-odoo).
write_odoo_config() {
    cat >"$1" <<CFG
[options]
addons_path = $ROOT,$ODOO_ADDONS$(oca_addons_path)
db_host = $PGHOST
db_port = $PGPORT
db_user = $DB_USER
db_name = $2
dbfilter = ^$2\$
CFG
    if [ -n "${AR_DATA_DIR:-}" ]; then echo "data_dir = $AR_DATA_DIR" >>"$1"; fi
}

# psql_admin ARGS...: psql on the private cluster as the cluster's superuser.
psql_admin() {
    PGOPTIONS="-c client_min_messages=warning" as_pg_owner "$(pg_bin)/psql" -h "$PGHOST" \
        -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"
}

# copy_database SOURCE TARGET: TARGET becomes a copy of SOURCE, filestore included.
copy_database() {
    local fs="${AR_DATA_DIR:-$HOME/.local/share/Odoo}/filestore"
    psql_admin -c "DROP DATABASE IF EXISTS \"$2\"" \
        -c "CREATE DATABASE \"$2\" TEMPLATE \"$1\" OWNER \"$DB_USER\"" || return 1
    rm -rf "${fs:?}/$2"
    if [ -d "$fs/$1" ]; then cp -a "$fs/$1" "$fs/$2" || return 1; fi
}
