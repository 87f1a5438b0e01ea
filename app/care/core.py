"""The spine every part of customer care writes through: the project scope of cases, one conditional move per action
(state and version checked in the UPDATE, so two people or two processes never both move a case), the case timeline,
the audit row, and who holds a role in a project (the handlers, the supervisors a notice goes to).

Every action runs inside the route's transaction (`async with CareCase._meta.db.transaction():`) and calls `move` once;
`move` raises CareError when the case is no longer where the user saw it."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from app.care import states
from app.care.tables import CareCase, CaseEvent
from app.core import audit
from app.core.scope import project_clause
from app.core.timeutil import now
from app.org.tables import Employee, EmployeeProject


class CareError(Exception):
    """A refused action: `message` is shown to the user (Chinese); `field` names the form field, "__all__" for the form."""

    def __init__(self, message: str, field: str = "__all__", errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors or {field: message}


STALE = "该案件的状态已经变化（可能已被他人办理），请刷新页面后再试"


def case_url(case_id: int) -> str:
    """The case page: where every notice about a case points."""
    return f"/care/cases/{case_id}"


def clock_ref(case_id: int) -> str:
    """The ref of the notices about a case's clocks (amber, breach, escalation), closed when handling finishes."""
    return f"case:{case_id}:clock"


def callback_ref(case_id: int) -> str:
    """The ref of the notices about a case's callback, closed when the case is closed."""
    return f"case:{case_id}:callback"


async def handler_users(case: dict, fallback_roles: tuple[str, ...] | None = None) -> list[int]:
    """Who is told to act on the case: its handler's account, else the holders of `fallback_roles` (default: the handler
    role) in the case's project."""
    if case.get("handler"):
        row = await Employee.select(Employee.user).where(Employee.id == case["handler"]).first()
        if row and row["user"]:
            return [row["user"]]
    roles = fallback_roles if fallback_roles is not None else ((case["handler_role"],) if case.get("handler_role") else ())
    return await holder_users(roles, case["project"]) if roles else []


def scope(user) -> Any:
    """The cases this user's project scope reaches (None: every project)."""
    return project_clause(CareCase.project, user)


def scoped(query, user):
    clause = scope(user)
    return query if clause is None else query.where(clause)


async def get_case(user, case_id: int) -> dict | None:
    """The case if it exists and the user's scope reaches it (None otherwise: the route answers 404)."""
    q = CareCase.select(*CareCase.all_columns(), CareCase.project.name, CareCase.unit.room_no, CareCase.unit.building.name,
                        CareCase.buyer.name, CareCase.handler.name, CareCase.received_by.name).where(CareCase.id == case_id)
    return await scoped(q, user).first()


async def event(case_id: int, actor_employee_id: int | None, action: str, note: str = "", from_status: str = "",
                to_status: str = "", at: datetime | None = None) -> None:
    await CaseEvent.insert(CaseEvent(case=case_id, at=at or now(), actor=actor_employee_id, action=action,
                                     from_status=from_status, to_status=to_status, note=note))


async def move(user, case: dict, action: str, changes: dict | None = None, note: str = "", *,
               moves: dict[str, tuple[tuple[str, ...], str]] | None = None, to: str | None = None,
               audit_summary: str = "") -> dict:
    """Move `case` (a row as the user saw it, with "id", "status", "version") by `action` of `moves` (CASE_MOVES by
    default; REPAIR_MOVES for repairs) or, with `to`, keep/set that state. Writes the timeline and the audit log.
    Returns the updated row. Raises CareError(STALE) when another action got there first."""
    table = moves if moves is not None else states.CASE_MOVES
    if to is None:
        if action not in table:
            raise ValueError(action)
        allowed, to_status = table[action]
        if case["status"] not in allowed:
            raise CareError(f"案件当前为「{case['status']}」，不能{states.ACTION_NAMES.get(action, action)}")
    else:
        allowed, to_status = (case["status"],), to
    values = dict(changes or {})
    values[CareCase.status] = to_status
    values[CareCase.version] = CareCase.version + 1
    rows = await CareCase.update(values).where(
        (CareCase.id == case["id"]) & (CareCase.version == case["version"]) & CareCase.status.is_in(list(allowed))
    ).returning(*CareCase.all_columns())
    if not rows:
        raise CareError(STALE)
    actor_emp = getattr(user, "employee_id", None) if user is not None else None
    await event(case["id"], actor_emp, action, note, case["status"], to_status)
    await audit.record(actor=user, action=f"care.{action}", entity="care_case", entity_id=case["id"],
                       summary=audit_summary or f"{case['number']} {states.ACTION_NAMES.get(action, action)}"
                       + (f"：{note}" if note else ""),
                       before={"status": case["status"]}, after={"status": to_status})
    await _close_moot_notices(case["id"], case["status"], to_status)
    return rows[0]


