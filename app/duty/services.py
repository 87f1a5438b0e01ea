"""The duty roster's queries and writes (SPEC §G 值班): the month's roster of the user's company, who is on duty now,
planning and the rotation fill, swap requests and their decision, and the handover log with its two signatures.

Every write runs in one transaction with its audit row and its notifications; the decisive UPDATEs are conditional
(the swap still pending, the shift still the requester's, the handover not yet received), so two people or two
processes never both act. The rules themselves are in app/duty/rules.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from app.care import states as care_states
from app.care.core import scope as care_scope
from app.care.tables import CareCase
from app.core import audit, notify
from app.core.fields import Parser, parse_id
from app.core.permissions import ROLE_PERMISSIONS, Perm
from app.core.timeutil import now, today_local
from app.duty import rules
from app.duty.rules import SHIFTS, ShiftTimes
from app.duty.tables import DutyHandover, DutySetting, DutyShift, DutySwap
from app.org.tables import Employee

DUTY_ROLES = sorted(r for r, perms in ROLE_PERMISSIONS.items() if Perm.DUTY in perms)  # 客服部 staff who keep the duty
MANAGE_ROLES = sorted(r for r, perms in ROLE_PERMISSIONS.items() if Perm.DUTY_MANAGE in perms)
CORRECT_ROLES = frozenset({"dept_head"})  # the department manager (客服副经理) may correct a past day's roster

# key → (label, default, tag): the admin's 值班设置 (seeded by seeds/duty.py)
SETTINGS: dict[str, tuple[str, str, str]] = {
    "day_start": ("白班开始时间（夜班至次日此时结束），时:分", "08:30", "C"),
    "night_start": ("夜班开始时间（白班至此时结束），时:分", "17:30", "C"),
    "handover_cases": ("交接班可带入的未结案件条数（最新的在前）", "20", "C"),
}


def _unique_violation(e: Exception) -> bool:
    """The (day, shift, employee) unique index refused a row another process wrote meanwhile."""
    return type(e).__name__ in ("IntegrityError", "UniqueViolationError") or "unique" in str(e).lower()


class DutyError(Exception):
    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class DutyConfig:
    times: ShiftTimes
    case_limit: int
    problems: tuple[str, ...] = ()


async def seed_settings() -> int:
    have = {r["key"] for r in await DutySetting.select(DutySetting.key)}
    new = [DutySetting(key=k, label=label, value=v, tag=tag) for k, (label, v, tag) in SETTINGS.items() if k not in have]
    if new:
        await DutySetting.insert(*new)
    return len(new)


async def load_config() -> DutyConfig:
    """The settings as typed in the admin; a value that cannot be read falls back to its default and is reported."""
    values = {r["key"]: r["value"] for r in await DutySetting.select(DutySetting.key, DutySetting.value)}
    problems = []

    def clock(key: str):
        try:
            return rules.parse_clock(values.get(key, SETTINGS[key][1]))
        except ValueError as e:
            problems.append(f"{SETTINGS[key][0]}：{e}，已按默认值 {SETTINGS[key][1]}")
            return rules.parse_clock(SETTINGS[key][1])

    times = ShiftTimes(day_start=clock("day_start"), night_start=clock("night_start"))
    if rules.times_error(times):
        problems.append(rules.times_error(times) + "，已按默认值")
        times = ShiftTimes()
    try:
        limit = max(1, min(200, int(values.get("handover_cases", SETTINGS["handover_cases"][1]))))
    except ValueError:
        problems.append("交接班可带入的未结案件条数应为整数，已按默认值")
        limit = int(SETTINGS["handover_cases"][1])
    return DutyConfig(times=times, case_limit=limit, problems=tuple(problems))


# ---------------------------------------------------------------- people


def may_plan(user) -> bool:
    return user.can(Perm.DUTY_MANAGE)


def may_correct(user) -> bool:
    return may_plan(user) and user.role in CORRECT_ROLES


def _company(user) -> int:
    return user.company_id or 0


async def staff(user) -> list[dict]:
    """The department staff of the user's company who keep the duty (active, a post whose role carries 值班)."""
    return await Employee.select(Employee.id, Employee.name, Employee.position.name, Employee.department.name).where(
        (Employee.company == _company(user)) & (Employee.active == True) & Employee.position.role.is_in(DUTY_ROLES)  # noqa: E712
    ).order_by(Employee.department.sort).order_by(Employee.employee_no)


