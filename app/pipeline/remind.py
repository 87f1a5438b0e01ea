"""Pipeline reminders (cron or the Procfile's worker): signing deadlines (D−1, D0), filing on days 20/25/28 after
signing and overdue from day 31, and the cancellations after an approved voiding once past their working-day limit.
The 按揭 clocks (documents D+1/D+7/书面催告, 面签, the bank's 3/5 WD, the release's 2 WD) are the REMINDERS of
app/pipeline/steps/mortgage.py. In-portal notifications to the holders of the owning position in the deal's project,
at most once a day per deal and kind.

Each reminder names the deal and its clock (`ref`, e.g. "deal:12:filing"); the pipeline action that completes the step
closes them in its own transaction (`step_done`), so nobody is reminded of a contract already signed or filed.

    python -m app.pipeline.remind
"""
from __future__ import annotations

import asyncio
from datetime import timedelta

from app.core.claims import serialise
from app.core.db import write_transaction
from app.core.notify import close, notify
from app.core.tables import Notification
from app.core.timeutil import today_local
from app.core.workdays import calendar_for
from app.org.tables import Employee, EmployeeProject
from app.pipeline import services
from app.pipeline.tables import Deal


CLOCKS = ("sign", "filing", "bank", "release")  # the deal's clocks a reminder can announce
STEP_CLOSES = {  # the pipeline action → the clocks it completes
    "sign": ("sign",),
    "void": CLOCKS,  # a void contract's clocks stop (its cancellations are reminded separately)
}


def clock_ref(deal_id: int, clock: str) -> str:
    return f"deal:{deal_id}:{clock}"


def cancel_ref(deal_id: int, step_id: int) -> str:
    """A cancellation after an approved voiding (one VoidStep row)."""
    return f"deal:{deal_id}:cancel:{step_id}"


def step_closes() -> dict[str, tuple[str, ...]]:
    """STEP_CLOSES plus each step module's `CLOSES`; a voided contract's clocks all stop."""
    from app.pipeline import steps

    extra = steps.collect_dict("CLOSES")
    clocks = tuple(dict.fromkeys(CLOCKS + tuple(c for cs in extra.values() for c in cs)))
    return {**STEP_CLOSES, **extra, "void": clocks}


async def step_done(deal_id: int, step: str) -> int:
    """Close the reminders the pipeline action `step` has made moot (step_closes(); other steps close none). Call inside
    the action's transaction."""
    return await close([clock_ref(deal_id, c) for c in step_closes().get(step, ())])


async def cancellation_done(deal_id: int, step_id: int) -> int:
    return await close([cancel_ref(deal_id, step_id)])


async def _owners(role: str, project_id: int) -> list[int]:
    rows = await Employee.select(Employee.user, Employee.all_projects, Employee.id).where(
        (Employee.position.role == role) & (Employee.active == True) & Employee.user.is_not_null())  # noqa: E712
    out = []
    for r in rows:
        if r["all_projects"] or await EmployeeProject.exists().where((EmployeeProject.employee == r["id"]) & (EmployeeProject.project == project_id)):
            out.append(r["user"])
    return out


async def _send(role: str, deal: dict, text: str, ref: str, owners: dict) -> int:
    """Once per owner and text (the text carries the day), also when several workers run at once: the check and the insert
    are serialised per owner and unit. A reminder closed by its action is not sent again that day,
    and the next day the condition no longer holds. `owners` holds this run's (role, project) → users, so the owners
    of a project are looked up once per run, not once per deal."""
    url = f"/pipeline/units/{deal['unit']}"
    sent = 0
    key = (role, deal["project"])
    if key not in owners:
        owners[key] = await _owners(role, deal["project"])
    for uid in owners[key]:
        async with write_transaction():  # the check and the insert as one, across workers and hosts (app/core/claims.py)
            await serialise(f"pipeline-notice:{uid}:{url}")
            already = await Notification.exists().where((Notification.user == uid) & (Notification.url == url) & (Notification.text == text)
                                                        & (Notification.kind == "pipeline"))
            if not already:
                await notify(uid, text, url, "pipeline", ref=ref)
                sent += 1
    return sent


class RemindContext:
    """What a step module's reminder (`REMINDERS` in app/pipeline/steps) gets: today, the pipeline limits, the
    working-day calendar loader, and `send` (once per owner, text and day, to the holders of a role in the deal's project;
    `deal` needs id, unit, project and number)."""

    def __init__(self, today, limits: dict, owners: dict):
        self.today, self.limits, self._owners = today, limits, owners

    async def send(self, role: str, deal: dict, text: str, clock: str) -> int:
        return await _send(role, deal, text, clock_ref(deal["id"], clock), self._owners)

    async def calendar(self, start, end):
        return await calendar_for(start, end)


async def remind_once() -> int:
    today = today_local()
    sent = 0
    owners: dict = {}
    # the signing deadline (D−1, D0, then 逾期未签) is the 认购 step's: app/pipeline/steps/subscription.py REMINDERS
    limits = await services.all_settings()
    # the filing reminders (day 20/25/28, overdue from day 31): app/pipeline/steps/filing.py (REMINDERS)
    # the 按揭 clocks (documents D+1/D+7/书面催告, 面签, the bank 3/5 WD, the release 2 WD): app/pipeline/steps/mortgage.py REMINDERS
    from app.pipeline.tables import VoidStep

    for st in await VoidStep.select(VoidStep.id.as_alias("step_id"), VoidStep.step, VoidStep.owner, VoidStep.due_on, VoidStep.deal.as_alias("id"),
                                    VoidStep.deal.unit.as_alias("unit"), VoidStep.deal.project.as_alias("project"),
                                    VoidStep.deal.number.as_alias("number")).where(
            VoidStep.done_on.is_null() & (VoidStep.due_on < today)):  # A5: the cancellation is past its working-day limit
        sent += await _send(st["owner"], st, f"{today} {st['number']} 合同作废后的{st['step']}已逾期（期限 {st['due_on']}）",
                            cancel_ref(st["id"], st["step_id"]), owners)
    from app.pipeline import steps

    ctx = RemindContext(today, limits, owners)
    for reminder in steps.collect("REMINDERS"):  # each step module's own reminders
        sent += await reminder(ctx)
    return sent


if __name__ == "__main__":
    print(f"reminders sent: {asyncio.run(remind_once())}")
