"""The daily report's schedule (SPEC §B 合同登记进度日报表): generated automatically at 17:30, confirmed by the 合同专员,
approved by the 客服主管 and sent by 18:00 to the 客服副经理, 销售部 and 财务. Both times are admin settings
(台账与日报设置, `LedgerSetting`), read in Asia/Shanghai time.

Which days: every working day of the holiday calendar (app/core/workdays: statutory holidays, 调休 make-up days and the
admin's overrides). The SPEC names no days; the department works the calendar's working days, and on a rest day with
sales activity the 合同专员 can still file that day's report by hand (/workflow/new/daily_report). The setting
`report_workdays_only` = 否 runs it every day instead.

Exactly once across processes and hosts: a pass inserts one `ReportRun` per project and day (`key` unique, INSERT …
ON CONFLICT DO NOTHING RETURNING) and only the pass whose insert returned the row generates it and tells the 合同专员;
the late reminder is a conditional update of `reminded_at` (WHERE reminded_at IS NULL RETURNING). Sending is the
approval (flows.daily_report_approved stamps `sent_at`; the engine notifies the recipients with the link).

    python -m app.ledgers.schedule                  # one pass (cron)
    python -m app.ledgers.schedule --every 300      # the Procfile's `report` worker: a pass every 5 minutes
    python -m app.ledgers.schedule --now 2026-12-02T17:31+08:00   # as if it were that moment (checks, tests)
"""
from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from datetime import date, datetime

from app.core import audit
from app.core.db import write_transaction
from app.core.notify import notify
from app.core.timeutil import now as current_time
from app.core.timeutil import to_local
from app.ledgers import report, rules
from app.ledgers.tables import DailyReport, LedgerSetting, ReportRun

# key → (label, default, tag): the admin's 台账与日报设置 (seeded on start and by seeds/ledgers.py)
SETTINGS: dict[str, tuple[str, str, str]] = {
    "report_generate_at": ("合同登记进度日报表自动生成时间（时:分，北京时间）", "17:30", "S"),
    "report_send_by": ("日报表须发送的时间，逾时提醒合同专员和客服主管（时:分）", "18:00", "C"),
    "report_workdays_only": ("只在工作日（节假日日历）自动生成：是 / 否", "是", "C"),
}
CONFIRM_ROLE, APPROVE_ROLE = "contract", "supervisor"


@dataclass(frozen=True)
class ScheduleConfig:
    generate_at: tuple[int, int]
    send_by: tuple[int, int]
    workdays_only: bool
    problems: tuple[str, ...] = ()


async def seed_settings() -> int:
    have = {r["key"] for r in await LedgerSetting.select(LedgerSetting.key)}
    new = [LedgerSetting(key=k, label=label, value=v, tag=tag) for k, (label, v, tag) in SETTINGS.items() if k not in have]
    if new:
        await LedgerSetting.insert(*new)
    return len(new)


async def load_config() -> ScheduleConfig:
    """The settings as typed in the admin; a value that cannot be read falls back to its default and is reported."""
    values = {r["key"]: r["value"] for r in await LedgerSetting.select(LedgerSetting.key, LedgerSetting.value)}
    problems = []

    def clock(key: str) -> tuple[int, int]:
        try:
            return rules.parse_clock(values.get(key, SETTINGS[key][1]))
        except ValueError as e:
            problems.append(f"{SETTINGS[key][0]}：{e}，已按默认值 {SETTINGS[key][1]}")
            return rules.parse_clock(SETTINGS[key][1])

    gen, send = clock("report_generate_at"), clock("report_send_by")
    if send <= gen:
        problems.append("日报表发送时间应晚于生成时间，已按默认值 17:30 / 18:00")
        gen, send = rules.parse_clock(SETTINGS["report_generate_at"][1]), rules.parse_clock(SETTINGS["report_send_by"][1])
    flag = (values.get("report_workdays_only") or "是").strip()
    return ScheduleConfig(gen, send, flag not in ("否", "0", "no", "false"), tuple(problems))


async def _owners(role: str, project_id: int) -> list[int]:
    """Active holders of the role who see the project (one query)."""
    from app.org.tables import Employee, EmployeeProject

    rows = await Employee.select(Employee.user, Employee.all_projects, Employee.id).where(
        (Employee.position.role == role) & (Employee.active == True) & Employee.user.is_not_null())  # noqa: E712
    if not rows:
        return []
    scoped = {r["employee"] for r in await EmployeeProject.select(EmployeeProject.employee).where(
        (EmployeeProject.project == project_id) & EmployeeProject.employee.is_in([r["id"] for r in rows]))}
    return [r["user"] for r in rows if r["all_projects"] or r["id"] in scoped]


def confirm_url(project_id: int, day: date) -> str:
    return f"/workflow/new/daily_report?project={project_id}&report_date={day.isoformat()}"


