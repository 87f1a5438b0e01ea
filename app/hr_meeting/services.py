"""例会 queries and writes: recording the minutes with their action items (one transaction, one audit row), the paged
list, one meeting, my action items and marking one done (its owner only)."""
from __future__ import annotations

from datetime import date, timedelta

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import Parser, ascii_digits
from app.core.timeutil import now, today_local
from app.hr_meeting.tables import ActionItem, Meeting, MeetingPerson
from app.org.tables import Employee

ITEM_ROWS = 6  # action-item rows on the form
RECORDERS = frozenset({"supervisor", "dept_head"})  # 客服主管 and 客服副经理 record the minutes
RULE_TEXT = "[S] 71页制度 1.6：部门每周召开例会。纪要记录议题和决议，行动项须有负责人和完成期限。"


def can_record(user) -> bool:
    return (user.role or "") in RECORDERS


class MinutesError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


async def people_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.department.name, Employee.position.name).where(
        Employee.active == True).order_by(Employee.department).order_by(Employee.id)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['department.name'] or '—'} · {r['position.name'] or '—'}）") for r in rows]


def _ids(raw: list[str]) -> list[int]:
    out: list[int] = []
    for r in raw:
        if ascii_digits(r) and len(r) < 10 and int(r) not in out:
            out.append(int(r))
    return out


async def record(actor, values) -> int:
    p = Parser(values)
    held = p.date("held_on", "会议日期")
    chair_raw = p.raw("chair")
    chair = int(chair_raw) if ascii_digits(chair_raw) and len(chair_raw) < 10 else None
    if chair is None:
        p.fail("chair", "请选择主持人")
    present = _ids(p.getall("attendees"))
    absent = _ids(p.getall("absent"))
    topics = p.text("topics", "议题", max_len=4000)
    decisions = p.text("decisions", "决议", required=False, max_len=4000)
    today = today_local()
    if held and (held > today or held < today - timedelta(days=366)):
        p.fail("held_on", "会议日期应在一年以内，且不晚于今天")
    if not present:
        p.fail("attendees", "请选择参会人员")
    if set(present) & set(absent):
        p.fail("absent", "同一人不能既参会又缺席")
    items = []
    for i in range(1, ITEM_ROWS + 1):
        text = p.raw(f"item_text_{i}").strip()
        owner_raw = p.raw(f"item_owner_{i}").strip()
        due_raw = p.raw(f"item_due_{i}").strip()
        if not (text or owner_raw or due_raw):
            continue
        if not text:
            p.fail(f"item_text_{i}", f"第 {i} 项：请填写事项")
        elif len(text) > 300:
            p.fail(f"item_text_{i}", f"第 {i} 项：事项最多 300 个字")
        owner = int(owner_raw) if ascii_digits(owner_raw) and len(owner_raw) < 10 else None
        if owner is None:
            p.fail(f"item_owner_{i}", f"第 {i} 项：请选择负责人")
        due = p.date(f"item_due_{i}", f"第 {i} 项完成期限")
        if due and held and due < held:
            p.fail(f"item_due_{i}", f"第 {i} 项：完成期限不能早于会议日期")
        elif due and due > today + timedelta(days=366):
            p.fail(f"item_due_{i}", f"第 {i} 项：完成期限应在一年以内")
        items.append((i, text, owner, due))
    wanted = set(present) | set(absent) | ({chair} if chair else set()) | {o for _, _, o, _ in items if o}
    if wanted:
        found = {r["id"] for r in await Employee.select(Employee.id).where(Employee.id.is_in(sorted(wanted)) & (Employee.active == True))}  # noqa: E712
        if chair and chair not in found:
            p.fail("chair", "主持人不存在或已离职")
        if set(present) - found:
            p.fail("attendees", "所选参会人员不存在或已离职")
        if set(absent) - found:
            p.fail("absent", "所选缺席人员不存在或已离职")
        for i, _, o, _ in items:
            if o and o not in found:
                p.fail(f"item_owner_{i}", f"第 {i} 项：负责人不存在或已离职")
    if p.errors:
        raise MinutesError(p.errors)
    dept = await Employee.select(Employee.department).where(Employee.id == actor.employee_id).first() if actor.employee_id else None
    async with write_transaction():
        m = Meeting(held_on=held, department=dept["department"] if dept else None, chair=chair, topics=topics, decisions=decisions,
                    created_by=actor.employee_id, created_at=now())
        await m.save()
        await MeetingPerson.insert(*[MeetingPerson(meeting=m.id, employee=e, present=True) for e in present],
                                   *[MeetingPerson(meeting=m.id, employee=e, present=False) for e in absent])
        if items:
            await ActionItem.insert(*[ActionItem(meeting=m.id, text=t, owner=o, due_on=d) for _, t, o, d in items])
        await audit.record(actor=actor, action="hr_meeting.record", entity="hr_meeting", entity_id=m.id,
                           summary=f"{held:%Y-%m-%d} 例会纪要：参会 {len(present)} 人，缺席 {len(absent)} 人，行动项 {len(items)} 项",
                           after={"held_on": held.isoformat(), "chair": chair, "present": present, "absent": absent,
                                  "items": [{"text": t, "owner": o, "due_on": d.isoformat()} for _, t, o, d in items]},
                           ip=getattr(actor, "ip", ""))
    return m.id


