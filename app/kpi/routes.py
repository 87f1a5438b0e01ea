"""SPEC §D5: the KPI board `/care/kpi` (per month, per project and per handler, against the admin's targets, with the
12-month trends) and the drill-down `/care/kpi/{kpi}` that lists exactly the records behind a figure — the same WHERE
as the aggregate (app/kpi/measures.py)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException
from markupsafe import Markup, escape

from app.core.fields import parse_id
from app.calls.tables import CallRecord
from app.care.settings import load_limits, load_with_problems
from app.care.tables import Callback, CareCase, RecordAudit
from app.core.guards import requires
from app.surveys.tables import Answer
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.timeutil import now, today_local
from app.core.views import export_response, wants_export
from app.core.web import render
from app.kpi import services
from app.kpi.measures import KPIS, RENOVATION_NOTE, Ctx, bounds, month_text, parse_month, shift
from app.kpi.services import NONE_KEY

PARTS = {"numerator": "分子", "denominator": "分母"}


@dataclass(frozen=True)
class ParamFilter(Filter):
    """A value the drill-down carries (month, part, project, handler); its WHERE comes from the KPI declaration."""

    def clause(self, raw: str):
        return None


def _months(_user=None) -> list[tuple[str, str]]:
    t = today_local()
    return [(month_text(m), f"{m[0]} 年 {m[1]} 月") for m in (shift(t.year, t.month, -i) for i in range(24))]


async def _month_choices(_user) -> list[tuple[str, str]]:
    return _months()


async def _project_choices(user) -> list[tuple[str, str]]:
    return [(str(p["id"]), p["name"]) for p in await services.projects_for(user)]


def _filters() -> list[Filter]:
    return [ParamFilter("month", "月份", "select", choices=_month_choices),
            ParamFilter("part", "明细", "select", choices=list(PARTS.items())),
            ParamFilter("project", "项目", "select", choices=_project_choices),
            ParamFilter("handler", "人员", "select", choices=[(NONE_KEY, "未指定")])]


CASE_LIST = dict(
    table=CareCase,
    select=[CareCase.id, CareCase.number, CareCase.kind, CareCase.level, CareCase.status, CareCase.project.name, CareCase.handler.name,
            CareCase.received_at, CareCase.plan_due, CareCase.close_due, CareCase.closed_at],
    columns=[Col("number", "案件编号", link="/care/cases/{id}", testid="kpi-case-link"), Col("kind", "类型"), Col("level", "等级"),
             Col("status", "状态", fmt="badge"), Col("project.name", "项目"), Col("handler.name", "处理人"),
             Col("plan_due", "方案时限", fmt="datetime"),
             Col("close_due", "结案时限", fmt="datetime"), Col("closed_at", "结案时间", fmt="datetime")],
    default_sort="plan_due")
CALLBACK_LIST = dict(
    table=Callback,
    select=[Callback.id, Callback.case, Callback.case.number, Callback.project.name, Callback.case.handler.name, Callback.due_at,
            Callback.called_at, Callback.caller.name, Callback.reached, Callback.score],
    columns=[Col("case.number", "案件编号", link="/care/cases/{case}", testid="kpi-callback-link"), Col("project.name", "项目"),
             Col("case.handler.name", "案件处理人"), Col("due_at", "回访期限", fmt="datetime"), Col("called_at", "回访时间", fmt="datetime"),
             Col("caller.name", "回访人"), Col("reached", "接通", fmt="bool"), Col("score", "评分")],
    default_sort="due_at")
CALL_LIST = dict(
    table=CallRecord,
    select=[CallRecord.id, CallRecord.call_id, CallRecord.started_at, CallRecord.direction, CallRecord.project.name, CallRecord.agent.name,
            CallRecord.answered, CallRecord.ring_seconds, CallRecord.talk_seconds, CallRecord.rating],
    columns=[Col("call_id", "话单号", testid="kpi-call"), Col("started_at", "来电时间", fmt="datetime"), Col("direction", "方向"),
             Col("project.name", "项目"), Col("agent.name", "坐席"), Col("answered", "接听", fmt="bool"),
             Col("ring_seconds", "振铃秒数"), Col("talk_seconds", "通话秒数"), Col("rating", "评价")],
    default_sort="started_at")
AUDIT_LIST = dict(
    table=RecordAudit,
    select=[RecordAudit.id, RecordAudit.at, RecordAudit.project.name, RecordAudit.auditor.name, RecordAudit.buyer.name,
            RecordAudit.fields_audited, RecordAudit.fields_wrong, RecordAudit.note],
    columns=[Col("at", "抽查时间", fmt="datetime", testid="kpi-audit"), Col("project.name", "项目"), Col("auditor.name", "抽查人"),
             Col("buyer.name", "客户"), Col("fields_audited", "抽查字段数"), Col("fields_wrong", "错误字段数"), Col("note", "说明")],
    default_sort="at")
ANSWER_LIST = dict(
    table=Answer,
    select=[Answer.id, Answer.invitation, Answer.invitation.answered_at, Answer.invitation.questionnaire.title,
            Answer.question.text, Answer.score, Answer.invitation.project.name, Answer.invitation.sent_by.name],
    columns=[Col("invitation.questionnaire.title", "问卷"),
             Col("question.text", "题目"), Col("score", "评分"), Col("invitation.project.name", "项目"),
             Col("invitation.sent_by.name", "发送人"), Col("invitation.answered_at", "提交时间", fmt="datetime")],
    default_sort="invitation.answered_at")
_LISTS = {"案件": CASE_LIST, "回访": CALLBACK_LIST, "来电": CALL_LIST, "抽查": AUDIT_LIST, "答卷": ANSWER_LIST}
DRILLS: dict[str, Listing] = {
    k.key: Listing(**_LISTS[k.record], filters=_filters(), default_desc=True, base_url=f"/care/kpi/{k.key}", target_id="kpi-list")
    for k in KPIS.values()}


def _project(raw: str | None) -> int | None:
    return parse_id(raw)


def _handler(raw: str | None) -> str:
    raw = (raw or "").strip()
    return raw if raw == NONE_KEY or parse_id(raw) is not None else ""


@lru_cache(maxsize=8192)  # a pure function of its arguments; the board asks for ~140 per render
def drill_url(kpi: str, month: str, part: str = "", project: Any = None, handler: Any = "") -> str:
    from urllib.parse import urlencode

    q = {"month": month}
    if part:
        q["part"] = part
    if project is not None:
        q["project"] = str(project)
    if handler != "":
        q["handler"] = NONE_KEY if handler is None else str(handler)
    return f"/care/kpi/{kpi}?" + urlencode(q)


@lru_cache(maxsize=8192)
def _fig_links(kpi: str, month: str, project: Any, handler: Any) -> tuple[str, str, str]:
    """A figure's escaped drill links (denominator, numerator) and key: the same for every render of the month."""
    return (str(escape(drill_url(kpi, month, "denominator", project, handler))),
            str(escape(drill_url(kpi, month, "numerator", project, handler))), str(escape(kpi)))


