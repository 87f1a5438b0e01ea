"""Sign-in, sessions, sign-out, password change, lock-out."""
import pytest
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from app.core.tables import AuditLog, LoginAttempt
from tests.conftest import csrf_token

pytestmark = pytest.mark.integration


async def test_login_page_is_chinese_and_has_csrf(client):
    r = await client.get("/login")
    assert r.status_code == 200
    assert "登录" in r.text and 'name="_csrf_token"' in r.text and 'lang="zh-CN"' in r.text


async def test_unauthenticated_page_redirects_to_login_with_next(client):
    r = await client.get("/org/employees?q=王")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/org/employees")


async def test_unauthenticated_htmx_request_gets_hx_redirect(client):
    r = await client.get("/org", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login?next=/org")


async def test_wrong_password_keeps_username_and_shows_field_message(client):
    token = await csrf_token(client)
    r = await client.post("/login", data={"username": "contract", "password": "wrong-pass", "_csrf_token": token})
    assert r.status_code == 400
    assert "用户名或密码不正确" in r.text
    assert 'value="contract"' in r.text
    assert "id" not in client.cookies


async def test_login_creates_db_session_and_logout_removes_it(client, login):
    await login("data")
    token = client.cookies["id"]
    assert await SessionsBase.get_user_id(token)
    r = await client.get("/")
    assert r.status_code == 200 and "首页" in r.text
    csrf = await csrf_token(client, "/")
    r = await client.post("/logout", data={"_csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert await SessionsBase.get_user_id(token) is None
    client.cookies.set("id", token)
    r = await client.get("/")
    assert r.status_code == 303
    from tests import conftest

    conftest._SESSIONS.pop("data", None)


async def test_expired_session_is_refused(client):
    from datetime import datetime, timedelta

    user_id = (await BaseUser.select(BaseUser.id).where(BaseUser.username == "clerk").first())["id"]
    s = await SessionsBase.create_session(user_id=user_id, expiry_date=datetime.now() - timedelta(minutes=1))
    client.cookies.set("id", s.token)
    r = await client.get("/")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


async def test_lockout_after_repeated_failures(client):
    username = "locked_user_x"
    for _ in range(5):
        token = await csrf_token(client)
        r = await client.post("/login", data={"username": username, "password": "nope-nope", "_csrf_token": token})
        assert "用户名或密码不正确" in r.text
    token = await csrf_token(client)
    r = await client.post("/login", data={"username": username, "password": "nope-nope", "_csrf_token": token})
    assert r.status_code == 400 and "登录失败次数过多" in r.text
    assert await LoginAttempt.count().where(LoginAttempt.username == username) == 6


async def test_login_without_csrf_token_is_refused(client):
    await client.get("/login")
    r = await client.post("/login", data={"username": "contract", "password": "demo2026"})
    assert r.status_code == 403
    assert "CSRF" in r.text and "刷新页面" in r.text


async def test_change_password(client, login):
    await BaseUser.create_user(username="pwuser", password="start1234", active=True)
    await login("pwuser", "start1234")
    token = await csrf_token(client, "/account/password")
    bad = await client.post("/account/password", data={"_csrf_token": token, "old_password": "wrong", "new_password": "abc", "confirm_password": "abd"})
    assert bad.status_code == 400
    assert "当前密码不正确" in bad.text and "新密码至少 8 个字符" in bad.text and "两次输入的新密码不一致" in bad.text
    # HTMX post gets only the form fragment back
    frag = await client.post("/account/password", data={"_csrf_token": token, "old_password": "start1234", "new_password": "nodigits", "confirm_password": "nodigits"},
                             headers={"HX-Request": "true", "x-csrftoken": token})
    assert frag.status_code == 400 and "<html" not in frag.text and "须同时包含字母和数字" in frag.text
    ok = await client.post("/account/password", data={"_csrf_token": token, "old_password": "start1234", "new_password": "newpass123", "confirm_password": "newpass123"})
    assert ok.status_code == 303
    assert await BaseUser.login("pwuser", "newpass123")
    assert await AuditLog.exists().where((AuditLog.action == "auth.change_password") & (AuditLog.actor_name == "pwuser"))


async def test_a_disabled_account_is_refused_at_the_form_and_an_old_session_does_not_loop(client):
    import uuid

    name = f"off_{uuid.uuid4().hex[:8]}"
    user = await BaseUser.create_user(username=name, password="start1234", email=f"{name}@test.invalid", active=True)
    token = await csrf_token(client)
    ok = await client.post("/login", data={"_csrf_token": token, "username": name, "password": "start1234"})
    assert ok.status_code == 303
    await BaseUser.update({BaseUser.active: False}).where(BaseUser.id == user.id)  # e.g. a leaver's, at the end of the last day
    # the old session: no page, and /login shows the form (no redirect loop between /login and /)
    assert (await client.get("/workflow")).status_code == 303
    page = await client.get("/login")
    assert page.status_code == 200 and 'name="username"' in page.text
    token = await csrf_token(client)
    r = await client.post("/login", data={"_csrf_token": token, "username": name, "password": "start1234"})
    assert r.status_code == 400 and "该账号已停用" in r.text and name in r.text
    last = await LoginAttempt.select(LoginAttempt.success).where(LoginAttempt.username == name).order_by(LoginAttempt.id, ascending=False).first()
    assert last["success"] is False


async def test_a_session_is_read_with_its_user_in_one_statement_and_extended_near_its_expiry(client):
    """session_user (every signed-in request): the session, the account, the active employee and its project scope
    in one statement; a session close to its expiry is extended, one past its max_expiry_date is refused."""
    from datetime import datetime, timedelta

    from app.core import engine
    from app.core.auth import load_user, session_user
    from app.org.tables import Employee, EmployeeProject

    scoped = await Employee.select(Employee.id, Employee.user).where(
        (Employee.all_projects == False) & Employee.user.is_not_null() & (Employee.active == True)  # noqa: E712
    ).order_by(Employee.id).first()
    projects = {r["project"] for r in await EmployeeProject.select(EmployeeProject.project).where(EmployeeProject.employee == scoped["id"])}
    assert projects  # a demo employee with a project scope
    s = await SessionsBase.create_session(user_id=scoped["user"], expiry_date=datetime.now() + timedelta(minutes=5))
    engine.begin_count()
    user, why = await session_user(s.token, increase_expiry=timedelta(hours=1))
    assert why == "" and user.project_ids == frozenset(projects) and not user.all_projects
    assert engine.statement_count() == 2  # the read, and the extension (only because the expiry was near)
    assert user == await load_user(scoped["user"])  # the same user as the account's own lookup
    row = await SessionsBase.select(SessionsBase.expiry_date).where(SessionsBase.id == s.id).first()
    assert row["expiry_date"] > datetime.now() + timedelta(minutes=50)
    engine.begin_count()
    assert (await session_user(s.token, increase_expiry=timedelta(hours=1)))[0] == user
    assert engine.statement_count() == 1  # far from its expiry now: nothing written
    await SessionsBase.update({SessionsBase.max_expiry_date: datetime.now() - timedelta(seconds=1)}).where(SessionsBase.id == s.id)
    assert await session_user(s.token) == (None, "登录已过期")
    assert await session_user("no-such-token") == (None, "登录已过期")
    clerk = await BaseUser.create_user(username="gone_user_x", password="start1234", email="gone_user_x@example.com", active=False)
    s2 = await SessionsBase.create_session(user_id=clerk.id)
    assert await session_user(s2.token) == (None, "账号已停用")
