"""The training record's section on the employee record page (/hr/people/{id}) and its timeline events."""
from __future__ import annotations

from app.core.permissions import Perm
from app.hr_course import services
from app.hr_course.tables import APPROVED, CourseAttendance

ORDER = 60


async def section(emp: dict, viewer) -> dict | None:
    record = await services.record_of(emp["id"])
    show_scores = viewer is not None and (viewer.can(Perm.HR_MANAGE) or getattr(viewer, "employee_id", None) == emp["id"])
    return {"title": "内部培训记录", "template": "hr_course/_profile.html",
            "ctx": {"record": record, "show_scores": show_scores}}


async def events(employee_id: int) -> list[dict]:
    rows = await CourseAttendance.select(CourseAttendance.session, CourseAttendance.session.topic, CourseAttendance.session.held_on,
                                         CourseAttendance.session.hours, CourseAttendance.session.new_hire).where(
        (CourseAttendance.employee == employee_id) & (CourseAttendance.session.status == APPROVED))
    return [{"on": r["session.held_on"],
             "text": f"参加{'新员工入职培训' if r['session.new_hire'] else '内部培训'}「{r['session.topic']}」（{r['session.hours']} 课时）",
             "url": f"/hr/courses/{r['session']}"} for r in rows]
