"""Idempotency keys (issue 11 §5): every form carries a fresh key; a retry with a completed key gets the recorded
response and does not run the action again; concurrent duplicates are recorded once; a refused post does not
consume its key; keys expire after the admin's setting."""
from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest

from app.core import idempotency
from app.core.tables import IdempotencyKey, IdempotencySetting
from app.core.timeutil import now
from app.workflow.tables import Request
from tests.conftest import CSRF_RE, csrf_token, sign_in
from tests.integration.workflow.helpers import expense_form

pytestmark = pytest.mark.integration

IDEM_RE = re.compile(r'name="_idem" value="([^"]+)"')


async def _form(client, path: str = "/workflow/new/expense") -> tuple[str, str, str]:
    r = await client.get(path)
    assert r.status_code == 200
    return CSRF_RE.search(r.text).group(1), IDEM_RE.search(r.text).group(1), r.text


async def test_every_form_carries_a_fresh_key(client):
    await sign_in(client, "clerk")
    _csrf, _key, html = await _form(client)
    forms = re.findall(r"<form[^>]*method=\"post\"", html)
    keys = IDEM_RE.findall(html)
    assert len(keys) >= len(forms) >= 1
    assert len(set(keys)) == len(keys), "each form on a page has its own key"
    _csrf, again, _ = await _form(client)
    assert again not in keys, "a new rendering gives new keys"


async def test_retry_with_a_completed_key_is_replayed_not_run_again(client):
    await sign_in(client, "clerk")
    csrf, key, _ = await _form(client)
    data = {**expense_form("66.00", reason="幂等重放测试"), "_csrf_token": csrf, "_idem": key}
    before = await Request.count()
    first = await client.post("/workflow/new/expense", data=data)
    assert first.status_code == 303, first.text[:300]
    second = await client.post("/workflow/new/expense", data=data)
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"]
    assert second.headers.get("idempotent-replayed") == "true"
    assert await Request.count() == before + 1
    row = await IdempotencyKey.select().where(IdempotencyKey.token.like(f"%:{key}")).first()
    assert row and row["status"] == 303 and row["path"] == "/workflow/new/expense"
    # the same key sent by another user is that user's own key: not a replay of someone else's response
    other = await sign_in(client.__class__(transport=client._transport, base_url="http://testserver"), "reception")
    csrf2, _k, _ = await _form(other)
    r = await other.post("/workflow/new/expense", data={**expense_form("67.00", reason="另一人同键"), "_csrf_token": csrf2, "_idem": key})
    assert r.status_code == 303 and r.headers.get("idempotent-replayed") is None
    assert await Request.count() == before + 2
    await other.aclose()