async def _staff_member(user, employee_id: int | None) -> dict | None:
    if employee_id is None:
        return None
    return await Employee.select(Employee.id, Employee.name, Employee.user).where(
        (Employee.id == employee_id) & (Employee.company == _company(user)) & (Employee.active == True)  # noqa: E712
        & Employee.position.role.is_in(DUTY_ROLES)).first()


async def planner_users(company_id: int) -> list[int]:
    rows = await Employee.select(Employee.user).where(
        (Employee.company == company_id) & (Employee.active == True) & Employee.position.role.is_in(MANAGE_ROLES)  # noqa: E712
        & Employee.user.is_not_null())
    return list(dict.fromkeys(r["user"] for r in rows))


# ---------------------------------------------------------------- roster

_SHIFT_SELECT = (DutyShift.id, DutyShift.day, DutyShift.shift, DutyShift.employee, DutyShift.employee.name, DutyShift.note)


def _in_company(user):
    return DutyShift.employee.company == _company(user)


async def shifts_between(user, first: date, last: date) -> list[dict]:
    return await DutyShift.select(*_SHIFT_SELECT).where(
        (DutyShift.day >= first) & (DutyShift.day <= last) & _in_company(user)).order_by(DutyShift.day).order_by(DutyShift.id)


async def on_duty(user, day: date, shift: str) -> list[dict]:
    return await DutyShift.select(*_SHIFT_SELECT).where(
        (DutyShift.day == day) & (DutyShift.shift == shift) & _in_company(user)).order_by(DutyShift.id)


async def now_panel(user, config: DutyConfig, at: datetime | None = None) -> dict:
    """当前值班: the shift covering this moment (Asia/Shanghai; the night shift crosses midnight) and its people."""
    day, shift = rules.shift_at(at or now(), config.times)
    people = await on_duty(user, day, shift)
    return {"day": day, "shift": shift, "label": config.times.label(shift), "people": people,
            "names": "、".join(p["employee.name"] for p in people)}


async def month_roster(user, first: date, config: DutyConfig) -> dict:
    days = rules.month_days(first)
    rows = await shifts_between(user, days[0], days[-1])
    by_slot: dict[tuple[date, str], list[dict]] = {}
    for r in rows:
        by_slot.setdefault((r["day"], r["shift"]), []).append(r)
    today = today_local()
    at = now()
    current = rules.shift_at(at, config.times)
    mine = user.employee_id
    grid = []
    for d in days:
        cells = []
        for s in SHIFTS:
            people = by_slot.get((d, s), [])
            ended = rules.has_ended(d, s, at, config.times)
            cells.append({"shift": s, "people": people, "current": (d, s) == current, "ended": ended,
                          "mine": [p for p in people if p["employee"] == mine and not ended]})
        grid.append({"day": d, "weekday": "一二三四五六日"[d.weekday()], "today": d == today, "past": d < today,
                     "weekend": d.weekday() >= 5, "cells": cells})
    return {"first": first, "key": rules.month_key(first), "prev": rules.month_key(rules.add_months(first, -1)),
            "next": rules.month_key(rules.add_months(first, 1)), "this": rules.month_key(today.replace(day=1)),
            "grid": grid, "count": len(rows), "times": config.times,
            "labels": {s: config.times.label(s) for s in SHIFTS}}


