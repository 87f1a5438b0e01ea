"""What every ledger shares: a Listing (filters, sort, SQL paging, project scope), the per-row presentation (computed
ageing columns, masking of ID numbers and phones), and the .xlsx export of the current filter in batches.

A ledger is a declaration (`Ledger`); app/ledgers/ledgers.py declares the seven of SPEC §B and app/archive the
document-loan register."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Awaitable, Callable, Sequence

from app.core import audit
from app.core.pagination import DEFERRED_JOIN_FROM
from app.core.listing import EXPORT_BATCH as _CORE_BATCH
from app.core.listing import EXPORT_MAX_ROWS, ExportError, Filter, Listing, XlsxExport  # noqa: F401  (ExportError: re-exported)
from app.core.permissions import Perm
from app.core.scope import project_clause
from app.core.timeutil import now, to_local
from app.core.validators import mask_id_number, mask_phone
from app.core.fields import parse_id

EXPORT_BATCH = _CORE_BATCH  # rows per SELECT … LIMIT/OFFSET while exporting (a module value: the tests make it small)


@dataclass(frozen=True)
class ClauseFilter(Filter):
    """A select filter whose options are WHERE clauses built at request time (e.g. "逾期" depends on today)."""

    options: tuple[tuple[str, str, Callable[[], Any]], ...] = ()

    def clause(self, raw: str):
        value = (raw or "").strip()
        for v, _label, make in self.options:
            if v == value:
                return make()
        return None


def clause_filter(name: str, label: str, options: Sequence[tuple[str, str, Callable[[], Any]]]) -> ClauseFilter:
    return ClauseFilter(name, label, "select", choices=[(v, t) for v, t, _ in options], options=tuple(options))


@dataclass(frozen=True)
class XCol:
    """One column of the .xlsx export: the presented row's key, the Chinese header, the cell kind."""

    key: str
    header: str
    kind: str = "text"  # text | money | date | int | area | pct | bool
    width: int = 14


@dataclass(frozen=True)
class Correctable:
    """A ledger field that may be corrected by hand (on the 客服主管's approval): the Deal column behind it and its type.
    Only values entered by hand belong here — numbers and dates typed from the bureau's or the bank's papers — never the
    money the pipeline computes nor a state column."""

    name: str  # the Deal column
    label: str
    kind: str = "text"  # text | date | money | int
    max_len: int = 50


@dataclass(frozen=True)
class Ledger:
    code: str
    title: str
    description: str
    listing: Listing
    export_columns: Sequence[XCol]
    decorate: Callable[[list[dict[str, Any]], Any], Awaitable[None]]  # adds the presented keys to each row, in place
    sensitive: Sequence[str] = ("id_number", "mobile")  # presented keys masked without Perm.CUSTOMER_UNMASK
    clause: str = ""  # SPEC reference shown on the page
    corrections: Sequence[Correctable] = ()  # the whitelist of hand-correctable fields (SPEC §B 人工更正须客服主管审批)
    extra: dict[str, Any] = field(default_factory=dict)


def can_unmask(user) -> bool:
    return bool(user) and user.can(Perm.CUSTOMER_UNMASK)


