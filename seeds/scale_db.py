"""The scale generator's bulk connection: one raw connection to the configured database (the SQLite file, or
PostgreSQL when DATABASE_URL is set), with the same small interface on both engines:

- `fetch(sql)` → (column names, rows as tuples), values as the driver stores them (read raw, written back raw);
- `insert(table, columns, rows)` → sqlite3 `executemany` / asyncpg `copy_records_to_table`, in large batches;
- `begin()` / `commit()` around a family of tables (a few transactions, never one per row);
- `fix_sequences(tables)` after explicit ids (PostgreSQL's serial sequences follow the new maximum).

Generated values are Python objects (date, datetime, Decimal, bool); on SQLite they are stored through Piccolo's
own sqlite3 adapters (registered when piccolo.engine.sqlite is imported), so the portal reads them as its ORM wrote them."""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable, Sequence

import piccolo.engine.sqlite  # noqa: F401  (registers Piccolo's sqlite3 adapters: Decimal, date, datetime)

from app.settings import get_settings

BATCH = 5000


class Bulk:
    engine: str

    async def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        raise NotImplementedError

    async def scalar(self, sql: str) -> Any:
        _, rows = await self.fetch(sql)
        return rows[0][0] if rows else None

    async def execute(self, sql: str) -> None:
        raise NotImplementedError

    async def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        raise NotImplementedError

    async def begin(self) -> None:
        await self.execute("BEGIN")

    async def commit(self) -> None:
        await self.execute("COMMIT")

    async def max_id(self, table: str) -> int:
        return int(await self.scalar(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"') or 0)

    async def columns(self, table: str) -> list[str]:
        cols, _ = await self.fetch(f'SELECT * FROM "{table}" WHERE 1 = 0')
        return cols

    async def fix_sequences(self, tables: Iterable[str]) -> None:
        return None

    async def close(self) -> None:
        return None


class SQLiteBulk(Bulk):
    engine = "sqlite"

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout = 60000")
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("PRAGMA cache_size = -200000")

    async def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        cur = self.conn.execute(sql)
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()

    async def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    async def begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    async def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        cur = self.conn.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
        return cur.rowcount

    async def close(self) -> None:
        self.conn.close()


class PostgresBulk(Bulk):
    engine = "postgres"

    def __init__(self, conn):
        self.conn = conn

    @classmethod
    async def connect(cls, dsn: str) -> "PostgresBulk":
        import asyncpg

        return cls(await asyncpg.connect(dsn))

    async def fetch(self, sql: str) -> tuple[list[str], list[tuple]]:
        stmt = await self.conn.prepare(sql)
        cols = [a.name for a in stmt.get_attributes()]
        return cols, [tuple(r) for r in await stmt.fetch()]

    async def execute(self, sql: str) -> None:
        await self.conn.execute(sql)

    async def insert(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        batch: list[Sequence[Any]] = []
        n = 0
        for r in rows:
            batch.append(r)
            if len(batch) >= BATCH * 4:
                await self.conn.copy_records_to_table(table, records=batch, columns=list(columns))
                n += len(batch)
                batch = []
        if batch:
            await self.conn.copy_records_to_table(table, records=batch, columns=list(columns))
            n += len(batch)
        return n

    async def fix_sequences(self, tables: Iterable[str]) -> None:
        for t in tables:
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{t}\"', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{t}\"), 1))")

    async def close(self) -> None:
        await self.conn.close()


async def connect() -> Bulk:
    s = get_settings()
    if s.database_url:
        return await PostgresBulk.connect(s.database_url)
    return SQLiteBulk(str(s.sqlite_path))
