"""Cleaning demo data (SPEC §F5): the areas of JC01's 保洁组 with their standards and frequencies (washrooms every 30
minutes) and a checklist per area with the most points each item may cost; the chapter's cleaning settings.
Idempotent: written once. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from app.site import settings
from app.site.tables import CLEANING, SiteTeam
from app.site_cleaning.rules import DEFAULTS
from app.site_cleaning.tables import CleanArea, CleanDeduction, CleanInspection, CleanItem

# name, standard, every (minutes; 0 = daily), checklist [(item, max points)]
AREAS = [
    ("全馆", "开放前完成全面清洁，09:30 前完成", 0,
     [("开放前全面清洁已完成", 20), ("09:30 前完成", 10), ("无明显灰尘、污渍", 10)]),
    ("洽谈区/签约室", "客户离开后 3 分钟内清理杯具、桌面；烟灰缸烟头不超过 2 个", 0,
     [("客户离开 3 分钟内清理杯具桌面", 15), ("烟灰缸烟头不超过 2 个", 10), ("桌椅摆放整齐", 5)]),
    ("卫生间", "每 30 分钟检查一次并签检查表；台盆保持干爽", 30,
     [("地面干净无积水", 10), ("台盆、镜面干爽无水渍", 10), ("便器洁净无异味", 10), ("纸巾、洗手液齐备", 5), ("检查表已签到", 5)]),
    ("大厅地面/玻璃门", "每日湿拖；指纹随有随擦；雨天收地毯、放雨伞架、设“小心地滑”提示牌", 0,
     [("地面湿拖、无污渍", 10), ("玻璃门无指纹", 10), ("雨天措施到位（地毯、雨伞架、小心地滑）", 10)]),
    ("样板房", "每日除尘；每周深度清洁", 0,
     [("家具、台面无灰尘", 10), ("地面、鞋套区整洁", 10), ("每周深度清洁已做", 10)]),
    ("沙盘/水吧/儿童区", "每日多次清洁", 0,
     [("沙盘玻璃罩无指纹灰尘", 10), ("水吧台面、器具洁净", 10), ("儿童区玩具、地垫清洁", 10)]),
    ("广场/停车场", "每日两次清扫", 0,
     [("地面无垃圾、落叶", 10), ("每日两次已清扫", 10)]),
    ("垃圾", "每日至少清运两次", 0,
     [("垃圾桶未满溢、无异味", 10), ("每日至少清运两次", 10)]),
    ("办公区", "每日清洁", 0,
     [("桌面、地面整洁", 10), ("垃圾已清空", 5)]),
]


async def seed() -> None:
    await settings.seed(DEFAULTS)
    if await CleanArea.exists():
        return
    team = await SiteTeam.select(SiteTeam.id).where((SiteTeam.kind == CLEANING) & (SiteTeam.name == "锦城一期售楼处保洁组")).first()
    if team is None:
        return
    for i, (name, standard, every, checklist) in enumerate(AREAS):
        area = CleanArea(team=team["id"], name=name, standard=standard, every_min=every, sort=i)
        await area.save()
        await CleanItem.insert(*[CleanItem(area=area.id, text=t, max_points=m, sort=j) for j, (t, m) in enumerate(checklist)])
    await _history(team["id"])


async def _history(team_id: int, days: int = 20) -> None:
    """Daily inspections over the last days of the previous month (all passed, so no open 整改单): last month's
    averages and the report's chart have something to show, and this month starts empty (the browser tests score it). Deductions on the area's own items, so each score is 100 minus them."""
    import random
    from datetime import datetime, time, timedelta

    from app.core.timeutil import SHANGHAI, today_local
    from app.org.tables import Employee
    from app.site_cleaning import rules

    lead = await Employee.select(Employee.id, Employee.name).where(Employee.user.username == "cleaning_lead").first()
    items = await CleanItem.select(CleanItem.id, CleanItem.area, CleanItem.text, CleanItem.max_points).where(
        CleanItem.area.is_in(CleanArea.select(CleanArea.id).where(CleanArea.team == team_id))).order_by(CleanItem.id)
    by_area: dict[int, list[dict]] = {}
    for it in items:
        by_area.setdefault(it["area"], []).append(it)
    rng = random.Random(2026)
    first = today_local().replace(day=1)
    for back in range(days, 0, -1):
        day = first - timedelta(days=back)
        for n, (area_id, its) in enumerate(by_area.items()):
            took = []
            for it in its:
                if rng.random() < 0.35:
                    took.append((it, rng.randint(1, min(5, it["max_points"]))))
            value = rules.score(p for _it, p in took)
            if value < 80:
                took, value = took[:1], rules.score(p for _it, p in took[:1])
            at = datetime.combine(day, time(9, 40 + n), SHANGHAI)
            row = CleanInspection(area=area_id, team=team_id, by=lead["id"] if lead else None, by_name=lead["name"] if lead else "",
                                  at=at, day=day, score=value, grade=rules.grade(value), note="")
            await row.save()
            if took:
                await CleanDeduction.insert(*[CleanDeduction(inspection=row.id, item=it["id"], item_text=it["text"], points=p)
                                              for it, p in took])
