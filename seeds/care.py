"""Customer-care reference data: the limits with the SPEC's defaults (CareSetting) and the demo repair contractors.
Idempotent: only what is missing is added (an administrator's values are kept)."""
from __future__ import annotations

from app.care.settings import seed_settings
from app.care.tables import CareCase, Contractor

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
    await seed_demo_cases()


# ---------------------------------------------------------------- demo cases (part 1 "cases"): a few open cases so the
# pages are not empty; taken in through the same service as the form. Only when there is no case yet.

DEMO_CASES = [
    # (project, deal offset from the newest, kind, category, title, extra)
    ("JC01", 0, "索赔", "合同/面积差", "面积差补偿争议", {"claim_amount": "12000.00", "content": "客户认为实测面积与合同不符，要求赔偿差价",
                                                   "demand": "赔偿 12,000 元"}),
    ("JC01", 1, "投诉", "交付延期", "交付时间推迟", {"content": "交付通知一再推迟", "demand": "书面说明并补偿"}),
    ("JC01", 1, "投诉", "交付延期", "再次反映交付延期", {"content": "上次反映后仍未确定交付时间", "demand": "确定交付日期"}),
    ("JC02", 0, "投诉", "服务态度", "售楼处接待态度差", {"content": "周末来访时接待人员态度冷淡", "demand": "道歉"}),
    ("JC02", 1, "投诉", "按揭", "按揭放款进度慢", {"content": "签约两个月银行仍未放款", "demand": "告知放款时间"}),
    ("JC02", 2, "咨询", "", "咨询产权证办理时间", {"content": "询问产权证何时可以领取"}),
]


async def seed_demo_cases() -> int:
    if await CareCase.exists():
        return 0
    from seeds import pipeline as pipeline_seed

    await pipeline_seed.seed()  # the cases sit on units with buyers (idempotent; the pipeline's seed runs after ours otherwise)
    from app.care import services
    from app.core.auth import load_user
    from app.org.tables import Employee
    from app.pipeline.tables import Deal

    emp = await Employee.select(Employee.user).where(Employee.user.username == "complaint_officer").first()
    if not emp:
        return 0
    user = await load_user(emp["user"])
    made = 0
    for project, offset, kind, category, title, extra in DEMO_CASES:
        deal = await Deal.select(Deal.unit, Deal.project).where(
            (Deal.project.code == project) & Deal.stage.is_in(services.OPEN_DEAL_STAGES)).order_by(Deal.id, ascending=False).offset(offset).first()
        if not deal:
            continue
        values = {"kind": kind, "channel": "电话", "category": category, "project": str(deal["project"]), "unit": str(deal["unit"]),
                  "title": title, "households": "1", **extra}
        await services.intake(user, values, [])
        made += 1
    return made
