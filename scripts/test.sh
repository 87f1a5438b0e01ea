#!/usr/bin/env bash
# The whole suite: unit + integration on SQLite and integration on PostgreSQL side by side (two processes, each on
# its own fresh database; the machine has two cores), then the browser tests in Chromium, started when the SQLite stage ends. Tests marked
# `postgres` (several hosts on one PostgreSQL) run in the PostgreSQL stage only.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PORTAL_ENV=test
status=0
LOGS=$(mktemp -d /tmp/portal-test-logs.XXXXXX)

PGDIR=$(mktemp -d /tmp/portal-pg.XXXXXX)
PGPORT=${PGPORT:-55432}
while (exec 3<>/dev/tcp/127.0.0.1/$PGPORT) 2>/dev/null; do PGPORT=$((PGPORT + 1)); done
trap 'bash scripts/pg.sh stop "$PGDIR"' EXIT
URL=$(bash scripts/pg.sh start "$PGDIR" "$PGPORT")

echo "logs: $LOGS"
echo "=== 1/3 unit + integration on SQLite and 2/3 integration on PostgreSQL (in parallel) ==="
start=$(date +%s)
env -u DATABASE_URL $PY -m pytest tests -q -m "not postgres" -p no:cacheprovider >"$LOGS/sqlite.log" 2>&1 & sqlite_pid=$!
DATABASE_URL="$URL" $PY -m pytest tests -q -m integration -p no:cacheprovider >"$LOGS/postgres.log" 2>&1 & pg_pid=$!
wait $sqlite_pid || status=1
echo "--- 1/3 SQLite (finished after $(( $(date +%s) - start )) s) ---"; grep -v "Warning\|warnings.warn\|return KwargsModel\|^$\|^  " "$LOGS/sqlite.log" | tail -80
# the browser tests start as soon as the SQLite stage is done (the PostgreSQL stage, the longer one, may still run)
echo "=== 3/3 browser tests in Chromium (started after $(( $(date +%s) - start )) s) ==="
env -u DATABASE_URL $PY -m pytest e2e -q -p no:cacheprovider >"$LOGS/e2e.log" 2>&1 & e2e_pid=$!
wait $pg_pid || status=1
echo "--- 2/3 PostgreSQL (finished after $(( $(date +%s) - start )) s) ---"; grep -v "Warning\|warnings.warn\|return KwargsModel\|^$\|^  " "$LOGS/postgres.log" | tail -80
bash scripts/pg.sh stop "$PGDIR"; trap - EXIT
wait $e2e_pid || status=1
echo "--- 3/3 browser tests (finished after $(( $(date +%s) - start )) s) ---"; grep -v "Warning\|warnings.warn\|^$\|^  " "$LOGS/e2e.log" | tail -60

exit $status
