"""Lists as declarations: a table, its columns, its filters and sorts; filtering, sorting, pagination and
counting all happen in SQL. Pages render them with templates/_partials/listing.html.

Chapters declare a `Listing` per entity instead of writing list code."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Awaitable, Callable, Sequence
from urllib.parse import urlencode

from piccolo.columns import Column as PColumn
from piccolo.table import Table

from app.core.fields import ascii_digits, parse_id
from app.core.pagination import Page, clamp_page, clamp_per_page, paginate
from app.core.timeutil import SHANGHAI, fmt_datetime, now

PRINT_MAX_ROWS = 500  # the print view shows the current filter's first rows up to this many, and says so when there are more
LISTINGS: dict[str, "Listing"] = {}  # every declared list by its key (its base URL): the column and view forms check against it


def like_text(value: str) -> str:
    """Typed text for a LIKE pattern: backslashes and the wildcards removed (a search never matches by accident)."""
    return (value or "").strip().replace("\\", "").replace("%", "").replace("_", "")


def _like(value: str) -> str:
    return "%" + like_text(value) + "%"


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    kind: str = "text"  # text | select | date_from | date_to
    columns: Sequence[PColumn] = ()  # text: searched with LIKE (OR); select/date: the one column compared
    choices: Callable[[Any], Awaitable[list[tuple[str, str]]]] | list[tuple[str, str]] | None = None
    placeholder: str = ""

    def clause(self, raw: str):
        """The WHERE clause for this filter's value, or None if the value is empty or unusable."""
        value = (raw or "").strip()
        if not value:
            return None
        if self.kind == "text":
            clause = None
            for col in self.columns:
                c = col.like(_like(value))
                clause = c if clause is None else (clause | c)
            return clause
        col = self.columns[0]
        if self.kind == "select":
            if col.value_type is int:
                text = str(value).strip()
                if not ascii_digits(text[1:] if text.startswith("-") else text) or len(text) > 11:  # "²", "--5", 5,000 digits
                    return None
                n = int(text)
                return col == n if -2**31 <= n < 2**31 else col == -1  # out of the column's range: matches nothing
            if col.value_type is bool:
                return col == (value == "1")
            return col == value
        if self.kind in ("date_from", "date_to"):
            try:
                d = date.fromisoformat(value)
            except ValueError:
                return None
            if col.value_type is datetime:
                start = datetime.combine(d, time.min, tzinfo=SHANGHAI)
                if self.kind == "date_from":
                    return col >= start
                return col < start + timedelta(days=1)
            return col >= d if self.kind == "date_from" else col <= d
        raise ValueError(self.kind)


@dataclass(frozen=True)
class Col:
    key: str  # the key in the selected row
    label: str
    sort: PColumn | None = None  # sortable by this SQL column
    fmt: str = ""  # "datetime" | "date" | "money" | "badge" | "bool" | ""
    link: str = ""  # e.g. "/org/employees/{id}"
    testid: str = ""
    hideable: bool = True  # False: always shown (the column chooser does not offer it)


