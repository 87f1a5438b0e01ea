#!/usr/bin/env bash
# The whole suite: unit + integration on SQLite, integration on PostgreSQL, then browser tests in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export PORTAL_ENV=test
status=0

echo "=== 1/3 unit + integration on SQLite ==="
env -u DATABASE_URL $PY -m pytest tests -q || status=1

echo "=== 2/3 integration on PostgreSQL ==="
PGDIR=$(mktemp -d /tmp/portal-pg.XXXXXX)
PGPORT=${PGPORT:-55432}
while (exec 3<>/dev/tcp/127.0.0.1/$PGPORT) 2>/dev/null; do PGPORT=$((PGPORT + 1)); done
trap 'bash scripts/pg.sh stop "$PGDIR"' EXIT
URL=$(bash scripts/pg.sh start "$PGDIR" "$PGPORT")
DATABASE_URL="$URL" $PY -m pytest tests -q -m integration || status=1
bash scripts/pg.sh stop "$PGDIR"; trap - EXIT

echo "=== 3/3 browser tests in Chromium ==="
env -u DATABASE_URL $PY -m pytest e2e -q || status=1

exit $status
