"""Pages of 资质升级 (a project with its checklist) and 前期物业招标 (twelve steps, 协议选聘): lists paged in SQL, a detail
page each, plain forms (PRG) that work without JavaScript. Thin handlers: parse → app.permits.projects → template."""
from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from app.core import attachments
from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.web import Form, redirect_with_flash, render
from app.permits import forms, projects, rules, services
from app.permits.tables import PropertyTender, QualificationUpgrade

UPGRADES = Listing(
    table=QualificationUpgrade,
    select=[QualificationUpgrade.id, QualificationUpgrade.qualification.company.name, QualificationUpgrade.qualification.cert_no,
            QualificationUpgrade.from_grade, QualificationUpgrade.target_grade, QualificationUpgrade.status, QualificationUpgrade.due_on,
            QualificationUpgrade.submitted_on, QualificationUpgrade.approved_on, QualificationUpgrade.owner.name],
    columns=[
        Col("label", "升级项目", link="/permits/upgrades/{id}", testid="upgrade-link"),
        Col("qualification.cert_no", "证书编号"),
        Col("status", "状态", sort=QualificationUpgrade.status, fmt="badge"),
        Col("progress", "材料"),
        Col("due_on", "计划申报", sort=QualificationUpgrade.due_on, fmt="date"),
        Col("submitted_on", "申报日期", sort=QualificationUpgrade.submitted_on, fmt="date"),
        Col("approved_on", "批准日期", fmt="date"),
        Col("owner.name", "负责人"),
    ],
    filters=[Filter("status", "状态", "select", columns=[QualificationUpgrade.status], choices=[(s, s) for s in rules.UPGRADE_STATES])],
    default_sort="due_on", base_url="/permits/upgrades", target_id="upgrade-list",
)

TENDERS = Listing(
    table=PropertyTender,
    select=[PropertyTender.id, PropertyTender.project.name, PropertyTender.mode, PropertyTender.status, PropertyTender.winner, PropertyTender.due_on,
            PropertyTender.total_area, PropertyTender.owner.name, PropertyTender.updated_at],
    columns=[
        Col("label", "招标项目", sort=PropertyTender.project.name, link="/permits/tenders/{id}", testid="tender-link"),
        Col("mode", "方式", sort=PropertyTender.mode),
        Col("status", "当前环节", sort=PropertyTender.status, fmt="badge"),
        Col("winner", "中标物业公司"),
        Col("due_on", "计划进驻", sort=PropertyTender.due_on, fmt="date"),
        Col("owner.name", "负责人"),
        Col("updated_at", "最近办理", sort=PropertyTender.updated_at, fmt="datetime"),
    ],
    filters=[Filter("status", "当前环节", "select", columns=[PropertyTender.status], choices=[(s, s) for s in (*rules.TENDER_STEPS, rules.DONE)]),
             Filter("mode", "方式", "select", columns=[PropertyTender.mode], choices=[("公开招标", "公开招标"), ("协议选聘", "协议选聘")]),
             Filter("q", "项目", "text", columns=[PropertyTender.project.name])],
    default_sort="updated_at", default_desc=True, base_url="/permits/tenders", target_id="tender-list",
    scope=lambda user: services.scope_clause(PropertyTender, user),
)


async def _upgrade_rows(rows: list[dict[str, Any]]) -> None:
    from app.permits.tables import UpgradeItem

    ids = [r["id"] for r in rows]
    counts: dict[int, list[int]] = {}
    if ids:  # one grouped query for the page
        for c in await UpgradeItem.raw("SELECT upgrade, COUNT(*) AS n, SUM(CASE WHEN received_on IS NULL THEN 0 ELSE 1 END) AS got "
                                       "FROM permit_upgrade_item WHERE upgrade IN (" + ", ".join("{}" for _ in ids) + ") GROUP BY upgrade", *ids):
            counts[c["upgrade"]] = [int(c["got"] or 0), int(c["n"] or 0)]
    for r in rows:
        r["label"] = f"{r['qualification.company.name']} {r['from_grade']} → {r['target_grade']}"
        got, n = counts.get(r["id"], [0, 0])
        r["progress"] = f"{got} / {n}"