@dataclass
class ListResult:
    page: Page
    columns: Sequence[Col]
    filters: Sequence[Filter]
    values: dict[str, str]
    choices: dict[str, list[tuple[str, str]]]
    sort: str
    desc: bool
    base_url: str
    target_id: str
    select_name: str = ""  # when set, each row gets a checkbox (value = row id) for a bulk form
    select_form: str = ""
    key: str = ""  # the list's key for preferences and views (its base URL)
    all_columns: Sequence[Col] = ()  # every declared column (the column chooser), `columns` being the shown ones
    hidden: frozenset[str] = frozenset()
    views: list[dict[str, Any]] = field(default_factory=list)  # the user's saved views of this list: id, name, url
    view_id: int | None = None  # the saved view being shown, if the URL names one of the user's own
    notice: str = ""  # e.g. an unknown sort key that was ignored
    print_mode: bool = False  # ?print=1: the current filter's rows (up to PRINT_MAX_ROWS) on one page, for printing
    print_max: int = PRINT_MAX_ROWS
    export_url: str = ""  # set by the page when the list can be exported (the shared toolbar shows the buttons)
    export_full_url: str = ""  # … and the unmasked export, for those who may see full ID numbers
    export_note: str = ""
    sorted_by_user: bool = False
    printed_at: str = ""

    def _params(self, *, view: bool = False) -> dict[str, str]:
        """The current filter and sort (and the saved view being shown, with `view`) as query parameters."""
        params = {k: v for k, v in self.values.items() if v}
        if self.sorted_by_user:
            params.update(sort=self.sort, dir="desc" if self.desc else "asc")
        if view and self.view_id:
            params["view"] = str(self.view_id)
        return params

    def sort_url(self, key: str) -> str:
        params = {k: v for k, v in self.values.items() if v}
        desc = not self.desc if key == self.sort else False
        params.update(sort=key, dir="desc" if desc else "asc")
        if self.view_id:
            params["view"] = str(self.view_id)
        return self.base_url + "?" + urlencode(params)

    def body(self) -> list[tuple[dict[str, Any], Any]]:
        """(row, its cells' HTML) for each row of the page (app/core/web.list_cells)."""
        from app.core.web import list_cells

        return [(row, list_cells(self.columns, row)) for row in self.page.rows]

    @property
    def query(self) -> str:
        """The current filter and sort as a query string (what a saved view keeps, what the export follows)."""
        return urlencode(self._params())

    @property
    def here(self) -> str:
        """This list as shown now (where the column and view forms return to, where the print view goes back to)."""
        q = self._params(view=True)
        return self.base_url + ("?" + urlencode(q) if q else "")

    @property
    def print_url(self) -> str:
        return self.base_url + "?" + urlencode({**self._params(view=True), "print": "1"})

    def offer_export(self, note: str = "") -> None:
        """Show the export button for this list: the same URL with export=xlsx (the route answers with the file)."""
        q = self.query
        self.export_url = self.base_url + "?" + (q + "&" if q else "") + "export=xlsx"
        self.export_note = note or "导出当前筛选条件下的全部记录（所有页、全部列，不受列设置影响），导出记入审计日志"

    @property
    def filter_summary(self) -> str:
        labels = {f.name: f.label for f in self.filters}
        parts = []
        for f in self.filters:
            v = self.values.get(f.name)
            if not v:
                continue
            text = dict(self.choices.get(f.name, [])).get(v, v)
            parts.append(f"{labels[f.name]}：{text}")
        return "；".join(parts) or "无（全部）"


