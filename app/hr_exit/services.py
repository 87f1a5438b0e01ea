"""离职交接 (SPEC §E5) and 辞退 (§E8): the exit case from the request to its completion — whether the person is in
probation (the notice period), the sweep's checklist ticks, the completion (refused while anything is open; the
contract ends, the status becomes 离职) and the disabling of the sign-in after the last day. One write transaction
with an audit row per action."""
from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.apps.user.tables import BaseUser

from app.core import audit
from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.permissions import ROLES, Perm
from app.core.timeutil import now, today_local
from app.hr_exit import holdings as registry
from app.hr_exit.tables import CLOSED, DONE, PENDING, SWEEP, Dismissal, ExitCase, ExitTick
from app.org.tables import Employee

E = ExitCase
LEFT = "离职"  # hr_employee_status after the completion

# the sweep's sign-offs: (code, label, roles that tick it; "receiver" = the case's 工作接收人)
CHECKLIST: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("receiver", "工作接收人确认工作、资料已交接", ()),
    ("dept_head", "部门负责人（客服副经理）确认", ("dept_head",)),
    ("admin", "行政确认（办公用品、钥匙、工牌、工服）", ("admin_staff",)),
    ("it", "IT 确认（系统账号、网签账号、CA 证书 U 盾）", ("sysadmin",)),
    ("finance", "财务确认（借款、报销已结清；最后工资及应付经济补偿于交接办结时支付，《劳动合同法》第五十条）",
     ("finance_manager", "accountant", "cashier")),
)
CHECK_NAMES = {c: label for c, label, _ in CHECKLIST}


class ExitError(Exception):
    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message, self.field = message, field


async def current_contract(employee_id: int) -> dict | None:
    """The employee's latest contract still in force (待签 / 已签), through the contracts' service."""
    from app.hr_contract import services as contracts

    rows = [r for r in await contracts.history(employee_id) if r["status"] in ("待签", "已签")]
    return rows[-1] if rows else None


async def confidentiality(employee_id: int) -> str:
    """The reminder the sweep shows when the latest contract has a 保密 or 竞业限制 clause (第二十三条、第二十四条)."""
    from app.hr_contract import services as contracts

    rows = await contracts.history(employee_id)
    last = rows[-1] if rows else None
    if not last:
        return ""
    parts = []
    if last["nda"]:
        parts.append("保密条款：离职后仍须保守公司商业秘密和与知识产权相关的保密事项")
    if last["non_compete"]:
        parts.append("竞业限制：按约定期限履行（不超过二年），公司按月支付经济补偿")
    return "；".join(parts) + "（《劳动合同法》第二十三条、第二十四条）" if parts else ""


async def in_probation(employee_id: int, on: date) -> bool:
    """In probation on `on`: hr_employee_status says 试用期, or (no decision recorded) the current contract's probation
    has not ended."""
    from app.hr_probation import services as probation

    st = await probation.decided(employee_id)
    if st:
        return st["status"] == "试用期"
    row = await current_contract(employee_id)
    return bool(row and row["probation_end"] and row["probation_end"] >= on)


async def open_exit(employee_id: int, exclude_request: int | None = None) -> dict | None:
    q = (E.employee == employee_id) & E.status.is_in([PENDING, SWEEP, DONE])
    if exclude_request:
        q &= E.request != exclude_request
    return await E.select(E.id, E.status).where(q).first()


async def create_resignation(request_id: int, cleaned: dict, user: Any) -> None:
    existing = await E.select(E.id).where(E.request == request_id).first()
    values = {E.notice_on: cleaned["notice_on"], E.last_day: cleaned["last_day"], E.reason: cleaned["reason"],
              E.in_probation: "是" if cleaned["in_probation"] else "否"}
    if existing:
        await E.update(values).where(E.id == existing["id"])
    else:
        await E.insert(E(request=request_id, employee=user.employee_id, kind="辞职", status=PENDING, created_at=now(),
                         **{c._meta.name: v for c, v in values.items()}))


