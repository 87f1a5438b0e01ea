"""Idempotent demo data: one group with two companies, two projects with buildings and units, ~40 employees
covering every position, one demo sign-in per position, and the rules library from the regulations text.

Run: `python -m seeds.demo` (does nothing if the demo group already exists). FOR DEMONSTRATION ONLY."""
from __future__ import annotations

import asyncio
import random
from datetime import date, datetime, timezone
from decimal import Decimal

from piccolo.apps.user.tables import BaseUser
from piccolo.engine import engine_finder

from app.core.tables import HolidayOverride
from app.estate.tables import Building, Project, Unit
from app.org.tables import Company, Department, Employee, EmployeeProject, Position
from app.rules.tables import RuleAcknowledgement, RuleClause, RuleDocument, RuleVersion

DEMO_PASSWORD = "demo2026"
GROUP_NAME = "锦程控股集团有限公司"

# (code, name, role, department post, alias, sort)
POSITIONS = [
    ("dept_head", "客服副经理", "dept_head", True, "客户关系经理", 10),
    ("supervisor", "客服主管", "supervisor", True, "", 20),
    ("contract", "合同专员", "contract", True, "", 30),
    ("data", "数据专员", "data", True, "", 40),
    ("title", "产权专员", "title", True, "", 50),
    ("archive", "资料保管专员", "archive", True, "", 60),
    ("mortgage", "按揭专员", "mortgage", True, "", 70),
    ("bureau", "房管局专员", "bureau", True, "房管员专员", 80),
    ("reception", "接待专员", "reception", True, "", 90),
    ("clerk", "资料员", "clerk", True, "", 100),
    ("cr_supervisor", "客户关系主管", "cr_supervisor", True, "", 110),
    ("cr_officer", "客户关系专员", "cr_officer", True, "", 120),
    ("complaint_supervisor", "投诉主管", "complaint_supervisor", True, "", 130),
    ("complaint_officer", "投诉管理专员", "complaint_officer", True, "", 140),
    ("quality", "安全质量监督中心工程师", "quality", False, "", 295),
    ("president", "总裁", "president", False, "", 200),
    ("gm", "总经理", "gm", False, "", 210),
    ("vp", "分管副总", "vp", False, "", 220),
    ("finance_manager", "财务经理", "finance_manager", False, "", 230),
    ("accountant", "会计", "accountant", False, "", 240),
    ("cashier", "出纳", "cashier", False, "", 250),
    ("hr", "人事", "hr", False, "", 260),
    ("admin_staff", "行政", "admin_staff", False, "", 270),
    ("legal", "法务", "legal", False, "", 280),
    ("sales_manager", "销售经理", "sales_manager", False, "", 290),
    ("sales", "置业顾问", "sales", False, "", 300),
    ("security_captain", "保安队长", "security_captain", False, "", 310),
    ("guard", "保安员", "guard", False, "", 320),
    ("cleaning_lead", "保洁领班", "cleaning_lead", False, "", 330),
    ("cleaner", "保洁员", "cleaner", False, "", 340),
    ("sysadmin", "系统管理员", "sysadmin", False, "", 400),
    ("marketing_vp", "营销副总", "marketing_vp", False, "", 225),
    ("finance_director", "财务总监", "finance_director", False, "", 228),
    ("project_engineer", "项目部工程师", "project_engineer", False, "", 296),
]

