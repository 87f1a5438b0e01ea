"""Sales-office demo data (SPEC §F): the shift patterns (三班, 两班), the demo project JC01's security team and cleaning
team with their outsourced people (the leads and the demo guard/cleaner accounts linked to their portal sign-ins),
the security posts of F1, and a 开盘 day next month. Idempotent: written once. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import today_local
from app.estate.tables import Project
from app.org.tables import Employee
from app.site.tables import CLEANING, SECURITY, ShiftPattern, ShiftSlot, SiteEvent, SitePost, SiteTeam, SiteWorker

PATTERNS = {
    "三班": ("08:00–16:00、16:00–24:00、00:00–08:00", [("早班", "08:00", "16:00"), ("中班", "16:00", "24:00"), ("夜班", "00:00", "08:00")]),
    "两班": ("08:00–20:00、20:00–次日 08:00", [("白班", "08:00", "20:00"), ("夜班", "20:00", "08:00")]),
}
POSTS = [  # SPEC §F1: name, duties, pattern, headcount, night only
    ("门岗/迎宾", "开门、迎宾，引导来访客户至前台", "两班", 1, False),
    ("车场", "引导停车、开车门、车辆登记", "两班", 1, False),
    ("大厅形象岗", "维护沙盘区、洽谈区秩序", "两班", 1, False),
    ("样板房/看房通道", "发放鞋套，维护看房通道安全", "两班", 1, False),
    ("巡逻", "周界巡逻", "两班", 1, False),
    ("监控/夜班", "闭馆后值守监控", "两班", 1, True),
]
SECURITY_PEOPLE = [("security_captain", "保安队长"), ("guard", ""), ("guard2", ""), ("guard3", ""), ("guard4", "")]
EXTRA_GUARDS = ["马建国", "周立新", "吴志强", "郑海涛", "冯晓东", "陈宝华", "褚永刚"]  # outsourced: no portal account
CLEANING_PEOPLE = [("cleaning_lead", ""), ("cleaner", ""), ("cleaner2", ""), ("cleaner3", "")]
EXTRA_CLEANERS = ["蒋桂兰", "沈秀英"]


async def _employee(username: str) -> dict | None:
    return await Employee.select(Employee.id, Employee.name).where(Employee.user.username == username).first()


async def _patterns() -> dict[str, int]:
    ids = {}
    for name, (note, slots) in PATTERNS.items():
        row = await ShiftPattern.select(ShiftPattern.id).where(ShiftPattern.name == name).first()
        if row is None:
            p = ShiftPattern(name=name, note=note)
            await p.save()
            await ShiftSlot.insert(*[ShiftSlot(pattern=p.id, name=n, start=a, end=b, sort=i) for i, (n, a, b) in enumerate(slots)])
            ids[name] = p.id
        else:
            ids[name] = row["id"]
    return ids


async def _team(project: int, name: str, kind: str, contractor: str, lead_user: str, people, extra: list[str], badge: str) -> int:
    lead = await _employee(lead_user)
    team = SiteTeam(name=name, kind=kind, project=project, contractor=contractor, lead=lead["id"] if lead else None)
    await team.save()
    rows, n = [], 0
    for username, _title in people:
        emp = await _employee(username)
        if emp:
            n += 1
            rows.append(SiteWorker(team=team.id, name=emp["name"], badge=f"{badge}{n:03d}", employee=emp["id"]))
    for name_ in extra:
        n += 1
        rows.append(SiteWorker(team=team.id, name=name_, badge=f"{badge}{n:03d}"))
    await SiteWorker.insert(*rows)
    return team.id


async def seed() -> None:
    patterns = await _patterns()
    if await SiteTeam.exists():
        return
    project = await Project.select(Project.id).where(Project.code == "JC01").first()
    if project is None:
        return
    pid = project["id"]
    sec = await _team(pid, "锦城一期售楼处保安队", SECURITY, "锦城物业服务有限公司", "security_captain", SECURITY_PEOPLE, EXTRA_GUARDS, "BA")
    await _team(pid, "锦城一期售楼处保洁组", CLEANING, "洁美保洁服务有限公司", "cleaning_lead", CLEANING_PEOPLE, EXTRA_CLEANERS, "BJ")
    await SitePost.insert(*[SitePost(team=sec, name=n, duties=d, pattern=patterns[p], headcount=h, night_only=night, sort=i)
                            for i, (n, d, p, h, night) in enumerate(POSTS)])
    first_next = (today_local().replace(day=1) + timedelta(days=32)).replace(day=1)
    await SiteEvent.insert(SiteEvent(project=pid, day=first_next + timedelta(days=5), kind="开盘", extra=1, note="二期开盘"))