async def _taken(day_from: date, day_to: date, employee_ids: list[int] | None = None) -> set[tuple[date, str, int]]:
    q = DutyShift.select(DutyShift.day, DutyShift.shift, DutyShift.employee).where((DutyShift.day >= day_from) & (DutyShift.day <= day_to))
    if employee_ids is not None:
        q = q.where(DutyShift.employee.is_in(employee_ids or [0]))
    return {(r["day"], r["shift"], r["employee"]) for r in await q}


def parse_plan(values: Any) -> tuple[dict, dict[str, str]]:
    p = Parser(values)
    day = p.date("day", "值班日期")
    shift = p.choice("shift", "班次", SHIFTS)
    raw = p.raw("employee")
    employee = parse_id(raw)
    if not raw:
        p.fail("employee", "请选择值班人员")
    elif employee is None:
        p.fail("employee", "值班人员的选项无效")
    note = p.text("note", "备注", required=False, max_len=100)
    correction = p.flag("correction")
    reason = p.text("reason", "更正原因", required=False, max_len=100)
    return {"day": day, "shift": shift, "employee": employee, "note": note, "correction": correction, "reason": reason}, p.errors


async def assign(user, plan: dict) -> dict:
    """Put one person on one day's shift. Refused: not in the department, already on that shift, a past day (only the
    department manager corrects one, with a reason, audited as a correction)."""
    emp = await _staff_member(user, plan["employee"])
    if emp is None:
        raise DutyError("该员工不在本部门的值班人员中（或已停用），请从列表中选择", "employee")
    day, shift = plan["day"], plan["shift"]
    times = (await load_config()).times
    correcting = rules.has_ended(day, shift, now(), times)
    err = rules.past_error(day, shift, ended=correcting, correction=plan["correction"], may_correct=may_correct(user))
    if err:
        raise DutyError(err, "day")
    if correcting and not plan["reason"]:
        raise DutyError("请填写更正原因", "reason")
    try:
        async with DutyShift._meta.db.transaction():
            err = rules.conflict_error(day, shift, emp["id"], await _taken(day, day, [emp["id"]]), emp["name"])
            if err:
                raise DutyError(err, "employee")
            note = plan["reason"] if correcting else plan["note"]
            row = (await DutyShift.insert(DutyShift(day=day, shift=shift, employee=emp["id"], note=note)).returning(DutyShift.id))[0]
            after = {"day": day, "shift": shift, "employee": emp["name"], "note": note}
            if correcting:
                await audit.record(actor=user, action="duty.correct", entity="duty_shift", entity_id=row["id"],
                                   summary=f"{day:%Y-%m-%d} {shift} {emp['name']}（更正：{plan['reason']}）", after=after)
            else:
                await audit.record(actor=user, action="duty.assign", entity="duty_shift", entity_id=row["id"],
                                   summary=f"{day:%Y-%m-%d} {shift} {emp['name']}", after=after)
    except DutyError:
        raise
    except Exception as e:
        if _unique_violation(e):
            raise DutyError(f"{emp['name']}已在 {day:%Y-%m-%d} {shift}的值班表中", "employee") from None
        raise
    return {"id": row["id"], "name": emp["name"]}


async def _close_swaps(shift_ids: list[int]) -> None:
    """Before shifts go (their swaps go with them): close the notices of their pending swaps."""
    rows = await DutySwap.select(DutySwap.id).where(DutySwap.shift.is_in(shift_ids or [0]) & (DutySwap.status == rules.PENDING))
    await notify.close([f"duty-swap:{r['id']}" for r in rows])


async def remove(user, shift_id: int, *, reason: str = "") -> dict:
    row = await DutyShift.select(*_SHIFT_SELECT).where((DutyShift.id == shift_id) & _in_company(user)).first()
    if row is None:
        raise DutyError("该班次不存在或已被移除")
    if rules.has_ended(row["day"], row["shift"], now(), (await load_config()).times):
        if not may_correct(user):
            raise DutyError(f"{row['day']:%Y-%m-%d} {row['shift']}已经结束，值班记录只能由部门经理（客服副经理）更正")
        if not reason:
            raise DutyError("更正已过日期的值班记录，请填写原因", "reason")
    async with DutyShift._meta.db.transaction():
        await _close_swaps([shift_id])
        gone = await DutyShift.delete().where(DutyShift.id == shift_id).returning(DutyShift.id)
        if not gone:
            raise DutyError("该班次已被他人修改，请刷新页面")
        await audit.record(actor=user, action="duty.remove", entity="duty_shift", entity_id=shift_id,
                           summary=f"{row['day']:%Y-%m-%d} {row['shift']} {row['employee.name']}" + (f"（更正：{reason}）" if reason else ""),
                           before={"day": row["day"], "shift": row["shift"], "employee": row["employee.name"]})
    return row


