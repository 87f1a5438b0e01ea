"""The daily report's schedule (SPEC §B): generated at 17:30 (a setting) once per project and day however many worker
passes and processes run; the 合同专员 told to confirm; a reminder to the 合同专员 and 客服主管 when it is not sent by
18:00 (a setting), once; the approval sends it to the 客服副经理, 销售部 and 财务 with the link."""
import asyncio
import os
import subprocess
import sys
from datetime import datetime, time, timedelta

import pytest

from app.core.tables import Notification
from app.core.timeutil import SHANGHAI, today_local
from app.core.workdays import load_calendar
from app.ledgers import schedule
from app.ledgers.tables import LedgerSetting, ReportRun
from tests.conftest import sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project
from tests.integration.workflow.helpers import approve_as, submit

pytestmark = pytest.mark.integration
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


async def _working_day(back: int = 0):
    """The `back`-th working day before (or on) today: the worker runs on working days only by default."""
    today = today_local()
    cal = await load_calendar(today - timedelta(days=40), today)
    d = today
    while not cal.is_workday(d):
        d -= timedelta(days=1)
    for _ in range(back):
        d -= timedelta(days=1)
        while not cal.is_workday(d):
            d -= timedelta(days=1)
    return d


def _at(day, hh, mm):
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


async def _project_with_a_deal(prefix: str):
    p = await make_project(prefix, units=1)
    await make_deal(p, p["units"][0], await make_buyer("日报计划", 41))
    return p


async def _runs(project_id: int, day) -> list[dict]:
    return await ReportRun.select().where((ReportRun.project == project_id) & (ReportRun.report_date == day))


async def test_generated_at_the_time_once_across_passes_and_processes():
    await schedule.seed_settings()
    day = await _working_day(2)
    p = await _project_with_a_deal("TSA")
    from app.org.tables import Employee, EmployeeProject

    officer = await Employee.select(Employee.id, Employee.all_projects).where(Employee.user.username == "contract").first()
    await EmployeeProject.insert(EmployeeProject(employee=officer["id"], project=p["id"]))  # the project's 合同专员
    assert (await schedule.run_once(_at(day, 17, 29)))["generated"] == 0 and not await _runs(p["id"], day)  # before 17:30
    results = await asyncio.gather(schedule.run_once(_at(day, 17, 31)), schedule.run_once(_at(day, 17, 32)))
    runs = await _runs(p["id"], day)
    assert len(runs) == 1 and runs[0]["snapshot"] and runs[0]["generated_at"]
    assert sum(r["generated"] for r in results) >= 1
    # two more worker processes at once on the same database: nothing generated twice
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-m", "app.ledgers.schedule", "--now", _at(day, 17, 40).isoformat()], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    assert len(await _runs(p["id"], day)) == 1
    contract_told = await Notification.select(Notification.url).where(
        (Notification.user.username == "data") | (Notification.user.username == "contract"))
    # the 合同专员 of the project is told once, with the confirmation form's link (data is no 合同专员: told nothing)
    officers = await Employee.select(Employee.user).where((Employee.position.role == "contract") & (
        (Employee.all_projects == True) | Employee.id.is_in(EmployeeProject.select(EmployeeProject.employee).where(  # noqa: E712
            EmployeeProject.project == p["id"]))))
    url = schedule.confirm_url(p["id"], day)
    told = await Notification.count().where(Notification.url == url)
    assert told == len(officers) and told >= 1, (told, officers, contract_told)
    assert await Notification.count().where((Notification.url == url) & (Notification.user.username == "contract")) == 1


async def test_the_report_page_states_the_schedule(new_client):
    await schedule.seed_settings()
    c = await sign_in(await new_client(), "supervisor")
    r = await c.get("/ledgers/report")
    assert r.status_code == 200 and "每个工作日 17:30" in r.text and "18:00 前" in r.text


async def test_the_time_is_a_setting_and_rest_days_are_skipped():
    await schedule.seed_settings()
    day = await _working_day(3)
    p = await _project_with_a_deal("TSB")
    await LedgerSetting.update({LedgerSetting.value: "16:00"}).where(LedgerSetting.key == "report_generate_at")
    try:
        await schedule.run_once(_at(day, 16, 5))
        assert len(await _runs(p["id"], day)) == 1
    finally:
        await LedgerSetting.update({LedgerSetting.value: "17:30"}).where(LedgerSetting.key == "report_generate_at")
    today = today_local()
    cal = await load_calendar(today - timedelta(days=30), today)
    rest = next(today - timedelta(days=i) for i in range(1, 30) if not cal.is_workday(today - timedelta(days=i)))
    assert await schedule.run_once(_at(rest, 17, 45)) == {"generated": 0, "reminded": 0}
    assert not await _runs(p["id"], rest)
    await LedgerSetting.update({LedgerSetting.value: "25:99"}).where(LedgerSetting.key == "report_send_by")
    try:
        cfg = await schedule.load_config()
        assert cfg.send_by == (18, 0) and cfg.problems and "不是有效的时间" in cfg.problems[0]
    finally:
        await LedgerSetting.update({LedgerSetting.value: "18:00"}).where(LedgerSetting.key == "report_send_by")


async def test_late_reminder_once_and_sending_notifies_the_three(new_client):
    await schedule.seed_settings()
    day = await _working_day(1)
    late = await _project_with_a_deal("TSC")
    ontime = await _project_with_a_deal("TSD")
    await schedule.run_once(_at(day, 17, 31))
    assert len(await _runs(late["id"], day)) == 1 and len(await _runs(ontime["id"], day)) == 1
    # ontime: the data officer confirms, the supervisor approves before 18:00 — that is the sending
    data = await sign_in(await new_client(), "data")
    rid, r = await submit(data, "daily_report", {"project": str(ontime["id"]), "report_date": day.isoformat()})
    assert rid, r.text[-1500:]
    await approve_as(new_client, rid, "supervisor", "已核对")
    run = (await _runs(ontime["id"], day))[0]
    assert run["sent_at"] is not None and run["request"] == rid
    for username in ("dept_head", "sales_manager", "finance_manager"):
        assert await Notification.exists().where((Notification.user.username == username) & (Notification.url == f"/workflow/requests/{rid}")), username
    assert (await schedule.run_once(_at(day, 17, 59)))["reminded"] == 0  # before 18:00 nobody is reminded
    first = await schedule.run_once(_at(day, 18, 1))
    assert first["reminded"] >= 1
    text = f"{late['name']} {day} 的合同登记进度日报表未按时发送"
    sup = await Notification.count().where((Notification.user.username == "supervisor") & Notification.text.like(f"%{text}%"))
    assert sup == 1
    assert not await Notification.exists().where(Notification.text.like(f"%{ontime['name']} {day} 的合同登记进度日报表未按时发送%"))
    again = await schedule.run_once(_at(day, 18, 20))
    assert await Notification.count().where((Notification.user.username == "supervisor") & Notification.text.like(f"%{text}%")) == 1
    assert (await _runs(late["id"], day))[0]["reminded_at"] is not None and again["generated"] == 0
