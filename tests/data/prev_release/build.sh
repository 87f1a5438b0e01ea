#!/usr/bin/env bash
# Rebuilds the previous release's database fixtures (run once, by hand; the results are committed):
#   prev_release.sqlite.gz   SQLite file after `migrations forwards all` + `seeds.demo` at PREV
#   prev_release.pg.sql.gz   plain pg_dump of the same on PostgreSQL
#   counts.json              every table's row count in each fixture ({"sqlite": {...}, "postgres": {...}})
# Usage: bash tests/data/prev_release/build.sh [commit]   (from the repository; needs the PostgreSQL 15 binaries)
set -euo pipefail
PREV=${1:-fa09be7}
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
WT=$(mktemp -d /tmp/prev-release.XXXXXX); rmdir "$WT"
WORK=$(mktemp -d /tmp/prev-release-work.XXXXXX)
PGPORT=${PGPORT:-55444}
git -C "$REPO" worktree add --detach "$WT" "$PREV" >/dev/null
ln -s "$REPO/.venv" "$WT/.venv"
cleanup() { bash "$REPO/scripts/pg.sh" stop "$WORK/pg" || true; git -C "$REPO" worktree remove --force "$WT"; rm -rf "$WORK"; }
trap cleanup EXIT
cd "$WT"
export PORTAL_ENV=development PORTAL_LOCAL_DIR="$WORK/local"
SQLITE_PATH="$WORK/prev.sqlite" .venv/bin/python -m piccolo.main migrations forwards all >/dev/null
SQLITE_PATH="$WORK/prev.sqlite" .venv/bin/python -m seeds.demo >/dev/null
URL=$(bash "$REPO/scripts/pg.sh" start "$WORK/pg" "$PGPORT")
DATABASE_URL="$URL" .venv/bin/python -m piccolo.main migrations forwards all >/dev/null
DATABASE_URL="$URL" .venv/bin/python -m seeds.demo >/dev/null
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
"$PGBIN/pg_dump" --no-owner --no-privileges -d "$URL" | gzip -9 > "$HERE/prev_release.pg.sql.gz"
sqlite3_vacuum() { .venv/bin/python -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA journal_mode=DELETE'); c.execute('VACUUM'); c.close()" "$1"; }
sqlite3_vacuum "$WORK/prev.sqlite"
gzip -9 -c "$WORK/prev.sqlite" > "$HERE/prev_release.sqlite.gz"
.venv/bin/python - "$WORK/prev.sqlite" "$URL" "$HERE/counts.json" <<'PY'
import asyncio, json, sqlite3, sys
import asyncpg
c = sqlite3.connect(sys.argv[1])
tables = [r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
lite = {t: c.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
async def pg():
    conn = await asyncpg.connect(sys.argv[2])
    names = [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    out = {t: await conn.fetchval(f'SELECT COUNT(*) FROM "{t}"') for t in names}
    await conn.close()
    return out
json.dump({"sqlite": lite, "postgres": asyncio.run(pg())}, open(sys.argv[3], "w"), indent=1, sort_keys=True)
PY
echo "built from $PREV: $(ls -la "$HERE")"
