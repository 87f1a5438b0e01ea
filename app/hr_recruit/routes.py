"""招聘 → 入职 pages (SPEC §E12), for HR (Perm.HR_MANAGE): /hr/recruit — the approved 用人申请 (paged);
/hr/recruit/{staffing}/candidates — its candidates with interview rounds, background check and offer, and the forms
that record them; /hr/recruit/{staffing}/candidates/{candidate}/onboard — 办理入职; /hr/recruit/onboardings/{id} — the
result, where HR issues the one-time initial password (…/password/unmask: a response that is not kept)."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core.fields import Parser, parse_id, pick_id
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.validators import normalize_id_number, validate_mobile, validate_resident_id
from app.core.web import Form, redirect_with_flash, render
from app.hr_contract.services import employee_choices
from app.hr_recruit import rules, services
from app.hr_recruit import settings as recruit_settings
from app.hr_recruit.flows import CLAUSE
from app.hr_recruit.tables import APPROVED, BG_RESULTS, CLOSED

GUARD = requires(Perm.HR_MANAGE)


@get("/", guards=[GUARD])
async def recruit_list(request: Request) -> Response:
    select, count = services.staffing_list_queries()
    page = await paginate(select, count, page=clamp_page(request.query_params.get("page")), per_page=20, params={})
    counts = await services.candidate_counts([r["id"] for r in page.rows])
    return render(request, "hr_recruit/list.html", {
        "clause": CLAUSE, "page": page, "rows": page.rows, "counts": counts,
        "result": {"page": page, "base_url": "/hr/recruit", "target_id": "recruit-list"}}, fragment="hr_recruit/_rows.html")


async def _staffing(staffing_id: int) -> dict:
    st = await services.staffing(staffing_id)
    if st is None or st["status"] not in (APPROVED, CLOSED):
        raise NotFoundException("没有这份已审批通过的用人申请")
    return st


async def _page(request: Request, st: dict, *, forms: dict | None = None, status_code: int = 200, reveal: dict | None = None) -> Response:
    cfg = await recruit_settings.read()
    rows = await services.candidates(st["id"])
    if reveal:
        for r in rows:
            if r["id"] == reveal["id"]:
                r["mobile"], r["id_number"], r["revealed"] = reveal["mobile"], reveal["id_number"], True
    for r in rows:
        r["ready"] = rules.ready_for_offer(len(r["rounds"]), cfg["min_rounds"], r["bg_result"])
        r["review_ready"] = rules.ready_for_review(len(r["rounds"]), cfg["min_rounds"])
    onboardings = await services.onboardings_of([r["id"] for r in rows if r["status"] == "已入职"])  # one statement
    forms = forms or {}
    iv_forms = {r["id"]: Form(prefix=f"iv{r['id']}-") for r in rows} | forms.get("interview", {})
    bg_forms = {r["id"]: Form(prefix=f"bg{r['id']}-", values={"bg_result": r["bg_result"], "bg_note": r["bg_note"],
                                                              "bg_on": r["bg_on"].isoformat() if r["bg_on"] else ""}) for r in rows}
    bg_forms |= forms.get("background", {})
    return render(request, "hr_recruit/candidates.html", {
        "clause": CLAUSE, "s": st, "rows": rows, "cfg": cfg, "onboardings": onboardings, "bg_results": [(v, v) for v in BG_RESULTS],
        "interviewers": await employee_choices(), "today": today_local(),
        "cand_form": forms.get("candidate") or Form(prefix="c-"), "iv_forms": iv_forms, "bg_forms": bg_forms, "ART_8": rules.ART_8, "ART_19": rules.ART_19}, status_code=status_code)


@get("/{staffing_id:int}/candidates", guards=[GUARD])
async def candidates_page(request: Request, staffing_id: int) -> Response:
    return await _page(request, await _staffing(staffing_id))


@post("/{staffing_id:int}/candidates", guards=[GUARD], status_code=200)
async def candidate_add(request: Request, staffing_id: int) -> Response:
    st = await _staffing(staffing_id)
    p = Parser(await request.form())
    name = p.text("name", "姓名", max_len=50)
    mobile = p.raw("mobile")
    msg = validate_mobile(mobile)
    if msg:
        p.fail("mobile", msg)
    id_number = normalize_id_number(p.raw("id_number"))
    msg = validate_resident_id(id_number, today=today_local()) if id_number.isascii() else "身份证号前 17 位须为数字，最后一位为数字或 X"
    if msg:
        p.fail("id_number", msg)
    form = Form(values={"name": p.raw("name"), "mobile": mobile, "id_number": p.raw("id_number")}, prefix="c-")
    if not p.errors:
        try:
            await services.add_candidate(request.user, staffing_id, name, mobile, id_number)
        except services.Refused as e:
            p.fail(e.field, e.message)
    if p.errors:
        form.errors.update(p.errors)
        return await _page(request, st, forms={"candidate": form}, status_code=400)
    return redirect_with_flash(f"/hr/recruit/{staffing_id}/candidates", f"已登记候选人 {name}", "success", request)


@post("/{staffing_id:int}/candidates/{candidate_id:int}/interviews", guards=[GUARD], status_code=200)
async def interview_add(request: Request, staffing_id: int, candidate_id: int) -> Response:
    st = await _staffing(staffing_id)
    p = Parser(await request.form())
    msg = rules.score_error(p.raw("score"))
    if msg:
        p.fail("score", msg)
    interviewer = pick_id(p, "interviewer", "面试官")
    held_on = p.date("held_on", "面试日期")
    note = p.text("note", "面试评价", required=False, max_len=1000)
    today = today_local()
    if held_on is not None and (held_on > today or (today - held_on).days > 366):
        p.fail("held_on", "面试日期应在今天及以前一年以内")
    form = Form(values={k: p.raw(k) for k in ("score", "interviewer", "held_on", "note")}, prefix=f"iv{candidate_id}-")
    if not p.errors:
        try:
            await services.add_interview(request.user, staffing_id, candidate_id, int(p.raw("score")), interviewer, held_on, note)
        except services.Refused as e:
            p.fail(e.field if e.field != "__all__" else "score", e.message)
    if p.errors:
        form.errors.update(p.errors)
        return await _page(request, st, forms={"interview": {candidate_id: form}}, status_code=400)
    return redirect_with_flash(f"/hr/recruit/{staffing_id}/candidates#cand-{candidate_id}", "面试记录已保存", "success", request)


@post("/{staffing_id:int}/candidates/{candidate_id:int}/background", guards=[GUARD], status_code=200)
async def background_save(request: Request, staffing_id: int, candidate_id: int) -> Response:
    st = await _staffing(staffing_id)
    p = Parser(await request.form())
    result = p.choice("bg_result", "背景调查结果", BG_RESULTS)
    note = p.text("bg_note", "调查情况", max_len=1000)
    on = p.date("bg_on", "调查日期")
    today = today_local()
    if on is not None and (on > today or (today - on).days > 366):
        p.fail("bg_on", "调查日期应在今天及以前一年以内")
    form = Form(values={k: p.raw(k) for k in ("bg_result", "bg_note", "bg_on")}, prefix=f"bg{candidate_id}-")
    if not p.errors:
        try:
            await services.record_background(request.user, staffing_id, candidate_id, result, note, on)
        except services.Refused as e:
            p.fail(e.field if e.field != "__all__" else "bg_result", e.message)
    if p.errors:
        form.errors.update(p.errors)
        return await _page(request, st, forms={"background": {candidate_id: form}}, status_code=400)
    return redirect_with_flash(f"/hr/recruit/{staffing_id}/candidates#cand-{candidate_id}", "背景调查已保存", "success", request)


@post("/{staffing_id:int}/candidates/{candidate_id:int}/unmask", guards=[GUARD], status_code=200)
async def candidate_unmask(request: Request, staffing_id: int, candidate_id: int) -> Response:
    st = await _staffing(staffing_id)
    try:
        c = await services.reveal_candidate(request.user, staffing_id, candidate_id)
    except services.Refused as e:
        raise NotFoundException(e.message) from None
    return await _page(request, st, reveal=c)


async def _onboard_page(request: Request, st: dict, c: dict, form: Form | None = None, status_code: int = 200) -> Response:
    return render(request, "hr_recruit/onboard.html", {
        "clause": CLAUSE, "s": st, "c": c, "offer": await services.approved_offer(c["id"]), "projects": await services.project_choices(),
        "form": form or Form(), "cfg": await recruit_settings.read(), "ART_10": rules.ART_10, "ART_23": rules.ART_23},
        status_code=status_code)


async def _candidate(staffing_id: int, candidate_id: int) -> dict:
    c = await services.candidate(candidate_id)
    if c is None or c["staffing"] != staffing_id:
        raise NotFoundException("没有这位候选人")
    return c


@get("/{staffing_id:int}/candidates/{candidate_id:int}/onboard", guards=[GUARD])
async def onboard_page(request: Request, staffing_id: int, candidate_id: int) -> Response:
    st = await _staffing(staffing_id)
    return await _onboard_page(request, st, await _candidate(staffing_id, candidate_id))


@post("/{staffing_id:int}/candidates/{candidate_id:int}/onboard", guards=[GUARD], status_code=200)
async def onboard_submit(request: Request, staffing_id: int, candidate_id: int) -> Response:
    st = await _staffing(staffing_id)
    c = await _candidate(staffing_id, candidate_id)
    p = Parser(await request.form())
    raw = p.getall("projects")
    ids = [parse_id(v) for v in raw]
    form = Form(values={"projects": raw})
    if any(i is None for i in ids):
        form.error("projects", "项目的选项无效")
        return await _onboard_page(request, st, c, form, 400)
    try:
        done = await services.onboard(request.user, staffing_id, candidate_id, [i for i in ids if i is not None], today_local())
    except services.Refused as e:
        form.error(e.field, e.message)
        return await _onboard_page(request, st, c, form, 400)
    return redirect_with_flash(f"/hr/recruit/onboardings/{done.onboarding_id}",
                               f"已为 {c['name']} 办理入职，工号 {done.employee_no}；请生成初始密码交给本人", "success", request)


async def _onboarding(onboarding_id: int) -> dict:
    ob = await services.onboarding(onboarding_id)
    if ob is None:
        raise NotFoundException("没有这条入职记录")
    return ob


@get("/onboardings/{onboarding_id:int}", guards=[GUARD])
async def onboarded_page(request: Request, onboarding_id: int) -> Response:
    return render(request, "hr_recruit/onboarded.html", {"clause": CLAUSE, "ob": await _onboarding(onboarding_id), "password": None})


@post("/onboardings/{onboarding_id:int}/password/unmask", guards=[GUARD], status_code=200)
async def onboarded_password(request: Request, onboarding_id: int) -> Response:
    ob = await _onboarding(onboarding_id)
    try:
        password = await services.issue_password(request.user, onboarding_id)
    except services.Refused as e:
        return render(request, "hr_recruit/onboarded.html", {"clause": CLAUSE, "ob": ob, "password": None, "error": e.message}, status_code=400)
    resp = render(request, "hr_recruit/onboarded.html", {"clause": CLAUSE, "ob": ob, "password": password})
    resp.headers["Cache-Control"] = "no-store"
    return resp


router = Router(path="/hr/recruit", route_handlers=[recruit_list, candidates_page, candidate_add, interview_add, background_save, candidate_unmask,
                                                    onboard_page, onboard_submit, onboarded_page, onboarded_password])