def fig_html(f, month: str, project: Any = None, handler: Any = "") -> Markup:
    """One figure on the board: the rate (a link to the denominator's records, green or red against the target) and
    numerator / denominator, each a link to its records. Built in Python: the board shows ~100 of them (the links come
    escaped from a cache; the counts are ints)."""
    meets = f.meets
    cls = "" if meets is None else ("text-green" if meets else "text-red")
    den, num, key = _fig_links(f.kpi.key, month, project, handler)
    return Markup(f'<a href="{den}" class="fw-bold {cls}" data-testid="fig-{key}">{escape(f.text)}</a>\n'
                  f'<div class="small text-secondary text-nowrap"><a class="text-reset" href="{num}" data-testid="num-{key}">{int(f.numerator)}</a>'
                  f' / <a class="text-reset" href="{den}" data-testid="den-{key}">{int(f.denominator)}</a></div>')


def _chart(item: dict, months: list) -> dict:
    k = item["kpi"]
    return {"type": "kpi", "labels": [f"{m[1]}月" if m[1] != 1 else f"{m[0]}年1月" for m in months], "name": k.name,
            "data": [None if f.rate is None else float(f.rate) for f in item["trend"]],
            "target": float(item["month"]["total"].target)}


@get("/", guards=[requires(Perm.CARE_VIEW)])
async def board(request: Request) -> Response:
    user, q = request.user, request.query_params
    month = parse_month(q.get("month"), today_local())
    project = _project(q.get("project"))
    limits, problems = await load_with_problems()
    ctx = Ctx(limits, now())
    data = await services.board(user, ctx, month, project)
    projects = await services.projects_for(user)
    if project is not None and project not in {p["id"] for p in projects}:
        project = None  # not in the user's scope: the figures are already empty (the scope clause), show 全部
    months = services.trend_months(month)
    for item in data["kpis"]:
        item["chart"] = _chart(item, months)
    by_key = {i["kpi"].key: i for i in data["kpis"]}
    # the per-handler (cases) table: closed cases, on time, complaint satisfaction, follow-ups, by the case's handler
    handled = {r["g_handler"]: int(r["closed"]) for r in data["handled"]}
    case_keys = ("on_time_rate", "complaint_satisfaction_rate", "follow_up_rate")
    hids = set(handled) | {h for k in case_keys for h in by_key[k]["month"]["handlers"]}
    handlers = sorted(hids, key=lambda h: (h is None, data["names"].get(h, ""), h or 0))
    call_keys = ("answer_rate", "satisfaction_rate")
    qa = {r["agent"]: r for r in data["qa"]}
    aids = {h for k in call_keys for h in by_key[k]["month"]["handlers"]} | set(qa)
    agents = sorted(aids, key=lambda h: (h is None, data["names"].get(h, ""), h or 0))
    ctx_page = {"data": data, "by_key": by_key, "month": month_text(month), "month_label": f"{month[0]} 年 {month[1]} 月",
                "months": _months(), "project": project, "projects": projects, "handlers": handlers, "handled": handled,
                "agents": agents, "qa": qa, "case_keys": case_keys, "call_keys": call_keys, "drill_url": drill_url, "fig": fig_html,
                "renovation_note": RENOVATION_NOTE, "renovation_target": ctx.limits.targets.renovation_efficiency,
                "NONE": NONE_KEY, "settings_problems": problems}
    if wants_export(request):
        return await _export_board(request, ctx_page)
    return render(request, "kpi/board.html", ctx_page, fragment="kpi/_board.html")


