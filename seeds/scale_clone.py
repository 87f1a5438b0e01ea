"""Set-based cloning of record trees for the scale generator.

The demo seeds create every stage of the pipeline and of customer care through the real services, so their rows are
consistent by construction (a signed deal has its 审核单, receipts and entries; a handed-over one its date, fund payment
and 交付确认; a pending request its one pending task). A *family* is a set of tables whose rows hang together by
foreign keys (unit → deal → instalment → receipt …). `clone_family` copies the family's template rows `copies` times:

- ids: copy k (1-based) of row `id` gets `id + k * M[table]`, M = the table's max id before the run, so every copy's
  ids are free and every foreign key inside the family is remapped by the same rule (no lookup per row);
- a row is copied only if every family foreign key it holds points at a copied row (templates are filtered at the roots);
- unique text columns get a per-copy suffix (`-S<run>-<k>`), unless a hook rewrites them;
- per-table hooks rewrite what must differ per copy (project, building, room, buyer identity, contract number …).

Rows are streamed to the database in batches; nothing is saved row by row through the ORM."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from piccolo.conf.apps import Finder

from seeds.scale_db import Bulk

Hook = Callable[[list, int, "Copier"], bool | None]  # (row values, copy k, copier) → False to skip the row


def table_classes() -> dict[str, Any]:
    return {t._meta.tablename: t for t in Finder().get_table_classes()}


@dataclass
class TableSpec:
    table: str
    where: str = ""  # SQL condition on the template rows (roots); children are filtered by the family's foreign keys
    hook: Hook | None = None
    keep_fk: tuple[str, ...] = ()  # family foreign keys to keep as they are (not remapped)
    null_fk: tuple[str, ...] = ()  # foreign keys to clear in the copies


@dataclass
class Copier:
    bulk: Bulk
    tag: str  # "S<run>" — the suffix of unique text in this run
    max_ids: dict[str, int] = field(default_factory=dict)
    templates: dict[str, set[int]] = field(default_factory=dict)  # table → template ids copied
    cols: dict[str, dict[str, int]] = field(default_factory=dict)  # table → column → index
    counts: dict[str, int] = field(default_factory=dict)
    log: Callable[[str], None] = print

    async def base(self, table: str) -> int:
        if table not in self.max_ids:
            self.max_ids[table] = await self.bulk.max_id(table)
        return self.max_ids[table]

    def new_id(self, table: str, old: int, k: int) -> int:
        return old + k * self.max_ids[table]

    def suffix(self, value: str, k: int, length: int) -> str:
        s = f"-{self.tag}-{k}"
        return (value[: max(0, length - len(s))] + s) if value else value


async def clone_family(copier: Copier, specs: list[TableSpec], copies: range) -> None:
    """Copy the family's template rows once per k in `copies`, table by table (parents first)."""
    classes = table_classes()
    names = [s.table for s in specs]
    for name in names:
        await copier.base(name)
    for spec in specs:
        t0 = time.monotonic()
        cls = classes[spec.table]
        cols, rows = await copier.bulk.fetch(
            f'SELECT * FROM "{spec.table}"' + (f" WHERE {spec.where}" if spec.where else "") + " ORDER BY id")
        idx = {c: i for i, c in enumerate(cols)}
        copier.cols[spec.table] = idx
        fks = []  # (index, target table) of family foreign keys
        nulls = [idx[c] for c in spec.null_fk]
        for c in cls._meta.foreign_key_columns:
            target = c._foreign_key_meta.resolved_references._meta.tablename
            name = c._meta.db_column_name
            if target in names and name not in spec.keep_fk and name not in spec.null_fk:
                fks.append((idx[name], target))
        uniques = [(idx[c._meta.db_column_name], getattr(c, "length", 60) or 60) for c in cls._meta.columns
                   if c._meta.unique and c._meta.db_column_name != "id" and type(c).__name__ in ("Varchar", "Text")]
        # children: only rows whose family parents are copied
        kept = []
        for r in rows:
            ok = True
            for i, target in fks:
                v = r[i]
                if v is not None and target in copier.templates and v not in copier.templates[target]:
                    ok = False
                    break
            if ok:
                kept.append(r)
        copier.templates[spec.table] = {r[idx["id"]] for r in kept}
        id_i = idx["id"]
        m = copier.max_ids

        def gen() -> Iterator[list]:
            for k in copies:
                for r in kept:
                    row = list(r)
                    row[id_i] = r[id_i] + k * m[spec.table]
                    for i, target in fks:
                        if row[i] is not None:
                            row[i] = row[i] + k * m[target]
                    for i in nulls:
                        row[i] = None
                    for i, length in uniques:
                        if isinstance(row[i], str):
                            row[i] = copier.suffix(row[i], k, length)
                    if spec.hook and spec.hook(row, k, copier) is False:
                        continue
                    yield row

        n = await copier.bulk.insert(spec.table, cols, gen())
        copier.counts[spec.table] = copier.counts.get(spec.table, 0) + n
        copier.log(f"  {spec.table:<28} {n:>9,} 行  {time.monotonic() - t0:6.1f} s")
