"""Helpers for the duty tests: employee ids by demo username, far-future days the demo roster does not cover, and
form posts with the CSRF token of the page."""
from __future__ import annotations

import itertools
from datetime import timedelta

from app.core.timeutil import today_local
from app.org.tables import Employee
from tests.conftest import HX_CSRF_RE

HX = {"HX-Request": "true"}
_seq = itertools.count(0)


async def emp(username: str) -> int:
    row = await Employee.select(Employee.id).where(Employee.user.username == username).first()
    assert row, username
    return row["id"]


def free_day(base: int = 75):
    """A day well past the seeded two months; each call a different one, so tests never share a slot."""
    return today_local() + timedelta(days=base + next(_seq))


async def token(client, path: str = "/duty") -> str:
    r = await client.get(path)
    m = HX_CSRF_RE.search(r.text)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


async def post(client, path: str, data: dict, page: str = "/duty", headers: dict | None = None):
    """A form post (a list value posts the name several times) with the page's CSRF token."""
    t = await token(client, page)
    return await client.post(path, data={**data, "_csrf_token": t}, headers=headers or {}, follow_redirects=False)
