"""Gate-log demo data (SPEC §F4): yesterday's visitors and vehicles at JC01's security team, all gone home, so the day
filter has something to show. Idempotent: written once. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import datetime, timedelta

from app.core.timeutil import SHANGHAI, today_local
from app.org.tables import Employee
from app.site.tables import SECURITY, SiteTeam
from app.site_logs.tables import SiteVehicle, SiteVisitor

VISITORS = [  # name, mobile, purpose, host, id shown, in, out
    ("王先生", "13800001111", "看房", "", False, "10:05", "11:20"),
    ("李女士", "13900002222", "签约", "", False, "14:30", "16:10"),
    ("赵工", "13700003333", "施工", "工程部 刘经理", True, "09:10", "12:00"),
]
VEHICLES = [  # plate, type, party, bay, in, out
    ("川A12345", "小型车", "访客", "A-03", "10:00", "11:25"),
    ("川AD23456", "新能源", "访客", "A-07", "14:25", "16:15"),
    ("川B7K8M9", "小型车", "员工", "员工-2", "08:40", "18:30"),
]


async def seed() -> None:
    if await SiteVisitor.exists() or await SiteVehicle.exists():
        return
    team = await SiteTeam.select(SiteTeam.id).where((SiteTeam.kind == SECURITY) & (SiteTeam.project.code == "JC01")).first()
    if team is None:
        return
    guard = await Employee.select(Employee.id).where(Employee.user.username == "guard").first()
    by = guard["id"] if guard else None
    day = today_local() - timedelta(days=1)

    def at(hm: str) -> datetime:
        h, m = (int(x) for x in hm.split(":"))
        return datetime(day.year, day.month, day.day, h, m, tzinfo=SHANGHAI)

    await SiteVisitor.insert(*[SiteVisitor(team=team["id"], day=day, name=n, mobile=mob, purpose=p, host=h, id_checked=idc,
                                           in_at=at(a), out_at=at(b), by=by, out_by=by) for n, mob, p, h, idc, a, b in VISITORS])
    await SiteVehicle.insert(*[SiteVehicle(team=team["id"], day=day, plate=pl, kind=k, party=party, bay=bay, in_at=at(a),
                                           out_at=at(b), by=by, out_by=by) for pl, k, party, bay, a, b in VEHICLES])
