"""回访 pages: /care/callbacks (the calls due: 今日到期 / 已逾期 / 已完成, by project and caller; paged in SQL) and
/care/callbacks/{case_id} (the answer form for one case — the same panel the case page shows)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from markupsafe import Markup

from app.callbacks import services
from app.care import core, rules, states
from app.care.core import CareError
from app.care.tables import Callback, CaseEvent
from app.core.fields import parse_id
from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.scope import project_clause
from app.core.timeutil import SHANGHAI, fmt_datetime, now, to_local
from app.core.web import Form, is_fragment_request, redirect_with_flash, render
from app.estate.tables import Project

TIMELINE_MAX = 30  # the latest entries of the case's timeline shown beside the callback (the case page has them all)
OPEN, TODAY, OVERDUE, DONE = "open", "today", "overdue", "done"
STATE_CHOICES = [(OPEN, "待回访"), (TODAY, "今日到期"), (OVERDUE, "已逾期"), (DONE, "已完成")]


def _end_of_today() -> datetime:
    return datetime.combine(to_local(now()).date() + timedelta(days=1), time(0), SHANGHAI)


def state_clause(value: str):
    """待回访: not made yet; 今日到期: not made and due by 24:00 today (not yet past); 已逾期: not made and past due;
    已完成: made (the customer was reached)."""
    t = now()
    pending = Callback.called_at.is_null()
    if value == OPEN:
        return pending
    if value == TODAY:
        return pending & (Callback.due_at >= t) & (Callback.due_at <= _end_of_today())
    if value == OVERDUE:
        return pending & (Callback.due_at < t)
    if value == DONE:
        return Callback.called_at.is_not_null()
    return None


@dataclass(frozen=True)
class StateFilter(Filter):
    def clause(self, raw: str):
        return state_clause((raw or "").strip())


@dataclass(frozen=True)
class IdFilter(Filter):
    def clause(self, raw: str):
        n = parse_id(raw)
        return None if n is None else self.columns[0] == n


async def project_choices(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.code, Project.name).where(Project.active == True).order_by(Project.code)  # noqa: E712
    if not user.all_projects:
        q = q.where(Project.id.is_in(list(user.project_ids) or [0]))
    return [(str(r["id"]), f'{r["name"]}（{r["code"]}）') for r in await q]


LISTING = Listing(
    table=Callback,
    select=[Callback.id, Callback.case, Callback.case.number, Callback.case.title, Callback.case.status, Callback.case.kind,
            Callback.project.name, Callback.due_at, Callback.called_at, Callback.caller.name, Callback.score, Callback.attempts,
            Callback.reopened, Callback.case.handler.name],
    columns=[
        Col("case_html", "案件", sort=Callback.case.number, hideable=False),
        Col("project.name", "项目", sort=Callback.project.name),
        Col("case.status", "案件状态", fmt="badge"),
        Col("due_html", "应回访时间", sort=Callback.due_at),
        Col("attempts", "尝试", sort=Callback.attempts),
        Col("caller.name", "回访人"),
        Col("score_html", "满意度", sort=Callback.score),
        Col("called_html", "回访时间", sort=Callback.called_at),
    ],
    filters=[
        StateFilter("state", "回访状态", "select", columns=[Callback.called_at], choices=STATE_CHOICES),
        IdFilter("project", "项目", "select", columns=[Callback.project], choices=project_choices),
        IdFilter("caller", "回访人", "select", columns=[Callback.caller], choices=services.caller_choices),
        Filter("q", "案件编号/标题", "text", columns=[Callback.case.number, Callback.case.title]),
    ],
    default_sort="due_html", base_url="/care/callbacks", target_id="callback-list",
    scope=lambda user: project_clause(Callback.project, user),
)


def _decorate(rows: list[dict[str, Any]]) -> None:
    t = now()
    for r in rows:
        due = r["due_at"]
        late = r["called_at"] is None and due < t
        r["case_html"] = Markup('<a href="/care/callbacks/{}" class="text-nowrap" data-testid="callback-link">{}</a>'
                                '<div class="small text-secondary text-break">{}{}</div>').format(
            r["case"], r["case.number"], r["case.title"] or r["case.kind"],
            f" · 处理人 {r['case.handler.name']}" if r["case.handler.name"] else "")
        r["due_html"] = Markup('<span class="text-nowrap{}">{}</span>{}').format(
            " text-danger fw-bold" if late else "", services.due_text(due), Markup(' <span class="badge bg-red-lt">已逾期</span>') if late else "")
        called = fmt_datetime(r["called_at"]).split(" ") if r["called_at"] else []
        r["called_html"] = Markup(" ").join(Markup('<span class="text-nowrap">{}</span>').format(p) for p in called)
        if r["score"]:
            label = rules.SATISFACTION_SCALE.get(r["score"], "")
            colour = "green" if r["score"] >= 4 else ("red" if r["reopened"] else "yellow")
            r["score_html"] = Markup('<span class="badge bg-{}-lt">{}</span>').format(colour, label) + (
                Markup(' <span class="badge bg-red-lt">已重开</span>') if r["reopened"] else "")
        else:
            r["score_html"] = "—" if r["called_at"] is None else ""


async def _counts(user) -> dict[str, int]:
    scope = project_clause(Callback.project, user)

    async def count(value: str) -> int:
        q = Callback.count().where(state_clause(value))
        return await (q.where(scope) if scope is not None else q)

    return {OPEN: await count(OPEN), TODAY: await count(TODAY), OVERDUE: await count(OVERDUE)}


@get("/", guards=[requires(Perm.CARE)])
async def callback_list(request: Request) -> Response:
    result = await LISTING.fetch(dict(request.query_params), request.user)
    _decorate(result.page.rows)
    if is_fragment_request(request):
        return render(request, "callbacks/list.html", {"result": result}, fragment="_partials/listing_table.html")
    from app.care import rules
    from app.care.settings import load_limits

    limits = await load_limits()
    ctx = {"result": result, "counts": await _counts(request.user), "states": dict(STATE_CHOICES),
           "callback_days": limits.callback_working_days, "reopen_label": rules.SATISFACTION_SCALE.get(limits.callback_reopen_at_or_below, "")}
    return render(request, "callbacks/list.html", ctx)


async def _case_or_404(request: Request, case_id: int) -> dict:
    case = await core.get_case(request.user, case_id)
    if case is None:
        raise NotFoundException("案件不存在或不在您的项目范围内")
    return case


async def _page(request: Request, case: dict, form: Form, status_code: int = 200, error: str = "") -> Response:
    panel = await services.panel_context(request.user, case)
    if panel is not None:
        panel.update(form=form, error=error, on_form_page=True)
    events = await CaseEvent.select(CaseEvent.at, CaseEvent.action, CaseEvent.note, CaseEvent.to_status, CaseEvent.actor.name).where(
        CaseEvent.case == case["id"]).order_by(CaseEvent.at, ascending=False).order_by(CaseEvent.id, ascending=False).limit(TIMELINE_MAX)
    for e in events:
        e["action_name"] = states.ACTION_NAMES.get(e["action"], e["action"])
    ctx = {"case": case, "panel": panel, "events": events,
           "level_name": rules.LEVEL_NAMES.get(case["level"], case["level"]),
           "handler_role_name": rules.ROLE_NAMES.get(case["handler_role"], case["handler_role"])}
    return render(request, "callbacks/form.html", ctx, fragment="callbacks/_panel.html", status_code=status_code)


@get("/{case_id:int}", guards=[requires(Perm.CARE)])
async def callback_form(request: Request, case_id: int) -> Response:
    case = await _case_or_404(request, case_id)
    return await _page(request, case, Form(values={"reached": "1"}))


@post("/{case_id:int}", guards=[requires(Perm.CARE)], status_code=200)
async def callback_answer(request: Request, case_id: int) -> Response:
    case = await _case_or_404(request, case_id)
    data = await request.form()
    raw = {k: v for k, v in data.items() if isinstance(v, str)}
    try:
        message = await services.answer(request.user, case_id, raw)
    except CareError as e:
        case = await _case_or_404(request, case_id)
        form = Form(values=raw, errors={k: v for k, v in e.errors.items() if k != "__all__" and k != "caller"})
        error = e.errors.get("__all__") or e.errors.get("caller") or ""
        return await _page(request, case, form, status_code=400 if form.errors else 409, error=error)
    back = services.case_url(case_id) if raw.get("back") == "case" else services.form_url(case_id)  # posted from the case page
    return redirect_with_flash(back, message, "success", request)


router = Router(path="/care/callbacks", route_handlers=[callback_list, callback_form, callback_answer])
