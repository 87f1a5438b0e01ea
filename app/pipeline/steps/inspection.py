"""A6a 房屋验收: the inspection plan per building (房屋验收计划进度表) drawn up by the 客服中心, its 问题单 per unit (photos,
responsible 施工单位, promised date) rectified by the 项目部 and re-inspected by the 客服中心, and the keys the 施工单位
hands over. The handover's 整改单 (Defect) go through the same steps on the same page layout."""
from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core.guards import requires
from app.core.permissions import Perm


def _values(data) -> dict:
    from app.pipeline.routes import _values as v

    return v(data)


async def _plans(user) -> list[dict]:
    from app.core.scope import scoped
    from app.pipeline.tables_handover import InspectionDefect, InspectionPlan

    q = InspectionPlan.select(InspectionPlan.all_columns(), InspectionPlan.building.name, InspectionPlan.project.name).order_by(
        InspectionPlan.starts_on, ascending=False).limit(100)
    rows = await scoped(q, InspectionPlan.project, user)
    ids = [r["id"] for r in rows]
    counts: dict[int, list[int]] = {}
    if ids:  # open and total 问题单 per plan in one grouped query
        for r in await InspectionDefect.raw(
                "SELECT plan, COUNT(*) AS n, SUM(CASE WHEN status <> '已通过' THEN 1 ELSE 0 END) AS open FROM pl_inspection_defect "
                "WHERE plan IN (" + ",".join("{}" for _ in ids) + ") GROUP BY plan", *ids):
            counts[r["plan"]] = [int(r["n"]), int(r["open"] or 0)]
    for r in rows:
        r["issues"], r["open"] = counts.get(r["id"], [0, 0])
    return rows


async def _buildings(user) -> list[tuple[str, str]]:
    from app.core.scope import scoped
    from app.estate.tables import Building

    rows = await scoped(Building.select(Building.id, Building.name, Building.project.name).order_by(Building.project).order_by(Building.name).limit(500),
                        Building.project, user)
    return [(str(r["id"]), f'{r["project.name"]} {r["name"]}') for r in rows]


async def _list_page(request: Request, form=None, status_code: int = 200) -> Response:
    from app.core.timeutil import today_local
    from app.core.web import Form, render
    from app.pipeline import services

    form = form or Form(values={"starts_on": today_local().isoformat()})
    return render(request, "pipeline/inspections.html", {"plans": await _plans(request.user), "form": form,
                                                         "may": services.may_act(request.user, "交房"), "buildings": await _buildings(request.user)},
                  status_code=status_code)


@get("/inspections", guards=[requires(Perm.PIPELINE)])
async def inspections(request: Request) -> Response:
    return await _list_page(request)


@post("/inspections", guards=[requires(Perm.PIPELINE)], status_code=200)
async def inspection_create(request: Request) -> Response:
    from app.core.web import Form, redirect_with_flash
    from app.pipeline import services

    data = await request.form()
    try:
        row = await services.create_plan(request.user, data)
    except services.PipelineError as e:
        if not services.may_act(request.user, "交房"):
            raise PermissionDeniedException(e.message) from None
        return await _list_page(request, Form(values=_values(data), errors=e.errors), 400)
    return redirect_with_flash(f"/pipeline/inspections/{row['id']}", "验收计划已登记", "success", request)