async def _export_board(request: Request, page: dict) -> Response:
    import os

    from litestar.background_tasks import BackgroundTask
    from litestar.response import File

    from app.core import audit
    from app.core.listing import XLSX, XlsxExport, safe_title

    title = f"客服KPI看板 {page['month']}"
    x = XlsxExport(title, [("统计范围", "text", 18), ("名称", "text", 22), ("指标", "text", 20), ("分子", "int", 10), ("分母", "int", 10),
                           ("指标值（%）", "pct", 12), ("目标（%）", "pct", 12), ("达标", "text", 8)])
    names, pnames = page["data"]["names"], {p["id"]: p["name"] for p in page["projects"]}
    rows = []

    def add(scope: str, name: str, f) -> None:
        rows.append([scope, name, f.kpi.name, f.numerator, f.denominator, f.rate, f.target,
                     "—" if f.meets is None else ("是" if f.meets else "否")])

    for item in page["data"]["kpis"]:
        m = item["month"]
        add("合计", "全部" if page["project"] is None else pnames.get(page["project"], ""), m["total"])
        for p, f in m["projects"].items():
            add("项目", pnames.get(p, "未指定项目"), f)
        for h, f in m["handlers"].items():
            add(item["kpi"].handler_label, names.get(h, "未指定"), f)
    x.append(rows)
    path = await x.save((("列表", title), ("导出人", f"{request.user.display_name}（{request.user.username}）"),
                         ("月份", page["month"]), ("说明", RENOVATION_NOTE)))
    await audit.record(actor=request.user, action="export", entity="list", entity_id="/care/kpi",
                       summary=f"导出客服 KPI 看板 {page['month']}（{x.rows} 行）", after={"list": "/care/kpi", "month": page["month"],
                                                                                    "project": page["project"], "rows": x.rows},
                       ip=request.client.host if request.client else "")
    return File(path=path, filename=f"{safe_title(title)}.xlsx", media_type=XLSX, background=BackgroundTask(os.unlink, path))


@get("/{kpi:str}", guards=[requires(Perm.CARE_VIEW)])
async def drill(request: Request, kpi: str) -> Response:
    k = KPIS.get(kpi)
    if k is None:
        raise NotFoundException("没有这个指标")
    user = request.user
    params = {key: v for key, v in request.query_params.items()}
    month = parse_month(params.get("month"), today_local())
    part = params.get("part") if params.get("part") in PARTS else ""
    project, handler = _project(params.get("project")), _handler(params.get("handler"))
    params.update(month=month_text(month), part=part, project="" if project is None else str(project), handler=handler)
    ctx = Ctx(await load_limits(), now())
    start, end = bounds(month)
    where = k.where(ctx, start, end, part or None) + services._filters(k, user, project, handler)
    listing = replace(DRILLS[k.key], extra_where=tuple(where))
    title = f"{k.name}明细"
    if wants_export(request):
        return await export_response(request, listing, params, f"{title} {month_text(month)}")
    result = await listing.fetch(params, user)
    hname = (await services.names({int(handler)})).get(int(handler), f"#{handler}") if handler.isascii() and handler.isdigit() else ""
    result.choices["handler"] = [(NONE_KEY, "未指定")] + ([(handler, hname)] if hname else [])
    result.offer_export()
    fig = await services.month_figures(k, ctx, user, month, project, handler)
    return render(request, "kpi/drill.html", {
        "result": result, "kpi": k, "fig": fig["total"], "month": month_text(month), "part": part, "parts": PARTS,
        "project": project, "handler": handler, "handler_name": hname, "title": title,
        "drill_url": drill_url,
    }, fragment="_partials/listing_table.html")


router = Router(path="/care/kpi", route_handlers=[board, drill])
