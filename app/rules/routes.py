from __future__ import annotations

import dataclasses
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.web import Form, form_data, redirect_with_flash, render
from app.org.routes import _department_choices
from app.org.tables import Employee
from app.core.fields import parse_id
from app.rules import quiz as rule_quiz
from app.rules import services


def clause_url(code: str, anchor: str) -> str:
    """The stable link later chapters put next to their forms."""
    return f"/rules/{code}#c-{anchor}"


@dataclasses.dataclass
class SearchResult:
    page: Any
    q: str
    base_url: str = "/rules"
    target_id: str = "rule-search"


@get("/", guards=[requires(Perm.RULES_VIEW)])
async def rules_index(request: Request) -> Response:
    """The library, one entry per rule; with `q`, the paragraphs of the current rules that contain it."""
    q = (request.query_params.get("q") or "")[:100]
    page = request.query_params.get("page") or 1
    docs = await services.documents_for(request.user)
    result = None
    if q.strip():
        hits, cleaned = await services.search(q, page)
        result = SearchResult(page=hits, q=cleaned)
    ctx = {"docs": docs, "q": q.strip(), "result": result,
           "unread": sum(1 for d in docs if d["version"] and d["requires_ack"] and not d["read"])}
    return render(request, "rules/index.html", ctx, fragment="rules/_search.html")


async def _show(request: Request, code: str, version_no: int | None) -> Response:
    data = await services.reading(code, version_no)
    if not data or not data["version"]:
        raise NotFoundException("没有找到该规章或版本")
    ack = await services.ack_of(request.user, data["version"]["id"])
    return render(request, "rules/document.html", {**data, "ack": ack, **await _quiz_ctx(request.user, data["version"]["id"], ack)})


async def _quiz_ctx(user, version_id: int, ack, result=None, answers=None) -> dict[str, Any]:
    """The quiz on the acknowledgement panel: its questions, the pass mark and the last attempt's wrong answers."""
    questions = await services.quiz_of(version_id)
    if not questions or ack:
        return {"quiz": questions, "quiz_result": None}
    if result is None:
        last = await services.last_attempt(user, version_id)
        if last:
            result = rule_quiz.Result(correct=last["correct_count"], total=last["total"], pct=last["score_pct"], passed=last["passed"],
                                      wrong=[int(x) for x in last["wrong"].split(",") if x.isdigit()])
    return {"quiz": questions, "quiz_result": result, "quiz_answers": answers or {}, "quiz_pass_pct": await rule_quiz.pass_pct(),
            "quiz_basis": rule_quiz.BASIS}


def _answers(form) -> dict[int, str]:
    out: dict[int, str] = {}
    for k, v in form.items():
        if k.startswith("q_") and isinstance(v, str):
            qid = parse_id(k[2:])
            if qid is not None:
                out[qid] = v[:2]
    return out


@get("/{code:str}", guards=[requires(Perm.RULES_VIEW)])
async def rules_document(request: Request, code: str) -> Response:
    return await _show(request, code, None)


@get("/{code:str}/v/{version_no:int}", guards=[requires(Perm.RULES_VIEW)])
async def rules_document_version(request: Request, code: str, version_no: int) -> Response:
    return await _show(request, code, version_no)


@get("/clause/{code:str}/{anchor:str}", guards=[requires(Perm.RULES_VIEW)])
async def rules_clause(code: str, anchor: str) -> Response:
    return Redirect(path=clause_url(code, anchor))


@post("/versions/{version_id:int}/ack", guards=[requires(Perm.RULES_VIEW)], status_code=200)
async def rules_acknowledge(request: Request, version_id: int) -> Response:
    answers = _answers(await form_data(request))
    try:
        ack = await services.acknowledge(request.user, version_id, answers)
    except services.RuleError as e:
        raise NotFoundException(str(e)) from None
    except services.QuizFailed as e:
        data = await services.document_for_version(version_id)
        quiz = await _quiz_ctx(request.user, version_id, None, e.result, answers)
        if request.htmx:  # the panel again, with the wrong answers marked (200: HTMX swaps only successful answers)
            return render(request, "rules/_ack_panel.html", {"ack": None, "version": data, **quiz})
        page = await services.reading(data["document.code"], data["version_no"])
        return render(request, "rules/document.html", {**page, "ack": None, **quiz}, status_code=400)
    data = await services.document_for_version(version_id)
    unread = await services.unread_count(request.user)
    from app.core.gating import first_pending

    next_gate = await first_pending(request.user)  # a new employee's next first-sign-in document (app/hr_recruit/gates.py)
    if request.htmx:
        return render(request, "rules/_ack_panel.html", {"ack": ack, "version": data, "unread_rules": unread, "oob": True, "quiz": [],
                                                         "next_gate": next_gate})
    return redirect_with_flash(next_gate or f"/rules/{data['document.code']}", "已确认阅读", "success", request)


