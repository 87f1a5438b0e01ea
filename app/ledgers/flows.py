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
    hook (its "finish" carbon copies), and a carbon copy lets them open the report."""
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
