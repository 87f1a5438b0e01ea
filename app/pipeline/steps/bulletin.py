"""A6b 交付准备: the 确权面积 of a building's units (entered before the handover day, which then uses them), the 面积差对照表
(contract vs surveyed area, ratio and amount by the 3 % rule) and the 交房公告 with that table, approved by the 客服副经理
then the 总经理 on the approval engine (request type handover_bulletin, started by the 客服主管)."""
from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import audit
from app.core.fields import Parser, parse_id
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.workflow.definitions import Approvers, FlowDef, FormResult, StepSpec, positions, register

role = Approvers.of_role


async def _building(user, building_id) -> dict | None:
    from app.estate.tables import Building

    b = await Building.select(Building.id, Building.name, Building.project, Building.project.name).where(Building.id == building_id).first() \
        if building_id else None
    return b if b and user.sees_project(b["project"]) else None


class BulletinForm:
    fields_template = "pipeline/_bulletin_fields.html"
    detail_template = "pipeline/_bulletin_detail.html"

    async def context(self, user) -> dict[str, Any]:
        from app.pipeline.steps.inspection import _buildings

        return {"buildings": await _buildings(user)}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        b = await _building(user, parse_id(p.raw("building")))
        if not b:
            p.fail("building", "请选择楼栋")
        day = p.date("handover_on", "交房日期")
        if day and day <= today_local():
            p.fail("handover_on", "交房日期应晚于今天")
        text = p.text("text", "公告内容", max_len=4000)
        cleaned = {"building": b["id"] if b else None, "project": b["project"] if b else None, "handover_on": day, "text": text}
        title = f"交房公告及面积差对照表：{b['project.name']} {b['name']}" if b else "交房公告及面积差对照表"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        from app.pipeline.tables_handover import HandoverBulletin

        await HandoverBulletin.delete().where(HandoverBulletin.request == request_id)
        await HandoverBulletin.insert(HandoverBulletin(request=request_id, project=cleaned["project"], building=cleaned["building"],
                                                       handover_on=cleaned["handover_on"], text=cleaned["text"]))

    async def load(self, request_id: int) -> dict:
        from app.pipeline import services
        from app.pipeline.tables_handover import HandoverBulletin

        b = await HandoverBulletin.select(HandoverBulletin.all_columns(), HandoverBulletin.building.name, HandoverBulletin.project.name).where(
            HandoverBulletin.request == request_id).first() or {}
        rows = await services.area_table(b["building"]) if b else []
        return {"bulletin": b, "rows": rows, "form_values": {"building": str(b.get("building") or ""), "handover_on": str(b.get("handover_on") or ""),
                                                             "text": b.get("text", "")}}


async def bulletin_approved(req: dict, actor) -> None:
    """Approved: the bulletin may be published; its handover day becomes the 交房日期 of the building's deals not yet notified."""
    from app.pipeline.tables import Deal
    from app.pipeline.tables_handover import HandoverBulletin

    b = await HandoverBulletin.select().where(HandoverBulletin.request == req["id"]).first()
    await HandoverBulletin.update({HandoverBulletin.approved: True}).where(HandoverBulletin.id == b["id"])
    ids = [r["id"] for r in await Deal.select(Deal.id).where((Deal.unit.building == b["building"]) & (Deal.handover_status == "待通知")
                                                               & Deal.stage.is_in(["已签约", "已备案"]))]
    if ids:
        await Deal.update({Deal.handover_date: b["handover_on"], Deal.version: Deal.version + 1}).where(Deal.id.is_in(ids))
    await audit.record(actor=actor, action="pipeline.bulletin", entity="pl_handover_bulletin", entity_id=b["id"],
                       summary=f"{req['number']} 交房公告及面积差对照表已批准：交房日期 {b['handover_on']}，{len(ids)} 户待通知",
                       after={"deals": ids, "handover_on": b["handover_on"]})


BULLETIN = register(FlowDef(
    code="handover_bulletin", name="交房公告及面积差对照表", prefix="JF", group="客服业务", has_amount=False,
    description="客服中心按楼栋拟订交房公告，附面积差对照表（确权面积与合同面积、误差比、补退金额），经客服副经理、总经理批准后由品牌公关部发布；"
                "批准后该楼栋未发通知的客户以公告的交房日期为准。",
    chain=lambda c: [StepSpec("dept_head", "客服副经理审批", role("dept_head")), StepSpec("gm", "总经理审批", role("gm"))],
    form=BulletinForm(), starters=positions("supervisor", perms=(Perm.REQUEST, Perm.PIPELINE)),
    clause=("kf-71p", "toc", "交房 6b 交付准备"), on_approved=bulletin_approved,
))


# ---------------------------------------------------------------- 确权面积 by building (the 对照表 to fill in)


async def _area_page(request: Request, building_id: int, form=None, status_code: int = 200) -> Response:
    from app.core.web import Form, render
    from app.pipeline import services

    b = await _building(request.user, building_id)
    if not b:
        raise NotFoundException("楼栋不存在或不在您的数据范围内")
    rows = await services.area_table(building_id)
    if form is None:
        form = Form(values={k: v for r in rows if r["surveyed"] for k, v in (
            (f"area_build_{r['unit']}", f"{r['surveyed']['area_build']:.2f}"),
            (f"area_inner_{r['unit']}", f"{r['surveyed']['area_inner']:.2f}" if r["surveyed"]["area_inner"] is not None else ""))})
    return render(request, "pipeline/area_table.html", {"b": b, "rows": rows, "form": form, "may": services.may_act(request.user, "交房"),
                                                        "tolerance": f'{(await services.setting("area_tolerance_pct")).normalize():f}'},
                  status_code=status_code)


@get("/buildings/{building_id:int}/areas", guards=[requires(Perm.PIPELINE)])
async def area_page(request: Request, building_id: int) -> Response:
    return await _area_page(request, building_id)


@post("/buildings/{building_id:int}/areas", guards=[requires(Perm.PIPELINE)], status_code=200)
async def area_submit(request: Request, building_id: int) -> Response:
    from app.core.web import Form, redirect_with_flash
    from app.pipeline import services
    from app.pipeline.routes import _values

    data = await request.form()
    try:
        n = await services.record_surveyed(request.user, building_id, data)
    except services.PipelineError as e:
        if not services.may_act(request.user, "交房"):
            raise PermissionDeniedException(e.message) from None
        return await _area_page(request, building_id, Form(values=_values(data), errors=e.errors), 400)
    return redirect_with_flash(f"/pipeline/buildings/{building_id}/areas", f"已录入 {n} 户确权面积", "success", request)


ROUTES = [area_page, area_submit]
