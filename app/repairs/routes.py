"""报修单 (SPEC D3): the list of repairs in the user's project scope (filters, clock state and paging in SQL, export),
the repair page (the case's repair panel on its own page), and the POST of each step under /care/cases/{id}/repair/…
(the same panel is on the case page, app/repairs/case_panels.py)."""
from __future__ import annotations

from datetime import datetime

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from markupsafe import Markup

from app.care import core, rules, states
from app.care.core import CareError
from app.care.settings import load_limits
from app.care.tables import CareRepair, Contractor
from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.scope import project_clause
from app.core.timeutil import now, to_local
from app.core.views import export_response, wants_export
from app.core.web import redirect_with_flash, render
from app.estate.tables import Project
from app.repairs import services

LIST_FRAGMENT = "_partials/listing_table.html"
PANEL_FRAGMENT = "repairs/_panel.html"

C = CareRepair.case
_OPEN = [s for s in states.REPAIR_STATES if s not in states.DONE]


class QueueFilter(Filter):
    """待质监勘查: the cases waiting for the 安全质量监督中心 (the quality role's queue)."""

    def clause(self, raw: str):
        if (raw or "").strip() == "inspection":
            return (C.status == states.R_INSPECTING) & CareRepair.inspected_at.is_null()
        return None


class ClockFilter(Filter):
    """The clocks' state in SQL from the stored due moments: a running clock past its due, running in time, all
    stopped in time, or one stopped late."""

    def clause(self, raw: str):
        value = (raw or "").strip()
        t = now()
        clocks_ = [(CareRepair.on_site_due, CareRepair.on_site_at), (CareRepair.fix_due, CareRepair.done_at), (C.plan_due, C.plan_at)]
        open_ = C.status.is_in(_OPEN)
        if value in ("breached", "running"):
            late = [done.is_null() & (due < t) for due, done in clocks_]
            in_time = [done.is_not_null() | due.is_null() | (due >= t) for due, done in clocks_]
            if value == "breached":
                return open_ & (late[0] | late[1] | late[2])
            return open_ & in_time[0] & in_time[1] & in_time[2]
        if value in ("late", "met"):
            late = [done.is_not_null() & due.is_not_null() & (done > due) for due, done in clocks_]
            ok = [done.is_null() | due.is_null() | (done <= due) for due, done in clocks_]
            if value == "late":
                return late[0] | late[1] | late[2]
            return C.status.is_in(sorted(states.DONE)) & ok[0] & ok[1] & ok[2]
        return None


async def _projects(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.name).order_by(Project.code)
    clause = project_clause(Project.id, user)
    if clause is not None:
        q = q.where(clause)
    return [(str(r["id"]), r["name"]) for r in await q]


async def _contractors(_user) -> list[tuple[str, str]]:
    return [(str(r["id"]), r["name"]) for r in await Contractor.select(Contractor.id, Contractor.name).order_by(Contractor.name)]