# Duties for posts whose text is not in the regulations (SPEC §0.1, F), shown on the positions page.
SPEC_DUTIES = {
    "数据专员": "负责合同台账、销售数据的录入、核对与统计，编制合同登记进度日报表及周报、月报。",
    "产权专员": "负责业主办证资料的收集、审核与递交，跟踪产权证办理进度，办理领证及向业主移交。（销售进入办证阶段前由合同专员兼任）",
    "资料保管专员": "负责客户档案及原件的归档、保管与借阅登记，确保档案完整、可追溯。（合同量较小时由合同专员兼任）",
    "接待专员": "负责客户来访、来电接待，投诉与报修的受理、登记、分派和回访。",
    "资料员": "负责客投组资料的整理、归档与统计。",
    "客户关系主管": "负责客户关系管理：设计满意度调查问卷并组织调查，审核回访结果，抽查业主档案准确率，组织客户服务质量检查。",
    "客户关系专员": "负责客户来电来访接待、一般投诉（P3）处理、回访与满意度调查的实施，维护业主档案。",
    "投诉主管": "负责较重投诉（P2）处理与升级投诉的跟进，审批 1,000 元以下的补偿方案，处理回访不满意的重开案件。",
    "投诉管理专员": "负责一般投诉（P3）的受理、调查与处理，按时限答复客户并跟踪方案执行。",
    "安全质量监督中心工程师": "负责严重或疑难报修的现场勘查，出具维修方案，监督维修质量与安全。",
    "保安队长": "负责售楼处保安排班、岗位检查、交接班与事件报告。",
    "保洁领班": "负责售楼处保洁排班、区域检查评分与整改跟踪。",
}

# (code, name, parent code or None, description)
DEPARTMENTS_A = [
    ("A-GMO", "总经理办公室", None, "公司领导"),
    ("A-KF", "客服部", None, "客服副经理负责，客服主管协助管理"),
    ("A-KF-NQ", "内勤组", "A-KF", "合同、数据、产权、资料保管"),
    ("A-KF-WQ", "外勤组", "A-KF", "按揭、房管局事务"),
    ("A-KF-KT", "客投组", "A-KF", "客户接待与投诉（暂定）"),
    ("A-KF-CC", "客户服务中心", "A-KF", "客户关系与投诉管理（CSC 模板）"),
    ("A-SALES", "销售部", None, ""),
    ("A-FIN", "财务部", None, ""),
    ("A-HR", "人力资源部", None, ""),
    ("A-ADMIN", "行政部", None, "含信息化"),
    ("A-PROJ", "项目部", None, "工程管理"),
    ("A-LEGAL", "法务部", None, ""),
    ("A-QA", "安全质量监督中心", None, "工程质量与安全监督；疑难报修的勘查与维修方案"),
    ("A-PM", "物业服务中心", None, "前期物业，外包管理"),
    ("A-SEC", "售楼处保安队", "A-PM", ""),
    ("A-CLEAN", "售楼处保洁组", "A-PM", ""),
]
DEPARTMENTS_B = [
    ("B-GMO", "总经理办公室", None, "公司领导"),
    ("B-KF", "客服部", None, ""),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平",
         "刚", "桂英", "建华", "晓东", "文博", "思远", "雨桐", "子涵", "浩然", "欣怡", "嘉怡", "宇航", "梓萱", "一鸣", "海燕", "志强"]

