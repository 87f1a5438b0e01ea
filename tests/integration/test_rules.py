"""Rules library: reading, acknowledging a version, and who has not."""
import re

import pytest

from app.core.tables import AuditLog
from app.rules.tables import RuleAcknowledgement, RuleVersion
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration


async def _version_id(client=None) -> int:
    row = await RuleVersion.select(RuleVersion.id).where(
        (RuleVersion.document.code == "kf-71p") & (RuleVersion.is_current == True)).first()  # noqa: E712
    return row["id"]


async def test_library_lists_documents_with_fixed_text(client, login):
    await login("archive")
    r = await client.get("/rules")
    assert r.status_code == 200 and "客服部" in r.text and 'data-testid="rule-link-kf-71p"' in r.text
    doc = await client.get("/rules/kf-71p")
    assert doc.status_code == 200
    text = doc.text
    for wrong in ("治理制度", "讲明书", "差不多工作技能"):
        assert wrong not in text
    assert 'id="c-ch2-5.6"' in text  # stable clause anchor, fixed from "4.6"


async def test_acknowledgement_is_per_user(new_client):
    a = await sign_in(await new_client(), "title")
    b = await sign_in(await new_client(), "bureau")
    vid = await _version_id(a)
    assert 'data-testid="ack-submit"' in (await a.get("/rules/kf-71p")).text
    token = await csrf_token(a, "/rules/kf-71p")
    r = await a.post(f"/rules/versions/{vid}/ack", data={"_csrf_token": token})
    assert r.status_code == 303
    page_a = await a.get("/rules/kf-71p")
    assert 'data-testid="ack-state"' in page_a.text and "您已于" in page_a.text
    idx_a = await a.get("/rules")
    assert re.search(r'data-testid="rule-state-kf-71p">\s*<span[^>]*>已读', idx_a.text)
    # For another user the same version is still unread
    page_b = await b.get("/rules/kf-71p")
    assert 'data-testid="ack-submit"' in page_b.text
    idx_b = await b.get("/rules")
    assert re.search(r'data-testid="rule-state-kf-71p">\s*<span[^>]*>未读', idx_b.text)
    # A second acknowledgement changes nothing
    await a.post(f"/rules/versions/{vid}/ack", data={"_csrf_token": token})
    assert await RuleAcknowledgement.count().where(
        (RuleAcknowledgement.version == vid) & (RuleAcknowledgement.user.username == "title")) == 1
    assert await AuditLog.count().where((AuditLog.action == "rules.acknowledge") & (AuditLog.entity_id == str(vid)) & (AuditLog.actor_name != "")) >= 1


async def test_htmx_acknowledge_returns_panel_and_oob_badge(new_client):
    c = await sign_in(await new_client(), "clerk")
    vid = await _version_id(c)
    before = await c.get("/notifications/bell", headers={"HX-Request": "true"})  # unread rules: beside the bell, not in 待办
    count_before = int(re.search(r'data-testid="rules-unread-count" data-count="(\d+)"', before.text).group(1))
    token = await csrf_token(c, "/rules/kf-71p")
    r = await c.post(f"/rules/versions/{vid}/ack", headers={"HX-Request": "true", "x-csrftoken": token})
    assert r.status_code == 200
    assert 'id="ack-panel"' in r.text and 'hx-swap-oob="true"' in r.text
    assert f'id="rules-unread-count" class="badge bg-orange text-white ms-1" data-testid="rules-unread-count" data-count="{count_before - 1}" hx-swap-oob="true"' in r.text


async def test_managers_see_who_has_not_acknowledged(new_client):
    head = await sign_in(await new_client(), "dept_head")
    vid = await _version_id(head)
    r = await head.get("/rules/status")
    assert r.status_code == 200 and 'data-testid="status-row-kf-71p"' in r.text
    unread = await head.get(f"/rules/status/{vid}?state=unread")
    read = await head.get(f"/rules/status/{vid}?state=read")
    assert unread.status_code == 200 and read.status_code == 200
    # seeded: the supervisor has read it, the sales consultant has not
    assert "客服主管" in read.text
    assert "置业顾问" in unread.text
    frag = await head.get(f"/rules/status/{vid}?state=unread&q=JC", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and 'id="ack-list"' in frag.text


async def test_status_page_denied_for_officer(client, login):
    await login("contract")
    assert (await client.get("/rules/status")).status_code == 403
    vid = (await RuleVersion.select(RuleVersion.id).first())["id"]
    assert (await client.get(f"/rules/status/{vid}")).status_code == 403


async def test_clause_link_redirects_to_anchor(client, login):
    await login("contract")
    r = await client.get("/rules/clause/kf-71p/ch2-4.3")
    assert r.status_code in (301, 302, 303, 307) and r.headers["location"] == "/rules/kf-71p#c-ch2-4.3"


async def test_publishing_a_new_version_makes_everyone_unread_again(new_client):
    head = await sign_in(await new_client(), "supervisor")
    page = await head.get("/rules/doc-01/publish")
    assert page.status_code == 200 and "第一条" in page.text
    token = await csrf_token(head, "/rules/doc-01/publish")
    bad = await head.post("/rules/doc-01/publish", data={"_csrf_token": token, "effective_on": "2026-02-30", "change_note": "", "body": "新的第一条"})
    assert bad.status_code == 400
    assert "日期格式应为" in bad.text and "请说明本次修订的内容" in bad.text and "新的第一条" in bad.text
    assert await RuleVersion.count().where(RuleVersion.document.code == "doc-01") == 1  # nothing written
    # the supervisor reads version 1 first
    v1 = (await RuleVersion.select(RuleVersion.id).where(RuleVersion.document.code == "doc-01").first())["id"]
    await head.post(f"/rules/versions/{v1}/ack", data={"_csrf_token": token})
    body = "一、总则第一条为了提高服务质量，制定本制度。\n\n第二条本制度自发布之日起施行。"
    ok = await head.post("/rules/doc-01/publish", data={"_csrf_token": token, "effective_on": "2026-12-01", "change_note": "精简条款", "body": body})
    assert ok.status_code == 303
    doc = await head.get("/rules/doc-01")
    assert "第 2 版" in doc.text and 'id="c-art1"' in doc.text and 'data-testid="ack-submit"' in doc.text
    assert "精简条款" in doc.text
    old = await head.get("/rules/doc-01/v/1")
    assert old.status_code == 200 and "非现行版本" in old.text
    assert await AuditLog.exists().where((AuditLog.action == "rules.publish") & (AuditLog.summary.like("%第 2 版%")))


async def test_publish_denied_for_officer(client, login):
    await login("contract")
    assert (await client.get("/rules/doc-01/publish")).status_code == 403