def parse_fill(values: Any, people: list[dict]) -> tuple[dict, dict[str, str]]:
    """The rotation form: the month and, per staff member, an order number (blank = not on the rotation)."""
    p = Parser(values)
    month_raw = p.raw("month")
    first = None
    try:
        y, m = month_raw.split("-")
        first = date(int(y), int(m), 1)
    except (ValueError, TypeError):
        p.fail("month", "月份格式应为 YYYY-MM，例如 2026-12")
    ranked = []
    for person in people:
        n = p.integer(f"order_{person['id']}", f"{person['name']}的序号", minimum=1, maximum=999, required=False)
        if n is not None:
            ranked.append((n, person["id"]))
    numbers = [n for n, _ in ranked]
    if len(set(numbers)) != len(numbers):
        p.fail("order", "轮值序号不能重复")
    order = [pid for _, pid in sorted(ranked)]
    if not order and "order" not in p.errors:
        p.fail("order", rules.order_error(order))
    return {"first": first, "order": order, "overwrite": p.flag("overwrite")}, p.errors


async def fill_month(user, first: date, order: list[int], *, overwrite: bool) -> int:
    """Fill the month from today (or the month's first day) to its end by rotation, in one transaction. Existing shifts
    in that range are kept and the fill refused, unless `overwrite` (then they are replaced)."""
    people = {p["id"]: p for p in await staff(user)}
    unknown = [i for i in order if i not in people]
    if unknown:
        raise DutyError("轮值名单中有不属于本部门值班人员的员工，请重新选择", "order")
    err = rules.order_error(order)
    if err:
        raise DutyError(err, "order")
    times, at = (await load_config()).times, now()
    days = [d for d in rules.month_days(first) if d >= today_local() - timedelta(days=1)]
    # from the running shift on: the first chosen person takes the first shift that has not ended
    plan = rules.fill_slots([(d, s) for d in days for s in SHIFTS if not rules.has_ended(d, s, at, times)], order)
    if not plan:
        raise DutyError(f"{rules.month_key(first)} 已经过去，不能再按轮值填充", "month")
    days = sorted({d for d, _, _ in plan})
    slots = {(d, s) for d, s, _ in plan}
    async with DutyShift._meta.db.transaction():
        existing = [r for r in await DutyShift.select(DutyShift.id, DutyShift.day, DutyShift.shift).where(
            (DutyShift.day >= days[0]) & (DutyShift.day <= days[-1]) & _in_company(user)) if (r["day"], r["shift"]) in slots]
        if existing and not overwrite:
            raise DutyError(f"{days[0]:%Y-%m-%d} 至 {days[-1]:%Y-%m-%d} 已有 {len(existing)} 个班次；如要重新排，请勾选「覆盖已有排班」", "overwrite")
        if existing:
            ids = [r["id"] for r in existing]
            await _close_swaps(ids)
            await DutyShift.delete().where(DutyShift.id.is_in(ids))
        await DutyShift.insert(*[DutyShift(day=d, shift=s, employee=e, note="") for d, s, e in plan])
        await audit.record(actor=user, action="duty.fill", entity="duty_shift", entity_id=rules.month_key(first),
                           summary=f"{days[0]:%Y-%m-%d} 至 {days[-1]:%Y-%m-%d} 按轮值排班 {len(plan)} 个班次（"
                                   + "→".join(people[i]["name"] for i in order) + "）" + (f"，替换原有 {len(existing)} 个" if existing else ""),
                           after={"order": [people[i]["name"] for i in order], "shifts": len(plan), "replaced": len(existing)})
    return len(plan)