# (username, position code, department code, manager username, group lead, all projects, projects)
STAFF = [
    ("president", "president", "A-GMO", None, False, True, ()),
    ("gm", "gm", "A-GMO", "president", False, True, ()),
    ("vp", "vp", "A-GMO", "gm", False, True, ()),
    ("dept_head", "dept_head", "A-KF", "vp", False, True, ()),
    ("supervisor", "supervisor", "A-KF", "dept_head", False, True, ()),
    ("contract", "contract", "A-KF-NQ", "supervisor", True, False, ("JC01",)),
    ("contract2", "contract", "A-KF-NQ", "contract", False, False, ("JC02",)),
    ("data", "data", "A-KF-NQ", "contract", False, True, ()),
    ("title", "title", "A-KF-NQ", "contract", False, False, ("JC01", "JC02")),
    ("archive", "archive", "A-KF-NQ", "contract", False, False, ("JC01", "JC02")),
    ("mortgage", "mortgage", "A-KF-WQ", "supervisor", True, False, ("JC01",)),
    ("mortgage2", "mortgage", "A-KF-WQ", "mortgage", False, False, ("JC02",)),
    ("bureau", "bureau", "A-KF-WQ", "mortgage", False, False, ("JC01", "JC02")),
    ("reception", "reception", "A-KF-KT", "supervisor", True, False, ("JC01", "JC02")),
    ("reception2", "reception", "A-KF-KT", "reception", False, False, ("JC01",)),
    ("clerk", "clerk", "A-KF-KT", "reception", False, False, ("JC01", "JC02")),
    ("finance_manager", "finance_manager", "A-FIN", "vp", False, True, ()),
    ("accountant", "accountant", "A-FIN", "finance_manager", False, True, ()),
    ("cashier", "cashier", "A-FIN", "finance_manager", False, True, ()),
    ("hr", "hr", "A-HR", "vp", False, True, ()),
    ("hr2", "hr", "A-HR", "hr", False, True, ()),
    ("admin_staff", "admin_staff", "A-ADMIN", "vp", False, True, ()),
    ("admin_staff2", "admin_staff", "A-ADMIN", "admin_staff", False, True, ()),
    ("legal", "legal", "A-LEGAL", "vp", False, True, ()),
    ("sales_manager", "sales_manager", "A-SALES", "vp", False, True, ()),
    ("sales", "sales", "A-SALES", "sales_manager", False, False, ("JC01",)),
    ("sales2", "sales", "A-SALES", "sales_manager", False, False, ("JC01",)),
    ("sales3", "sales", "A-SALES", "sales_manager", False, False, ("JC02",)),
    ("security_captain", "security_captain", "A-SEC", "supervisor", True, False, ("JC01",)),
    ("guard", "guard", "A-SEC", "security_captain", False, False, ("JC01",)),
    ("guard2", "guard", "A-SEC", "security_captain", False, False, ("JC01",)),
    ("guard3", "guard", "A-SEC", "security_captain", False, False, ("JC01",)),
    ("guard4", "guard", "A-SEC", "security_captain", False, False, ("JC01",)),
    ("cleaning_lead", "cleaning_lead", "A-CLEAN", "supervisor", True, False, ("JC01",)),
    ("cleaner", "cleaner", "A-CLEAN", "cleaning_lead", False, False, ("JC01",)),
    ("cleaner2", "cleaner", "A-CLEAN", "cleaning_lead", False, False, ("JC01",)),
    ("cleaner3", "cleaner", "A-CLEAN", "cleaning_lead", False, False, ("JC01",)),
    ("sysadmin", "sysadmin", "A-ADMIN", "admin_staff", False, True, ()),
    ("b_gm", "gm", "B-GMO", "president", False, True, ()),
    ("b_dept_head", "dept_head", "B-KF", "b_gm", False, True, ()),
    ("b_contract", "contract", "B-KF", "b_dept_head", False, False, ("JC02",)),
    # the customer-service centre (CSC names, SPEC §0.1 / D2): appended so the earlier demo names stay as they were
    ("cr_supervisor", "cr_supervisor", "A-KF-CC", "supervisor", True, False, ("JC01", "JC02")),
    ("cr_officer", "cr_officer", "A-KF-CC", "cr_supervisor", False, False, ("JC01", "JC02")),
    ("cr_officer2", "cr_officer", "A-KF-CC", "cr_supervisor", False, False, ("JC01",)),
    ("complaint_supervisor", "complaint_supervisor", "A-KF-CC", "supervisor", False, False, ("JC01", "JC02")),
    ("complaint_officer", "complaint_officer", "A-KF-CC", "complaint_supervisor", False, False, ("JC01", "JC02")),
    ("complaint_officer2", "complaint_officer", "A-KF-CC", "complaint_supervisor", False, False, ("JC02",)),
    ("quality", "quality", "A-QA", "vp", False, True, ()),
    # the pipeline's depth (issue 10): 特殊优惠, the construction-mortgage release, the pre-handover inspection
    ("marketing_vp", "marketing_vp", "A-GMO", "gm", False, True, ()),
    ("finance_director", "finance_director", "A-FIN", "gm", False, True, ()),
    ("project_engineer", "project_engineer", "A-PROJ", "vp", False, False, ("JC01", "JC02")),
]

DEMO_ACCOUNTS = [s[0] for s in STAFF if s[0] in {p[0] for p in POSITIONS}]


def _name(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 11) % len(GIVEN)]


def _mobile(i: int) -> str:
    return f"13{(i % 7) + 2}{(12345678 + i * 7919) % 100000000:08d}"


async def is_seeded() -> bool:
    return await Company.exists().where(Company.name == GROUP_NAME)


