#!/usr/bin/env bash
# The test command. In a throwaway PostgreSQL cluster it runs, in order:
#   1. the pure business rules (*/rules/tests, plain pytest, no Odoo);
#   2. a fresh database with the addons installed, demo data included;
#   3. the addons' Odoo tests through pytest-odoo (browser tours left out);
#   4. the browser tours (HttpCase tagged ar_policy_tour) through Odoo's own runner;
#   5. the process tests: each scripts/process_tests/*.py or *.sh runs (python3 or bash,
#      from the repository root) on its own copy of the database, named in AR_TEST_DB;
#      ODOO_RC names an Odoo config for it, PGHOST/PGPORT the cluster, and sourcing
#      scripts/lib.sh gives odoo_cmd. Exit status 0 counts one passed, else one failed.
# Every stage runs; the last line reads "N passed, M failed" and the exit status is
# non-zero when anything failed, was skipped, or did not run at all.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TOUR_TAG=ar_policy_tour

require_odoo
require_queue_job                   # the ar_policy_queue_job bridge is installed and tested too
ensure_postgres_packages
apt_install_missing chromium:chromium wkhtmltopdf:wkhtmltopdf
pip_install_missing pytest:pytest pytest_odoo:pytest-odoo websocket:websocket-client aiosmtpd:aiosmtpd

