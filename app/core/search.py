"""The top bar's search: units (楼栋-房号), buyers (name or the last 4 digits of the phone), contract numbers,
request numbers (审批单号) and the pages of the navigation — each limited to what the user may see:

- units, buyers and contracts: the PIPELINE permission and the user's project scope (the pipeline's own rule);
- requests: the same visibility as the request page (app.workflow.services.can_view) as one SQL condition;
- pages: every page the user's permissions open (app.core.nav.permitted), including those not in the sidebar.

Every kind is one LIMITed SQL query (a page of a kind: LIMIT n+1 OFFSET); phones and ID numbers are masked."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response, get
from litestar.params import Parameter

from app.core.guards import requires
from app.core.listing import like_text
from app.core.nav import permitted
from app.core.permissions import Perm
from app.core.scope import project_clause
from app.core.validators import mask_id_number, mask_phone
from app.core.web import render

MAX_Q = 50
SUGGEST_LIMIT = 3  # per kind in the dropdown
OVERVIEW_LIMIT = 10  # per kind on /search
PAGE_SIZE = 20  # one kind's own pages (/search?kind=…)

KINDS = {"page": "功能页面", "unit": "房源", "buyer": "客户", "contract": "合同", "request": "审批单"}

_UNIT_RE = re.compile(r"^\s*([0-9A-Za-z\u4e00-\u9fff]+?)\s*[-－—/#]\s*([0-9A-Za-z]+)\s*$")
_PHONE_END_RE = re.compile(r"^(?:尾号)?(?:1\d{2}\*{4})?(\d{4})$")


@dataclass
class Hit:
    title: str
    url: str
    sub: str = ""
    badge: str = ""


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False


def normalize(q: str | None) -> str:
    return (q or "").strip()[:MAX_Q]


def _building_names(b: str) -> list[str]:
    """"3" finds 3号楼 / 3栋 / 3幢 / 3# / 3; a full name is taken as typed."""
    return [b] if not b.isdigit() else [b, f"{b}号楼", f"{b}栋", f"{b}幢", f"{b}#", f"{b}号"]


def _pipeline_scope(user, project_col):
    return project_clause(project_col, user)


async def _units(user, q: str, limit: int, offset: int) -> list[Hit]:
    from app.estate.tables import Unit

    m = _UNIT_RE.match(q)
    if m:
        where = Unit.building.name.is_in(_building_names(m.group(1))) & (Unit.room_no == m.group(2))
    elif q.isdigit() and 3 <= len(q) <= 5:  # a bare room number
        where = Unit.room_no == q
    else:
        return []
    scope = _pipeline_scope(user, Unit.project)
    if scope is not None:
        where = where & scope
    rows = await Unit.select(Unit.id, Unit.room_no, Unit.status, Unit.building.name, Unit.project.name).where(where).order_by(
        Unit.project).order_by(Unit.building).order_by(Unit.id).limit(limit).offset(offset)
    return [Hit(f'{r["building.name"]} {r["room_no"]}', f'/pipeline/units/{r["id"]}', r["project.name"], r["status"]) for r in rows]


def _deal_hit(r: dict, title: str) -> Hit:
    return Hit(title, f'/pipeline/units/{r["unit"]}',
               f'{r["project.name"]} {r["unit.building.name"]} {r["unit.room_no"]} · 认购书 {r["number"]}', r["stage"])


async def _deals(user, where, limit: int, offset: int) -> list[dict]:
    from app.pipeline.tables import Deal

    scope = _pipeline_scope(user, Deal.project)
    if scope is not None:
        where = where & scope
    return await Deal.select(
        Deal.id, Deal.number, Deal.contract_no, Deal.stage, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name,
        Deal.buyer.name, Deal.buyer.mobile, Deal.buyer.id_number,
    ).where(where).order_by(Deal.id, ascending=False).limit(limit).offset(offset)


async def _buyers(user, q: str, limit: int, offset: int) -> list[Hit]:
    from app.pipeline.tables import Deal

    m = _PHONE_END_RE.match(q.replace(" ", ""))
    if m:
        where = Deal.buyer.mobile.like("%" + m.group(1))
    elif len(like_text(q)) >= 1 and not q.isdigit() and not _UNIT_RE.match(q):
        where = Deal.buyer.name.like("%" + like_text(q) + "%")
    else:
        return []
    rows = await _deals(user, where, limit, offset)
    return [_deal_hit(r, f'{r["buyer.name"]}  {mask_phone(r["buyer.mobile"])}  {mask_id_number(r["buyer.id_number"])}') for r in rows]