@dataclass(frozen=True)
class Listing:
    table: type[Table]
    select: Sequence[PColumn]
    columns: Sequence[Col]
    filters: Sequence[Filter] = ()
    default_sort: str = ""
    default_desc: bool = False
    base_url: str = ""
    target_id: str = "list"
    scope: Callable[[Any], Any] | None = None  # user -> extra WHERE clause (project scope etc.)
    extra_where: Sequence[Any] = field(default_factory=tuple)
    key: str = ""  # preferences and views are stored under this key; defaults to base_url
    # The rows in the default order as another table's index keeps them: user -> (ids query, count query), the ids
    # already in the default order (e.g. one's pending tasks by submission time, for the inbox). When no filter narrows
    # the list and no column re-sorts it, the page reads its ids and the total from there: an index walk of one page's
    # entries, instead of every matching row sorted (pagination.paginate, the deferred join from the first page on).
    kept_order: Callable[[Any], tuple[Any, Any]] | None = None
    # The total kept like a figure while the data version holds (app/core/figcache.py kept_count): for the lists of
    # tens of thousands of rows whose filters are plain values (the ledgers), not for one whose WHERE holds the moment.
    keep_count: bool = False

    def __post_init__(self) -> None:
        # A shown column whose key is one of the selected SQL columns sorts on it without being declared: every column
        # that maps to SQL is sortable; computed ones (ageing, labels) stay plain text unless they declare `sort`.
        selected = {c._meta.get_default_alias(): c for c in self.select}
        cols = []
        for c in self.columns:
            if c.sort is None and c.key in selected:
                c = Col(c.key, c.label, sort=selected[c.key], fmt=c.fmt, link=c.link, testid=c.testid, hideable=c.hideable)
            cols.append(c)
        object.__setattr__(self, "columns", tuple(cols))
        if not self.key:
            object.__setattr__(self, "key", self.base_url)
        if self.key:
            LISTINGS[self.key] = self

    def sort_keys(self) -> dict[str, str]:
        """Every accepted sort key → the column key it sorts: the column's key, and the name of its SQL column when that
        differs (e.g. the 合同台账's `contract` column also answers to `contract_no`)."""
        out: dict[str, str] = {}
        for c in self.columns:
            if c.sort is None:
                continue
            out.setdefault(c.key, c.key)
        for c in self.columns:
            if c.sort is not None:
                out.setdefault(c.sort._meta.get_default_alias(), c.key)
        return out

    def _sort_column(self, key: str) -> PColumn | None:
        key = self.sort_keys().get(key, key)
        for c in self.columns:
            if c.key == key and c.sort is not None:
                return c.sort
        return None

    def build(self, params: dict[str, str], user: Any) -> dict[str, Any]:
        """The SELECT and COUNT with this listing's WHERE (filters, fixed clauses, scope) and ORDER BY, without LIMIT:
        the page adds its LIMIT/OFFSET, an export pages through the same query in batches."""
        values = {f.name: (params.get(f.name) or "").strip() for f in self.filters}
        clauses = [c for c in (f.clause(values[f.name]) for f in self.filters) if c is not None]
        clauses.extend(self.extra_where)
        if self.scope is not None:
            scope_clause = self.scope(user)
            if scope_clause is not None:
                clauses.append(scope_clause)
        asked = (params.get("sort") or "").strip()
        sort = self.sort_keys().get(asked, "") if asked else self.default_sort
        sort_col = self._sort_column(sort) if sort else None
        unknown = bool(asked) and sort_col is None
        if sort_col is None:
            sort = self.default_sort
            sort_col = self._sort_column(sort)
        by_user = bool(asked) and not unknown
        desc = (params.get("dir") == "desc") if by_user else self.default_desc
        pk = self.table._meta.primary_key
        q = self.table.select(*self.select)
        iq = self.table.select(pk)  # the same rows' ids only: deep pages find their ids first (see paginate)
        cq = self.table.count()
        for c in clauses:
            q = q.where(c)
            iq = iq.where(c)
            cq = cq.where(c)
        if sort_col is not None:
            q = q.order_by(sort_col, ascending=not desc)
            iq = iq.order_by(sort_col, ascending=not desc)
        q = q.order_by(pk, ascending=not desc)  # a stable order for paging
        iq = iq.order_by(pk, ascending=not desc)
        return {"select": q, "count": cq, "ids": iq, "pk": pk, "values": values, "sort": sort, "desc": desc, "sorted_by_user": by_user,
                "unknown_sort": asked if unknown else ""}

    def _kept(self, values: dict[str, str], built: dict[str, Any], user: Any) -> tuple[Any, Any, Any] | None:
        """(select, count, ids) read in the kept order, or None when it does not apply (see `kept_order`)."""
        if self.kept_order is None or self.scope is not None or built["sorted_by_user"] or built["sort"] != self.default_sort:
            return None
        if any(f.clause(values[f.name]) is not None for f in self.filters):
            return None
        ids, count = self.kept_order(user)
        pk = built["pk"]
        q = self.table.select(*self.select)
        sort_col = self._sort_column(self.default_sort)
        if sort_col is not None:
            q = q.order_by(sort_col, ascending=not self.default_desc)
        return q.order_by(pk, ascending=not self.default_desc), count, ids

    async def fetch(self, params: dict[str, str], user: Any) -> ListResult:
        built = self.build(params, user)
        q, cq, values, sort, desc = built["select"], built["count"], built["values"], built["sort"], built["desc"]
        keep = dict(values)
        if built["sorted_by_user"]:
            keep.update(sort=sort, dir="desc" if desc else "asc")
        prefs = await self._preferences(user)
        view_id = None
        hidden: set[str] = set(prefs["hidden"])
        raw_view = str(params.get("view") or "").strip()
        if parse_id(raw_view) in prefs["views_by_id"]:
            view_id = parse_id(raw_view)
            hidden = set(prefs["views_by_id"][view_id]["hidden"])
            keep["view"] = raw_view
        print_mode = params.get("print") == "1"
        deep = {"id_query": built["ids"], "pk": built["pk"]}
        if print_mode:
            page = await paginate(q, cq, page=1, per_page=PRINT_MAX_ROWS, params=keep)
        else:
            per_page = clamp_per_page(params.get("per_page"))
            if per_page != 20:
                keep["per_page"] = str(per_page)
            kept = self._kept(values, built, user)
            if kept is not None:
                q, cq, deep = kept[0], kept[1], {**deep, "id_query": kept[2], "deferred_from": 0}
            if self.keep_count:
                from app.core.figcache import kept_count

                cq = kept_count(cq)
            page = await paginate(q, cq, page=clamp_page(params.get("page")), per_page=per_page, params=keep, **deep)
        choices: dict[str, list[tuple[str, str]]] = {}
        for f in self.filters:
            if f.kind == "select" and f.choices is not None:
                choices[f.name] = f.choices if isinstance(f.choices, list) else await f.choices(user)
        shown = [c for c in self.columns if not (c.hideable and c.key in hidden)] or list(self.columns[:1])
        notice = f"不能按“{built['unknown_sort'][:30]}”排序，已按默认顺序显示。可点击列标题排序。" if built["unknown_sort"] else ""
        return ListResult(
            page=page,
            columns=shown,
            filters=self.filters,
            values=values,
            choices=choices,
            sort=sort,
            desc=desc,
            base_url=self.base_url,
            target_id=self.target_id,
            key=self.key,
            all_columns=self.columns,
            hidden=frozenset(c.key for c in self.columns if c not in shown),
            views=prefs["views"],
            view_id=view_id,
            notice=notice,
            print_mode=print_mode,
            sorted_by_user=built["sorted_by_user"],
            printed_at=fmt_datetime(now()) if print_mode else "",
        )

    async def _preferences(self, user: Any) -> dict[str, Any]:
        """The user's hidden columns and saved views of this list: one indexed query."""
        out: dict[str, Any] = {"hidden": [], "views": [], "views_by_id": {}}
        uid = getattr(user, "user_id", None)
        if not uid or not self.key:
            return out
        from app.core.views import load_preferences

        return await load_preferences(uid, self)