def mask_rows(rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
    """ID numbers and phones are masked on every ledger page and export, for every role (SPEC §G 保密); a full value
    is shown only per record on the unit page (audited) or in an export the user explicitly asked for (audited)."""
    for r in rows:
        for k in keys:
            if k in r and r[k]:
                r[k] = mask_phone(r[k]) if "mobile" in k or "phone" in k else mask_id_number(r[k])


async def present(ledger: Ledger, rows: list[dict[str, Any]], user, *, reveal: bool = False) -> list[dict[str, Any]]:
    await ledger.decorate(rows, user)
    if ledger.corrections:
        from app.ledgers.corrections import mark

        await mark(ledger, rows, user)  # the 更正 column: corrected rows link to their correction
    if not (reveal and can_unmask(user)):
        mask_rows(rows, ledger.sensitive)
    return rows


async def project_choices(user) -> list[tuple[str, str]]:
    from app.estate.pickers import project_choices as choices

    return await choices(user)


def scope_on(column):
    """A Listing scope: only rows whose project (`column`) the user may see."""

    def scope(user):
        return project_clause(column, user)

    return scope


def days_between(start: date | None, end: date | None) -> int | None:
    if start is None or end is None:
        return None
    return (end - start).days


def unit_label(r: dict[str, Any], prefix: str = "") -> str:
    return f'{r.get(prefix + "unit.building.name") or ""}{r.get(prefix + "unit.room_no") or ""}'


# ---------------------------------------------------------------- the query of the current filter


@dataclass
class Query:
    select: Any
    count: Any
    values: dict[str, str]
    sort: str
    desc: bool
    sorted_by_user: bool
    unknown_sort: str = ""
    ids: Any = None  # the same WHERE and ORDER BY selecting only the primary key (deep batches find their ids first)
    pk: Any = None

    def params(self) -> dict[str, str]:
        """The filter and sort as query parameters (for the export link and the audit row)."""
        out = {k: v for k, v in self.values.items() if v}
        if self.sorted_by_user:
            out.update(sort=self.sort, dir="desc" if self.desc else "asc")
        return out


def valid_id(raw: Any) -> int | None:
    """A row id from user input, or None (so an absurd number is "not found", never a database error)."""
    return parse_id(raw)


def clean_params(listing: Listing, params: dict[str, Any]) -> dict[str, str]:
    """Query parameters made safe for the shared Listing: NUL bytes removed (PostgreSQL rejects them) and id filters
    outside the 32-bit range dropped (the database would reject them) — an unusable value simply does not filter."""
    out = {k: v.replace("\x00", "") for k, v in params.items() if isinstance(v, str)}
    for f in listing.filters:
        if f.kind == "select" and f.columns and f.columns[0].value_type is int and out.get(f.name) and valid_id(out[f.name]) is None:
            out[f.name] = ""
    return out


def build_query(listing: Listing, params: dict[str, str], user) -> Query:
    """The same WHERE / ORDER BY as the page (Listing.build), without the LIMIT: the export pages through it in batches."""
    return Query(**listing.build(params, user))


def export_query_string(ledger: Ledger, params: dict[str, str], user) -> str:
    from urllib.parse import urlencode

    return urlencode(build_query(ledger.listing, clean_params(ledger.listing, params), user).params())


# ---------------------------------------------------------------- .xlsx export (the shared building block, plus masking)


async def export_xlsx(ledger: Ledger, params: dict[str, str], user, *, ip: str = "", full: bool = False) -> tuple[str, int, str]:
    """Write the current filter (all pages) to a temporary .xlsx, fetching EXPORT_BATCH rows per query. ID numbers and
    phones are masked unless the exporter may unmask AND ticked 含完整证件号 (`full`). Returns (path, row count, download
    file name). Writes the audit row (rows, masked or not). The export holds all of the ledger's export columns,
    whatever columns the user chose to show on the page."""
    reveal = full and can_unmask(user) and bool(ledger.sensitive)
    q = build_query(ledger.listing, clean_params(ledger.listing, params), user)
    total = await q.count
    if total > EXPORT_MAX_ROWS:
        raise ExportError(f"当前筛选结果共 {total} 条，超过单次导出上限 {EXPORT_MAX_ROWS} 条，请缩小筛选范围后再导出")
    columns = list(ledger.export_columns)
    x = XlsxExport(ledger.title, [(c.header, c.kind, c.width) for c in columns])
    offset = 0
    while True:
        if offset >= DEFERRED_JOIN_FROM and q.ids is not None:  # skip the exported rows on the ids alone
            ids = [r[q.pk._meta.name] for r in await q.ids.limit(EXPORT_BATCH).offset(offset)]
            rows = await q.select.where(q.pk.is_in(ids)).limit(EXPORT_BATCH) if ids else []
        else:
            rows = await q.select.limit(EXPORT_BATCH).offset(offset)
        if not rows:
            break
        await present(ledger, rows, user, reveal=reveal)
        await asyncio.to_thread(x.append, [[r.get(c.key) for c in columns] for r in rows])  # CPU work, off the event loop
        offset += EXPORT_BATCH
        if len(rows) < EXPORT_BATCH:
            break
    written = x.rows
    stamp = to_local(now())
    masked = not reveal
    filters = "；".join(f"{f.label}={q.values[f.name]}" for f in ledger.listing.filters if q.values.get(f.name)) or "无（全部）"
    path = await x.save((("台账", ledger.title), ("导出人", f"{user.display_name}（{user.username}）"), ("导出时间", stamp.strftime("%Y-%m-%d %H:%M:%S")),
                         ("筛选条件", filters), ("行数", written), ("证件号/手机号", "已脱敏" if masked else "完整显示（导出人勾选“含完整证件号”，已记录）"),
                         ("列", "台账的全部导出列（不受页面上的列设置影响）"),
                         ("说明", "客户个人信息，仅限内部工作使用，不得外传（部门管理制度·保密）")))
    filename = f"{ledger.title}_{stamp:%Y%m%d_%H%M}.xlsx"
    await audit.record(actor=user, action="export", entity="ledger", entity_id=ledger.code,
                       summary=f"导出{ledger.title} {written} 行（筛选：{filters}）" + ("，含完整证件号和手机号" if reveal else ""),
                       after={"ledger": ledger.code, "filter": q.params(), "rows": written, "masked": masked}, ip=ip)
    return path, written, filename