@get("/upgrades", guards=[requires(Perm.PIPELINE)])
async def upgrade_list(request: Request) -> Response:
    result = await UPGRADES.fetch(dict(request.query_params), request.user)
    await _upgrade_rows(result.page.rows)
    return render(request, "permits/upgrades.html", {"result": result, "can_write": projects.may_upgrade(request.user)},
                  fragment="_partials/listing_table.html")


async def _upgrade_form(request: Request, form: Form, status_code: int = 200) -> Response:
    projects_ok = projects.may_upgrade(request.user)
    projects._require(projects_ok, "只有房管局专员或客服主管、客服副经理可以发起资质升级")
    return render(request, "permits/upgrade_form.html", {"form": form, "qualifications": await projects.qualification_choices(),
                                                          "grades": [(g, g) for g in rules.GRADE_ORDER], "owners": await forms.owner_choices()},
                  status_code=status_code)


@get("/upgrades/new", guards=[requires(Perm.PIPELINE)])
async def upgrade_new(request: Request) -> Response:
    return await _upgrade_form(request, Form(values={"owner": str(request.user.employee_id or "")}))


@post("/upgrades/new", guards=[requires(Perm.PIPELINE)], status_code=200)
async def upgrade_create(request: Request) -> Response:
    raw = await request.form()
    try:
        uid = await projects.open_upgrade(request.user, raw)
    except projects.ProjectError as e:
        return await _upgrade_form(request, Form(values=forms.form_values(raw), errors=e.errors), status_code=400)
    return redirect_with_flash(f"/permits/upgrades/{uid}", "已发起资质升级，请逐项登记申报材料", "success", request)


async def _upgrade_page(request: Request, upgrade_id: int, *, forms_: dict | None = None, error: str = "", status_code: int = 200) -> Response:
    up = await projects.load_upgrade(upgrade_id)
    ctx = {"u": up, "items": await projects.upgrade_items(upgrade_id), "actions": projects.upgrade_actions(request.user, up["status"]),
           "action_names": {c: v[0] for c, v in projects.UPGRADE_ACTIONS.items()}, "can_write": projects.may_upgrade(request.user),
           "editable": up["status"] in ("准备中", "已申报", "审核中"), "owners": await forms.owner_choices(), "forms": forms_ or {},
           "error": error, "history": await _history("permit_upgrade", upgrade_id),
           "attachments": await attachments.panel(request.user, "permit_upgrade", upgrade_id)}
    return render(request, "permits/upgrade.html", ctx, status_code=status_code)


async def _history(entity: str, record_id: int) -> list[dict]:
    from app.core.tables import AuditLog

    return await AuditLog.select(AuditLog.summary, AuditLog.actor_name, AuditLog.at).where(
        (AuditLog.entity == entity) & (AuditLog.entity_id == str(record_id))).order_by(AuditLog.id, ascending=False).limit(50)


@get("/upgrades/{upgrade_id:int}", guards=[requires(Perm.PIPELINE)])
async def upgrade_detail(request: Request, upgrade_id: int) -> Response:
    return await _upgrade_page(request, upgrade_id)