mapfile -t ADDONS < <(project_addons)
[ ${#ADDONS[@]} -gt 0 ] || die "no addon (*/__manifest__.py) in $ROOT"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ar_policy_test.XXXXXX")"
chmod 755 "$WORK"                   # the cluster runs as postgres, below this directory
export AR_DATA_DIR="$WORK/data"
DB=ar_policy_test
PASSED=0
FAILED=0
STAGES_FAILED=()

cleanup() {
    stop_postgres "$WORK/pg"
    if [ ${#STAGES_FAILED[@]} -gt 0 ] && compgen -G "$WORK/*.log" >/dev/null; then
        rm -rf "$ROOT/.run/test-logs"
        mkdir -p "$ROOT/.run/test-logs"
        cp "$WORK"/*.log "$ROOT/.run/test-logs/"
        log "logs kept in $ROOT/.run/test-logs"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "PostgreSQL cluster in $WORK/pg"
start_postgres "$WORK/pg" "$(free_port $((5440 + RANDOM % 500)))"

# begin MESSAGE: a stage starts (its time is counted from here).
begin() {
    STAGE_T0=$SECONDS
    log "$1"
}

# record STAGE PASSED FAILED [WHY]: adds a stage's counts to the totals.
record() {
    local took="$((SECONDS - ${STAGE_T0:-$SECONDS}))s"
    PASSED=$((PASSED + $2))
    FAILED=$((FAILED + $3))
    if [ "$3" -gt 0 ]; then
        STAGES_FAILED+=("$1")
        log "$1: $2 passed, $3 failed${4:+ ($4)} [$took]"
    else
        log "$1: $2 passed [$took]"
    fi
}

# show_log FILE: the end of a failing stage's log.
show_log() {
    printf '%s\n' "----- last lines of $(basename "$1") -----" >&2
    tail -n "${2:-60}" "$1" >&2
    printf '%s\n' "-----" >&2
}

# junit_counts XML: "passed failed skipped" from a pytest JUnit report.
junit_counts() {
    "$PYTHON" - "$1" <<'PY'
import sys
import xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except (OSError, ET.ParseError):
    print(0, 0, 0)
    sys.exit()
suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
tests = failed = skipped = 0
for s in suites:
    tests += int(s.get("tests", 0))
    failed += int(s.get("failures", 0)) + int(s.get("errors", 0))
    skipped += int(s.get("skipped", 0))
print(tests - failed - skipped, failed, skipped)
PY
}

# run_pytest STAGE LOG ARGS...: one pytest run, counted. A skipped test counts as
# failed, and so does a run that collected nothing (pytest's exit status 5).
run_pytest() {
    local stage="$1" logf="$2" xml rc=0 passed failed skipped why=""
    shift 2
    xml="${logf%.log}.xml"
    (cd "$ROOT" && timeout --kill-after=30 "${STAGE_TIMEOUT:-600}" \
        "$PYTHON" -m pytest -q -rfEs --junitxml="$xml" "$@") >"$logf" 2>&1 || rc=$?
    read -r passed failed skipped < <(junit_counts "$xml")
    if [ "$skipped" -gt 0 ]; then
        failed=$((failed + skipped))
        why="$skipped skipped: a skip counts as a failure${SKIP_HINT:+; $SKIP_HINT}"
    fi
    if [ "$rc" = 5 ]; then
        failed=$((failed + 1))
        why="no test collected"
    elif [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        failed=1
        why="pytest exit status $rc"
    fi
    record "$stage" "$passed" "$failed" "$why"
    if [ "$failed" -gt 0 ]; then show_log "$logf"; fi
}

# --- 1. pure business rules ------------------------------------------------------------
PURE_DIRS=()
for d in "$ROOT"/*/rules/tests; do
    if [ -d "$d" ]; then PURE_DIRS+=("${d#"$ROOT"/}"); fi
done
if [ ${#PURE_DIRS[@]} -eq 0 ]; then
    record "pure rules" 0 1 "no */rules/tests directory"
else
    begin "pure rules: pytest ${PURE_DIRS[*]}"
    run_pytest "pure rules" "$WORK/pure.log" -p no:odoo "${PURE_DIRS[@]}"
fi

# --- 2. fresh database ------------------------------------------------------------------
begin "install: ${ADDONS[*]} in a new database (demo data), log level warn"
rc=0
AR_TIMEOUT=900 odoo_cmd -d "$DB" -i "$(IFS=,; echo "${ADDONS[*]}")" --stop-after-init \
    --log-level=warn >"$WORK/install.log" 2>&1 || rc=$?
errors=$(grep -cE '^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) ' "$WORK/install.log" || true)
installed=$(psql_admin -d "$DB" -c "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
    AND name IN ($(printf "'%s'," "${ADDONS[@]}" | sed 's/,$//'))" 2>/dev/null || echo 0)
if [ "$rc" = 0 ] && [ "$errors" = 0 ] && [ "$installed" = "${#ADDONS[@]}" ]; then
    record "install" 1 0
    INSTALLED=1
else
    record "install" 0 1 "exit status $rc, $errors ERROR/CRITICAL lines, $installed/${#ADDONS[@]} addons installed"
    show_log "$WORK/install.log"
    INSTALLED=0
fi

if [ "$INSTALLED" = 1 ]; then
    # --- 3. Odoo tests through pytest-odoo ----------------------------------------------
    CFG="$WORK/odoo.conf"
    write_odoo_config "$CFG" "$DB"
    ODOO_DIRS=()
    for a in "${ADDONS[@]}"; do
        if [ -d "$ROOT/$a/tests" ]; then ODOO_DIRS+=("$a/tests"); fi
    done
    export AR_TOURS_FILE="$WORK/tours.txt"
    if [ ${#ODOO_DIRS[@]} -eq 0 ]; then
        record "odoo tests" 0 1 "no <addon>/tests directory"
    else
        begin "odoo tests: pytest-odoo ${ODOO_DIRS[*]}"
        SKIP_HINT="an HttpCase runs only with the tag $TOUR_TAG, in Odoo's runner" \
            STAGE_TIMEOUT=900 run_pytest "odoo tests" "$WORK/odoo-tests.log" \
            --odoo-config="$CFG" --odoo-database="$DB" "${ODOO_DIRS[@]}"
    fi

    # --- 4. browser tours through Odoo's runner -----------------------------------------
    begin "tours: odoo --test-tags=$TOUR_TAG"
    rc=0
    AR_TIMEOUT=900 odoo_cmd -d "$DB" --test-tags="$TOUR_TAG" --stop-after-init \
        --http-port="$(free_port $((8070 + RANDOM % 900)))" --log-level=info >"$WORK/tours.log" 2>&1 || rc=$?
    # Checks Odoo's own report line, every test it started, skips, errors, and that
    # every tour pytest collected (AR_TOURS_FILE) ran here.
    read -r passed failed why < <("$PYTHON" - "$WORK/tours.log" "$AR_TOURS_FILE" "$rc" <<'PY'
import re
import sys

log_path, tours_path, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(log_path, encoding="utf-8", errors="replace").read()
head = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ (\S+): "
started, skipped, bad = set(), [], []
for level, logger, msg in re.findall(head + r"(.*)$", text, re.M):
    m = re.match(r"Starting (\S+) \.\.\.\s*$", msg)
    if m:
        started.add(m.group(1))
    if re.match(r"skipped \S+ : ", msg) or "websocket-client module is not installed" in msg:
        skipped.append(msg)
    if level in ("ERROR", "CRITICAL"):
        bad.append(msg)
report = re.findall(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests when loading database", text)
run = fails = 0
if report:
    f, e, run = map(int, report[-1])
    fails = f + e
try:
    expected = {line.strip() for line in open(tours_path) if line.strip()}
except OSError:
    expected = set()
missing = expected - started
why = []
failed = fails + len(skipped) + len(missing)
if skipped:
    why.append(f"{len(skipped)} skipped")
if missing:
    why.append("not run: " + " ".join(sorted(missing)))
if not report:
    why.append("no test report from Odoo")
elif run == 0:
    why.append("no tour ran")
if (not report or run == 0 or bad or rc) and failed == 0:
    failed = 1
if bad:
    why.append(f"{len(bad)} ERROR/CRITICAL log lines")
if rc:
    why.append(f"exit status {rc}")
print(max(run - fails - len(skipped), 0), failed, "; ".join(why) or "-")
PY
    )
    [ "$why" = "-" ] && why=""
    record "tours" "$passed" "$failed" "$why"
    if [ "$failed" -gt 0 ]; then
        printf '%s\n' "----- errors and skips in tours.log -----" >&2
        grep -E -A 15 ' (ERROR|CRITICAL) |: skipped ' "$WORK/tours.log" | head -n 150 >&2 || true
        show_log "$WORK/tours.log" 15
    fi

    # --- 5. process tests: real processes on a copy of the database ---------------------
    for script in "$ROOT"/scripts/process_tests/*.py "$ROOT"/scripts/process_tests/*.sh; do
        [ -f "$script" ] || continue
        name="$(basename "$script")"
        copy="${DB}_${name%%.*}"
        begin "process test: $name on database $copy"
        if ! copy_database "$DB" "$copy" >"$WORK/process-$name.log" 2>&1; then
            record "process test $name" 0 1 "could not copy the database"
            show_log "$WORK/process-$name.log"
            continue
        fi
        write_odoo_config "$WORK/$copy.conf" "$copy"
        rc=0
        case "$script" in
            *.py) runner=("$PYTHON") ;;
            *.sh) runner=(bash) ;;
        esac
        (cd "$ROOT" && AR_ROOT="$ROOT" AR_TEST_DB="$copy" ODOO_RC="$WORK/$copy.conf" \
            timeout --kill-after=30 600 "${runner[@]}" "$script") >>"$WORK/process-$name.log" 2>&1 || rc=$?
        if [ "$rc" = 0 ]; then
            record "process test $name" 1 0
        else
            record "process test $name" 0 1 "exit status $rc"
            show_log "$WORK/process-$name.log"
        fi
    done
fi

if [ ${#STAGES_FAILED[@]} -gt 0 ]; then
    log "failed: ${STAGES_FAILED[*]}"
fi
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