async def _contracts(user, q: str, limit: int, offset: int) -> list[Hit]:
    from app.pipeline.tables import Deal

    t = like_text(q)
    if len(t) < 3:
        return []
    rows = await _deals(user, Deal.contract_no.ilike("%" + t + "%") | Deal.number.ilike("%" + t + "%"), limit, offset)
    out = []
    for r in rows:
        hit = _deal_hit(r, f'合同 {r["contract_no"]}' if r["contract_no"] else f'认购书 {r["number"]}')
        hit.sub = f'{r["buyer.name"]} · {hit.sub}'
        out.append(hit)
    return out


def visible_requests(user):
    """The request page's visibility rule (applicant, any task of mine or delegated to me, a carbon copy sent to me,
    or WORKFLOW_ALL) as one SQL condition on wf_request; None = every request."""
    from piccolo.columns.combination import WhereRaw

    if user.can(Perm.WORKFLOW_ALL):
        return None
    uid = int(user.user_id)
    return WhereRaw(
        "(wf_request.applicant_user = {} OR wf_request.id IN (SELECT t.request FROM wf_task t WHERE t.assignee = {} OR t.on_behalf_of = {})"
        " OR wf_request.id IN (SELECT c.request FROM wf_cc c WHERE c.\"user\" = {} AND c.sent_at IS NOT NULL))", uid, uid, uid, uid)


async def _requests(user, q: str, limit: int, offset: int) -> list[Hit]:
    from app.workflow.definitions import get_flow
    from app.workflow.tables import Request as Req

    t = like_text(q)
    if len(t) < 3:
        return []
    where = Req.number.ilike("%" + t + "%")
    vis = visible_requests(user)
    if vis is not None:
        where = where & vis
    rows = await Req.select(Req.id, Req.number, Req.flow, Req.title, Req.status, Req.applicant.name).where(where).order_by(
        Req.submitted_at, ascending=False).order_by(Req.id, ascending=False).limit(limit).offset(offset)
    out = []
    for r in rows:
        f = get_flow(r["flow"])
        out.append(Hit(f'{r["number"]} {r["title"]}', f'/workflow/requests/{r["id"]}', f'{f.name if f else r["flow"]} · {r["applicant.name"]}', r["status"]))
    return out


async def _pages(user, q: str, limit: int, offset: int) -> list[Hit]:
    hits = [Hit(i.label, i.url, g.label) for g in permitted(user) for i in g.items if q in i.label or q in g.label]
    return hits[offset:offset + limit]


_SEARCHERS = {
    "page": (Perm.HOME, _pages),
    "unit": (Perm.PIPELINE, _units),
    "buyer": (Perm.PIPELINE, _buyers),
    "contract": (Perm.PIPELINE, _contracts),
    "request": (Perm.WORKFLOW, _requests),
}


async def search(user, q: str, *, per_kind: int, kind: str | None = None, page: int = 1) -> list[Group]:
    """Groups of hits, each fetched with LIMIT per_kind+1 (to know whether there is more) and OFFSET for page > 1."""
    q = normalize(q)
    if not q:
        return []
    out = []
    for k, (perm, fn) in _SEARCHERS.items():
        if (kind and k != kind) or not user.can(perm):
            continue
        hits = await fn(user, q, per_kind + 1, (page - 1) * per_kind)
        if hits:
            out.append(Group(k, KINDS[k], hits[:per_kind], more=len(hits) > per_kind))
    return out


def _page_no(raw: Any) -> int:
    from app.core.pagination import clamp_page

    return min(clamp_page(raw), 1000)


@get("/search", guards=[requires(Perm.HOME)])
async def search_page(request: Request, q: str = Parameter(default="", query="q"), kind: str = Parameter(default="", query="kind"),
                      page: str = Parameter(default="1", query="page")) -> Response:
    q = normalize(q)
    kind = kind if kind in KINDS else ""
    page_no = _page_no(page) if kind else 1
    groups = await search(request.user, q, per_kind=PAGE_SIZE if kind else OVERVIEW_LIMIT, kind=kind or None, page=page_no)
    ctx = {"q": q, "search_q": q, "kind": kind, "kinds": KINDS, "page_no": page_no, "groups": groups,
           "functions": permitted(request.user) if not q else []}
    return render(request, "core/search.html", ctx, fragment="core/_search_results.html")


@get("/search/suggest", guards=[requires(Perm.HOME)])
async def search_suggest(request: Request, q: str = Parameter(default="", query="q")) -> Response:
    q = normalize(q)
    groups = await search(request.user, q, per_kind=SUGGEST_LIMIT) if q else []
    return render(request, "core/_search_suggest.html", {"q": q, "groups": groups})