# the notices a case's handling sends, by what makes them moot (refs "case:<id>:<kind>")
HANDLING_NOTICES = ("handle", "assign", "clock", "daily", "dispatch", "inspect")
CALLBACK_NOTICES = ("callback",)


async def _close_moot_notices(case_id: int, from_status: str, to_status: str) -> None:
    """Handling finished (待回访 or a final state): nobody is to be told to handle it or of its clocks any more; closed or
    out of our hands (已关闭, 不予受理, 转物业): nor of its callback. Closed in the move's transaction (app.core.notify.close)."""
    from app.core.notify import close

    kinds: tuple[str, ...] = ()
    if to_status in states.DONE and from_status not in states.DONE:
        kinds += HANDLING_NOTICES
    if to_status in states.FINAL:
        kinds += CALLBACK_NOTICES
    if kinds:
        await close([f"case:{case_id}:{k}" for k in kinds])


async def holders(role: str, project_id: int | None) -> list[dict]:
    """Active employees with a user account holding `role` whose scope reaches `project_id` (all when None),
    as {"id", "user", "name"} — two queries, never one per person."""
    rows = await Employee.select(Employee.id, Employee.user, Employee.name, Employee.all_projects, Employee.company.name).where(
        (Employee.position.role == role) & (Employee.active == True) & Employee.user.is_not_null()  # noqa: E712
    ).order_by(Employee.id)
    if project_id is None:
        return rows
    scoped_ids = {r["employee"] for r in await EmployeeProject.select(EmployeeProject.employee).where(
        EmployeeProject.project == project_id)}
    return [r for r in rows if r["all_projects"] or r["id"] in scoped_ids]


async def holder_users(roles: Iterable[str], project_id: int | None) -> list[int]:
    """The user ids of every holder of any of `roles` in the project, each once."""
    out: list[int] = []
    for role in dict.fromkeys(roles):
        out += [r["user"] for r in await holders(role, project_id)]
    return list(dict.fromkeys(out))


async def pick_handler(role: str, project_id: int | None) -> dict | None:
    """The holder of `role` in the project with the fewest open cases (ties: the lowest id). Holders employed by the
    project's developer (Project.company_name) come first: a group-wide 部门经理 of another company takes a case only
    when the project's own company has nobody in that role. Four queries."""
    people = await holders(role, project_id)
    if not people:
        return None
    if project_id is not None:
        from app.estate.tables import Project

        project = await Project.select(Project.company_name).where(Project.id == project_id).first()
        own = [p for p in people if project and p["company.name"] == project["company_name"]]
        people = own or people
    ids = [p["id"] for p in people]
    loads = {r["handler"]: r["n"] for r in await CareCase.raw(
        "SELECT handler, COUNT(*) AS n FROM care_case WHERE handler IN ({}) AND status NOT IN ({}) GROUP BY handler".format(
            ", ".join(str(int(i)) for i in ids), ", ".join("'" + s + "'" for s in sorted(states.DONE))))}
    best = min(people, key=lambda p: (loads.get(p["id"], 0), p["id"]))
    return {**best, "open": loads.get(best["id"], 0)}


async def schedule_callback(case: dict, closed_at: datetime, limits, cal) -> dict:
    """The follow-up call of a case that has just reached 待回访 (SPEC D4: within N working days of closing). Call in the
    action's transaction; returns the CareCase values to write with the move ({callback_due}). A callback still open from
    before a reopening is moved to the new due moment, not doubled."""
    from app.care import rules
    from app.care.tables import Callback

    due = rules.callback_due(closed_at, cal, limits)
    moved = await Callback.update({Callback.due_at: due}).where(
        (Callback.case == case["id"]) & Callback.called_at.is_null()).returning(Callback.id)
    if not moved:
        await Callback.insert(Callback(case=case["id"], project=case["project"], due_at=due))
    return {CareCase.callback_due: due}


async def reopen_changes(case: dict, at: datetime, limits) -> dict:
    """What a reopening writes besides the move (重开 by hand or after a 不满意 callback): the clocks start again from `at`
    (new due columns, first response / plan / close to be done again), so the worker measures the new round and not the
    closed one. The repair's own due columns are written here. Call in the action's transaction."""
    from app.care import clocks
    from app.care.tables import CareRepair

    repair = await CareRepair.select().where(CareRepair.case == case["id"]).first() if case["kind"] == "报修" else None
    cal = await clocks.calendar_around(at)
    case_dues, repair_dues = clocks.due_columns({**case, "received_at": at}, repair, [], cal, limits)
    if repair_dues:
        await CareRepair.update({getattr(CareRepair, k): v for k, v in repair_dues.items()}).where(CareRepair.case == case["id"])
    changes: dict = {getattr(CareCase, k): v for k, v in case_dues.items()}
    changes.update({CareCase.reopen_count: CareCase.reopen_count + 1, CareCase.reopened_at: at, CareCase.responded_at: None,
                    CareCase.plan_at: None, CareCase.closed_at: None, CareCase.on_time: None, CareCase.paused_since: None})
    return changes