async def _plan_or_404(request: Request, plan_id: int) -> dict:
    from app.pipeline import services

    page = await services.plan_page(plan_id)
    if not page:
        raise NotFoundException("验收计划不存在")
    if not request.user.sees_project(page["plan"]["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    return page


async def _plan_page(request: Request, plan_id: int, forms: dict | None = None, status_code: int = 200) -> Response:
    from datetime import timedelta

    from app.core.timeutil import today_local
    from app.core.web import Form, render
    from app.pipeline import services

    page = await _plan_or_404(request, plan_id)
    forms = forms or {}
    plan = page["plan"]
    limits = await services.all_settings()
    issue_form = forms.get("issue") or Form(values={"contractor": plan["contractor"],
                                                    "due_on": (today_local() + timedelta(days=int(limits["defect_due_days"]))).isoformat()})
    keys_form = forms.get("keys") or Form(values={"received_on": today_local().isoformat()})
    units = [(str(u["id"]), u["room_no"]) for u in page["units"]]
    return render(request, "pipeline/inspection.html", {**page, "issue_form": issue_form, "keys_form": keys_form, "unit_choices": units,
                                                        "categories": [(c, c) for c in services.ISSUE_CATEGORIES],
                                                        "may": services.may_act(request.user, "交房"), "today": today_local()}, status_code=status_code)


@get("/inspections/{plan_id:int}", guards=[requires(Perm.PIPELINE)])
async def inspection_page(request: Request, plan_id: int) -> Response:
    return await _plan_page(request, plan_id)


async def _plan_act(request: Request, plan_id: int, key: str, fn, done: str) -> Response:
    from app.core.web import Form, redirect_with_flash
    from app.pipeline import services

    await _plan_or_404(request, plan_id)
    data = await request.form()
    try:
        await fn(request.user, plan_id, data)
    except services.PipelineError as e:
        if not services.may_act(request.user, "交房"):
            raise PermissionDeniedException(e.message) from None
        return await _plan_page(request, plan_id, {key: Form(values=_values(data), errors=e.errors)}, 400)
    return redirect_with_flash(f"/pipeline/inspections/{plan_id}", done, "success", request)


@post("/inspections/{plan_id:int}/issues", guards=[requires(Perm.PIPELINE)], status_code=200)
async def inspection_issue(request: Request, plan_id: int) -> Response:
    from app.pipeline import services

    return await _plan_act(request, plan_id, "issue", services.add_issue, "问题单已登记，请在问题单页面上传照片")


@post("/inspections/{plan_id:int}/keys", guards=[requires(Perm.PIPELINE)], status_code=200)
async def inspection_keys(request: Request, plan_id: int) -> Response:
    from app.pipeline import services

    return await _plan_act(request, plan_id, "keys", services.record_keys, "钥匙接收已登记")


# ---- one 问题单 / 整改单


async def _defect_page(request: Request, kind: str, defect_id: int, form=None, status_code: int = 200) -> Response:
    from app.core import attachments
    from app.core.web import Form, render
    from app.pipeline import services

    row = await services.defect_row(kind, defect_id)
    if not row:
        raise NotFoundException("问题单不存在")
    if not request.user.sees_project(row["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    owner = "pl_issue" if kind == "issue" else "pl_defect"
    return render(request, "pipeline/defect.html", {"x": row, "kind": kind, "actions": services.defect_actions(request.user, row),
                                                    "form": form or Form(), "empty_form": Form(), "attachments": await attachments.panel(request.user, owner, defect_id),
                                                    "url": f"/pipeline/{'issues' if kind == 'issue' else 'defects'}/{defect_id}"},
                  status_code=status_code)


async def _defect_act(request: Request, kind: str, defect_id: int, action: str) -> Response:
    from app.core.web import Form, redirect_with_flash
    from app.pipeline import services

    row = await services.defect_row(kind, defect_id)
    if not row:
        raise NotFoundException("问题单不存在")
    if not request.user.sees_project(row["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    data = await request.form()
    try:
        await services.defect_step(request.user, kind, defect_id, action, data)
    except services.PipelineError as e:
        if e.message.startswith("只有"):
            raise PermissionDeniedException(e.message) from None
        return await _defect_page(request, kind, defect_id, Form(values={**_values(data), "action": action}, errors=e.errors), 400)
    url = f"/pipeline/{'issues' if kind == 'issue' else 'defects'}/{defect_id}"
    return redirect_with_flash(url, "已办理", "success", request)


@get("/issues/{defect_id:int}", guards=[requires(Perm.PIPELINE)])
async def issue_page(request: Request, defect_id: int) -> Response:
    return await _defect_page(request, "issue", defect_id)


@post("/issues/{defect_id:int}/{action:str}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def issue_act(request: Request, defect_id: int, action: str) -> Response:
    return await _defect_act(request, "issue", defect_id, action)


@get("/defects/{defect_id:int}", guards=[requires(Perm.PIPELINE)])
async def defect_page(request: Request, defect_id: int) -> Response:
    return await _defect_page(request, "defect", defect_id)


@post("/defects/{defect_id:int}/{action:str}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def defect_act(request: Request, defect_id: int, action: str) -> Response:
    return await _defect_act(request, "defect", defect_id, action)


ROUTES = [inspections, inspection_create, inspection_page, inspection_issue, inspection_keys, issue_page, issue_act, defect_page, defect_act]
