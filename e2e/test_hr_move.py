"""晋升 changes what the person may approve the next time they sign in (issue 12 acceptance, SPEC §E9): a new
客户关系专员 (made in the e2e server's own database) files their own 晋升申请 to 客服主管 in the browser; 人事, 分管副总 and
总经理 approve it from their inboxes; the 公示 is moved into the past in that database and the worker pass
`python -m app.hr_move.remind` makes the appointment; a 置业顾问 then files a 1-day leave, and when the promoted person signs
in again the leave is in their 待办 and they may approve it."""
from __future__ import annotations

import json
import uuid

from playwright.sync_api import expect

from app.core.timeutil import today_local
from app.core.workdays import WorkCalendar
from e2e.flows import approve_chain, open_new_request, submit_request
from e2e.test_care_callbacks import run, server_env

PASSWORD = "Promote2026x"

SETUP = r"""
import asyncio, json, sys
from datetime import timedelta
from piccolo.apps.user.tables import BaseUser
from app.core.timeutil import now, today_local
from app.hr_move.tables import PositionHistory
from app.org.tables import Employee, Position

async def main(tag, password):
    m = await Employee.select(Employee.id, Employee.company, Employee.department).where(Employee.user.username == "cr_supervisor").first()
    pos = await Position.select(Position.id).where(Position.code == "cr_officer").first()
    user = await BaseUser.create_user(username=f"promo_{tag}", password=password, email=f"promo_{tag}@test.invalid", active=True)
    emp = Employee(user=user.id, employee_no=f"PR{tag}", name=f"晋升测试{tag[:4]}", company=m["company"], department=m["department"],
                   position=pos["id"], manager=m["id"], hired_on=today_local() - timedelta(days=900), active=True)
    await emp.save()
    await PositionHistory.insert(PositionHistory(employee=emp.id, company=m["company"], department=m["department"], position=pos["id"],
                                                 since=emp.hired_on, reason="入职", created_at=now()))
    # a 置业顾问 of their own for the leave after the appointment (the demo `sales` has other tests' leaves on those days)
    s = await Employee.select(Employee.position, Employee.company, Employee.department, Employee.manager).where(Employee.user.username == "sales").first()
    u2 = await BaseUser.create_user(username=f"leave_{tag}", password=password, email=f"leave_{tag}@test.invalid", active=True)
    await Employee(user=u2.id, employee_no=f"PL{tag}", name=f"请假测试{tag[:4]}", company=s["company"], department=s["department"],
                   position=s["position"], manager=s["manager"], hired_on=today_local() - timedelta(days=400), active=True).save()
    print(json.dumps({"id": emp.id, "username": user.username, "filer": u2.username}))

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""

END_PUBLICATION = r"""
import asyncio, sys
from datetime import timedelta
from app.core.timeutil import today_local
from app.hr_move.tables import Promotion
from app.workflow.tables import Request

async def main(number):
    req = await Request.select(Request.id).where(Request.number == number).first()
    await Promotion.update({Promotion.publish_until: today_local() - timedelta(days=1)}).where(Promotion.request == req["id"])

asyncio.run(main(sys.argv[1]))
"""


def test_promotion_changes_what_the_person_approves_next_sign_in(page, login_page, server_url):
    env = server_env(server_url)
    me = json.loads(run(env, "-c", SETUP, uuid.uuid4().hex[:8], PASSWORD).strip().splitlines()[-1])

    login_page.sign_in(me["username"], PASSWORD)
    open_new_request(page, server_url, "promotion")
    expect(page.get_by_test_id("promotion-rules")).to_contain_text("公示 3 个工作日")
    page.get_by_test_id("field-employee").fill(str(me["id"]))
    page.get_by_test_id("field-to_position").select_option(label="客服主管")
    page.get_by_test_id("field-to_grade").select_option(label="M1 主管级")
    page.get_by_test_id("field-score").fill("90")
    page.get_by_test_id("field-appraisal").fill("年度考核优秀，带教新人三名")
    page.get_by_test_id("field-salary_change").fill("1200")
    number = submit_request(page)
    expect(page.get_by_test_id("timeline")).to_contain_text("总经理审批（主管及以上）")
    login_page.sign_out()

    approve_chain(page, login_page, number, ["hr", "vp", "gm"])
    login_page.sign_in(me["username"], PASSWORD)
    page.goto(server_url + "/workflow?tab=mine")
    page.get_by_test_id("request-link").filter(has_text=number).first.click()
    expect(page.get_by_test_id("promotion-state")).to_contain_text("公示中")
    login_page.sign_out()

    run(env, "-c", END_PUBLICATION, number)
    assert "completed: 1" in run(env, "-m", "app.hr_move.remind")

    cal = WorkCalendar()
    day = cal.add_working_days(today_local(), 15)
    login_page.sign_in(me["filer"], PASSWORD)
    open_new_request(page, server_url, "leave")
    page.get_by_test_id("field-kind").select_option("事假")
    page.get_by_test_id("field-start_on").fill(day.isoformat())
    page.get_by_test_id("field-start_half").select_option("上午")
    page.get_by_test_id("field-end_on").fill(day.isoformat())
    page.get_by_test_id("field-end_half").select_option("下午")
    page.get_by_test_id("field-reason").fill("孩子家长会")
    leave = submit_request(page)
    login_page.sign_out()

    login_page.sign_in(me["username"], PASSWORD)  # the next sign-in: the 客服主管's duty is theirs now
    page.goto(server_url + "/workflow")
    link = page.get_by_test_id("request-link").filter(has_text=leave).first
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_test_id("timeline")).to_contain_text("客服主管审批")
    expect(page.get_by_test_id("act-approve")).to_be_visible()
