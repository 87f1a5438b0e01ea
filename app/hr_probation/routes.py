"""转正 pages (SPEC §E11): /hr/probation — HR's list of the people in probation with their end date, the 转正申请's
state and the status after it (an employee sees their own); /hr/probation/{request id} — the review, where the direct
manager's step records the score and HR's step the outcome (转正 / 不予录用, with its evidence)."""
from __future__ import annotations

from datetime import timedelta

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import attachments
from app.core.fields import Parser
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, redirect_with_flash, render
from app.core.workdays import calendar_for
from app.hr_probation import rules, services
from app.hr_probation import settings as probation_settings
from app.workflow.attachment_owners import OWNER as WF_OWNER

GUARD = requires(Perm.REQUEST)
CLAUSE = ("kf-71p", "toc", "第十七章 客服部员工转正流程")


@get("/", guards=[GUARD])
async def probation_list(request: Request) -> Response:
    today = today_local()
    cfg = await probation_settings.read()
    show_all = request.query_params.get("f") == "all"
    select, count = services.list_queries(request.user, today, cfg["list_recent_days"], show_all)
    page = await paginate(select, count, page=clamp_page(request.query_params.get("page")), per_page=20,
                          params={"f": "all"} if show_all else {})
    rows = await services.decorate(page.rows, today)
    if rows:
        ends = [r["probation_end"] for r in rows]
        cal = await calendar_for(min(ends) - timedelta(days=cfg["remind_days"] + 31), max(ends))
        for r in rows:
            r["remind_on"] = rules.reminder_day(r["probation_end"], cfg["remind_days"], cal.is_workday)
    return render(request, "hr_probation/list.html", {
        "clause": CLAUSE, "page": page, "rows": rows, "cfg": cfg, "is_hr": request.user.can(Perm.HR_MANAGE), "show_all": show_all,
        "result": {"page": page, "base_url": "/hr/probation", "target_id": "probation-list"}}, fragment="hr_probation/_rows.html")


async def _review(request: Request, request_id: int) -> dict:
    review = await services.review_of(request_id)
    if review is None:
        raise NotFoundException("没有这份转正申请")
    if not await services.may_see(request.user, review):
        raise PermissionDeniedException("无权查看这份转正申请")
    return review


async def _page(request: Request, review: dict, *, score_form: Form | None = None, outcome_form: Form | None = None,
                files: dict | None = None, status_code: int = 200) -> Response:
    user = request.user
    may_decide = await services.may_decide(user, review)
    return render(request, "hr_probation/review.html", {
        "clause": CLAUSE, "r": review, "outcomes": rules.OUTCOMES, "ART_19": rules.ART_19, "ART_21_39": rules.ART_21_39,
        "may_score": await services.may_score(user, review), "may_decide": may_decide,
        "score_form": score_form or Form(values={"score": "" if review["score"] is None else str(review["score"]),
                                                 "score_comment": review["score_comment"]}),
        "outcome_form": outcome_form or Form(values={"outcome": review["outcome"], "reason": review["outcome_reason"]}),
        "files": files or (await attachments.form_context(user, []) if may_decide else None),
        "evidence": await attachments.list_for(WF_OWNER, review["request"]),
        "in_probation": rules.in_probation(review["probation_end"], today_local())}, status_code=status_code)


@get("/{request_id:int}", guards=[GUARD])
async def review_page(request: Request, request_id: int) -> Response:
    return await _page(request, await _review(request, request_id))


@post("/{request_id:int}/score", guards=[GUARD], status_code=200)
async def review_score(request: Request, request_id: int) -> Response:
    review = await _review(request, request_id)
    if not await services.may_score(request.user, review):
        raise PermissionDeniedException("只有本申请直属上级评分环节的审批人可以评分")
    data = await request.form()
    p = Parser(data)
    score = p.integer("score", "评分", minimum=0, maximum=100)
    comment = p.text("score_comment", "评语", required=False, max_len=1000)
    form = Form(values={"score": p.raw("score"), "score_comment": p.raw("score_comment")})
    if p.errors:
        form.errors.update(p.errors)
        return await _page(request, review, score_form=form, status_code=400)
    try:
        await services.save_score(request.user, request_id, score, comment)
    except services.Refused as e:
        form.error(e.field, e.message)
        return await _page(request, review, score_form=form, status_code=400)
    return redirect_with_flash(f"/hr/probation/{request_id}", "评分已保存，请在审批单上办理同意", "success", request)


@post("/{request_id:int}/outcome", guards=[GUARD], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def review_outcome(request: Request, request_id: int) -> Response:
    review = await _review(request, request_id)
    if not await services.may_decide(request.user, review):
        raise PermissionDeniedException("只有本申请人事审核环节的审批人可以填写结论")
    data = await request.form()
    p = Parser(data)
    outcome = p.choice("outcome", "结论", rules.OUTCOMES)
    reason = p.text("reason", "说明", required=False, max_len=2000)
    form = Form(values={"outcome": p.raw("outcome"), "reason": p.raw("reason")})
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed or p.errors or form.errors:
        form.errors.update(p.errors)
        return await _page(request, review, outcome_form=form, files=files, status_code=200 if only_removed else 400)
    try:
        await services.save_outcome(request.user, request_id, outcome, reason, file_ids, today_local())
    except services.Refused as e:
        form.error(e.field, e.message)
        if e.field == "attachments":
            files = {**files, "error": e.message}
        return await _page(request, review, outcome_form=form, files=files, status_code=400)
    return redirect_with_flash(f"/hr/probation/{request_id}", f"结论「{outcome}」已保存，请在审批单上办理同意", "success", request)


router = Router(path="/hr/probation", route_handlers=[probation_list, review_page, review_score, review_outcome])