async def test_htmx_retry_replays_the_hx_redirect(client):
    await sign_in(client, "clerk")
    csrf, key, _ = await _form(client)
    data = {**expense_form("68.00", reason="幂等HTMX"), "_idem": key}
    headers = {"HX-Request": "true", "x-csrftoken": csrf}
    before = await Request.count()
    first = await client.post("/workflow/new/expense", data=data, headers=headers)
    second = await client.post("/workflow/new/expense", data=data, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.headers["hx-redirect"] == second.headers["hx-redirect"]
    assert await Request.count() == before + 1


async def test_header_key_without_a_form_field(client):
    await sign_in(client, "clerk")
    csrf, _key, _ = await _form(client)
    key = idempotency.new_key()
    data = {**expense_form("69.00", reason="幂等请求头")}
    headers = {"x-csrftoken": csrf, "Idempotency-Key": key}
    before = await Request.count()
    a = await client.post("/workflow/new/expense", data=data, headers=headers)
    b = await client.post("/workflow/new/expense", data=data, headers=headers)
    assert a.status_code == b.status_code == 303 and a.headers["location"] == b.headers["location"]
    assert await Request.count() == before + 1


async def test_refused_post_does_not_consume_its_key(client):
    await sign_in(client, "clerk")
    csrf, key, _ = await _form(client)
    bad = {**expense_form("70.00", reason=""), "_csrf_token": csrf, "_idem": key}
    before = await Request.count()
    r = await client.post("/workflow/new/expense", data=bad)
    assert r.status_code == 400 and "请" in r.text
    assert await IdempotencyKey.count().where(IdempotencyKey.token.like(f"%:{key}")) == 0
    ok = await client.post("/workflow/new/expense", data={**bad, "reason": "补正后再提交"})
    assert ok.status_code == 303 and ok.headers.get("idempotent-replayed") is None
    assert await Request.count() == before + 1


async def test_concurrent_duplicates_are_recorded_once(new_client):
    c = await sign_in(await new_client(), "clerk")
    csrf, key, _ = await _form(c)
    data = {**expense_form("71.00", reason="幂等并发"), "_csrf_token": csrf, "_idem": key}
    before = await Request.count()
    results = await asyncio.gather(*[c.post("/workflow/new/expense", data=data) for _ in range(5)])
    assert {r.status_code for r in results} == {303}, [r.text[:200] for r in results if r.status_code != 303]
    assert len({r.headers["location"] for r in results}) == 1
    assert await Request.count() == before + 1
    assert await IdempotencyKey.count().where(IdempotencyKey.token.like(f"%:{key}")) == 1


async def test_forged_or_missing_csrf_is_refused_before_any_replay(client):
    await sign_in(client, "clerk")
    csrf, key, _ = await _form(client)
    data = {**expense_form("72.00", reason="幂等CSRF"), "_csrf_token": csrf, "_idem": key}
    assert (await client.post("/workflow/new/expense", data=data)).status_code == 303
    r = await client.post("/workflow/new/expense", data={**data, "_csrf_token": "forged"})
    assert r.status_code == 403 and r.headers.get("idempotent-replayed") is None


async def test_login_form_still_works_with_its_key(new_client):
    c = await new_client()
    r = await c.get("/login")
    m = IDEM_RE.search(r.text)
    token = CSRF_RE.search(r.text).group(1)
    r = await c.post("/login", data={"username": "clerk", "password": "demo2026", "_csrf_token": token, "_idem": m.group(1) if m else "", "next": "/"})
    assert r.status_code == 303


async def test_keys_expire_after_the_setting(client):
    await idempotency.seed_defaults()
    days = {r["key"]: r["value"] for r in await IdempotencySetting.select()}
    assert days["key_days"] == 7 and days["body_limit_kb"] == 64
    old, fresh = f"0:{idempotency.new_key()}", f"0:{idempotency.new_key()}"
    await IdempotencyKey.insert(IdempotencyKey(token=old, created_at=now() - timedelta(days=8), status=303),
                                IdempotencyKey(token=fresh, created_at=now() - timedelta(days=6), status=303))
    await idempotency.purge_expired()
    assert not await IdempotencyKey.exists().where(IdempotencyKey.token == old)
    assert await IdempotencyKey.exists().where(IdempotencyKey.token == fresh)
    await IdempotencySetting.update({IdempotencySetting.value: 5}).where(IdempotencySetting.key == "key_days")
    try:
        await idempotency.purge_expired()
        assert not await IdempotencyKey.exists().where(IdempotencyKey.token == fresh)
    finally:
        await IdempotencySetting.update({IdempotencySetting.value: 7}).where(IdempotencySetting.key == "key_days")


async def test_a_key_reused_for_another_action_does_not_replay_it(client):
    await sign_in(client, "clerk")
    csrf, key, _ = await _form(client)
    before = await Request.count()
    a = await client.post("/workflow/new/expense", data={**expense_form("73.00", reason="同键不同表单"), "_csrf_token": csrf, "_idem": key})
    assert a.status_code == 303
    payment = {"payee": "苏州某广告有限公司", "bank": "中国银行苏州分行", "account": "6217000010001234567", "contract_no": "HT-IDEM-1",
               "contract_total": "1000.00", "amount": "10.00", "method": "银行转账", "purpose": "同键不同表单"}
    b = await client.post("/workflow/new/payment", data={**payment, "_csrf_token": csrf, "_idem": key})
    assert b.status_code == 303 and b.headers.get("idempotent-replayed") is None and b.headers["location"] != a.headers["location"]
    assert await Request.count() == before + 2


async def test_a_retry_refused_by_the_first_ones_writes_gets_the_first_ones_response(new_client, monkeypatch):
    """The race the concurrent test can hit: the retry's replay check runs before the first request commits, so it goes
    on, and is then refused by a check that sees the first one's writes (its invoice is now 已报销). It must still get
    the first one's response, not a form error."""
    from app.core import idempotency

    c = await sign_in(await new_client(), "clerk")
    csrf, key, _ = await _form(c)
    data = {**expense_form("73.00", reason="幂等竞态"), "_csrf_token": csrf, "_idem": key}
    first = await c.post("/workflow/new/expense", data=data)
    assert first.status_code == 303
    before = await Request.count()
    real, calls = idempotency._recorded, {"n": 0}

    async def checked_too_early(token):
        calls["n"] += 1
        return None if calls["n"] == 1 else await real(token)

    monkeypatch.setattr(idempotency, "_recorded", checked_too_early)
    second = await c.post("/workflow/new/expense", data=data)
    assert second.status_code == 303 and second.headers["location"] == first.headers["location"], second.text[:300]
    assert second.headers.get("idempotent-replayed") == "true"
    assert await Request.count() == before