# ---------------------------------------------------------------- the shared .xlsx export building block

EXPORT_BATCH = 1000  # rows per SELECT … LIMIT/OFFSET while exporting
EXPORT_MAX_ROWS = 200_000  # a guard: an export larger than this is refused (narrow the filter)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FORMATS = {"money": "#,##0.00", "area": "0.00", "pct": "0.00", "date": "yyyy-mm-dd", "int": "0"}
FMT_KINDS = {"money": "money", "date": "date", "datetime": "datetime", "bool": "bool"}  # Col.fmt → cell kind


class ExportError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def cell_value(kind: str, v: Any) -> Any:
    """A presented value as an .xlsx cell: money, areas and percentages as numbers with two decimals, dates as dates."""
    from decimal import Decimal

    from app.core.money import round_money
    from app.core.timeutil import to_local

    if v is None or v == "":
        return None
    if kind in ("money", "area", "pct"):
        try:
            return round_money(Decimal(str(v)))
        except Exception:
            return str(v)
    if kind == "date":
        if isinstance(v, datetime):
            return to_local(v).date()
        return v if isinstance(v, date) else str(v)
    if kind == "datetime":
        return fmt_datetime(v) if isinstance(v, datetime) else str(v)
    if kind == "int":
        return int(v) if isinstance(v, (int, Decimal)) or str(v).lstrip("-").isdigit() else str(v)
    if kind == "bool":
        return "是" if v else "否"
    return str(v)


def safe_title(text: str) -> str:
    """A sheet or file name: without the characters Excel and file systems refuse."""
    import re

    return re.sub(r'[\\/?*\[\]:"<>|\x00-\x1f]', " ", text or "").strip()


