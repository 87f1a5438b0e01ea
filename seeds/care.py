"""Customer-care reference data: the limits with the SPEC's defaults (CareSetting) and the demo repair contractors.
Idempotent: only what is missing is added (an administrator's values are kept)."""
from __future__ import annotations

from app.care.settings import seed_settings
from app.care.tables import Contractor

CONTRACTORS = [
    ("苏州固德防水工程有限公司", "防水", "周工", "0512-65501234"),
    ("苏州恒通水电安装有限公司", "水电", "陈工", "0512-65505678"),
    ("吴中区精工门窗有限公司", "门窗", "刘工", "0512-66107788"),
    ("锦程物业维修班", "综合维修", "王班长", "0512-66109900"),
]


async def seed() -> None:
    await seed_settings()
    have = {r["name"] for r in await Contractor.select(Contractor.name)}
    new = [Contractor(name=n, trade=t, contact=c, phone=p) for n, t, c, p in CONTRACTORS if n not in have]
    if new:
        await Contractor.insert(*new)