def sees_all(user) -> bool:
    """人事 and the recorders (客服主管, 客服副经理) read every meeting's minutes."""
    from app.core.permissions import Perm

    return can_record(user) or user.can(Perm.HR_MANAGE)


def _theirs(user):
    """The meetings a staff member was at (present or absent) or has an action item from."""
    me = user.employee_id or 0
    return Meeting.id.is_in(MeetingPerson.select(MeetingPerson.meeting).where(MeetingPerson.employee == me)) | Meeting.id.is_in(
        ActionItem.select(ActionItem.meeting).where(ActionItem.owner == me))


def meetings_query(user):
    cols = (Meeting.id, Meeting.held_on, Meeting.chair.name, Meeting.department.name, Meeting.topics)
    sel, cnt = Meeting.select(*cols), Meeting.count()
    if not sees_all(user):
        sel, cnt = sel.where(_theirs(user)), cnt.where(_theirs(user))
    return sel.order_by(Meeting.held_on, ascending=False).order_by(Meeting.id, ascending=False), cnt


async def may_see(user, meeting_id: int) -> bool:
    return sees_all(user) or await Meeting.exists().where((Meeting.id == meeting_id) & _theirs(user))


async def item_counts(meeting_ids: list[int], today: date) -> dict[int, dict[str, int]]:
    out = {i: {"all": 0, "open": 0, "overdue": 0} for i in meeting_ids}
    if meeting_ids:
        for r in await ActionItem.select(ActionItem.meeting, ActionItem.done, ActionItem.due_on).where(ActionItem.meeting.is_in(meeting_ids)):
            c = out[r["meeting"]]
            c["all"] += 1
            if not r["done"]:
                c["open"] += 1
                c["overdue"] += r["due_on"] < today
    return out


async def meeting(meeting_id: int) -> dict | None:
    m = await Meeting.select(Meeting.id, Meeting.held_on, Meeting.chair.name, Meeting.department.name, Meeting.topics, Meeting.decisions,
                             Meeting.created_by.name, Meeting.created_at).where(Meeting.id == meeting_id).first()
    if m is None:
        return None
    people = await MeetingPerson.select(MeetingPerson.employee.name, MeetingPerson.present).where(
        MeetingPerson.meeting == meeting_id).order_by(MeetingPerson.id)
    m["present"] = [r["employee.name"] for r in people if r["present"]]
    m["absent"] = [r["employee.name"] for r in people if not r["present"]]
    m["items"] = await ActionItem.select(ActionItem.id, ActionItem.text, ActionItem.owner, ActionItem.owner.name, ActionItem.due_on,
                                         ActionItem.done, ActionItem.done_on).where(ActionItem.meeting == meeting_id).order_by(ActionItem.id)
    return m


def my_items_query(employee_id: int, show_done: bool):
    where = ActionItem.owner == employee_id
    if not show_done:
        where &= ActionItem.done == False  # noqa: E712
    cols = (ActionItem.id, ActionItem.text, ActionItem.due_on, ActionItem.done, ActionItem.done_on, ActionItem.meeting,
            ActionItem.meeting.held_on)
    return (ActionItem.select(*cols).where(where).order_by(ActionItem.done).order_by(ActionItem.due_on).order_by(ActionItem.id),
            ActionItem.count().where(where))


class NotYours(Exception):
    pass


async def mark_done(actor, item_id: int) -> dict | None:
    """The owner marks their item done (once; a second click changes nothing). None if there is no such item. A refused
    click (no such item, not theirs) opens no transaction, so it writes nothing (not even its idempotency key)."""
    it = await ActionItem.select(ActionItem.id, ActionItem.owner, ActionItem.text, ActionItem.done, ActionItem.meeting).where(
        ActionItem.id == item_id).first()
    if it is None:
        return None
    if it["owner"] != actor.employee_id:
        raise NotYours()
    if it["done"]:
        return it
    today = today_local()
    async with write_transaction():
        changed = await ActionItem.update({ActionItem.done: True, ActionItem.done_on: today}).where(
            (ActionItem.id == item_id) & (ActionItem.done == False)).returning(ActionItem.id)  # noqa: E712
        if changed:
            from app.core.notify import close
            from app.hr_meeting.remind import reference

            await close([reference(item_id)])
            await audit.record(actor=actor, action="hr_meeting.item_done", entity="hr_meeting_item", entity_id=item_id,
                               summary=f"例会行动项已完成：{it['text'][:80]}", before={"done": False},
                               after={"done": True, "done_on": today.isoformat()}, ip=getattr(actor, "ip", ""))
    return it


async def open_items(employee_id: int) -> list[dict]:
    return await ActionItem.select(ActionItem.id, ActionItem.text, ActionItem.due_on, ActionItem.meeting).where(
        (ActionItem.owner == employee_id) & (ActionItem.done == False)).order_by(ActionItem.due_on).limit(50)  # noqa: E712