class XlsxExport:
    """One sheet of rows with Chinese headers (bold, frozen), typed cells, and a 导出说明 sheet; written in write-only
    mode batch by batch, so an export of many rows never holds them all. Used by every ledger, register and report."""

    def __init__(self, title: str, columns: Sequence[tuple[str, str, int]]):  # (header, kind, width)
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter

        self._cell = WriteOnlyCell
        self.title = title
        self.kinds = [k for _h, k, _w in columns]
        self.rows = 0
        self.wb = Workbook(write_only=True)
        self.ws = self.wb.create_sheet(safe_title(title)[:31] or "Sheet1")
        for i, (_h, _k, width) in enumerate(columns):
            self.ws.column_dimensions[get_column_letter(i + 1)].width = width
        self.ws.freeze_panes = "A2"
        bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F3")
        header = []
        for h, _k, _w in columns:
            cell = WriteOnlyCell(self.ws, value=h)
            cell.font, cell.fill = bold, fill
            header.append(cell)
        self.ws.append(header)

    def append(self, rows: Sequence[Sequence[Any]]) -> None:
        """CPU work: call it through asyncio.to_thread."""
        for r in rows:
            out = []
            for kind, v in zip(self.kinds, r):
                cell = self._cell(self.ws, value=cell_value(kind, v))
                if kind in XLSX_FORMATS:
                    cell.number_format = XLSX_FORMATS[kind]
                out.append(cell)
            self.ws.append(out)
            self.rows += 1

    async def save(self, info: Sequence[tuple[str, Any]]) -> str:
        import asyncio
        import os
        import tempfile

        sheet = self.wb.create_sheet("导出说明")
        for line in info:
            sheet.append(list(line))
        fd, path = tempfile.mkstemp(prefix="export-", suffix=".xlsx")
        os.close(fd)
        await asyncio.to_thread(self.wb.save, path)
        return path


def _plain(v: Any) -> Any:
    """A cell from a presented value: HTML that a page shows (a badge, a countdown) becomes its text."""
    if hasattr(v, "__html__"):
        import re
        from html import unescape

        return unescape(re.sub(r"<[^>]+>", "", str(v))).strip()
    return v


async def export_listing(listing: Listing, params: dict[str, str], user: Any, *, title: str,
                         decorate: Callable[[list[dict[str, Any]]], Any] | None = None,
                         ip: str = "") -> tuple[str, int, str]:
    """A register's current filter (all pages, all declared columns) as .xlsx, in batches, with an audit row. For lists
    without customer ID numbers or phones; the pipeline ledgers add masking on top (app/ledgers/base.export_xlsx)."""
    import asyncio
    import inspect

    from app.core import audit
    from app.core.timeutil import to_local

    built = listing.build(params, user)
    total = await built["count"]
    if total > EXPORT_MAX_ROWS:
        raise ExportError(f"当前筛选结果共 {total} 条，超过单次导出上限 {EXPORT_MAX_ROWS} 条，请缩小筛选范围后再导出")
    cols = list(listing.columns)
    x = XlsxExport(title, [(c.label, FMT_KINDS.get(c.fmt, "text"), 16) for c in cols])
    offset = 0
    while True:
        rows = await built["select"].limit(EXPORT_BATCH).offset(offset)
        if not rows:
            break
        if decorate is not None:
            done = decorate(rows)
            if inspect.isawaitable(done):
                await done
        await asyncio.to_thread(x.append, [[_plain(r.get(c.key)) for c in cols] for r in rows])
        offset += EXPORT_BATCH
        if len(rows) < EXPORT_BATCH:
            break
    stamp = to_local(now())
    filters = "；".join(f"{f.label}={built['values'][f.name]}" for f in listing.filters if built["values"].get(f.name)) or "无（全部）"
    path = await x.save((("列表", title), ("导出人", f"{user.display_name}（{user.username}）"), ("导出时间", stamp.strftime("%Y-%m-%d %H:%M:%S")),
                         ("筛选条件", filters), ("行数", x.rows), ("列", "全部列（不受页面上的列设置影响）")))
    await audit.record(actor=user, action="export", entity="list", entity_id=listing.key[:60],
                       summary=f"导出{title} {x.rows} 行（筛选：{filters}）", after={"list": listing.key, "filter": built["values"], "rows": x.rows},
                       ip=ip)
    return path, x.rows, f"{safe_title(title)}_{stamp:%Y%m%d_%H%M}.xlsx"