# ---------------------------------------------------------------- swaps

_SWAP_SELECT = (DutySwap.id, DutySwap.status, DutySwap.reason, DutySwap.created_at, DutySwap.decided_at, DutySwap.shift,
                DutySwap.shift.day, DutySwap.shift.shift, DutySwap.requester, DutySwap.requester.name, DutySwap.requester.user,
                DutySwap.substitute, DutySwap.substitute.name, DutySwap.substitute.user, DutySwap.decided_by.name)


async def shift_for(user, shift_id: int) -> dict | None:
    return await DutyShift.select(*_SHIFT_SELECT).where((DutyShift.id == shift_id) & _in_company(user)).first()


async def swaps_for(user, limit: int = 20) -> list[dict]:
    """The swap requests this user deals with: a planner sees the company's pending ones, everyone their own (asked by or
    of them), newest first."""
    where = DutySwap.requester.company == _company(user)
    mine = (DutySwap.requester == (user.employee_id or 0)) | (DutySwap.substitute == (user.employee_id or 0))
    if may_plan(user):
        where = where & ((DutySwap.status == rules.PENDING) | mine)
    else:
        where = where & mine
    rows = await DutySwap.select(*_SWAP_SELECT).where(where).order_by(DutySwap.created_at, ascending=False).limit(limit)
    for r in rows:
        pending = r["status"] == rules.PENDING
        r["can_decide"] = pending and may_plan(user) and r["requester"] != user.employee_id
        r["can_withdraw"] = pending and r["requester"] == user.employee_id
    return rows


async def request_swap(user, shift_id: int, values: Any, config: DutyConfig) -> int:
    p = Parser(values)
    raw = p.raw("substitute")
    substitute_id = parse_id(raw)
    if not raw:
        p.fail("substitute", "请选择代班同事")
    elif substitute_id is None:
        p.fail("substitute", "代班同事的选项无效")
    reason = p.text("reason", "换班原因", max_len=200)
    if p.errors:
        field, message = next(iter(p.errors.items()))
        raise DutyError(message, field)
    shift = await shift_for(user, shift_id)
    if shift is None:
        raise DutyError("该班次不存在")
    sub = await _staff_member(user, substitute_id)
    if sub is None:
        raise DutyError("该员工不在本部门的值班人员中，请从列表中选择", "substitute")
    async with DutySwap._meta.db.transaction():
        taken = (shift["day"], shift["shift"], sub["id"]) in await _taken(shift["day"], shift["day"], [sub["id"]])
        pending = await DutySwap.exists().where((DutySwap.shift == shift_id) & (DutySwap.status == rules.PENDING))
        err = rules.swap_error(requester_id=user.employee_id, shift_employee_id=shift["employee"], substitute_id=sub["id"],
                               substitute_taken=taken, ended=rules.has_ended(shift["day"], shift["shift"], now(), config.times),
                               pending=pending)
        if err:
            raise DutyError(err, "substitute" if "同事" in err else "__all__")
        swap_id = (await DutySwap.insert(DutySwap(shift=shift_id, requester=user.employee_id, substitute=sub["id"], reason=reason,
                                                  status=rules.PENDING, created_at=now())).returning(DutySwap.id))[0]["id"]
        what = f"{shift['day']:%Y-%m-%d} {shift['shift']}"
        ref = f"duty-swap:{swap_id}"
        if sub["user"]:
            await notify.notify(sub["user"], f"{user.display_name} 申请由您代 {what} 的值班：{reason}", "/duty", "duty", ref)
        for uid in await planner_users(_company(user)):
            if uid != user.user_id:
                await notify.notify(uid, f"换班待批准：{user.display_name} 的 {what} 请 {sub['name']} 代班（{reason}）", "/duty", "duty", ref)
        await audit.record(actor=user, action="duty.swap_request", entity="duty_swap", entity_id=swap_id,
                           summary=f"{what} {user.display_name} → {sub['name']}：{reason}",
                           after={"shift": shift_id, "substitute": sub["name"], "reason": reason})
    return swap_id


