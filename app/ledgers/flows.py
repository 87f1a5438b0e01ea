"""合同登记进度日报表 on the approval engine: the 合同专员 confirms (submits) the generated report of a project and a
day; the 客服主管 approves. The figures are generated at submission and stored as a snapshot, so what was approved
does not change when the records do."""
from __future__ import annotations

from typing import Any

from app.core.fields import Parser
from app.core.permissions import Perm
from app.core.timeutil import now, today_local
from app.estate.tables import Project
from app.ledgers import report
from app.ledgers.base import project_choices, valid_id
from app.ledgers.tables import DailyReport
from app.estate.pickers import project_picker
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, StepSpec, positions, register
from app.workflow.engine import users_with_role
from app.workflow.tables import CarbonCopy

SUBMIT_ROLES = {"contract", "data"}  # 合同专员 confirms; the 数据专员 compiles the report (SPEC duties)
LIVE = ("审批中", "已退回", "已通过")


class DailyReportForm:
    fields_template = "ledgers/_report_fields.html"
    detail_template = "ledgers/_report_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"projects": await project_choices(user), "today": today_local().isoformat()}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        project_id = p.integer("project", "项目")
        day = p.date("report_date", "报表日期")
        project = None
        if project_id is not None and valid_id(project_id) is None:
            p.fail("project", "项目不存在")
        elif project_id is not None:
            project = await Project.select(Project.id, Project.name, Project.code).where(Project.id == project_id).first()
            if not project:
                p.fail("project", "项目不存在")
            elif not user.sees_project(project_id):
                p.fail("project", f"项目「{project['name']}」不在您的数据范围内")
        if day is not None and day > today_local():
            p.fail("report_date", f"报表日期 {day} 不能晚于今天")
        if project and day and not p.errors:
            dup = await DailyReport.select(DailyReport.request.number, DailyReport.request.status).where(
                (DailyReport.project == project_id) & (DailyReport.report_date == day) & DailyReport.request.status.is_in(list(LIVE))
                & (DailyReport.request != (request_id or 0))).first()
            if dup:
                p.fail("report_date", f"{project['name']} {day} 的日报表已提交（{dup['request.number']}，{dup['request.status']}）")
        title = f"合同登记进度日报表：{project['name']} {day}" if project and day else "合同登记进度日报表"
        return FormResult(errors=p.errors, cleaned={"project": project_id, "report_date": day}, title=title, amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        day = cleaned["report_date"]
        figures = await report.generate([cleaned["project"]], day, day)
        await DailyReport.delete().where(DailyReport.request == request_id)
        await DailyReport.insert(DailyReport(request=request_id, project=cleaned["project"], report_date=day, snapshot=report.to_json(figures),
                                             created_at=now()))
        from app.core.notify import close

        await close([f"report:{cleaned['project']}:{day.isoformat()}"])  # the worker's 请确认提交 notice is answered

    async def load(self, request_id: int) -> dict:
        r = await DailyReport.select(DailyReport.all_columns(), DailyReport.project.name, DailyReport.project.code).where(
            DailyReport.request == request_id).first()
        if not r:
            return {"report": None, "snapshot": {}, "form_values": {}}
        snap = report.from_json(r["snapshot"])
        row = snap["rows"][0] if snap.get("rows") else None
        return {"report": r, "snapshot": snap, "row": row, "figures": report.FIGURES, "groups": report.GROUPS,
                "form_values": {"project": str(r["project"]), "report_date": r["report_date"].isoformat()}}


SEND_TO_ROLES = ("dept_head", "sales_manager", "finance_manager")  # sent by 18:00 to 客服副经理, 销售部, 财务 (SPEC §B)


async def daily_report_approved(req: dict, actor) -> None:
    """Copy the approved report to the 客服副经理, the 销售经理 and the 财务经理: the engine notifies them right after this
    hook (its "finish" carbon copies, each notice linking to the report), and a carbon copy lets them open the report.
    The approval is the sending (SPEC §B 18:00): the day's scheduled run is stamped sent, so no late reminder follows."""
    from app.ledgers.schedule import mark_sent

    rep = await DailyReport.select(DailyReport.project, DailyReport.report_date).where(DailyReport.request == req["id"]).first()
    if rep:
        await mark_sent(rep["project"], rep["report_date"], req["id"])
    for role in SEND_TO_ROLES:
        for user_id in await users_with_role(role, req["company"]):
            if user_id != req["applicant_user"] and not await CarbonCopy.exists().where(
                    (CarbonCopy.request == req["id"]) & (CarbonCopy.user == user_id)):
                await CarbonCopy.insert(CarbonCopy(request=req["id"], user=user_id, when="finish"))


def daily_report_chain(c: ChainContext) -> list[StepSpec]:
    return [StepSpec("supervisor", "客服主管审批", Approvers.of_role("supervisor"))]


DAILY_REPORT = register(FlowDef(
    code="daily_report", name="合同登记进度日报表", prefix="RB", group="客服业务",
    description="按项目生成当日及累计的认购、签约、备案、回款、按揭、作废数据；合同专员确认提交，客服主管审批，通过后抄送客服副经理、销售经理和财务经理。提交时保存数据快照。",
    chain=daily_report_chain, form=DailyReportForm(), has_amount=False, on_approved=daily_report_approved,
    starters=positions(*sorted(SUBMIT_ROLES), perms=(Perm.REQUEST, Perm.PIPELINE)), record=project_picker(),
    clause=("kf-71p", "toc", "71p 3.2 合同登记进度日报表"),
))


# ---------------------------------------------------------------- 台账人工更正 (SPEC §B)

CORRECTION_ROLES = ("contract", "data", "title", "mortgage", "bureau")  # the desk and field officers who keep the ledgers' records


class CorrectionForm:
    """One field of one ledger row: the value now (shown, kept as the proposal's base), the value asked for (validated
    with the field's type), the reason."""

    fields_template = "ledgers/_correction_fields.html"
    detail_template = "ledgers/_correction_detail.html"

    async def context(self, user) -> dict[str, Any]:
        from app.ledgers import corrections

        return {"fields": corrections.choices()}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        from app.ledgers import corrections, rules

        p = Parser(values)
        ref = p.text("deal_ref", "合同", max_len=50)
        which = p.choice("field", "更正字段", [v for v, _ in corrections.choices()])
        reason = p.text("reason", "更正理由", max_len=500)
        raw_new = p.raw("new_value")
        deal = found = None
        old = ""
        if ref:
            deal = await corrections.deal_by_ref(ref)
            if not deal:
                p.fail("deal_ref", "没有找到该合同")
            elif not user.sees_project(deal["project"]):
                p.fail("deal_ref", "该项目不在您的数据范围内")
        if which:
            found = corrections.find(*corrections.split(which))
        if deal and found:
            lg, c = found
            old = rules.shown_value(c.kind, await corrections.current(deal["id"], c.name))
            if not old:
                p.fail("field", f"该合同的「{c.label}」尚未登记，不能更正；请在房源页由经办岗位登记")
            new, error = rules.parse_correction(c.kind, raw_new, today=today_local(), max_len=c.max_len)
            if error:
                p.fail("new_value", error)
            elif old and rules.shown_value(c.kind, new) == old:
                p.fail("new_value", "更正后的值与现值相同")
            if not p.errors and request_id is None:
                from app.ledgers.tables import LedgerCorrection

                pending = await LedgerCorrection.select(LedgerCorrection.request.number).where(
                    (LedgerCorrection.deal == deal["id"]) & (LedgerCorrection.field == c.name) & LedgerCorrection.applied_at.is_null()
                    & LedgerCorrection.request.status.is_in(["审批中", "已退回"])).first()
                if pending:
                    p.fail("field", f"该字段已有更正申请 {pending['request.number']} 在审批中")
        elif not raw_new.strip():
            p.fail("new_value", "请填写更正后的值")
        cleaned = {"deal": deal["id"] if deal else None, "ledger": corrections.split(which)[0] if which else "",
                   "field": corrections.split(which)[1] if which else "", "old_value": old,
                   "new_value": rules.shown_value(found[1].kind, new) if (found and deal and not p.errors) else raw_new.strip(), "reason": reason}
        title = "台账更正"
        if deal and found:
            title = f"台账更正：{found[0].title}「{found[1].label}」{deal['unit.building.name']}{deal['unit.room_no']}（{deal['contract_no'] or deal['number']}）"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        from app.ledgers.tables import LedgerCorrection

        await LedgerCorrection.delete().where(LedgerCorrection.request == request_id)
        await LedgerCorrection.insert(LedgerCorrection(request=request_id, ledger=cleaned["ledger"], deal=cleaned["deal"], field=cleaned["field"],
                                                       old_value=cleaned["old_value"], new_value=cleaned["new_value"], reason=cleaned["reason"],
                                                       created_at=now()))

    async def load(self, request_id: int) -> dict:
        from app.ledgers import corrections
        from app.ledgers.tables import LedgerCorrection

        c = await LedgerCorrection.select(LedgerCorrection.all_columns(), LedgerCorrection.deal.number, LedgerCorrection.deal.contract_no,
                                          LedgerCorrection.deal.unit, LedgerCorrection.deal.unit.room_no, LedgerCorrection.deal.unit.building.name,
                                          LedgerCorrection.deal.buyer.name).where(LedgerCorrection.request == request_id).first()
        if not c:
            return {"correction": None, "form_values": {}}
        found = corrections.find(c["ledger"], c["field"])
        return {"correction": c, "ledger_title": found[0].title if found else c["ledger"], "field_label": found[1].label if found else c["field"],
                "form_values": {"deal_ref": c["deal.contract_no"] or c["deal.number"], "field": f"{c['ledger']}.{c['field']}",
                                "new_value": c["new_value"], "reason": c["reason"], "current_value": c["old_value"]}}


async def correction_prefill(user, query) -> dict[str, str]:
    """From a ledger row's 申请更正 link: the contract and a field; the current value is shown on the form."""
    from app.ledgers import corrections, rules

    out = {k: (query.get(k) or "")[:60] for k in ("deal_ref", "field") if query.get(k)}
    deal = await corrections.deal_by_ref(out.get("deal_ref", ""))
    found = corrections.find(*corrections.split(out.get("field", "")))
    if deal and found and user.sees_project(deal["project"]):
        out["current_value"] = rules.shown_value(found[1].kind, await corrections.current(deal["id"], found[1].name))
    return out


async def correction_approved(req: dict, actor) -> None:
    from app.ledgers import corrections
    from app.ledgers.tables import LedgerCorrection
    from app.workflow.engine import WorkflowError

    c = await LedgerCorrection.select().where(LedgerCorrection.request == req["id"]).first()
    try:
        await corrections.apply(c, req["number"], actor)
    except corrections.StaleValue as e:
        raise WorkflowError(e.message) from None


def _correction_picker():
    from app.pipeline.flows import deal_picker
    from app.pipeline.tables import Deal

    return deal_picker("合同", lambda: Deal.signed_on.is_not_null())


LEDGER_CORRECTION = register(FlowDef(
    code="ledger_correction", name="台账更正", prefix="GZ", group="客服业务", has_amount=False,
    description="更正台账中人工登记的一个值（网签号、备案号、预告登记号、证号、手工登记的日期等；系统计算的金额和状态不可更正）：经办专员提出并说明理由，"
                "客服主管审批通过后写入原始记录并记入审计日志，台账该行标记“已更正”。提出后该值若被他人修改，审批时不予更正。",
    chain=lambda c: [StepSpec("supervisor", "客服主管审批", Approvers.of_role("supervisor"))], form=CorrectionForm(),
    starters=positions(*CORRECTION_ROLES, perms=(Perm.REQUEST, Perm.PIPELINE)), record=_correction_picker(),
    prefill=correction_prefill, on_approved=correction_approved,
    clause=("kf-71p", "toc", "第四章 数据资料管理（台账）"),
))