@post("/upgrades/{upgrade_id:int}/items/{item_id:int}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def upgrade_item(request: Request, upgrade_id: int, item_id: int) -> Response:
    raw = await request.form()
    try:
        message = await projects.record_item(request.user, upgrade_id, item_id, raw)
    except projects.ProjectError as e:
        return await _upgrade_page(request, upgrade_id, forms_={f"item{item_id}": Form(values=forms.form_values(raw), errors=e.errors)},
                                   error=e.message if not e.errors else "", status_code=400 if e.errors else 409)
    return redirect_with_flash(f"/permits/upgrades/{upgrade_id}", message, "success", request)


@post("/upgrades/{upgrade_id:int}/act/{code:str}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def upgrade_act(request: Request, upgrade_id: int, code: str) -> Response:
    raw = await request.form()
    try:
        message = await projects.upgrade_act(request.user, upgrade_id, code, raw)
    except projects.ProjectError as e:
        return await _upgrade_page(request, upgrade_id, forms_={code: Form(values=forms.form_values(raw), errors=e.errors)},
                                   error=e.message if not e.errors else "", status_code=400 if e.errors else 409)
    return redirect_with_flash(f"/permits/upgrades/{upgrade_id}", message, "success", request)


# ---------------------------------------------------------------- 前期物业招标


@get("/tenders", guards=[requires(Perm.PIPELINE)])
async def tender_list(request: Request) -> Response:
    result = await TENDERS.fetch(dict(request.query_params), request.user)
    for r in result.page.rows:
        r["label"] = f"{r['project.name']} 前期物业招标"
    return render(request, "permits/tenders.html", {"result": result, "can_write": projects.may_tender(request.user)},
                  fragment="_partials/listing_table.html")


async def _tender_form(request: Request, form: Form, status_code: int = 200) -> Response:
    projects._require(projects.may_tender(request.user), "前期物业招标由客服中心（客服主管）办理")
    return render(request, "permits/tender_form.html", {"form": form, "projects": await forms.project_choices(request.user),
                                                         "owners": await forms.owner_choices()}, status_code=status_code)


@get("/tenders/new", guards=[requires(Perm.PIPELINE)])
async def tender_new(request: Request) -> Response:
    return await _tender_form(request, Form(values={"owner": str(request.user.employee_id or "")}))


@post("/tenders/new", guards=[requires(Perm.PIPELINE)], status_code=200)
async def tender_create(request: Request) -> Response:
    raw = await request.form()
    try:
        tid = await projects.open_tender(request.user, raw)
    except projects.ProjectError as e:
        return await _tender_form(request, Form(values=forms.form_values(raw), errors=e.errors), status_code=400)
    return redirect_with_flash(f"/permits/tenders/{tid}", "已发起前期物业招标，请按环节登记", "success", request)


async def _tender_page(request: Request, tender_id: int, *, forms_: dict | None = None, error: str = "", status_code: int = 200) -> Response:
    t = await projects.load_tender(tender_id, request.user)
    steps = await projects.tender_steps(tender_id)
    limits = await projects.tender_settings()
    current = next((s for s in steps if s["step"] == t["status"]), None)
    may = projects.may_tender(request.user)
    step_form = (forms_ or {}).get("step") or Form(values={"step": t["status"], "party": rules.TENDER_PARTY.get(t["status"], ""),
                                                           "document": rules.TENDER_DOCUMENT.get(t["status"], "")})
    ctx = {"t": t, "steps": steps, "current": current, "can_write": may, "step_form": step_form,
           "direct_form": (forms_ or {}).get("direct") or Form(), "may_direct": may and t["mode"] == "公开招标" and rules.may_go_direct(t["status"]),
           "reasons": [(r, r) for r in rules.DIRECT_REASONS], "skips": rules.DIRECT_SKIPS, "limits": limits, "error": error,
           "parties": rules.TENDER_PARTY, "history": await _history("permit_tender", tender_id),
           "attachments": await attachments.panel(request.user, "permit_tender", tender_id)}
    return render(request, "permits/tender.html", ctx, status_code=status_code)


@get("/tenders/{tender_id:int}", guards=[requires(Perm.PIPELINE)])
async def tender_detail(request: Request, tender_id: int) -> Response:
    return await _tender_page(request, tender_id)


@post("/tenders/{tender_id:int}/step", guards=[requires(Perm.PIPELINE)], status_code=200)
async def tender_step(request: Request, tender_id: int) -> Response:
    raw = await request.form()
    try:
        message = await projects.record_step(request.user, tender_id, raw)
    except projects.ProjectError as e:
        return await _tender_page(request, tender_id, forms_={"step": Form(values=forms.form_values(raw), errors=e.errors)},
                                  error=e.message if not e.errors else "", status_code=400 if e.errors else 409)
    return redirect_with_flash(f"/permits/tenders/{tender_id}", message, "success", request)


@post("/tenders/{tender_id:int}/direct", guards=[requires(Perm.PIPELINE)], status_code=200)
async def tender_direct(request: Request, tender_id: int) -> Response:
    raw = await request.form()
    try:
        message = await projects.go_direct(request.user, tender_id, raw)
    except projects.ProjectError as e:
        return await _tender_page(request, tender_id, forms_={"direct": Form(values=forms.form_values(raw), errors=e.errors)},
                                  error=e.message if not e.errors else "", status_code=400 if e.errors else 409)
    return redirect_with_flash(f"/permits/tenders/{tender_id}", message, "success", request)


HANDLERS = [upgrade_list, upgrade_new, upgrade_create, upgrade_detail, upgrade_item, upgrade_act,
            tender_list, tender_new, tender_create, tender_detail, tender_step, tender_direct]