async def start_sweep(request_id: int, actor: Any) -> int:
    """on_approved of both types (inside the engine's transaction): the case enters the sweep."""
    row = await E.select(E.id, E.employee.name).where(E.request == request_id).first()
    if row is None:
        d = await Dismissal.select().where(Dismissal.request == request_id).first()
        if d is None:
            return 0
        ids = await E.insert(E(request=request_id, employee=d["employee"], kind="辞退", notice_on=d["notice_on"], last_day=d["last_day"],
                               reason=d["facts"][:500], status=SWEEP, created_at=now())).returning(E.id)
        case_id = ids[0]["id"]
    else:
        case_id = row["id"]
        await E.update({E.status: SWEEP}).where(E.id == case_id)
    await audit.record(actor=actor, action="hr_exit.sweep_start", entity="hr_exit", entity_id=case_id,
                       summary=f"离职交接开始：/hr/exit/{case_id}", ip=getattr(actor, "ip", ""))
    await _notify_checkers(case_id)
    return case_id


async def _notify_checkers(case_id: int) -> None:
    """The roles that sign the checklist off, in the leaver's company, are told (once: the reference is the case)."""
    from app.core.notify import notify
    from app.workflow.engine import users_with_role

    case = await get(case_id)
    if case is None:
        return
    company = await Employee.select(Employee.company).where(Employee.id == case["employee"]).first()
    users: set[int] = set()
    for _, _, roles in CHECKLIST:
        for role in roles:
            users.update(await users_with_role(role, company["company"]))
    users.discard(case["user"])
    for u in sorted(users):
        await notify(u, f"{case['employee_name']} 离职交接（最后工作日 {case['last_day']:%Y-%m-%d}），请确认本部门的交接项",
                     f"/hr/exit/{case_id}", "info", f"hr_exit:{case_id}")


async def close_request(request_id: int) -> None:
    await E.update({E.status: CLOSED}).where((E.request == request_id) & (E.status == PENDING))


COLUMNS = (E.id, E.request, E.employee, E.kind, E.notice_on, E.last_day, E.reason, E.in_probation, E.status, E.receiver,
           E.completed_at, E.disabled_at, E.request.number.as_alias("request_number"), E.employee.name.as_alias("employee_name"),
           E.employee.employee_no.as_alias("employee_no"), E.employee.department.name.as_alias("department"),
           E.employee.position.name.as_alias("position"), E.employee.manager.as_alias("manager"), E.employee.user.as_alias("user"),
           E.employee.company.name.as_alias("company"), E.employee.company.as_alias("company_id"), E.employee.hired_on.as_alias("hired_on"),
           E.receiver.name.as_alias("receiver_name"), E.receiver.user.as_alias("receiver_user"))


async def get(case_id: int) -> dict | None:
    return await E.select(*COLUMNS).where(E.id == case_id).first()


def is_hr(user: Any) -> bool:
    return user.can(Perm.HR_MANAGE)


def _signs_off(user: Any, case: dict, roles: tuple[str, ...]) -> bool:
    """A checklist role of the leaver's own company (the 客服副经理 heads the department and all its groups)."""
    return user.role in roles and user.company_id == case["company_id"]


def may_tick(user: Any, case: dict, code: str) -> bool:
    if case["status"] != SWEEP:
        return False
    if code == "receiver":
        return case["receiver"] is not None and user.employee_id == case["receiver"]
    roles = next((r for c, _, r in CHECKLIST if c == code), ())
    return _signs_off(user, case, roles)


def may_see(user: Any, case: dict) -> bool:
    if is_hr(user) or user.employee_id in (case["employee"], case["manager"], case["receiver"]):
        return True
    return case["status"] in (SWEEP, DONE) and any(_signs_off(user, case, roles) for _, _, roles in CHECKLIST)


async def ticks_of(case_id: int) -> dict[str, dict]:
    rows = await ExitTick.select(ExitTick.item, ExitTick.by_name, ExitTick.at, ExitTick.note).where(ExitTick.exit == case_id)
    return {r["item"]: r for r in rows}