async def _projects_with_deals() -> list[dict]:
    from app.estate.tables import Project
    from app.pipeline.tables import Deal

    ids = [r["project"] for r in await Deal.select(Deal.project).distinct()]
    if not ids:
        return []
    return await Project.select(Project.id, Project.name, Project.code).where(Project.id.is_in(ids)).order_by(Project.code)


async def generate(day: date) -> int:
    """One ReportRun per project with deals for `day`, generated once whichever process gets there first."""
    made = 0
    for p in await _projects_with_deals():
        async with write_transaction():
            rows = await ReportRun.insert(ReportRun(key=f"{p['id']}:{day.isoformat()}", project=p["id"], report_date=day,
                                                    generated_at=current_time())).on_conflict(
                target=ReportRun.key, action="DO NOTHING").returning(ReportRun.id)
            if not rows:
                continue  # another pass (this host or another) generated it
            figures = await report.generate([p["id"]], day, day)
            await ReportRun.update({ReportRun.snapshot: report.to_json(figures)}).where(ReportRun.id == rows[0]["id"])
            await audit.record(actor=None, action="ledger.report_generated", entity="lg_report_run", entity_id=rows[0]["id"],
                               summary=f"自动生成合同登记进度日报表：{p['name']} {day}")
            for user_id in await _owners(CONFIRM_ROLE, p["id"]):
                await notify(user_id, f"{p['name']} {day} 的合同登记进度日报表已生成，请核对后确认提交（客服主管审批后发送）",
                             confirm_url(p["id"], day), "reminder", f"report:{p['id']}:{day.isoformat()}")
            made += 1
    return made


async def remind_late(day: date) -> int:
    """After the send-by time: every report of the day not yet sent (approved) reminds the 合同专员 and the 客服主管, once."""
    sent = 0
    for r in await ReportRun.select(ReportRun.id, ReportRun.project, ReportRun.project.name, ReportRun.report_date).where(
            (ReportRun.report_date == day) & ReportRun.sent_at.is_null() & ReportRun.reminded_at.is_null()):
        approved = await DailyReport.select(DailyReport.request).where(
            (DailyReport.project == r["project"]) & (DailyReport.report_date == day) & (DailyReport.request.status == "已通过")).first()
        async with write_transaction():
            if approved:  # approved before the hook could stamp it (e.g. an older request): it was sent
                await ReportRun.update({ReportRun.sent_at: current_time(), ReportRun.request: approved["request"]}).where(
                    (ReportRun.id == r["id"]) & ReportRun.sent_at.is_null())
                continue
            won = await ReportRun.update({ReportRun.reminded_at: current_time()}).where(
                (ReportRun.id == r["id"]) & ReportRun.reminded_at.is_null() & ReportRun.sent_at.is_null()).returning(ReportRun.id)
            if not won:
                continue
            pending = await DailyReport.select(DailyReport.request).where(
                (DailyReport.project == r["project"]) & (DailyReport.report_date == day) & (DailyReport.request.status == "审批中")).first()
            url = f"/workflow/requests/{pending['request']}" if pending else confirm_url(r["project"], day)
            text = (f"逾期提醒：{r['project.name']} {day} 的合同登记进度日报表未按时发送（须在规定时间前经客服主管审批发送）"
                    + ("，目前待客服主管审批" if pending else "，合同专员尚未确认提交"))
            users = set(await _owners(CONFIRM_ROLE, r["project"])) | set(await _owners(APPROVE_ROLE, r["project"]))
            for user_id in sorted(users):
                await notify(user_id, text, url, "overdue", f"report-late:{r['project']}:{day.isoformat()}")
            sent += 1
    return sent


async def run_once(at: datetime | None = None) -> dict[str, int]:
    local = to_local(at or current_time())
    day = local.date()
    cfg = await load_config()
    if cfg.workdays_only:
        from app.core.workdays import calendar_for

        if not (await calendar_for(day, day)).is_workday(day):
            return {"generated": 0, "reminded": 0}
    gen, late = rules.schedule_due(local, cfg.generate_at, cfg.send_by)
    return {"generated": await generate(day) if gen else 0, "reminded": await remind_late(day) if late else 0}


async def mark_sent(project_id: int, day: date, request_id: int) -> None:
    """The approval of a day's report is its sending: stamp the run (inside the approving transaction)."""
    from app.core.notify import close

    await ReportRun.update({ReportRun.sent_at: current_time(), ReportRun.request: request_id}).where(
        (ReportRun.project == project_id) & (ReportRun.report_date == day) & ReportRun.sent_at.is_null())
    await close([f"report-late:{project_id}:{day.isoformat()}"])  # the late reminder is answered


async def main(every: int | None, at: datetime | None) -> None:
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        await seed_settings()
        while True:
            result = await run_once(at)
            print(f"daily report: {result}", flush=True)
            if not every:
                return
            await asyncio.sleep(every)
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--every", type=int, default=None, help="seconds between passes; omit for a single pass")
    ap.add_argument("--now", default=None, help="run as if it were this moment (ISO 8601 with offset)")
    args = ap.parse_args()
    asyncio.run(main(args.every, datetime.fromisoformat(args.now) if args.now else None))