async def seed_org() -> None:
    group = Company(name=GROUP_NAME, short_name="锦程集团", is_group=True, sort=0)
    await group.save()
    comp_a = Company(name="锦程房地产开发有限公司", short_name="锦程地产", parent=group.id, sort=1)
    comp_b = Company(name="锦程置业（无锡）有限公司", short_name="锦程无锡", parent=group.id, sort=2)
    await comp_a.save()
    await comp_b.save()

    projects = {
        "JC01": Project(code="JC01", name="锦程·滨江府", company_name=comp_a.name, city="苏州", address="苏州市吴中区滨江路 88 号"),
        "JC02": Project(code="JC02", name="锦程·云栖苑", company_name=comp_b.name, city="无锡", address="无锡市滨湖区云栖路 18 号"),
    }
    for p in projects.values():
        await p.save()
    await seed_units(projects)

    dept_ids: dict[str, int] = {}
    for company, rows in ((comp_a, DEPARTMENTS_A), (comp_b, DEPARTMENTS_B)):
        for sort, (code, name, parent, desc) in enumerate(rows):
            d = Department(company=company.id, code=code, name=name, parent=dept_ids.get(parent) if parent else None, description=desc, sort=sort)
            await d.save()
            dept_ids[code] = d.id

    from app.rules.parser import POSITION_DUTIES, duties_text, load_regulations

    documents = load_regulations()
    pos_ids: dict[str, int] = {}
    for code, name, role, dept_post, alias, sort in POSITIONS:
        duties = duties_text(documents, name) or SPEC_DUTIES.get(name, "")
        ref = ""
        if name in POSITION_DUTIES:
            doc_code, anchor = POSITION_DUTIES[name]
            ref = f"{doc_code}#{anchor}"
        p = Position(code=code, name=name, role=role, is_department_post=dept_post, alias=alias, duties=duties, clause_ref=ref, sort=sort)
        await p.save()
        pos_ids[code] = p.id

    hashed = BaseUser.hash_password(DEMO_PASSWORD)
    emp_ids: dict[str, int] = {}
    for i, (username, pos, dept, manager, lead, all_projects, scope) in enumerate(STAFF):
        user = BaseUser(username=username, password=hashed, email=f"{username}@demo.invalid", active=True,
                        admin=(pos == "sysadmin"), superuser=(pos == "sysadmin"), first_name=_name(i))
        await user.save()
        e = Employee(
            user=user.id, employee_no=f"JC{1001 + i}", name=_name(i),
            company=(comp_b.id if dept.startswith("B-") else comp_a.id), department=dept_ids[dept], position=pos_ids[pos],
            manager=emp_ids.get(manager) if manager else None, is_group_lead=lead, all_projects=all_projects,
            mobile=_mobile(i), hired_on=date(2018 + i % 7, 1 + i % 12, 1 + i % 27), active=True,
        )
        await e.save()
        emp_ids[username] = e.id
        for code in scope:
            await EmployeeProject.insert(EmployeeProject(employee=e.id, project=projects[code].id))

    await seed_rules(documents, emp_ids)


async def seed_units(projects: dict[str, Project]) -> None:
    rnd = random.Random(42)
    # Units start 可售 (or 保留, or 不可售 without a presale permit); deals in seeds/pipeline.py move some of them on,
    # so every status a unit shows is backed by its deal.
    statuses = ["可售"] * 11 + ["保留"]
    for code, project in projects.items():
        for b in range(1, 4):
            building = Building(project=project.id, name=f"{b}号楼", floors=12, units_per_floor=4)
            await building.save()
            rows = []
            for floor in range(1, 13):
                for k in range(1, 5):
                    area = Decimal(rnd.choice(["89.36", "98.52", "118.73", "132.08"]))
                    price = Decimal(rnd.randrange(18000, 26000, 50))
                    status = "不可售" if (code == "JC02" and b == 3) else rnd.choice(statuses)
                    inner = (area * Decimal("0.78")).quantize(Decimal("0.01"))
                    # 计价方式: mostly by building area; 云栖苑 2号楼 by inner area (the price is per ㎡ of inner area);
                    # 滨江府 2号楼 ground and top floors (garden and terrace units) per unit
                    basis, priced_area = "建筑面积", area
                    if code == "JC02" and b == 2:
                        basis, priced_area = "套内面积", inner
                        price = (price / Decimal("0.78") / 50).quantize(Decimal("1")) * 50
                    elif code == "JC01" and b == 2 and floor in (1, 12):
                        basis = "按套"
                    rows.append(Unit(
                        project=project.id, building=building.id, room_no=f"{floor}{k:02d}", floor=floor,
                        layout=rnd.choice(["两室两厅", "三室两厅", "四室两厅"]), use="住宅",
                        area_build=area, area_inner=inner, pricing_basis=basis,
                        unit_price=price, total_price=(priced_area * price).quantize(Decimal("0.01")), status=status,
                        mortgaged=(code == "JC02" and b == 3),  # under the construction mortgage until released (A8)
                    ))
            await Unit.insert(*rows)


