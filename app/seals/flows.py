"""用章 (SPEC §E3) as a declaration on the one engine:
申 → 经 → 法务 (contracts and external commitments) → the seal keeper's head (行政 keeps 公章, 合同专用章 and
业务资料专用章; 财务经理 keeps 财务专用章, 法定代表人名章 and 发票专用章) → 总 (公章 on an external commitment, or any
seal leaving the office). Approval writes the usage log."""
from __future__ import annotations

from app.seals import services
from app.seals.forms import SealForm
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, StepSpec, register

role = Approvers.of_role

# the keeper's department when the register names none (SPEC §E3)
DEFAULT_KEEPER = {"公章": "行政", "合同专用章": "行政", "业务资料专用章": "行政", "财务专用章": "财务", "法定代表人名章": "财务", "发票专用章": "财务"}

DEPT_HEAD = StepSpec("dept_head", "部门负责人审批", role("dept_head"))
LEGAL = StepSpec("legal", "法务审核", role("legal"))
ADMIN_KEEPER = StepSpec("keeper_admin", "行政部审批（印章保管）", role("admin_staff"))
FINANCE_KEEPER = StepSpec("keeper_finance", "财务经理审批（印章保管）", role("finance_manager"))
GM = StepSpec("gm", "总经理审批", role("gm"))


def keeper_dept(data: dict) -> str:
    dept = data.get("keeper_dept") or ""
    return dept if dept in ("行政", "财务") else DEFAULT_KEEPER.get(data.get("kind") or "", "行政")


def seal_chain(c: ChainContext) -> list[StepSpec]:
    d = c.data
    steps = [DEPT_HEAD]
    if d.get("is_contract") or d.get("external"):
        steps.append(LEGAL)
    steps.append(FINANCE_KEEPER if keeper_dept(d) == "财务" else ADMIN_KEEPER)
    if (d.get("kind") == "公章" and d.get("external")) or d.get("take_out"):
        steps.append(GM)
    return steps


async def seal_approved(req: dict, actor) -> None:
    await services.write_log(req, actor)


SEAL = register(FlowDef(
    code="seal", name="用章申请", prefix="YZ", group="行政",
    description="公章、合同章、财务章等用印审批；支持按合同编号批量用印。空白文件不得用印，印章外带须两人同行。",
    chain=seal_chain, form=SealForm(), has_amount=False, starters=STAFF,
    clause=("kf-71p", "toc", "第九章 用章审批流程"),
    on_approved=seal_approved,
))
