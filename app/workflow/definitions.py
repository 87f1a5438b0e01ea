"""Declarations: a request type is a FlowDef — its approval chain as a function of the applicant, the amount and
the form's data, its form, its thresholds (FlowSetting, SPEC §E defaults) and its hooks. No I/O here except in
the hooks and the form, which the engine calls inside the action's transaction.

A new request type needs: its payload tables, a FlowForm (parse/save/load + two templates), a FlowDef
registered with `register()`, and (if it changes a register) an `on_approved` hook. See app/finance/ for examples.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Awaitable, Callable, Protocol


class Mode(StrEnum):
    SEQ = "seq"  # 依次: the approvers of the step act one after another
    ALL = "all"  # 会签: every approver must approve
    ANY = "any"  # 或签: the first approval completes the step


MODE_NAMES = {Mode.SEQ: "依次审批", Mode.ALL: "会签", Mode.ANY: "或签"}


@dataclass(frozen=True)
class Approvers:
    """Who acts at a step, resolved at submit time against the applicant.

    kind: "role" (holders of Position.role in the applicant's company, else anywhere in the group),
          "manager" (the applicant's direct manager), "user" (explicit user ids, e.g. chosen on the form)."""

    kind: str
    role: str = ""
    user_ids: tuple[int, ...] = ()

    @staticmethod
    def of_role(role: str) -> "Approvers":
        return Approvers("role", role=role)

    @staticmethod
    def manager() -> "Approvers":
        return Approvers("manager")

    @staticmethod
    def users(*ids: int) -> "Approvers":
        return Approvers("user", user_ids=tuple(ids))


@dataclass(frozen=True)
class StepSpec:
    key: str  # stable key, e.g. "dept_head"
    name: str  # shown to users, e.g. "部门负责人审批"
    approvers: Approvers
    mode: Mode = Mode.ANY
    limit_days: int | None = None  # working days; None → the flow's "limit_days" setting


@dataclass(frozen=True)
class Applicant:
    employee_id: int
    user_id: int
    name: str
    role: str
    company_id: int
    department_id: int
    manager_user_id: int | None
    senior: bool  # 主管 and above (客服主管, 客服副经理, company leaders)


@dataclass
class ChainContext:
    applicant: Applicant
    amount: Decimal | None
    data: dict[str, Any]
    settings: dict[str, Decimal]

    def setting(self, key: str) -> Decimal:
        return self.settings[key]

    def amount_at_least(self, key: str) -> bool:
        """"X以上" includes X (SPEC §0.2): amount ≥ threshold."""
        return self.amount is not None and self.amount >= self.settings[key]


@dataclass(frozen=True)
class Setting:
    key: str
    label: str
    value: Decimal


@dataclass
class FormResult:
    errors: dict[str, str]
    cleaned: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    amount: Decimal | None = None


class FlowForm(Protocol):
    fields_template: str  # the type's fields, inside the engine's form shell
    detail_template: str  # the type's payload on the request page and the printed 审批单

    async def context(self, user: Any) -> dict[str, Any]: ...  # choices etc. for the form

    async def parse(self, values: Any, user: Any, request_id: int | None) -> FormResult: ...  # values: a form multidict

    async def save(self, request_id: int, cleaned: dict[str, Any], user: Any) -> None: ...  # inside the transaction

    async def load(self, request_id: int) -> dict[str, Any]: ...  # payload for detail, print and the edit form


Hook = Callable[[dict[str, Any], Any], Awaitable[None]]  # (request row, actor) → None, inside the transaction


@dataclass(frozen=True)
class FlowDef:
    code: str
    name: str
    prefix: str
    group: str  # 财务 | 行政 | 人事 | 资产 … (the new-request page groups by it)
    chain: Callable[[ChainContext], list[StepSpec]]
    form: FlowForm
    settings: tuple[Setting, ...] = ()
    clause: tuple[str, str, str] = ("kf-71p", "toc", "")  # (document code, anchor, label)
    bulk_approve: bool = False
    has_amount: bool = True
    finish_cc_roles: tuple[str, ...] = ()
    on_approved: Hook | None = None
    on_closed: Hook | None = None  # 驳回 or 撤回: release what the request reserved
    description: str = ""


DEFAULT_LIMIT = Setting("limit_days", "每个审批环节的办理时限（工作日）", Decimal("2"))

FLOWS: dict[str, FlowDef] = {}


def register(flow: FlowDef) -> FlowDef:
    if flow.code in FLOWS and FLOWS[flow.code] is not flow:
        raise ValueError(f"flow {flow.code} registered twice")
    FLOWS[flow.code] = flow
    return flow


def get_flow(code: str) -> FlowDef | None:
    return FLOWS.get(code)