REPAIRS = Listing(
    table=CareRepair,
    select=[CareRepair.id, CareRepair.case, C.number, C.status, C.received_at, C.project.name, C.unit.room_no, C.unit.building.name,
            C.caller_name, C.buyer.name, C.title, CareRepair.element, CareRepair.location, CareRepair.priority,
            CareRepair.needs_inspection, CareRepair.in_warranty, CareRepair.contractor.name, CareRepair.on_site_due,
            CareRepair.on_site_at, CareRepair.fix_due, CareRepair.done_at, C.plan_due, C.plan_at, CareRepair.inspected_at,
            CareRepair.handover_on, C.deal.handed_over_on],
    columns=[
        Col("case.number", "报修单号", sort=C.number, link="/care/repairs/{case}", testid="repair-link", hideable=False),
        Col("case.status", "状态", sort=C.status, fmt="badge"),
        Col("unit_text", "项目/房号"),
        Col("customer", "客户"),
        Col("element_name", "部位", sort=CareRepair.element),
        Col("case.title", "报修内容"),
        Col("priority_name", "紧急程度", sort=CareRepair.priority),
        Col("warranty_text", "保修", sort=CareRepair.in_warranty),
        Col("contractor.name", "维修单位", sort=CareRepair.contractor.name),
        Col("clock_badge", "时限"),
        Col("received_text", "报修时间", sort=C.received_at),
    ],
    filters=[
        Filter("q", "单号/内容/部位", "text", columns=[C.number, C.title, CareRepair.location], placeholder="输入单号、内容或部位"),
        Filter("status", "状态", "select", columns=[C.status], choices=[(s, s) for s in states.REPAIR_STATES]),
        Filter("priority", "紧急程度", "select", columns=[CareRepair.priority], choices=list(rules.REPAIR_PRIORITIES.items())),
        Filter("element", "部位", "select", columns=[CareRepair.element], choices=list(rules.WARRANTY_ELEMENTS.items())),
        Filter("warranty", "保修", "select", columns=[CareRepair.in_warranty], choices=[("1", "保修期内"), ("0", "已过保修期")]),
        Filter("project", "项目", "select", columns=[C.project], choices=_projects),
        Filter("contractor", "维修单位", "select", columns=[CareRepair.contractor], choices=_contractors),
        ClockFilter("clock", "时限", "select", columns=[CareRepair.on_site_due],
                    choices=[("breached", "已超时（未完成）"), ("running", "计时中未超时"), ("late", "超时完成"), ("met", "按时完成")]),
        QueueFilter("queue", "待办", "select", columns=[C.status], choices=[("inspection", "待质监勘查"), ("all", "全部报修")]),
    ],
    default_sort="received_text", default_desc=True, base_url="/care/repairs", target_id="repair-list",
    scope=lambda user: project_clause(C.project, user),
)


def _clock_of(row: dict, t: datetime) -> tuple[str, str]:
    """The list's clock cell from the stored dues (no query per row): the first running clock, or how they ended."""
    pairs = [("到场", row["on_site_due"], row["on_site_at"]), ("修复", row["fix_due"], row["done_at"]),
             ("方案", row["case.plan_due"], row["case.plan_at"])]
    pairs = [(n, due, done) for n, due, done in pairs if due is not None]
    if not pairs:
        return "", ""
    if row["case.status"] == states.TO_PROPERTY:
        return "已转物业", "secondary"
    if row["case.status"] in states.DONE:
        late = any(done is not None and done > due for _, due, done in pairs)
        return ("超时完成", "red") if late else ("已完成", "green")
    for name, due, done in pairs:
        if done is None:
            if due < t:
                return f"{name}已超时", "red"
            return f"{name}计时中", "blue"
    return "已完成", "green"


def _warranty_text(r: dict, limits) -> str:
    """The stored result (written when the survey is arranged or the case goes to the 物业), else computed now from
    the row's handover date — the same rule, no query."""
    stored = r["in_warranty"]
    if stored is None and r["element"] in rules.WARRANTY_ELEMENTS:
        handover = r.get("case.deal.handed_over_on") or r.get("handover_on")
        if handover is not None:
            stored = rules.warranty(r["element"], handover, to_local(r["case.received_at"]).date(), limits).in_warranty
    return {True: "保修期内", False: "已过保修期"}.get(stored, "待核实交付日")


