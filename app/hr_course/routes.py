"""内部培训 pages (SPEC §E6): /hr/courses — sessions (HR: every session, the plans and the new hires still without
the required new-hire training [S 1.11]); /hr/courses/mine — my training record (hours per year); /hr/courses/{id} —
one approved session: sign-in (ticked by the trainer, the organiser or HR, or by the attendee on the day), scores
0–100 and the attendees' evaluations."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, form_data, redirect_with_flash, render
from app.hr_course import rules, services, settings
from app.hr_course.tables import APPROVED

MINE = requires(Perm.REQUEST)


@get("/", guards=[MINE])
async def course_index(request: Request) -> Response:
    user = request.user
    hr = services.is_hr(user)
    cfg = await settings.read()
    ctx = {"sessions": await services.sessions(user), "is_hr": hr, "legal": rules.LEGAL_TRAINING, "basis": rules.NEW_HIRE_BASIS,
           "days": cfg["new_hire_days"]}
    if hr:
        ctx.update(plans=await services.plans(), missing=await services.missing_new_hire(cfg["new_hire_days"]))
    return render(request, "hr_course/index.html", ctx)


@get("/mine", guards=[MINE])
async def course_mine(request: Request) -> Response:
    eid = request.user.employee_id
    record = await services.record_of(eid) if eid else {"rows": [], "years": [], "new_hire_done": False}
    return render(request, "hr_course/mine.html", {"record": record, "basis": rules.NEW_HIRE_BASIS})


async def _page(request: Request, session_id: int, *, score_form: Form | None = None, eval_form: Form | None = None,
                error: str = "", status_code: int = 200) -> Response:
    s = await services.get(session_id)
    if s is None:
        raise NotFoundException("没有找到该培训")
    user = request.user
    if not services.may_see(user, s):
        raise PermissionDeniedException("您不能查看该培训")
    rows = await services.attendees(session_id)
    manage = services.may_manage(user, s)
    mine = next((r for r in rows if r["employee"] == user.employee_id), None)
    today = today_local()
    return render(request, "hr_course/session.html", {
        "s": s, "rows": rows, "manage": manage, "mine": mine, "today": today, "APPROVED": APPROVED,
        "can_self_sign": s["status"] == APPROVED and s["held_on"] == today and bool(user.employee_id) and mine is None,
        "candidates": await services.candidates(s) if manage and s["status"] == APPROVED else [],
        "chosen": {r["employee"] for r in rows}, "summary": await services.rating_summary(session_id),
        "score_form": score_form or Form(values={f"score_{r['id']}": "" if r["score"] is None else str(r["score"]) for r in rows}),
        "eval_form": eval_form or Form(values={"rating": str(mine["rating"] or "") if mine else "", "comment": mine["comment"] if mine else ""}),
        "error": error, "legal": rules.LEGAL_TRAINING, "legal_22": rules.LEGAL_NO_SERVICE_PERIOD, "basis": rules.NEW_HIRE_BASIS,
    }, status_code=status_code)


@get("/{session_id:int}", guards=[MINE])
async def course_detail(request: Request, session_id: int) -> Response:
    return await _page(request, session_id)


async def _guarded(request: Request, session_id: int):
    s = await services.get(session_id)
    if s is None:
        raise NotFoundException("没有找到该培训")
    if not services.may_see(request.user, s):
        raise PermissionDeniedException("您不能查看该培训")
    return s


def _refused(e: services.CourseError):
    if e.field == "forbidden":
        raise PermissionDeniedException(str(e))


@post("/{session_id:int}/attendance", guards=[MINE], status_code=200)
async def course_attendance(request: Request, session_id: int) -> Response:
    await _guarded(request, session_id)
    values = await request.form()
    try:
        n = await services.set_attendance(request.user, session_id, values)
    except services.CourseError as e:
        _refused(e)
        return await _page(request, session_id, error=str(e), status_code=400)
    return redirect_with_flash(f"/hr/courses/{session_id}", f"已保存签到：{n} 人", request=request)


@post("/{session_id:int}/sign-in", guards=[MINE], status_code=200)
async def course_sign_in(request: Request, session_id: int) -> Response:
    await _guarded(request, session_id)
    try:
        await services.self_sign_in(request.user, session_id)
    except services.CourseError as e:
        _refused(e)
        return await _page(request, session_id, error=str(e), status_code=400)
    return redirect_with_flash(f"/hr/courses/{session_id}", "签到成功", request=request)


@post("/{session_id:int}/scores", guards=[MINE], status_code=200)
async def course_scores(request: Request, session_id: int) -> Response:
    await _guarded(request, session_id)
    data = await form_data(request)
    try:
        errors = await services.save_scores(request.user, session_id, data)
    except services.CourseError as e:
        _refused(e)
        return await _page(request, session_id, error=str(e), status_code=400)
    if errors:
        return await _page(request, session_id, score_form=Form(values=data, errors=errors), error="成绩有误，请按提示修改", status_code=400)
    return redirect_with_flash(f"/hr/courses/{session_id}", "已保存成绩", request=request)


@post("/{session_id:int}/evaluate", guards=[MINE], status_code=200)
async def course_evaluate(request: Request, session_id: int) -> Response:
    await _guarded(request, session_id)
    data = await form_data(request)
    try:
        errors = await services.evaluate(request.user, session_id, data)
    except services.CourseError as e:
        _refused(e)
        return await _page(request, session_id, error=str(e), status_code=400)
    if errors:
        return await _page(request, session_id, eval_form=Form(values=data, errors=errors), status_code=400)
    return redirect_with_flash(f"/hr/courses/{session_id}", "感谢您的评价", request=request)


router = Router(path="/hr/courses", route_handlers=[course_index, course_mine, course_detail, course_attendance, course_sign_in,
                                                    course_scores, course_evaluate])
