"""Guards on every route, the Chinese 403 page, CSRF, and the admin panel."""
import pytest
from litestar.handlers import ASGIRouteHandler, HTTPRouteHandler

from app.core.guards import GUARD_MARK
from tests.conftest import csrf_token

pytestmark = pytest.mark.integration


def test_every_route_has_a_role_guard(app):
    unguarded = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, (HTTPRouteHandler, ASGIRouteHandler)):
                continue
            if handler.handler_name == "options_handler":  # litestar's automatic OPTIONS answer
                continue
            guards = [g for layer in handler.ownership_layers for g in (layer.guards or [])]
            if not any(hasattr(g, GUARD_MARK) for g in guards):
                unguarded.append(f"{route.path} {handler}")
    assert not unguarded, unguarded


def test_every_guard_and_route_handler_runs_on_the_event_loop(app):
    """A plain-function guard or handler is run by Litestar in its thread pool: a thread hand-over on every request
    (the guards were a third of the signed-in floor page's time). Every one is a coroutine function."""
    import inspect

    off_loop = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or handler.handler_name == "options_handler":
                continue
            for g in (g for layer in handler.ownership_layers for g in (layer.guards or [])):
                if not inspect.iscoroutinefunction(getattr(g, "func", g)):
                    off_loop.append(f"{route.path}: guard {getattr(g, '__name__', g)}")
            fn = handler.fn
            if not inspect.iscoroutinefunction(fn) and getattr(handler, "sync_to_thread", None) is not False:
                off_loop.append(f"{route.path}: handler {handler.handler_name}")
    assert not off_loop, off_loop


async def test_forbidden_page_is_chinese(client, login):
    await login("contract")
    r = await client.get("/audit")
    assert r.status_code == 403
    assert "无权访问" in r.text and "您的岗位没有访问此页面的权限" in r.text


async def test_admin_panel_for_admin_only(client, login, new_client):
    await login("contract")
    assert (await client.get("/admin/")).status_code == 403
    assert (await client.get("/admin/api/tables/")).status_code == 403
    admin = await new_client()
    from tests.conftest import sign_in

    await sign_in(admin, "sysadmin")
    r = await admin.get("/admin", follow_redirects=False)
    assert r.status_code in (302, 303, 307) and r.headers["location"] == "/admin/"
    r = await admin.get("/admin/")
    assert r.status_code == 200 and "<html" in r.text.lower()
    # The same session cookie serves piccolo-admin's API: one sign-in for both.
    r = await admin.get("/admin/api/tables/")
    assert r.status_code == 200
    tables = r.json()
    for name in ("company", "department", "position", "project", "building", "holiday_override"):
        assert name in tables


async def test_unauthenticated_admin_goes_to_login(client):
    r = await client.get("/admin/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=/admin/")


async def test_post_without_csrf_refused_and_htmx_post_with_token_succeeds(client, login):
    await login("reception")
    doc = await client.get("/rules/kf-71p")
    import re

    version_id = re.search(r'/rules/versions/(\d+)/ack', doc.text).group(1)
    r = await client.post(f"/rules/versions/{version_id}/ack", headers={"HX-Request": "true"})
    assert r.status_code == 403
    token = await csrf_token(client, "/rules/kf-71p")
    r = await client.post(f"/rules/versions/{version_id}/ack", headers={"HX-Request": "true", "x-csrftoken": token})
    assert r.status_code == 200
    assert 'data-testid="ack-state"' in r.text and "<html" not in r.text


async def test_bad_query_and_unknown_pages_do_not_500(client, login):
    await login("dept_head")
    for url in ["/org/employees?page=abc&per_page=-5&sort=;drop", "/audit?from=notadate&to=2026-13-45", "/calendar?month=2026-99",
                "/calendar/add?start=xx&days=yy", "/org/employees/999999", "/rules/nope", "/rules/kf-71p/v/99", "/nothing-here"]:
        r = await client.get(url)
        assert r.status_code in (200, 400, 404), (url, r.status_code)
        assert "系统出现错误" not in r.text


async def test_huge_ids_are_not_found_not_500(client, login):
    await login("dept_head")
    for url in ["/workflow/requests/99999999999999999999", "/org/employees/99999999999999999999", "/org/employees?department=99999999999999999999"]:
        r = await client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
