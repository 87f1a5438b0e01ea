"""Notifications (issue 8 §3): the bell's count, the page's tabs and type filter (paged in SQL), mark one read (only
one's own) and mark all read; the 待办 badge counts approval tasks only, unread rules are counted beside the bell."""
import re

import pytest

from app.core.notify import notify
from app.core.tables import Notification
from app.org.tables import Employee
from app.workflow.tables import Task
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration


async def _uid(username: str) -> int:
    return (await Employee.select(Employee.user).where(Employee.user.username == username).first())["user"]


def _count(html: str, testid: str) -> int:
    m = re.search(rf'data-testid="{testid}" data-count="(\d+)"', html)
    assert m, html[:800]
    return int(m.group(1))


async def test_bell_page_tabs_and_kinds(new_client):
    uid = await _uid("legal")
    await Notification.delete().where(Notification.user == uid)
    await notify(uid, "待审批：测试甲", "/workflow", "task", "task:999001")
    await notify(uid, "抄送：测试乙", "/workflow", "cc")
    await notify(uid, "到期提醒：测试丙", "/permits", "reminder")
    await Notification.update({Notification.read_at: Notification.at}).where((Notification.user == uid) & (Notification.kind == "reminder"))
    c = await sign_in(await new_client(), "legal")
    bell = await c.get("/notifications/bell", headers={"HX-Request": "true"})
    assert bell.status_code == 200 and _count(bell.text, "bell-count") == 2 and 'href="/notifications"' in bell.text
    page = await c.get("/notifications")
    assert page.status_code == 200 and page.text.count('data-testid="note-row"') == 3 and "<html" in page.text
    assert "待审批" in page.text and "抄送" in page.text and "到期提醒" in page.text  # kinds by their Chinese names
    unread = await c.get("/notifications", params={"tab": "unread"})
    assert unread.text.count('data-testid="note-row"') == 2 and "测试丙" not in unread.text
    cc = await c.get("/notifications", params={"kind": "cc"}, headers={"HX-Request": "true"})
    assert "<html" not in cc.text and cc.text.count('data-testid="note-row"') == 1 and "测试乙" in cc.text
    unknown = await c.get("/notifications", params={"kind": "nonsense", "tab": "x"})
    assert unknown.status_code == 200 and unknown.text.count('data-testid="note-row"') == 3


async def test_pages_are_paged_in_sql(new_client):
    uid = await _uid("hr")
    await Notification.delete().where(Notification.user == uid)
    for i in range(25):
        await notify(uid, f"消息 {i:02d}", "/", "info")
    c = await sign_in(await new_client(), "hr")
    first = await c.get("/notifications")
    assert first.text.count('data-testid="note-row"') == 20 and "消息 24" in first.text and "共 25 条" in first.text
    second = await c.get("/notifications", params={"page": "2"})
    assert second.text.count('data-testid="note-row"') == 5 and "消息 00" in second.text


async def test_open_marks_read_and_only_ones_own(new_client):
    mine, theirs = await _uid("legal"), await _uid("hr")
    await notify(mine, "我的消息", "/workflow?tab=todo", "info")
    await notify(theirs, "别人的消息", "/workflow", "info")
    my_id = (await Notification.select(Notification.id).where(Notification.user == mine).order_by(Notification.id, ascending=False).first())["id"]
    their_id = (await Notification.select(Notification.id).where(Notification.user == theirs).order_by(Notification.id, ascending=False).first())["id"]
    c = await sign_in(await new_client(), "legal")
    token = await csrf_token(c, "/notifications")
    r = await c.post(f"/notifications/{their_id}/open", data={"_csrf_token": token})
    assert r.status_code == 404
    assert (await Notification.select(Notification.read_at).where(Notification.id == their_id).first())["read_at"] is None
    r = await c.post(f"/notifications/{my_id}/open", data={"_csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/workflow?tab=todo"
    assert (await Notification.select(Notification.read_at).where(Notification.id == my_id).first())["read_at"] is not None
    # mark all read touches only one's own
    await notify(mine, "再一条", "https://evil.example/", "info")
    r = await c.post("/notifications/read", data={"_csrf_token": token, "next": "//evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert await Notification.count().where((Notification.user == mine) & Notification.read_at.is_null()) == 0
    assert await Notification.count().where((Notification.user == theirs) & Notification.read_at.is_null()) >= 1
    # a notification whose url is not a portal path opens the list instead
    await notify(mine, "外链", "https://evil.example/", "info")
    ext = (await Notification.select(Notification.id).where(Notification.user == mine).order_by(Notification.id, ascending=False).first())["id"]
    r = await c.post(f"/notifications/{ext}/open", data={"_csrf_token": token})
    assert r.headers["location"] == "/notifications"


async def test_todo_badge_counts_tasks_only_and_rules_beside_the_bell(new_client):
    from app.core.auth import load_user
    from app.rules import services as rules

    uid = await _uid("cashier")
    user = await load_user(uid)
    c = await sign_in(await new_client(), "cashier")
    badge = await c.get("/badge", headers={"HX-Request": "true"})
    tasks = await Task.count().where((Task.assignee == uid) & (Task.status == "待处理"))
    assert _count(badge.text, "todo-badge") == tasks
    unread_rules = await rules.unread_count(user)
    bell = await c.get("/notifications/bell", headers={"HX-Request": "true"})
    if unread_rules:
        assert 'data-testid="rules-unread"' in bell.text and f'data-count="{unread_rules}"' in bell.text
    else:
        assert 'data-testid="rules-unread"' not in bell.text
    assert unread_rules > 0  # the demo data has rules waiting for a fresh position's confirmation


async def test_bell_is_in_the_top_bar(new_client):
    c = await sign_in(await new_client(), "legal")
    home = await c.get("/")
    assert 'hx-get="/notifications/bell"' in home.text and 'id="portal-toasts"' in home.text