async def _swap(user, swap_id: int) -> dict:
    row = await DutySwap.select(*_SWAP_SELECT).where((DutySwap.id == swap_id) & (DutySwap.requester.company == _company(user))).first()
    if row is None:
        raise DutyError("该换班申请不存在")
    return row


STALE_SWAP = "该换班申请已被处理（或已撤回），请刷新页面"


async def decide_swap(user, swap_id: int, approve: bool) -> dict:
    """Approve or reject a pending swap. On approval the shift passes to the substitute — only if it still belongs to
    the requester and the substitute is not on that shift already — in the same transaction."""
    swap = await _swap(user, swap_id)
    if swap["requester"] == user.employee_id:
        raise DutyError("不能审批自己的换班申请")
    status = rules.APPROVED if approve else rules.REJECTED
    what = f"{swap['shift.day']:%Y-%m-%d} {swap['shift.shift']}"
    async with DutySwap._meta.db.transaction():
        done = await DutySwap.update({DutySwap.status: status, DutySwap.decided_by: user.employee_id, DutySwap.decided_at: now()}).where(
            (DutySwap.id == swap_id) & (DutySwap.status == rules.PENDING)).returning(DutySwap.id)
        if not done:
            raise DutyError(STALE_SWAP)
        if approve:
            if (swap["shift.day"], swap["shift.shift"], swap["substitute"]) in await _taken(swap["shift.day"], swap["shift.day"], [swap["substitute"]]):
                raise DutyError(f"{swap['substitute.name']} 在 {what} 已有值班安排，不能再代班；请驳回该申请")
            moved = await DutyShift.update({DutyShift.employee: swap["substitute"]}).where(
                (DutyShift.id == swap["shift"]) & (DutyShift.employee == swap["requester"])).returning(DutyShift.id)
            if not moved:
                raise DutyError("该班次已经调整过（不再是申请人的班次），换班未执行；请驳回或刷新页面")
        await notify.close([f"duty-swap:{swap_id}"])
        verdict = "已批准" if approve else "未批准"
        text = f"换班{verdict}：{what} {swap['requester.name']} → {swap['substitute.name']}（{user.display_name}）"
        for uid in dict.fromkeys(u for u in (swap["requester.user"], swap["substitute.user"]) if u):
            await notify.notify(uid, text, "/duty", "duty", "")
        if approve:
            await audit.record(actor=user, action="duty.swap_approve", entity="duty_swap", entity_id=swap_id, summary=text,
                               before={"status": rules.PENDING}, after={"status": status})
        else:
            await audit.record(actor=user, action="duty.swap_reject", entity="duty_swap", entity_id=swap_id, summary=text,
                               before={"status": rules.PENDING}, after={"status": status})
    return swap


async def withdraw_swap(user, swap_id: int) -> dict:
    swap = await _swap(user, swap_id)
    if swap["requester"] != user.employee_id:
        raise DutyError("只有申请人可以撤回换班申请")
    async with DutySwap._meta.db.transaction():
        done = await DutySwap.update({DutySwap.status: rules.WITHDRAWN, DutySwap.decided_at: now()}).where(
            (DutySwap.id == swap_id) & (DutySwap.status == rules.PENDING)).returning(DutySwap.id)
        if not done:
            raise DutyError(STALE_SWAP)
        await notify.close([f"duty-swap:{swap_id}"])
        await audit.record(actor=user, action="duty.swap_withdraw", entity="duty_swap", entity_id=swap_id,
                           summary=f"{swap['shift.day']:%Y-%m-%d} {swap['shift.shift']} 撤回换班申请",
                           before={"status": rules.PENDING}, after={"status": rules.WITHDRAWN})
    return swap


# ---------------------------------------------------------------- handovers


