"""Lists as declarations: a table, its columns, its filters and sorts; filtering, sorting, pagination and
counting all happen in SQL. Pages render them with templates/_partials/listing.html.

Chapters declare a `Listing` per entity instead of writing list code."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Awaitable, Callable, Sequence

from piccolo.columns import Column as PColumn
from piccolo.table import Table

from app.core.pagination import Page, clamp_page, clamp_per_page, paginate
from app.core.timeutil import SHANGHAI


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
                try:
                    n = int(value)
                except ValueError:
                    return None
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

    def sort_url(self, key: str) -> str:
        params = {k: v for k, v in self.values.items() if v}
        desc = not self.desc if key == self.sort else False
        params.update(sort=key, dir="desc" if desc else "asc")
        from urllib.parse import urlencode

        return self.base_url + "?" + urlencode(params)


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

    def _sort_column(self, key: str) -> PColumn | None:
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
        sort = params.get("sort") or self.default_sort
        sort_col = self._sort_column(sort)
        if sort_col is None:
            sort = self.default_sort
            sort_col = self._sort_column(sort)
        desc = (params.get("dir") == "desc") if params.get("sort") else self.default_desc
        q = self.table.select(*self.select)
        cq = self.table.count()
        for c in clauses:
            q = q.where(c)
            cq = cq.where(c)
        if sort_col is not None:
            q = q.order_by(sort_col, ascending=not desc)
        q = q.order_by(self.table._meta.primary_key, ascending=not desc)  # a stable order for paging
        return {"select": q, "count": cq, "values": values, "sort": sort, "desc": desc,
                "sorted_by_user": bool(params.get("sort")) and sort_col is not None}

    async def fetch(self, params: dict[str, str], user: Any) -> ListResult:
        built = self.build(params, user)
        q, cq, values, sort, desc = built["select"], built["count"], built["values"], built["sort"], built["desc"]
        keep = dict(values)
        if params.get("sort"):
            keep.update(sort=sort, dir="desc" if desc else "asc")
        per_page = clamp_per_page(params.get("per_page"))
        if per_page != 20:
            keep["per_page"] = str(per_page)
        page = await paginate(q, cq, page=clamp_page(params.get("page")), per_page=per_page, params=keep)
        choices: dict[str, list[tuple[str, str]]] = {}
        for f in self.filters:
            if f.kind == "select" and f.choices is not None:
                choices[f.name] = f.choices if isinstance(f.choices, list) else await f.choices(user)
        return ListResult(
            page=page,
            columns=self.columns,
            filters=self.filters,
            values=values,
            choices=choices,
            sort=sort,
            desc=desc,
            base_url=self.base_url,
            target_id=self.target_id,
        )
