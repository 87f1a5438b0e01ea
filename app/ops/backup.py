"""Back up the whole portal — the database with every attachment — into one archive, while the portal runs.

    python -m app.ops.backup backups/                      # → backups/portal-<engine>-YYYYMMDD-HHMMSS.tar.gz
    python -m app.ops.backup /mnt/nas/portal-nightly.tar.gz
    make backup [OUT=backups/]

SQLite: sqlite3's online backup API copies the database in one step inside a read transaction, a consistent snapshot
that WAL lets the running portal keep writing past (the file itself is never copied). PostgreSQL: a REPEATABLE READ
transaction exports its snapshot; the row counts and attachment checksums of the manifest are read in it and
`pg_dump -Fc --snapshot` dumps exactly that state. Either way the manifest describes precisely what the archive holds.
The backup is recorded in the audit log (ops.backup). See README.md «备份与恢复»."""
from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from app.ops.archive import (
    OpsError,
    build_manifest,
    pg_attachments,
    pg_counts,
    pg_env,
    pg_tool,
    sqlite_attachments,
    sqlite_counts,
    write_archive,
)
from app.settings import get_settings


def _stamp() -> datetime:
    from app.core.timeutil import now, to_local

    return to_local(now())  # Asia/Shanghai: the archive's name reads as the office's clock


def _target(out: str | Path, engine: str, at: datetime) -> Path:
    """`out` as given, or a new name inside it when it is a directory (or ends with a slash)."""
    if str(out).endswith(("/", os.sep)) or Path(out).is_dir():
        return Path(out) / f"portal-{engine}-{at:%Y%m%d-%H%M%S}.tar.gz"
    return Path(out)


def backup_sqlite(db_path: Path, out: str | Path) -> dict:
    if not db_path.is_file():
        raise OpsError(f"SQLite 数据库文件不存在：{db_path}")
    at = _stamp()
    out = _target(out, "sqlite", at)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-backup-", dir=out.parent) as tmp:
        copy = Path(tmp) / "database.sqlite"
        src = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)  # pages=-1: the whole database in one step, one consistent snapshot
        finally:
            src.close()
        try:
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive (no -wal beside it)
            check = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise OpsError(f"备份副本完整性检查未通过：{check}")
            counts = sqlite_counts(dst)
            attachments = sqlite_attachments(dst)
        finally:
            dst.close()
        manifest = build_manifest("sqlite", at.isoformat(), copy, counts, attachments)
        write_archive(out, manifest, copy)
    return {"path": out, "manifest": manifest}


async def backup_postgres(url: str, out: str | Path) -> dict:
    import asyncpg

    at = _stamp()
    out = _target(out, "postgresql", at)
    out.parent.mkdir(parents=True, exist_ok=True)
    dsn, extra = pg_env(url)
    conn = await asyncpg.connect(url)
    try:
        with tempfile.TemporaryDirectory(prefix="portal-backup-", dir=out.parent) as tmp:
            dump = Path(tmp) / "database.pgdump"
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
                counts = await pg_counts(conn)
                attachments = await pg_attachments(conn)
                proc = await asyncio.create_subprocess_exec(
                    pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-owner", "--no-privileges",
                    f"--file={dump}", f"--dbname={dsn}", env={**os.environ, **extra},
                    stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                _, err = await proc.communicate()
                if proc.returncode != 0:
                    raise OpsError(f"pg_dump 失败（退出码 {proc.returncode}）：{err.decode(errors='replace').strip()[-1000:]}")
            manifest = build_manifest("postgresql", at.isoformat(), dump, counts, attachments)
            write_archive(out, manifest, dump)
    finally:
        await conn.close()
    return {"path": out, "manifest": manifest}


async def _audit(result: dict) -> None:
    from app.core import audit

    m = result["manifest"]
    await audit.record(actor=None, action="ops.backup", entity="database", entity_id=m["engine"],
                       summary=f"数据库备份：{result['path'].name}，{sum(m['tables'].values())} 行，附件 {m['attachments']['count']} 个"
                               f"（{m['attachments']['bytes']} 字节）")


def run(out: str | Path) -> dict:
    s = get_settings()
    if s.database_url:
        result = asyncio.run(backup_postgres(s.database_url, out))
    else:
        result = backup_sqlite(s.sqlite_path, out)
    asyncio.run(_audit(result))
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="备份门户：数据库（含全部附件）打包为一个归档文件，门户运行中也可执行")
    ap.add_argument("out", help="归档文件路径，或一个目录（自动命名）")
    args = ap.parse_args(argv)
    try:
        result = run(args.out)
    except OpsError as e:
        print(f"备份失败：{e}", file=sys.stderr)
        return 1
    m = result["manifest"]
    for a in m["attachments"]["items"]:
        if a["sha256"] is None or (a["recorded_sha256"] and a["recorded_sha256"] != a["sha256"]):
            print(f"警告：附件 #{a['id']} 的内容与上传时记录的校验值不符（或内容缺失），已按现状备份。", file=sys.stderr)
    print(f"备份完成：{result['path']}（{m['engine']}，{len(m['tables'])} 张表，{sum(m['tables'].values())} 行，"
          f"附件 {m['attachments']['count']} 个 / {m['attachments']['bytes']} 字节）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
