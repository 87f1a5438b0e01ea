"""Every GET page of the route table, asked with look-alike digits ("²", "①"), full-width digits and a 5,000-digit
number in every common query parameter: never a 5xx (str.isdigit() accepts "²", which int() refuses, and int() refuses
more than 4,300 digits). The page parameters are read through app.core.fields.parse_id / ascii_digits."""
from __future__ import annotations

import pytest
from litestar.handlers import HTTPRouteHandler

from tests.conftest import sign_in

pytestmark = pytest.mark.integration

NAMES = ("project", "handler", "view", "page", "per_page", "state", "status", "due", "window", "custodian", "category", "seal",
         "kind", "month", "task", "sort", "dir", "unit", "building", "deal", "employee", "id", "year", "days", "agent", "type",
         "department", "position", "keeper", "vehicle", "driver", "card", "tab", "q", "export", "print", "from", "to")
BAD = ("²", "①２")
LONG = "9" * 4400  # past int()'s 4,300-digit limit; ten parameters a request keep the URL under httpx's 64 KB
SKIP_PREFIXES = ("/admin", "/static", "/logout", "/healthz", "/favicon")


def get_pages(app) -> list[str]:
    out = set()
    for route in app.routes:
        if "{" in route.path or route.path.startswith(SKIP_PREFIXES):
            continue
        for h in getattr(route, "route_handlers", []):
            if isinstance(h, HTTPRouteHandler) and "GET" in h.http_methods:
                out.add(route.path)
    return sorted(out)


@pytest.mark.parametrize("role", ["dept_head", "supervisor"])
async def test_no_get_page_fails_on_lookalike_digits(new_client, running_app, role):
    client = await sign_in(await new_client(), role)
    failures = []
    pages = get_pages(running_app)
    assert len(pages) > 40
    for path in pages:
        names = [n for n in NAMES if n not in ("export", "print")]
        asks = [{n: bad for n in names} for bad in BAD] + [{n: LONG for n in names[i:i + 10]} for i in range(0, len(names), 10)]
        for params in asks:
            r = await client.get(path, params=params)
            if r.status_code >= 500:
                failures.append((path, sorted(params)[0], next(iter(params.values()))[:8], r.status_code))
    assert not failures, failures
