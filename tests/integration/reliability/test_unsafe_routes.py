"""Every unsafe route (POST/PUT/PATCH/DELETE), generated from the app's route table (issue 11 §5):

- × every demo role whose permissions do not satisfy the route's guard: with a valid CSRF token the answer is the
  guard's 403 (not the CSRF one) and no table changes row count;
- without a CSRF token, and with a wrong one (another session's token, or garbage), signed in as a role the guard lets
  through: 403 with the CSRF message, no row changed.

Path parameters are filled with real records of the demo data (tests/integration/reliability/routes.py documents the
mapping). A new route is covered the day it is added."""
from __future__ import annotations

import pytest

from app.core.permissions import ROLES, ROLE_PERMISSIONS
from tests.conftest import HX_CSRF_RE, sign_in
from tests.integration.reliability.routes import diff, fill, record_ids, row_counts, unsafe_routes

pytestmark = pytest.mark.integration

CSRF_MESSAGE = "CSRF"


async def _perms(role: str):
    from app.core.auth import load_user
    from app.org.tables import Employee

    emp = await Employee.select(Employee.user).where(Employee.user.username == role).first()
    assert emp, role
    return (await load_user(emp["user"])).permissions


async def _token(c) -> str:
    m = HX_CSRF_RE.search((await c.get("/")).text)
    assert m, "no CSRF token on the home page"
    return m.group(1)


def test_the_route_table_has_the_unsafe_routes(app):
    routes = unsafe_routes(app)
    assert len(routes) >= 100, len(routes)  # 117 at fa09be7; a broken enumeration must not pass quietly
    assert all(marks for _, _, marks in routes), [p for _, p, m in routes if not m]  # every route has a guard


@pytest.mark.parametrize("role", sorted(ROLES))
async def test_unsafe_routes_refuse_a_role_without_the_permission(app, new_client, role):
    perms = await _perms(role)
    denied = [(m, p) for m, p, marks in unsafe_routes(app) if "public" not in marks and not all(x in perms for x in marks)]
    if not denied:
        assert all(p in perms for p in {x for r in ROLE_PERMISSIONS.values() for x in r}), role  # only a role with everything
        return
    ids = await record_ids()
    c = await sign_in(await new_client(), role)
    token = await _token(c)
    before = await row_counts()
    wrong = []
    for method, path in denied:
        url = fill(path, ids)
        r = await c.request(method, url, data={"_csrf_token": token}, headers={"x-csrftoken": token})
        if r.status_code != 403 or CSRF_MESSAGE in r.text:
            wrong.append(f"{method} {url}: {r.status_code}")
    after = await row_counts()
    assert not wrong, wrong
    assert not diff(before, after), diff(before, after)


def _role_for(marks: tuple[str, ...]) -> str:
    if "public" in marks:
        return "dept_head"
    for role in ("dept_head", "sysadmin", *sorted(ROLES)):
        if all(m in ROLE_PERMISSIONS[role] for m in marks):
            return role
    raise AssertionError(f"no demo role passes {marks}")


async def test_every_unsafe_route_refuses_a_missing_or_wrong_csrf_token(app, new_client):
    ids = await record_ids()
    clients: dict[str, object] = {}
    other = await sign_in(await new_client(), "data")
    other_token = await _token(other)  # valid, but for another session's cookie
    before = await row_counts()
    wrong = []
    for method, path, marks in unsafe_routes(app):
        role = _role_for(marks)
        if role not in clients:
            clients[role] = await sign_in(await new_client(), role)
            await _token(clients[role])  # the CSRF cookie is set
        c = clients[role]
        url = fill(path, ids)
        for label, data, headers in (
            ("missing", {}, {}),
            ("missing (HTMX)", {}, {"HX-Request": "true"}),
            ("another session's", {"_csrf_token": other_token}, {"x-csrftoken": other_token}),
            ("garbage", {"_csrf_token": "x" * 64}, {"x-csrftoken": "x" * 64}),
        ):
            r = await c.request(method, url, data=data, headers=headers)
            if r.status_code != 403 or CSRF_MESSAGE not in r.text:
                wrong.append(f"{method} {url} as {role}, {label} token: {r.status_code}")
    after = await row_counts()
    assert not wrong, wrong
    assert not diff(before, after), diff(before, after)
    # and signed out: the sign-in form itself refuses a post without its token
    anon = await new_client()
    r = await anon.post("/login", data={"username": "dept_head", "password": "demo2026"})
    assert r.status_code == 403 and "id" not in anon.cookies