async def seed_rules(documents, emp_ids: dict[str, int]) -> None:
    published = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
    for sort, doc in enumerate(documents):
        is_main = doc.code == "kf-71p"
        d = RuleDocument(code=doc.code, title=doc.title, source=doc.source, requires_ack=is_main or sort < 3,
                         sort=0 if is_main else sort + 1)
        await d.save()
        v = RuleVersion(document=d.id, version_no=1, effective_on=date(2026, 1, 5), change_note="初始版本（由规章文本导入，已更正转换错误）",
                        is_current=True, published_at=published)
        await v.save()
        await RuleClause.insert(*[
            RuleClause(version=v.id, seq=i, anchor=c.anchor, number=c.number, is_heading=c.is_heading, text=c.text)
            for i, c in enumerate(doc.clauses)
        ])
        if is_main:  # some staff have already read the department regulation
            user_ids = await Employee.select(Employee.user).where(Employee.id.is_in([emp_ids[u] for u in ("dept_head", "supervisor", "contract2", "data")]))
            for r in user_ids:
                await RuleAcknowledgement.insert(RuleAcknowledgement(version=v.id, user=r["user"], at=published))


async def seed_calendar() -> None:
    """An example override, so administrators see how the admin's holiday table is used."""
    if not await HolidayOverride.exists().where(HolidayOverride.day == date(2026, 12, 31)):
        await HolidayOverride.insert(HolidayOverride(day=date(2026, 12, 31), is_workday=True, name="年终结账",
                                                     note="示例：公司安排年终结账日照常上班（本来即为工作日）"))


async def seed_flow_settings() -> int:
    """Every request type's thresholds and time limits (SPEC §E defaults), added where missing: runs on every
    start, so a newly declared type gets its settings and an administrator's edits are kept."""
    import app.flows  # noqa: F401  (registers the types)
    from app.workflow.definitions import DEFAULT_LIMIT, FLOWS
    from app.workflow.tables import FlowSetting

    added = 0
    for flow in FLOWS.values():
        for s in (DEFAULT_LIMIT, *flow.settings):
            if not await FlowSetting.exists().where((FlowSetting.flow == flow.code) & (FlowSetting.key == s.key)):
                await FlowSetting.insert(FlowSetting(flow=flow.code, key=s.key, label=f"{flow.name}：{s.label}", value=s.value))
                added += 1
    return added


async def seed_domains() -> None:
    """Each chapter's own demo data: seeds/<domain>.py with an idempotent `async def seed()`."""
    import importlib
    from pathlib import Path

    from app.core.discovery import domains

    for d in domains():
        if (Path(__file__).parent / f"{d}.py").exists():
            await importlib.import_module(f"seeds.{d}").seed()


async def run() -> bool:
    """Seed if empty. Returns True if data was written."""
    await seed_flow_settings()
    if await is_seeded():
        await seed_domains()
        return False
    async with engine_finder().transaction():
        await seed_org()
        await seed_calendar()
    await seed_domains()
    return True


def main() -> None:
    wrote = asyncio.run(run())
    print("演示数据已载入" if wrote else "演示数据已存在，跳过")


if __name__ == "__main__":
    main()