@get("/versions/{version_id:int}/quiz", guards=[requires(Perm.RULES_MANAGE)])
async def rules_quiz_page(request: Request, version_id: int) -> Response:
    version = await services.document_for_version(version_id)
    if not version:
        raise NotFoundException("该规章版本不存在")
    text = rule_quiz.to_text(await services.quiz_of(version_id))
    return render(request, "rules/quiz.html", {"version": version, "form": Form(values={"text": text}), "pass_pct": await rule_quiz.pass_pct(),
                                               "basis": rule_quiz.BASIS, "max_questions": rule_quiz.MAX_QUESTIONS})


@post("/versions/{version_id:int}/quiz", guards=[requires(Perm.RULES_MANAGE)], status_code=200)
async def rules_quiz_save(request: Request, version_id: int) -> Response:
    values = await form_data(request)
    version = await services.document_for_version(version_id)
    if not version:
        raise NotFoundException("该规章版本不存在")
    error, n = await services.save_quiz(request.user, version_id, values.get("text", ""))
    if error:
        return render(request, "rules/quiz.html", {"version": version, "form": Form(values=values, errors={"text": error}),
                                                   "pass_pct": await rule_quiz.pass_pct(), "basis": rule_quiz.BASIS,
                                                   "max_questions": rule_quiz.MAX_QUESTIONS}, status_code=400)
    return redirect_with_flash(f"/rules/{version['document.code']}/v/{version['version_no']}", f"已保存测验：{n} 道题" if n else "已取消测验",
                               "success", request)


@get("/{code:str}/publish", guards=[requires(Perm.RULES_MANAGE)])
async def rules_publish_page(request: Request, code: str) -> Response:
    data = await services.document(code)
    if not data or not data["version"]:
        raise NotFoundException("没有找到该规章")
    from app.core.timeutil import today_local

    body = "\n\n".join(c["text"] for c in data["clauses"])  # the source text as stored: placeholders stay placeholders
    data["doc"] = services._present_doc(data["doc"], await services.issuing_company())
    form = Form(values={"body": body, "effective_on": today_local().isoformat(), "change_note": ""})
    return render(request, "rules/publish.html", {**data, "form": form})


@post("/{code:str}/publish", guards=[requires(Perm.RULES_MANAGE)], status_code=200)
async def rules_publish(request: Request, code: str) -> Response:
    values = await form_data(request)
    try:
        errors, number = await services.publish_version(request.user, code, values)
    except services.RuleError as e:
        raise NotFoundException(str(e)) from None
    if errors:
        data = await services.document(code)
        data["doc"] = services._present_doc(data["doc"], await services.issuing_company())
        return render(request, "rules/publish.html", {**data, "form": Form(values=values, errors=errors)}, status_code=400)
    return redirect_with_flash(f"/rules/{code}", f"已发布第 {number} 版，全员需重新确认阅读", "success", request)


STATUS_LIST = Listing(
    table=Employee,
    select=[Employee.id, Employee.employee_no, Employee.name, Employee.department.name, Employee.position.name],
    columns=[
        Col("employee_no", "工号", sort=Employee.employee_no),
        Col("name", "姓名", sort=Employee.name, link="/org/employees/{id}"),
        Col("department.name", "部门", sort=Employee.department.name),
        Col("position.name", "岗位", sort=Employee.position.sort),
    ],
    filters=[
        Filter("q", "姓名/工号", "text", columns=[Employee.name, Employee.employee_no]),
        Filter("department", "部门", "select", columns=[Employee.department], choices=_department_choices),
    ],
    default_sort="employee_no",
    target_id="ack-list",
)


@get("/status", guards=[requires(Perm.RULES_MANAGE)])
async def rules_status(request: Request) -> Response:
    versions = await services.current_versions()
    summaries = await services.ack_summaries([v["id"] for v in versions])
    for v in versions:
        v["summary"] = summaries[v["id"]]
    return render(request, "rules/status.html", {"versions": versions})


@get("/status/{version_id:int}", guards=[requires(Perm.RULES_MANAGE)])
async def rules_status_version(request: Request, version_id: int) -> Response:
    version = await services.document_for_version(version_id)
    if not version:
        raise NotFoundException("该规章版本不存在")
    state = request.query_params.get("state", "unread")
    state = state if state in ("read", "unread") else "unread"
    listing = dataclasses.replace(
        STATUS_LIST,
        base_url=f"/rules/status/{version_id}",
        extra_where=((Employee.active == True), Employee.user.is_not_null(), services._acked_clause(version_id, state == "read")),  # noqa: E712
    )
    params = dict(request.query_params)
    result = await listing.fetch(params, request.user)
    result.values["state"] = state
    result.page.params["state"] = state
    summary = await services.ack_summary(version_id)
    return render(request, "rules/status_version.html", {"version": version, "result": result, "state": state, "summary": summary},
                  fragment="_partials/listing_table.html")


router = Router(path="/rules", route_handlers=[rules_index, rules_status, rules_status_version, rules_document, rules_document_version, rules_clause, rules_acknowledge, rules_quiz_page, rules_quiz_save, rules_publish_page, rules_publish])
