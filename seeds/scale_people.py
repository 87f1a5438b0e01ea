"""The scale generator's master data: new projects with their buildings (beside new buildings in the demo projects),
the projects' maintenance-fund accounts, and the staff (users + employees + project scope). FOR DEMONSTRATION ONLY."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from app.core.validators import id_check_char
from seeds.scale_db import Bulk

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫宇浩然子涵梓萱一鸣欣怡嘉怡思远雨桐晨曦佳琪俊熙博文志强建华海燕晓东"
NEW_PROJECTS = [  # (name, company id in the demo group, city, address)
    ("锦程·湖畔壹号", 2, "苏州", "苏州市吴中区太湖东路 66 号"),
    ("锦程·澜山府", 2, "苏州", "苏州市高新区金山路 9 号"),
    ("锦程·观澜苑", 3, "无锡", "无锡市新吴区长江路 21 号"),
    ("锦程·锦绣华庭", 2, "苏州", "苏州市相城区阳澄湖大道 188 号"),
    ("锦程·悦府", 3, "无锡", "无锡市梁溪区人民路 300 号"),
]
# copy k of the pipeline family goes into building (k-1)//COPIES_PER_BUILDING; buildings go round these projects
PROJECT_PATTERN = ["JC01", "JC01", "JC01", "JC02", "JC02", 0, 1, 2, 3, 4]
COPIES_PER_BUILDING = 2
UNITS_PER_FLOOR = 8
# new staff by role (no approver roles: a chain's role step would give every holder a task)
STAFF = [("sales", 0.27), ("guard", 0.12), ("cleaner", 0.12), ("contract", 0.06), ("data", 0.03), ("title", 0.04), ("archive", 0.02),
         ("mortgage", 0.05), ("bureau", 0.03), ("reception", 0.07), ("clerk", 0.07), ("cr_officer", 0.06), ("complaint_officer", 0.06)]
MANAGER_OF = {"sales": "sales_manager", "guard": "security_captain", "cleaner": "cleaning_lead", "contract": "contract",
              "data": "contract", "title": "contract", "archive": "contract", "mortgage": "mortgage", "bureau": "mortgage",
              "reception": "reception", "clerk": "reception", "cr_officer": "cr_supervisor", "complaint_officer": "complaint_supervisor"}


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given[:2]


def id_number(n: int, rng: random.Random) -> str:
    """A valid 18-digit 身份证号, unique by n (the sequence digits and the birth day follow n)."""
    region = rng.choice(["320506", "320505", "320507", "320211", "320213", "320214", "310115", "330106"])
    born = date(1965, 1, 1).toordinal() + (n // 1000) % 13000
    d = date.fromordinal(born)
    first17 = f"{region}{d:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


@dataclass
class Places:
    """Where copy k of the pipeline family lives."""

    buildings: list[tuple[int, int, str]] = field(default_factory=list)  # (building id, project id, building name)
    project_code: dict[int, str] = field(default_factory=dict)
    project_name: dict[int, str] = field(default_factory=dict)
    fund_of: dict[int, int] = field(default_factory=dict)  # project → permit_fund id
    sales_of: dict[int, list[int]] = field(default_factory=dict)  # project → 置业顾问 employee ids

    def building(self, k: int) -> tuple[int, int, str]:
        return self.buildings[(k - 1) // COPIES_PER_BUILDING]

    def project(self, k: int) -> int:
        return self.building(k)[1]


async def make_projects(bulk: Bulk, run: int, copies: int, units_per_copy: int, log) -> Places:
    places = Places()
    _, rows = await bulk.fetch('SELECT id, code, name FROM "project" ORDER BY id')
    by_code = {r[1]: r[0] for r in rows}
    for r in rows:
        places.project_code[r[0]], places.project_name[r[0]] = r[1], r[2]
    pid = await bulk.max_id("project")
    new = []
    for i, (name, company, city, address) in enumerate(NEW_PROJECTS):
        pid += 1
        code = f"SC{run}{i + 1:02d}"
        company_name = "锦程房地产开发有限公司" if company == 2 else "锦程置业（无锡）有限公司"
        new.append((pid, code, f"{name}" + (f"（{run}）" if run > 1 else ""), company_name, city, address, True))
        places.project_code[pid], places.project_name[pid] = code, new[-1][2]
    await bulk.insert("project", ["id", "code", "name", "company_name", "city", "address", "active"], new)
    pattern = [by_code.get(p, new[0][0]) if isinstance(p, str) else new[p][0] for p in PROJECT_PATTERN]
    n_buildings = (copies + COPIES_PER_BUILDING - 1) // COPIES_PER_BUILDING
    bid = await bulk.max_id("building")
    _, existing = await bulk.fetch('SELECT project, COUNT(*) FROM "building" GROUP BY project')
    seq = {r[0]: int(r[1]) for r in existing}
    floors = (units_per_copy * COPIES_PER_BUILDING + UNITS_PER_FLOOR - 1) // UNITS_PER_FLOOR
    brows = []
    for b in range(n_buildings):
        bid += 1
        project = pattern[b % len(pattern)]
        seq[project] = seq.get(project, 0) + 1
        name = f"{seq[project]}号楼"
        brows.append((bid, project, name, floors, UNITS_PER_FLOOR))
        places.buildings.append((bid, project, name))
    await bulk.insert("building", ["id", "project", "name", "floors", "units_per_floor"], brows)
    # each new project's maintenance-fund account, as the demo's first one (the handover needs the unit's payment)
    cols, funds = await bulk.fetch('SELECT * FROM "permit_fund" ORDER BY id')
    if funds:
        idx = {c: i for i, c in enumerate(cols)}
        for f in funds:
            places.fund_of[f[idx["project"]]] = f[idx["id"]]
        fid = await bulk.max_id("permit_fund")
        frows = []
        for p in new:
            fid += 1
            row = list(funds[0])
            row[idx["id"]], row[idx["project"]] = fid, p[0]
            row[idx["account_no"]] = f"5123668{fid:08d}"
            frows.append(row)
            places.fund_of[p[0]] = fid
        await bulk.insert("permit_fund", cols, frows)
    log(f"  project/building/permit_fund  {len(new)} 个新项目，{len(brows)} 栋楼")
    return places


async def make_staff(bulk: Bulk, run: int, count: int, places: Places, rng: random.Random, log) -> dict[str, list[int]]:
    """`count` employees with sign-ins (password as the demo accounts'), under the demo leads, each in one or two projects.
    Returns role → new employee ids."""
    _, pos = await bulk.fetch('SELECT role, MIN(id) FROM "position" GROUP BY role')
    position_of = {r[0]: r[1] for r in pos}
    _, demo = await bulk.fetch('SELECT u.username, e.id, e.company, e.department, u.password FROM "employee" e '
                               'JOIN "piccolo_user" u ON u.id = e."user"')
    lead = {r[0]: r for r in demo}
    password = lead["sales"][4] if "sales" in lead else ""
    uid, eid, epid = await bulk.max_id("piccolo_user"), await bulk.max_id("employee"), await bulk.max_id("employee_project")
    users, emps, scope = [], [], []
    by_role: dict[str, list[int]] = {}
    projects = sorted(places.project_code)
    hired = date.today().toordinal()
    weights = [w for _, w in STAFF]
    roles = rng.choices([r for r, _ in STAFF], weights=weights, k=count)
    for i, role in enumerate(roles):
        uid, eid = uid + 1, eid + 1
        name = person_name(rng)
        username = f"s{run}_{role}_{i + 1:04d}"
        users.append((uid, username, password, f"{username}@scale.invalid", True, False, name[1:], name[:1], False, None))
        boss = lead.get(MANAGER_OF[role]) or lead["supervisor"]
        emps.append((eid, uid, f"S{run}{i + 1:05d}", name, boss[2], boss[3], position_of[role], boss[1], False, False,
                     f"13{(run * 10_000_000 + i) % 1_000_000_000:09d}", date.fromordinal(hired - rng.randint(30, 3000)), True))
        by_role.setdefault(role, []).append(eid)
        for p in {projects[i % len(projects)], rng.choice(projects)}:
            epid += 1
            scope.append((epid, eid, p))
            if role == "sales":
                places.sales_of.setdefault(p, []).append(eid)
    await bulk.insert("piccolo_user", ["id", "username", "password", "email", "active", "admin", "first_name", "last_name",
                                       "superuser", "last_login"], users)
    await bulk.insert("employee", ["id", "user", "employee_no", "name", "company", "department", "position", "manager",
                                   "is_group_lead", "all_projects", "mobile", "hired_on", "active"], emps)
    await bulk.insert("employee_project", ["id", "employee", "project"], scope)
    # the demo 置业顾问 keep selling in the demo projects
    for username, code in (("sales", "JC01"), ("sales2", "JC01"), ("sales3", "JC02")):
        p = next((i for i, c in places.project_code.items() if c == code), None)
        if p and username in lead:
            places.sales_of.setdefault(p, []).insert(0, lead[username][1])
    log(f"  piccolo_user/employee         {len(emps):>9,} 人，{len(scope):,} 条项目范围")
    return by_role
