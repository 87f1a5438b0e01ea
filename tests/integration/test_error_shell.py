"""403 and 404 pages keep the portal's shell (issue 8 §9), and the favicon is served."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration

SHELL = 'data-testid="nav"'  # the sidebar
TOP_BAR = 'data-testid="current-user"'


@pytest.mark.parametrize("path, status", [
    ("/no-such-page", 404),  # no route at all: the session middleware never ran
    ("/rules/no-such-rule", 404),  # a route that raises NotFoundException
    ("/pipeline/units/99999999", 404),
    ("/audit", 403),  # the 合同专员 may not read the audit log
])
async def test_error_pages_keep_the_shell_when_signed_in(client, login, path, status):
    await login("contract")
    r = await client.get(path)
    assert r.status_code == status, (path, r.status_code)
    assert SHELL in r.text and TOP_BAR in r.text, path
    assert 'data-testid="error-page"' in r.text
    assert ("页面不存在" if status == 404 else "无权访问") in r.text
    assert 'rel="icon"' in r.text


async def test_error_page_for_a_visitor_is_the_sign_in_style(client):
    r = await client.get("/no-such-page")
    assert r.status_code == 404
    assert 'data-testid="error-page"' in r.text and SHELL not in r.text and "page-center" in r.text


async def test_an_expired_session_on_an_unknown_path_is_a_visitor(client):
    client.cookies.set("id", "not-a-session")
    r = await client.get("/no-such-page")
    assert r.status_code == 404 and SHELL not in r.text


async def test_error_fragment_for_htmx(client, login):
    await login("contract")
    r = await client.get("/audit", headers={"HX-Request": "true"})
    assert r.status_code == 403


async def test_favicon(client):
    r = await client.get("/favicon.ico")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/")
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    svg = await client.get("/static/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert "img-src 'self'" in r.headers["content-security-policy"]
