"""The backup archive and what both commands share.

An archive is one gzip'd tar holding
- `manifest.json`: format, engine, when, the sha256 and size of every other member, the row count of every table and,
  for every attachment, its blob's size and sha256 (as read from the backup itself);
- `database.sqlite` (SQLite: the online backup API's consistent copy) or `database.pgdump` (PostgreSQL: pg_dump -Fc).

Attachments live in the database (table attachment_blob, app/core/attachments.py `DatabaseStorage`), so the database
member carries their bytes; the manifest's per-attachment checksums let the restore prove every file came back intact.
Nothing here reads the environment: the target comes from app.settings."""
from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

FORMAT = "kefu-portal-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite"
PG_MEMBER = "database.pgdump"
BATCH = 200  # attachment blobs read per query


class OpsError(RuntimeError):
    """A refusal or failure the command reports in Chinese and exits non-zero for."""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------ PostgreSQL client tools and connection

def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: Debian's wrapper on PATH, else the newest /usr/lib/postgresql/*/bin (see scripts/pg.sh)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if candidates:
        return str(candidates[-1])
    raise OpsError(f"找不到 PostgreSQL 客户端工具 {name}：请安装 Debian 的 postgresql-client 软件包。")


def pg_env(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password (so it never shows in the process list) and the libpq variables that carry it."""
    parts = urlsplit(url)
    extra: dict[str, str] = {}
    if parts.password is not None:
        extra["PGPASSWORD"] = unquote(parts.password)
        netloc = parts.hostname or ""
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        if parts.port:
            netloc = f"{netloc}:{parts.port}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url, extra


# ------------------------------------------------------------------ what a database holds (both engines)

def sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in sqlite_tables(conn)}


def sqlite_attachments(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every attachment with its blob's size and sha256 computed from the bytes (one query per batch of blobs)."""
    if "attachment" not in sqlite_tables(conn):
        return []
    rows = conn.execute("SELECT id, storage, storage_key, sha256 FROM attachment ORDER BY id").fetchall()
    return _with_blob_hashes([dict(zip(("id", "storage", "key", "recorded_sha256"), r)) for r in rows],
                             lambda keys: conn.execute(
                                 f"SELECT id, data FROM attachment_blob WHERE id IN ({','.join('?' * len(keys))})", keys).fetchall())


async def pg_tables(conn) -> list[str]:
    return [r["tablename"] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]


async def pg_counts(conn) -> dict[str, int]:
    out = {}
    for t in await pg_tables(conn):
        out[t] = int(await conn.fetchval(f'SELECT COUNT(*) FROM public."{t}"'))
    return out


async def pg_attachments(conn) -> list[dict[str, Any]]:
    if "attachment" not in await pg_tables(conn):
        return []
    rows = [{"id": r["id"], "storage": r["storage"], "key": r["storage_key"], "recorded_sha256": r["sha256"]}
            for r in await conn.fetch("SELECT id, storage, storage_key, sha256 FROM attachment ORDER BY id")]
    blobs: dict[int, bytes] = {}
    db_keys = [int(r["key"]) for r in rows if r["storage"] == "db" and str(r["key"]).isdigit()]
    for i in range(0, len(db_keys), BATCH):
        for b in await conn.fetch("SELECT id, data FROM attachment_blob WHERE id = ANY($1::bigint[])", db_keys[i:i + BATCH]):
            blobs[int(b["id"])] = bytes(b["data"]) if b["data"] is not None else b""
    return _hash_rows(rows, blobs)


def _with_blob_hashes(rows: list[dict], fetch) -> list[dict]:
    blobs: dict[int, bytes] = {}
    db_keys = [int(r["key"]) for r in rows if r["storage"] == "db" and str(r["key"]).isdigit()]
    for i in range(0, len(db_keys), BATCH):
        for bid, data in fetch(db_keys[i:i + BATCH]):
            blobs[int(bid)] = bytes(data) if data is not None else b""
    return _hash_rows(rows, blobs)


def _hash_rows(rows: list[dict], blobs: dict[int, bytes]) -> list[dict]:
    out = []
    for r in rows:
        if r["storage"] != "db":
            raise OpsError(f"附件 #{r['id']} 存放在存储后端「{r['storage']}」，不在数据库中：本备份命令只备份数据库内的附件。")
        data = blobs.get(int(r["key"])) if str(r["key"]).isdigit() else None
        out.append({"id": r["id"], "blob": int(r["key"]) if str(r["key"]).isdigit() else None,
                    "size": None if data is None else len(data),
                    "sha256": None if data is None else hashlib.sha256(data).hexdigest(),
                    "recorded_sha256": r["recorded_sha256"]})
    return out


# ------------------------------------------------------------------ the archive

@dataclass
class Manifest:
    data: dict[str, Any]

    @property
    def engine(self) -> str:
        return self.data["engine"]

    @property
    def member(self) -> str:
        return SQLITE_MEMBER if self.engine == "sqlite" else PG_MEMBER


def build_manifest(engine: str, created_at: str, member: Path, counts: dict[str, int], attachments: list[dict]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "engine": engine,
        "created_at": created_at,
        "files": {(SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER): {"sha256": sha256_file(member), "size": member.stat().st_size}},
        "tables": counts,
        "attachments": {"count": len(attachments), "bytes": sum(a["size"] or 0 for a in attachments), "items": attachments},
    }


def write_archive(out: Path, manifest: dict[str, Any], member: Path) -> None:
    """Write to a temporary name next to `out`, then rename: a half-written archive never carries the final name."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    with tarfile.open(tmp, "w:gz") as tar:
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime = len(body), int(time.time())
        tar.addfile(info, io.BytesIO(body))
        tar.add(member, arcname=next(iter(manifest["files"])))
    tmp.replace(out)


def open_archive(path: Path, workdir: Path) -> tuple[Manifest, Path]:
    """Extract the archive into `workdir` and check it: format, the members listed and their checksums."""
    if not path.is_file():
        raise OpsError(f"备份文件不存在：{path}")
    try:
        with tarfile.open(path, "r:gz") as tar:
            names = tar.getnames()
            if MANIFEST not in names:
                raise OpsError("备份文件中缺少 manifest.json，不是本系统的备份。")
            data = json.loads(tar.extractfile(MANIFEST).read())
            if data.get("format") != FORMAT:
                raise OpsError(f"备份格式 {data.get('format')!r} 不受支持（应为 {FORMAT}）。")
            for name in data["files"]:
                if name not in names or "/" in name or name.startswith("."):
                    raise OpsError(f"备份文件中缺少 {name}。")
                tar.extract(name, workdir, filter="data")
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError) as e:
        raise OpsError(f"备份文件已损坏，无法读取：{e}") from e
    manifest = Manifest(data)
    for name, meta in data["files"].items():
        got = sha256_file(workdir / name)
        if got != meta["sha256"] or (workdir / name).stat().st_size != meta["size"]:
            raise OpsError(f"校验失败：{name} 的 SHA-256 为 {got}，与清单记录的 {meta['sha256']} 不符，备份文件已损坏或被改动，拒绝恢复。")
    return manifest, workdir / manifest.member


def compare(manifest: Manifest, counts: dict[str, int], attachments: Iterable[dict]) -> list[str]:
    """What differs between the restored database and the manifest (empty: identical)."""
    problems = []
    want = manifest.data["tables"]
    for t in sorted(set(want) | set(counts)):
        if want.get(t) != counts.get(t):
            problems.append(f"表 {t}：备份时 {want.get(t, '无')} 行，恢复后 {counts.get(t, '无')} 行")
    got = {a["id"]: a for a in attachments}
    for a in manifest.data["attachments"]["items"]:
        b = got.get(a["id"])
        if b is None or (b["sha256"], b["size"]) != (a["sha256"], a["size"]):
            problems.append(f"附件 #{a['id']}：恢复后的内容与备份时的校验值不符")
    return problems
