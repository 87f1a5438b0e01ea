"""The record's own sections: 奖惩 (§G) and the approval items the person holds (open tasks assigned to them, their own
open requests, read from app/workflow's tables); its events: the hire date and each reward or penalty."""
from __future__ import annotations

from app.hr_people import services
from app.org.tables import Employee
from app.workflow.tables import Request, Task

ORDER = 70
OPEN_REQUESTS = ("审批中", "已退回")


async def section(emp: dict, viewer) -> list[dict]:
    rows = await services.rewards_of(emp["id"])
    tasks, requests = [], []
    if emp.get("user"):
        tasks = await Task.select(Task.id, Task.request, Task.request.number.as_alias("number"), Task.request.title.as_alias("title"),
                                  Task.step.name.as_alias("step_name")).where(
            (Task.assignee == emp["user"]) & (Task.status == "待处理")).order_by(Task.id, ascending=False).limit(100)
    requests = await Request.select(Request.id, Request.number, Request.title, Request.status).where(
        (Request.applicant == emp["id"]) & Request.status.is_in(list(OPEN_REQUESTS))).order_by(Request.id, ascending=False).limit(100)
    return [
        {"title": f"奖惩记录（{len(rows)}）", "template": "hr_people/_profile_rewards.html", "ctx": {"rows": rows}},
        {"title": "经办中的审批", "template": "hr_people/_profile_tasks.html", "ctx": {"tasks": tasks, "requests": requests}},
    ]


async def events(employee_id: int) -> list[dict]:
    emp = await Employee.select(Employee.hired_on).where(Employee.id == employee_id).first()
    out = [{"on": emp["hired_on"], "text": "入职", "url": None}] if emp and emp["hired_on"] else []
    for r in await services.rewards_of(employee_id):
        out.append({"on": r["on"], "text": f"{r['kind']}：{r['title']}", "url": None})
    return out