async def open_cases(user, limit: int) -> list[dict]:
    """The open care cases in the user's project scope, newest first, LIMITed in SQL (none without care access)."""
    if not (user.can(Perm.CARE) or user.can(Perm.CARE_VIEW)):
        return []
    q = CareCase.select(CareCase.id, CareCase.number, CareCase.kind, CareCase.title, CareCase.status, CareCase.level,
                        CareCase.received_at).where(CareCase.status.is_in(care_states.OPEN))
    clause = care_scope(user)
    if clause is not None:
        q = q.where(clause)
    return await q.order_by(CareCase.received_at, ascending=False).order_by(CareCase.id, ascending=False).limit(limit)


async def carried_cases(user, ids: list[int]) -> list[dict]:
    """The carried cases for display: number, status and title for those in the viewer's scope, the number only else."""
    if not ids:
        return []
    rows = await CareCase.select(CareCase.id, CareCase.number, CareCase.title, CareCase.status, CareCase.project).where(CareCase.id.is_in(ids))
    order = {i: n for n, i in enumerate(ids)}
    out = []
    for r in sorted(rows, key=lambda r: order.get(r["id"], 0)):
        visible = (user.can(Perm.CARE) or user.can(Perm.CARE_VIEW)) and user.sees_project(r["project"])
        out.append({"id": r["id"], "number": r["number"], "title": r["title"] if visible else "", "status": r["status"] if visible else "",
                    "visible": visible})
    return out


def case_ids(text: str) -> list[int]:
    return [int(x) for x in (text or "").split(",") if x.strip().isascii() and x.strip().isdigit()]


async def handover_defaults(user, config: DutyConfig) -> dict:
    """The form's prefill: the user's own latest shift that has started (the running one, or the one just ended);
    without one, the shift running now."""
    at = now()
    day, shift = rules.shift_at(at, config.times)
    rows = await DutyShift.select(DutyShift.day, DutyShift.shift).where(
        (DutyShift.employee == (user.employee_id or 0)) & (DutyShift.day <= day) & (DutyShift.day >= day - timedelta(days=2)))
    started = [(r["day"], r["shift"]) for r in rows if rules.window(r["day"], r["shift"], config.times)[0] <= at]
    if started:
        day, shift = max(started, key=lambda c: rules.window(c[0], c[1], config.times)[0])
    return {"day": day.isoformat(), "shift": shift}


def parse_handover(values: Any, chosen: list[str], offered: set[int]) -> tuple[dict, dict[str, str]]:
    p = Parser(values)
    day = p.date("day", "值班日期")
    shift = p.choice("shift", "班次", SHIFTS)
    summary = p.text("summary", "值班情况（来电、来访、事件）", max_len=4000)
    equipment = p.text("equipment", "移交的设备、钥匙、资料", required=False, max_len=200)
    ids = []
    for raw in chosen:
        i = parse_id(raw)
        if i is None or i not in offered:
            p.fail("cases", "所选的案件不在可带入的未结案件中，请重新选择")
        elif i not in ids:
            ids.append(i)
    return {"day": day, "shift": shift, "summary": summary, "equipment": equipment, "cases": ids}, p.errors


