"""Helpers for the permits tests: posting forms with the CSRF token, and an isolated project with its own
buildings and units (so the tests neither depend on nor disturb the demo data)."""
from __future__ import annotations

import itertools
import re
from decimal import Decimal

from app.estate.tables import Building, Project, Unit
from app.org.tables import Employee, EmployeeProject
from tests.conftest import csrf_token

_seq = itertools.count(1)
HX = {"HX-Request": "true"}


async def post(client, url: str, data: dict, *, htmx: bool = False, page: str = "/permits"):
    token = await csrf_token(client, page)
    return await client.post(url, data={**data, "_csrf_token": token}, headers={**HX, "x-csrftoken": token} if htmx else None,
                             follow_redirects=False)


def created_id(response, kind: str) -> int:
    assert response.status_code == 303, re.findall(r'data-testid="(?:error-[a-z_]+|action-error)">([^<]*)', response.text) or response.text[-3000:]
    m = re.search(rf"/permits/{kind}/(\d+)$", response.headers["location"])
    assert m, response.headers["location"]
    return int(m.group(1))


async def employee_id(username: str) -> int:
    return (await Employee.select(Employee.id).where(Employee.user.username == username).first())["id"]


async def make_project(units: dict[str, list[str]], *, scope_for: tuple[str, ...] = ("bureau",)) -> dict:
    """A fresh project: {"A栋": ["不可售", "已签约", …], …} → ids of the project, its buildings and units."""
    n = next(_seq)
    project = Project(code=f"TP{n:03d}{id(units) % 1000}", name=f"测试项目{n}", company_name="锦程房地产开发有限公司", city="苏州")
    await project.save()
    out = {"project": project.id, "buildings": {}, "units": {}}
    for b_name, statuses in units.items():
        b = Building(project=project.id, name=b_name, floors=1, units_per_floor=len(statuses))
        await b.save()
        out["buildings"][b_name] = b.id
        ids = []
        for i, s in enumerate(statuses):
            u = Unit(project=project.id, building=b.id, room_no=f"{i + 1:02d}01", floor=1, area_build=Decimal("98.53"), area_inner=Decimal("76.85"),
                     unit_price=Decimal("20000.00"), total_price=Decimal("1970600.00"), status=s)
            await u.save()
            ids.append(u.id)
        out["units"][b_name] = ids
    for username in scope_for:
        await EmployeeProject.insert(EmployeeProject(employee=await employee_id(username), project=project.id))
    return out


async def statuses(unit_ids: list[int]) -> list[str]:
    rows = await Unit.select(Unit.id, Unit.status).where(Unit.id.is_in(unit_ids))
    by_id = {r["id"]: r["status"] for r in rows}
    return [by_id[i] for i in unit_ids]


def presale_form(project_id: int, building_ids: list[int], owner: int, **extra) -> dict:
    data = {"project": str(project_id), "buildings": [str(b) for b in building_ids], "area_residential": "10560.32", "area_other": "0",
            "unit_count": "96", "authority": "苏州市住房和城乡建设局", "escrow_bank": "中国建设银行", "escrow_account": "32250198753600009999",
            "checklist": ["预售许可申请表", "土地使用权证"], "owner": str(owner), "original_at": "档案柜 A-01", "note": ""}
    data.update(extra)
    return data