async def _lock(case_id: int) -> dict:
    await serialise(f"hr_exit:{case_id}")
    case = await get(case_id)
    if case is None:
        raise ExitError("没有这条离职记录")
    return case


async def tick(user: Any, case_id: int, code: str, note: str = "") -> None:
    if code not in CHECK_NAMES:
        raise ExitError("没有这个交接项")
    async with write_transaction():
        case = await _lock(case_id)
        if case["status"] != SWEEP:
            raise ExitError(f"这条离职记录是「{case['status']}」，不能确认交接")
        if not may_tick(user, case, code):
            who = "工作接收人" if code == "receiver" else "、".join(ROLES.get(r, r) for r in next(r for c, _, r in CHECKLIST if c == code))
            raise ExitError(f"「{CHECK_NAMES[code]}」须由{who}确认")
        if await ExitTick.exists().where((ExitTick.exit == case_id) & (ExitTick.item == code)):
            raise ExitError("这一项已经确认过了")
        await ExitTick.insert(ExitTick(exit=case_id, item=code, by=user.employee_id, by_name=user.display_name, note=note[:200], at=now()))
        await audit.record(actor=user, action="hr_exit.tick", entity="hr_exit", entity_id=case_id,
                           summary=f"{case['employee_name']} 离职交接：{CHECK_NAMES[code]}", ip=getattr(user, "ip", ""))


async def set_receiver(user: Any, case_id: int, receiver_id: int | None) -> None:
    if not is_hr(user):
        raise ExitError("只有人事可以指定工作接收人")
    async with write_transaction():
        case = await _lock(case_id)
        if case["status"] != SWEEP:
            raise ExitError(f"这条离职记录是「{case['status']}」，不能修改")
        to = await Employee.select(Employee.name).where((Employee.id == (receiver_id or 0)) & (Employee.active == True)).first()  # noqa: E712
        if to is None or receiver_id == case["employee"]:
            raise ExitError("工作接收人须为离职人以外的在职员工", "receiver")
        await E.update({E.receiver: receiver_id}).where(E.id == case_id)
        await ExitTick.delete().where((ExitTick.exit == case_id) & (ExitTick.item == "receiver"))
        await audit.record(actor=user, action="hr_exit.receiver", entity="hr_exit", entity_id=case_id,
                           summary=f"{case['employee_name']} 的工作接收人：{to['name']}", ip=getattr(user, "ip", ""))


def still_open(items: list, ticks: dict[str, dict]) -> list[str]:
    """What keeps the completion refused, in Chinese, one line each."""
    out = [f"{h.kind}：{h.label}" for h in registry.open_holdings(items)]
    out += [f"未确认：{label}" for code, label, _ in CHECKLIST if code not in ticks]
    return out


async def _end_contract(case: dict, actor: Any) -> None:
    from app.hr_contract import services as contracts

    row = await current_contract(case["employee"])
    if row:
        await contracts.end(actor, row["id"], case["last_day"], "员工提出解除" if case["kind"] == "辞职" else "公司提出解除")


async def _set_status_left(case: dict, actor: Any) -> None:
    from app.hr_probation import services as probation

    await probation.set_status(case["employee"], LEFT, case["last_day"], case["request"])


async def complete(user: Any, case_id: int, today: date | None = None) -> bool:
    """Refused (ExitError naming what is open) until every holding is cleared and every tick done; returns whether the
    sign-in was disabled at once (the last day has passed)."""
    if not is_hr(user):
        raise ExitError("只有人事可以办结离职")
    today = today or today_local()
    async with write_transaction():
        case = await _lock(case_id)
        if case["status"] != SWEEP:
            raise ExitError(f"这条离职记录是「{case['status']}」，不能办结")
        items = await registry.holdings_of(case["employee"])
        missing = still_open(items, await ticks_of(case_id))
        if missing:
            raise ExitError(f"还有 {len(missing)} 项未办结，不能完成：" + "；".join(missing))
        await E.update({E.status: DONE, E.completed_at: now(), E.completed_by: user.employee_id}).where(E.id == case_id)
        await _end_contract(case, user)
        await _set_status_left(case, user)
        await audit.record(actor=user, action="hr_exit.complete", entity="hr_exit", entity_id=case_id,
                           summary=f"{case['employee_name']} 离职交接完成，最后工作日 {case['last_day']:%Y-%m-%d}", ip=getattr(user, "ip", ""))
        disabled = False
        if case["last_day"] < today:
            disabled = await _disable(case, user)
    return disabled