def decorate(rows: list[dict], limits) -> None:
    t = now()
    nowrap = Markup('<span class="text-nowrap">{}</span>').format
    for r in rows:
        room = " ".join(x for x in (r.get("case.unit.building.name"), r.get("case.unit.room_no")) if x)
        r["unit_text"] = Markup('<span class="text-nowrap">{}</span> <div class="small text-secondary text-nowrap">{}</div>').format(
            r.get("case.project.name") or "", room)
        r["customer"] = nowrap(r.get("case.buyer.name") or r.get("case.caller_name") or "")
        element = rules.WARRANTY_ELEMENTS.get(r["element"], r["element"])
        r["element_name"] = Markup('<span class="repair-cell">{}</span> <div class="small text-secondary repair-cell">{}</div>').format(
            r["location"] or element, element if r["location"] else "")
        r["priority_name"] = nowrap(rules.REPAIR_PRIORITIES.get(r["priority"], r["priority"]))
        r["warranty_text"] = nowrap(_warranty_text(r, limits))
        r["case.title"] = Markup('<span class="repair-cell">{}</span>').format(r.get("case.title") or "")
        at = to_local(r["case.received_at"])
        r["received_text"] = Markup('<span class="text-nowrap">{}</span> <div class="small text-secondary">{}</div>').format(
            f"{at:%Y-%m-%d}", f"{at:%H:%M}")
        text, colour = _clock_of(r, t)
        r["clock_badge"] = Markup('<span class="badge bg-{}-lt" data-testid="clock-state">{}</span>').format(colour, text) if text else ""


@get("/repairs", guards=[requires(Perm.CARE_VIEW)])
async def repairs(request: Request) -> Response:
    params = dict(request.query_params)
    if services.is_quality(request.user) and not any(v for k, v in params.items() if k not in ("page", "per_page")):
        params["queue"] = "inspection"  # the 安全质量监督中心 opens on its queue; 全部 shows every repair
    limits = await load_limits()
    if wants_export(request):
        return await export_response(request, REPAIRS, params, "报修单", decorate=lambda rows: decorate(rows, limits))
    result = await REPAIRS.fetch(params, request.user)
    decorate(result.page.rows, limits)
    result.offer_export()
    return render(request, "repairs/list.html", {"result": result, "is_quality": services.is_quality(request.user)},
                  fragment=LIST_FRAGMENT)


async def _case_or_404(request: Request, case_id: int) -> dict:
    case = await core.get_case(request.user, case_id)
    if case is None or case["kind"] != "报修":
        raise NotFoundException("报修单不存在或不在您的项目范围内")
    return case


@get("/repairs/{case_id:int}", guards=[requires(Perm.CARE_VIEW)])
async def repair_page(request: Request, case_id: int) -> Response:
    case = await _case_or_404(request, case_id)
    panel = await services.panel_context(request.user, case, back=services.repair_url(case_id))
    return render(request, "repairs/page.html", {"case": case, "panel": panel}, fragment=PANEL_FRAGMENT)


@post("/cases/{case_id:int}/repair/{step:str}", guards=[requires(Perm.CARE_VIEW)], status_code=200)
async def repair_step(request: Request, case_id: int, step: str) -> Response:
    if step not in services.STEPS:
        raise NotFoundException("没有这个办理步骤")
    case = await _case_or_404(request, case_id)
    form = await request.form()
    data = {k: v for k, v in form.items() if isinstance(v, str)}
    back = services.safe_back(data.get("back", ""), case_id)
    files = []
    upload_file = form.get("signature_file")
    if upload_file is not None and not isinstance(upload_file, str) and hasattr(upload_file, "file"):
        upload_file.file.seek(0)
        content = upload_file.file.read()
        if content:
            files.append((upload_file.filename or "签字照片", content))
    try:
        message = await services.act(request.user, case_id, step, data, files)
    except PermissionError as e:
        raise PermissionDeniedException(str(e)) from e
    except LookupError as e:
        raise NotFoundException("报修单不存在") from e
    except CareError as e:
        fresh = await core.get_case(request.user, case_id) or case
        values = {k: v for k, v in data.items() if k not in ("_csrf_token", "signature")}
        panel = await services.panel_context(request.user, fresh, back=back,
                                             posted=services.PanelForms(step=step, values=values, errors=e.errors))
        return render(request, "repairs/page.html", {"case": fresh, "panel": panel}, fragment=PANEL_FRAGMENT, status_code=400)
    return redirect_with_flash(back, message, "success", request)


router = Router(path="/care", route_handlers=[repairs, repair_page, repair_step])
