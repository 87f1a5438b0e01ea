"""例会 demo data (SPEC §G): one weekly meeting chaired by the 客服副经理 with an action item for the 客服主管 and one,
overdue, for the 置业顾问. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import now, today_local
from app.hr_meeting.tables import ActionItem, Meeting, MeetingPerson
from app.org.tables import Employee


async def seed() -> None:
    if await Meeting.exists():
        return
    emps = {r["user.username"]: r for r in await Employee.select(Employee.id, Employee.department, Employee.user.username).where(
        Employee.user.username.is_in(["dept_head", "supervisor", "sales"]))}
    if len(emps) < 3:
        return
    held = today_local() - timedelta(days=7)
    m = Meeting(held_on=held, department=emps["dept_head"]["department"], chair=emps["dept_head"]["id"],
                topics="1. 上周投诉处理情况\n2. 本月交房准备", decisions="交房前一周完成全部房屋预验收", created_by=emps["dept_head"]["id"], created_at=now())
    await m.save()
    await MeetingPerson.insert(*[MeetingPerson(meeting=m.id, employee=emps[u]["id"], present=True) for u in ("dept_head", "supervisor", "sales")])
    await ActionItem.insert(ActionItem(meeting=m.id, text="整理交房资料清单", owner=emps["supervisor"]["id"], due_on=held + timedelta(days=14)),
                            ActionItem(meeting=m.id, text="回访上周投诉客户", owner=emps["sales"]["id"], due_on=held + timedelta(days=3)))
