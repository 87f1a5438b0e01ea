"""Pagination done in SQL: LIMIT/OFFSET on the query and one COUNT(*)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

PER_PAGE_CHOICES = (20, 50, 100)


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    per_page: int
    params: dict[str, str]  # the current filters, kept in page links

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last_index(self) -> int:
        return min(self.total, self.page * self.per_page)

    def url(self, page: int) -> str:
        q = {k: v for k, v in self.params.items() if v not in (None, "")}
        q["page"] = str(page)
        return "?" + urlencode(q)

    def window(self, size: int = 2) -> list[int | None]:
        """Page numbers to show, with None for a gap."""
        pages = self.pages
        keep = {1, pages} | set(range(max(1, self.page - size), min(pages, self.page + size) + 1))
        out: list[int | None] = []
        prev = 0
        for p in sorted(keep):
            if p - prev > 1:
                out.append(None)
            out.append(p)
            prev = p
        return out


def clamp_page(raw: Any) -> int:
    try:
        return max(1, min(int(raw), 100000))
    except (TypeError, ValueError):
        return 1


def clamp_per_page(raw: Any, default: int = 20) -> int:
    try:
        v = int(raw)
    except (TypeError, ValueError):
        return default
    return v if v in PER_PAGE_CHOICES else default


DEFERRED_JOIN_FROM = 200  # from this offset on, a page first finds its ids, then reads only those rows


async def paginate(select_query, count_query, *, page: int, per_page: int, params: dict[str, str], id_query=None, pk=None,
                   deferred_from: int = DEFERRED_JOIN_FROM) -> Page:
    """One COUNT and one page: two statements whatever the page. A deep page (OFFSET ≥ DEFERRED_JOIN_FROM) with
    `id_query` — the same WHERE and ORDER BY selecting only the primary key — is a deferred join: `… WHERE pk IN
    (the ids' LIMIT/OFFSET)`, so the skipped rows are walked on the ids alone (an index walk, no joins for them) and only
    the page's own rows are read with their joins, in the same single statement."""
    total = await count_query
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    offset = (page - 1) * per_page
    if id_query is not None and pk is not None and offset >= deferred_from:
        rows = await select_query.where(pk.is_in(id_query.limit(per_page).offset(offset))).limit(per_page)
    else:
        rows = await select_query.limit(per_page).offset(offset)
    return Page(rows=rows, total=total, page=page, per_page=per_page, params=params)
