"""Route × role × record (issue 7): for every demo role and every page, no access beyond the role's permissions, and
for records, no access beyond the project scope. Generated from the app's routes and the permission table, so a new
route is covered the day it is added."""
from __future__ import annotations

import pytest
from litestar.handlers import HTTPRouteHandler

from app.core.guards import GUARD_MARK
from app.core.permissions import ROLES, permissions_for
from app.core.tables import AuditLog
from app.estate.tables import Unit
from app.pipeline.tables import Deal
from tests.conftest import HX_CSRF_RE, sign_in

pytestmark = pytest.mark.integration

SKIP = {"/logout"}  # ends the session the test is using


def _get_routes(app) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for route in app.routes:
        for h in getattr(route, "route_handlers", []):
            if not isinstance(h, HTTPRouteHandler) or "GET" not in h.http_methods or "{" in route.path or route.path in SKIP:
                continue
            marks = [m for layer in h.ownership_layers for g in (layer.guards or []) for m in getattr(g, GUARD_MARK, ())]
            if "public" in marks:
                continue
            out.append((route.path, tuple(marks)))
    return sorted(set(out))


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_every_page_by_role(app, new_client, role):
    c = await sign_in(await new_client(), role)
    from app.core.auth import load_user
    from app.org.tables import Employee

    emp = await Employee.select(Employee.user).where(Employee.user.username == role).first()
    perms = (await load_user(emp["user"])).permissions if emp else permissions_for(role)
    wrong = []
    for path, marks in _get_routes(app):
        allowed = all(m in perms for m in marks)
        for headers in ({}, {"HX-Request": "true"}):
            r = await c.get(path, headers=headers)
            # a page the guard lets through may still refuse by position inside (e.g. /office/durables for 行政): 403, never a 5xx
            if allowed and r.status_code >= 500:
                wrong.append(f"{path} {headers} allowed but {r.status_code}")
            if not allowed and r.status_code != 403:
                wrong.append(f"{path} {headers} denied but {r.status_code}")
    assert not wrong, wrong


async def _jc01_records() -> dict:
    deal = await Deal.select(Deal.id, Deal.unit, Deal.buyer, Deal.contract_no).where(
        (Deal.project.code == "JC01") & (Deal.stage == "已签约")).first()
    return deal


async def test_records_of_another_project_are_out_of_reach(new_client):
    d = await _jc01_records()
    c1 = await sign_in(await new_client(), "contract")  # JC01
    c2 = await sign_in(await new_client(), "contract2")  # JC02
    for path in (f"/pipeline/units/{d['unit']}", f"/archive/deals/{d['id']}"):
        assert (await c1.get(path)).status_code == 200, path
        assert (await c2.get(path)).status_code == 403, path
    ledger = await c2.get("/ledgers/contracts")
    assert ledger.status_code == 200 and d["contract_no"] not in ledger.text
    token = HX_CSRF_RE.search((await c2.get("/")).text).group(1)
    r = await c2.post(f"/pipeline/buyers/{d['buyer']}/unmask", data={"_csrf_token": token})
    assert r.status_code == 403
    jc01_unit = await Unit.select(Unit.id).where((Unit.project.code == "JC01") & (Unit.status == "可售")).first()
    if jc01_unit:
        assert (await c2.get(f"/pipeline/units/{jc01_unit['id']}/subscribe")).status_code == 403


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_reveal_only_with_the_permission_and_always_audited(new_client, role):
    d = await _jc01_records()
    c = await sign_in(await new_client(), role)
    token = HX_CSRF_RE.search((await c.get("/")).text).group(1)
    before = await AuditLog.count().where(AuditLog.action == "customer.unmask")
    r = await c.post(f"/pipeline/buyers/{d['buyer']}/unmask", data={"_csrf_token": token}, headers={"HX-Request": "true"})
    allowed = "customer.unmask" in permissions_for(role) and role != "contract2"
    assert r.status_code == (200 if allowed else 403), (role, r.status_code)
    assert await AuditLog.count().where(AuditLog.action == "customer.unmask") == before + (1 if allowed else 0)