async def _disable(case: dict, actor: Any) -> bool:
    """Inside a write transaction: the employee and the sign-in inactive, once (the conditional update decides)."""
    rows = await E.update({E.disabled_at: now()}).where((E.id == case["id"]) & E.disabled_at.is_null() & (E.status == DONE)).returning(E.id)
    if not rows:
        return False
    await Employee.update({Employee.active: False}).where(Employee.id == case["employee"])
    if case["user"]:
        await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == case["user"])
        from piccolo_api.session_auth.tables import SessionsBase

        await SessionsBase.delete().where(SessionsBase.user_id == case["user"])  # signed-in sessions end now
    await audit.record(actor=actor, action="hr_exit.disable", entity="hr_exit", entity_id=case["id"],
                       summary=f"{case['employee_name']} 已离职（最后工作日 {case['last_day']:%Y-%m-%d}），员工档案与登录账号已停用",
                       ip=getattr(actor, "ip", ""))
    return True


async def disable_due(today: date | None = None) -> int:
    """The reminder worker: completed exits whose last day has passed, not yet disabled — each once, also with two
    workers (serialised per case: app/core/claims.py, and the conditional update)."""
    today = today or today_local()
    due = await E.select(E.id).where((E.status == DONE) & E.disabled_at.is_null() & (E.last_day < today)).limit(500)
    done = 0
    for row in due:
        async with write_transaction(claim=False):
            await serialise(f"hr_exit:disable:{row['id']}")
            case = await get(row["id"])
            if case and await _disable(case, None):
                done += 1
    return done


def checks(user: Any) -> bool:
    return any(user.role in roles for _, _, roles in CHECKLIST)


def cases_query(user: Any):
    """HR: every exit in the sweep or done; the checklist's roles: those in the sweep; anyone: their own and those they
    receive — (the page's select, its count), newest first."""
    if is_hr(user):
        q = E.status.is_in([SWEEP, DONE])
    elif checks(user):  # the sweeps of their own company
        q = ((E.status == SWEEP) & (E.employee.company == (user.company_id or 0))) | ((E.employee == (user.employee_id or 0)) & (E.status == DONE))
    else:
        me = user.employee_id or 0
        q = ((E.employee == me) | (E.receiver == me)) & E.status.is_in([SWEEP, DONE])
    return E.select(*COLUMNS).where(q).order_by(E.id, ascending=False), E.count().where(q)


async def record_union(user: Any, request_id: int, day: date, note: str) -> None:
    """[L 劳动合同法 art. 43] the date the reasons were notified to the union (HR records it: no union role exists)."""
    from app.workflow.tables import Request

    async with write_transaction():
        d = await Dismissal.select(Dismissal.id, Dismissal.notice_on, Dismissal.employee.name, Dismissal.request.status).where(
            Dismissal.request == request_id).first()
        if d is None:
            raise ExitError("没有这份辞退申请")
        if d["request.status"] not in ("审批中", "已退回"):
            raise ExitError("这份辞退申请已经结束")
        if day > today_local():
            raise ExitError("通知工会日期不能晚于今天")
        await Dismissal.update({Dismissal.union_notified_on: day, Dismissal.union_note: note}).where(Dismissal.id == d["id"])
        await audit.record(actor=user, action="hr_exit.union", entity="hr_dismissal", entity_id=d["id"],
                           summary=f"辞退 {d['employee.name']}：{day:%Y-%m-%d} 已将理由通知工会", ip=getattr(user, "ip", ""))
