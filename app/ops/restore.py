"""Restore a backup made by app.ops.backup into the configured database (SQLITE_PATH or DATABASE_URL).

    python -m app.ops.restore backups/portal-sqlite-20261202-180000.tar.gz
    python -m app.ops.restore FILE --force      # replace a database that already holds data
    make restore FILE=... [FORCE=1]

Before anything is written the archive is checked: its format, and the SHA-256 of the database member against the
manifest. The target must be empty (no tables) unless --force. SQLite is written with the backup API into the target
file (then WAL, as the portal runs it); PostgreSQL with `pg_restore --single-transaction --exit-on-error` (nothing
half-written) — with --force the target's public schema is dropped first. After the restore every table's row count
and every attachment's size and SHA-256 are compared with the manifest; any difference fails the command.
Stop the portal's processes before restoring over a live database. The restore is recorded in the audit log."""
from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from app.ops.archive import (
    Manifest,
    OpsError,
    compare,
    open_archive,
    pg_attachments,
    pg_counts,
    pg_env,
    pg_tables,
    pg_tool,
    sqlite_attachments,
    sqlite_counts,
    sqlite_tables,
)
from app.settings import get_settings

ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def restore_sqlite(manifest: Manifest, member: Path, target: Path, force: bool) -> list[str]:
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and target.stat().st_size > 0:
        with sqlite3.connect(target, timeout=30) as probe:
            tables = sqlite_tables(probe)
        if tables and not force:
            raise OpsError(f"目标数据库 {target} 不是空的（已有 {len(tables)} 张表）：拒绝覆盖。确认要覆盖请加 --force（先停止门户进程）。")
    src = sqlite3.connect(f"file:{member}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)  # replaces every page of the target in one step
        dst.execute("PRAGMA journal_mode=WAL")
        counts, attachments = sqlite_counts(dst), sqlite_attachments(dst)
    finally:
        src.close()
        dst.close()
    return compare(manifest, counts, attachments)


async def restore_postgres(manifest: Manifest, member: Path, url: str, force: bool) -> list[str]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        tables = await pg_tables(conn)
        if tables:
            if not force:
                raise OpsError(f"目标数据库不是空的（public 模式下已有 {len(tables)} 张表）：拒绝覆盖。确认要覆盖请加 --force（先停止门户进程）。")
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    dsn, extra = pg_env(url)
    proc = await asyncio.create_subprocess_exec(
        pg_tool("pg_restore"), "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", f"--dbname={dsn}", str(member),
        env={**os.environ, **extra}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate()
    if proc.returncode != 0:
        raise OpsError(f"pg_restore 失败（退出码 {proc.returncode}），目标数据库未写入：{err.decode(errors='replace').strip()[-1000:]}")
    conn = await asyncpg.connect(url)
    try:
        return compare(manifest, await pg_counts(conn), await pg_attachments(conn))
    finally:
        await conn.close()


async def _audit(path: Path, manifest: Manifest) -> None:
    from app.core import audit

    m = manifest.data
    await audit.record(actor=None, action="ops.restore", entity="database", entity_id=m["engine"],
                       summary=f"从备份 {path.name}（{m['created_at']}）恢复数据库：{sum(m['tables'].values())} 行，"
                               f"附件 {m['attachments']['count']} 个，校验一致")


def run(path: Path, force: bool = False) -> Manifest:
    s = get_settings()
    engine = "postgresql" if s.database_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        manifest, member = open_archive(path, Path(tmp))
        if manifest.engine != engine:
            raise OpsError(f"这是 {ENGINE_NAMES.get(manifest.engine, manifest.engine)} 的备份，当前配置的数据库是 {ENGINE_NAMES[engine]}：不能跨引擎恢复。")
        if engine == "sqlite":
            problems = restore_sqlite(manifest, member, s.sqlite_path, force)
        else:
            problems = asyncio.run(restore_postgres(manifest, member, s.database_url, force))
    if problems:
        raise OpsError("恢复后的数据与备份清单不一致：\n" + "\n".join(problems[:50]))
    asyncio.run(_audit(path, manifest))
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="从备份归档恢复门户数据库（含全部附件），恢复前后均校验")
    ap.add_argument("archive", type=Path, help="app.ops.backup 生成的归档文件")
    ap.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然覆盖")
    args = ap.parse_args(argv)
    try:
        m = run(args.archive, args.force)
    except OpsError as e:
        print(f"恢复失败：{e}", file=sys.stderr)
        return 1
    print(f"恢复完成：{args.archive}（{m.data['created_at']}，{len(m.data['tables'])} 张表，{sum(m.data['tables'].values())} 行，"
          f"附件 {m.data['attachments']['count']} 个，校验一致）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