async def create_handover(user, data: dict) -> int:
    """The outgoing person writes and signs (handed_by + handed_at): only someone on that shift in the roster, once."""
    day, shift = data["day"], data["shift"]
    if user.employee_id is None:
        raise DutyError("您的账号没有对应的员工档案，不能交班")
    on = await DutyShift.exists().where((DutyShift.day == day) & (DutyShift.shift == shift) & (DutyShift.employee == user.employee_id))
    if not on:
        raise DutyError(f"值班表中 {day:%Y-%m-%d} {shift}没有您的班次：交班记录由该班次的值班人填写", "day")
    async with DutyHandover._meta.db.transaction():
        dup = await DutyHandover.exists().where((DutyHandover.day == day) & (DutyHandover.shift == shift)
                                                & (DutyHandover.handed_by == user.employee_id))
        if dup:
            raise DutyError(f"您已填写过 {day:%Y-%m-%d} {shift}的交班记录", "day")
        hid = (await DutyHandover.insert(DutyHandover(
            day=day, shift=shift, handed_by=user.employee_id, handed_at=now(), summary=data["summary"], equipment=data["equipment"],
            open_cases=",".join(str(i) for i in data["cases"]), month=rules.month_key(day))).returning(DutyHandover.id))[0]["id"]
        nday, nshift = rules.next_shift(day, shift)
        incoming = await DutyShift.select(DutyShift.employee.user).where(
            (DutyShift.day == nday) & (DutyShift.shift == nshift) & DutyShift.employee.user.is_not_null())
        for uid in dict.fromkeys(r["employee.user"] for r in incoming):
            if uid != user.user_id:
                await notify.notify(uid, f"请确认接班：{user.display_name} 已交 {day:%Y-%m-%d} {shift}（带入未结案件 {len(data['cases'])} 件）",
                                    f"/duty/handovers/{hid}", "duty", f"duty-handover:{hid}")
        await audit.record(actor=user, action="duty.handover", entity="duty_handover", entity_id=hid,
                           summary=f"{day:%Y-%m-%d} {shift} 交班（带入未结案件 {len(data['cases'])} 件）",
                           after={"day": day, "shift": shift, "equipment": data["equipment"], "cases": data["cases"]})
    return hid


_HANDOVER_SELECT = (*DutyHandover.all_columns(), DutyHandover.handed_by.name, DutyHandover.handed_by.user, DutyHandover.received_by.name,
                    DutyHandover.handed_by.department.name, DutyHandover.handed_by.company.name)


async def handover(user, handover_id: int) -> dict | None:
    return await DutyHandover.select(*_HANDOVER_SELECT).where(
        (DutyHandover.id == handover_id) & (DutyHandover.handed_by.company == _company(user))).first()


async def receive(user, handover_id: int, note: str = "") -> dict:
    """The second signature: the incoming person (or any 值班 holder) other than the writer, once (conditional UPDATE)."""
    h = await handover(user, handover_id)
    if h is None:
        raise DutyError("该交接班记录不存在")
    err = rules.receive_error(writer_id=h["handed_by"], receiver_id=user.employee_id, already=h["received_by"] is not None)
    if err:
        raise DutyError(err)
    async with DutyHandover._meta.db.transaction():
        done = await DutyHandover.update({DutyHandover.received_by: user.employee_id, DutyHandover.received_at: now(),
                                          DutyHandover.received_note: note[:200]}).where(
            (DutyHandover.id == handover_id) & DutyHandover.received_by.is_null() & (DutyHandover.handed_by != user.employee_id)
        ).returning(DutyHandover.id)
        if not done:
            raise DutyError("该交接班记录已有人确认接班，请刷新页面")
        await notify.close([f"duty-handover:{handover_id}"])
        if h["handed_by.user"]:
            await notify.notify(h["handed_by.user"], f"{user.display_name} 已确认接班：{h['day']:%Y-%m-%d} {h['shift']}",
                                f"/duty/handovers/{handover_id}", "duty", "")
        await audit.record(actor=user, action="duty.receive", entity="duty_handover", entity_id=handover_id,
                           summary=f"{h['day']:%Y-%m-%d} {h['shift']} 接班确认（交班人 {h['handed_by.name']}）",
                           before={"received_by": None}, after={"received_by": user.display_name, "note": note[:200]})
    return h


def incoming_of(h: dict) -> tuple[date, str]:
    return rules.next_shift(h["day"], h["shift"])


async def incoming_people(user, h: dict) -> list[dict]:
    d, s = incoming_of(h)
    return await on_duty(user, d, s)


def month_choices(today: date, back: int = 12) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    out = []
    for i in range(-1, back):
        m = rules.add_months(first, -i)
        out.append((rules.month_key(m), f"{m.year}年{m.month}月"))
    return out

