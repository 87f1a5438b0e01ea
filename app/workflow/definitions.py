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

from app.core.permissions import ROLES, Perm


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
class Starters:
    """Who may start a request type: holders of every permission in `perms` and, when `roles` is given, only those
    positions. Declared on each FlowDef; the new-request page offers only what `allows(user)` and the server refuses
    the rest (403) on the form, the record picker and the submit."""

    perms: tuple[Perm, ...] = ()
    roles: tuple[str, ...] = ()
    label: str = ""  # shown on the form: who may file this type

    def allows(self, user: Any) -> bool:
        if user is None or not getattr(user, "employee_id", None) or not user.role:
            return False  # an account without an employee record files nothing
        if any(not user.can(p) for p in self.perms):
            return False
        return not self.roles or user.role in self.roles


@dataclass(frozen=True)
class RecordPicker:
    """A request type about a record (a contract, a project, an asset): the form field that names it and the records
    this user may pick (role and project scope, state). `search(user, q, limit)` returns [(value, label)] and is
    the only source of the picker's options; the form's `parse` refuses any value outside it."""

    field: str
    label: str
    search: Callable[[Any, str, int], Awaitable[list[tuple[str, str]]]]  # (user, typed text, limit) → [(value, label)]
    reaches: Callable[[Any, str], Awaitable[bool]]  # (user, submitted value) → may this user file about it?
    placeholder: str = ""


@dataclass(frozen=True)
class FlowDef:
    code: str
    name: str
    prefix: str
    group: str  # 财务 | 行政 | 人事 | 资产 … (the new-request page groups by it)
    chain: Callable[[ChainContext], list[StepSpec]]
    form: FlowForm
    starters: Starters  # who may start it (required: every type declares it)
    record: RecordPicker | None = None  # set for a type about one record: the picker lists only what the user reaches
    settings: tuple[Setting, ...] = ()
    clause: tuple[str, str, str] = ("kf-71p", "toc", "")  # (document code, anchor, label)
    bulk_approve: bool = False
    has_amount: bool = True
    finish_cc_roles: tuple[str, ...] = ()
    on_approved: Hook | None = None
    on_closed: Hook | None = None  # 驳回 or 撤回: release what the request reserved
    # the new-request form's starting values from its query string (e.g. 付款 for an approved 客诉补偿: ?care_case=12);
    # (user, query params) → {field: value}; only what the user reaches — the submit is checked as always
    prefill: Callable[[Any, Any], Awaitable[dict[str, str]]] | None = None
    description: str = ""


STAFF = Starters(perms=(Perm.REQUEST,), label="公司员工（外包保安、保洁人员除外）")


def positions(*roles: str, perms: tuple[Perm, ...] = (Perm.REQUEST,), label: str = "") -> Starters:
    """Only these positions (by role code) may start the type."""
    return Starters(perms=perms, roles=roles, label=label or "、".join(ROLES.get(r, r) for r in roles))


DEFAULT_LIMIT = Setting("limit_days", "每个审批环节的办理时限（工作日）", Decimal("2"))

FLOWS: dict[str, FlowDef] = {}


def register(flow: FlowDef) -> FlowDef:
    if flow.code in FLOWS and FLOWS[flow.code] is not flow:
        raise ValueError(f"flow {flow.code} registered twice")
    FLOWS[flow.code] = flow
    return flow


def get_flow(code: str) -> FlowDef | None:
    return FLOWS.get(code)


def startable(user: Any) -> list[FlowDef]:
    """The request types this user may start, in registry order."""
    return [f for f in FLOWS.values() if f.starters.allows(user)]
