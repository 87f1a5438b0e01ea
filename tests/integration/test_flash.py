"""The flash after an HX-Redirect reaches the page it redirects to, whatever background request gets there first
(issue 7 §7: the permits browser test lost it under load to the 待办 badge's HTMX request)."""
import pytest

from app.core.web import FLASH_COOKIE, flash_cookie_value
from tests.conftest import sign_in

pytestmark = pytest.mark.integration


async def test_background_htmx_requests_leave_the_flash_for_the_page(new_client):
    c = await sign_in(await new_client(), "bureau")
    c.cookies.set(FLASH_COOKIE, flash_cookie_value([{"level": "success", "text": "48 套房源已变为可售"}]))
    for path in ("/badge", "/permits"):  # the badge (HTMX and plain) and an HTMX list fragment, as the browser may send them first
        for headers in ({"HX-Request": "true"}, {}):
            if path == "/permits" and not headers:
                continue
            r = await c.get(path, headers=headers)
            assert r.status_code == 200
            assert FLASH_COOKIE not in r.headers.get("set-cookie", ""), (path, headers)
            assert "48 套房源已变为可售" not in r.text
    page = await c.get("/permits")
    assert 'data-testid="flash"' in page.text and "48 套房源已变为可售" in page.text
    assert FLASH_COOKIE in page.headers.get("set-cookie", "")  # consumed by the page (deleted)
