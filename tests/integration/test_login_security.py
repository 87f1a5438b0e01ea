"""Security hardening (issue 7 §6): throttling per IP and user name instead of a lock-out anyone can trigger,
admin unlock, password rules, other sessions ending on a password change, headers and cookies."""
import os
import re
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from app.core import auth
from app.core.tables import AuditLog, LoginAttempt
from app.core.timeutil import now
from tests.conftest import DEMO_PASSWORD, ROOT, csrf_token, sign_in

pytestmark = pytest.mark.integration
PASSWORD = "Desk-7781-kefu"


async def make_user(name: str, password: str = PASSWORD) -> int:
    await LoginAttempt.delete().where(LoginAttempt.username == name)
    if not await BaseUser.exists().where(BaseUser.username == name):
        await BaseUser.create_user(username=name, password=password, email=f"{name}@test.invalid", active=True)
    return (await BaseUser.select(BaseUser.id).where(BaseUser.username == name).first())["id"]


def client_from(app, ip: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(ip, 40000)), base_url="http://testserver")


async def try_login(c: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    token = await csrf_token(c)
    return await c.post("/login", data={"username": username, "password": password, "_csrf_token": token})


# ---------------------------------------------------------------- throttling


async def test_an_attacker_failing_20_times_does_not_stop_the_owner(running_app):
    await make_user("owner_desk")
    owner = client_from(running_app, "10.1.2.3")
    assert (await try_login(owner, "owner_desk", PASSWORD)).status_code == 303  # the owner's desk, yesterday
    async with client_from(running_app, "203.0.113.9") as attacker:
        texts = [(await try_login(attacker, "owner_desk", "guess-%d" % i)).text for i in range(20)]
    assert all("用户名或密码不正确" in t for t in texts[:5])
    assert all("登录失败次数过多" in t for t in texts[5:])  # the attacker's IP is throttled after 5
    owner.cookies.clear()
    assert (await try_login(owner, "owner_desk", PASSWORD)).status_code == 303
    await owner.aclose()
    async with client_from(running_app, "10.9.9.9") as new_desk:  # an IP that never failed is not refused either
        assert (await try_login(new_desk, "owner_desk", PASSWORD)).status_code == 303


async def test_many_ips_slow_the_user_name_but_never_the_owners_desk():
    await make_user("owner_many")
    await auth.sign_in("owner_many", PASSWORD, ip="10.1.2.4")  # a recent success from the owner's desk
    for i in range(20):  # a botnet: one failure each from 20 IPs (LOGIN_USER_MAX_FAILURES)
        with pytest.raises(auth.LoginError, match="用户名或密码不正确"):
            await auth.sign_in("owner_many", "wrong-%d" % i, ip=f"198.51.100.{i}")
    with pytest.raises(auth.LoginError, match="登录失败次数过多"):  # a stranger's IP: slowed down, even with the password
        await auth.sign_in("owner_many", PASSWORD, ip="198.51.100.200")
    assert await auth.sign_in("owner_many", PASSWORD, ip="10.1.2.4")  # the owner's desk signs in


async def test_the_same_ip_waits_a_growing_delay():
    name = "throttle_probe"
    await LoginAttempt.delete().where(LoginAttempt.username == name)
    t0 = now()
    ip = "192.0.2.1"

    async def fail(n: int) -> None:
        await LoginAttempt.insert(*[LoginAttempt(username=name, ip=ip, at=t0 - timedelta(seconds=n - i), success=False) for i in range(n)])

    await fail(4)
    assert await auth.throttle_for(name, ip, t0) is None  # 4 failures: no delay
    await LoginAttempt.delete().where(LoginAttempt.username == name)
    await fail(5)
    t = await auth.throttle_for(name, ip, t0)
    assert t and t.reason == "pair" and t.until == t0 - timedelta(seconds=1) + timedelta(minutes=1)
    assert await auth.throttle_for(name, ip, t0 + timedelta(seconds=61)) is None  # 1 minute later: one more try
    assert await auth.throttle_for(name, "192.0.2.2", t0) is None  # another IP is not throttled
    for n, minutes in ((6, 2), (7, 4), (8, 8), (12, 15)):  # doubling, capped at LOGIN_LOCK_MINUTES (15)
        await LoginAttempt.delete().where(LoginAttempt.username == name)
        await fail(n)
        t = await auth.throttle_for(name, ip, t0)
        assert t.until - (t0 - timedelta(seconds=1)) == timedelta(minutes=minutes), n
    # a throttled attempt is refused without looking at the password and does not lengthen the delay
    with pytest.raises(auth.LoginError, match="登录失败次数过多，请 \\d+ 分钟后再试"):
        await auth.sign_in(name, "whatever", ip=ip)
    assert await LoginAttempt.count().where((LoginAttempt.username == name) & (LoginAttempt.throttled == True)) == 1  # noqa: E712
    assert (await auth.throttle_for(name, ip, t0)).until - (t0 - timedelta(seconds=1)) == timedelta(minutes=15)


async def test_the_administrator_unlocks(running_app, new_client):
    await make_user("unlock_me")
    async with client_from(running_app, "203.0.113.77") as c:
        for i in range(6):
            await try_login(c, "unlock_me", "bad-%d" % i)
        assert "登录失败次数过多" in (await try_login(c, "unlock_me", PASSWORD)).text
        head = await sign_in(await new_client(), "dept_head")
        assert (await head.get("/security/logins")).status_code == 403
        admin = await sign_in(await new_client(), "sysadmin")
        page = await admin.get("/security/logins")
        assert page.status_code == 200 and 'data-username="unlock_me" data-ip="203.0.113.77"' in page.text
        token = await csrf_token(admin, "/security/logins")
        assert (await head.post("/security/logins/unlock", data={"username": "unlock_me", "scope": "all", "_csrf_token": await csrf_token(head, "/")})).status_code == 403
        r = await admin.post("/security/logins/unlock", data={"username": "unlock_me", "ip": "203.0.113.77", "scope": "ip", "_csrf_token": token})
        assert r.status_code == 303
        assert await AuditLog.exists().where((AuditLog.action == "auth.unlock") & (AuditLog.entity_id == "unlock_me"))
        assert 'data-username="unlock_me"' not in (await admin.get("/security/logins")).text
        assert (await try_login(c, "unlock_me", PASSWORD)).status_code == 303


# ---------------------------------------------------------------- passwords and sessions


async def change(c, old: str, new: str) -> httpx.Response:
    token = await csrf_token(c, "/account/password")
    return await c.post("/account/password", data={"_csrf_token": token, "old_password": old, "new_password": new, "confirm_password": new})


async def test_common_passwords_and_the_user_name_are_refused(client, login):
    await make_user("pwrules")
    await login("pwrules", PASSWORD)
    assert (await change(client, PASSWORD, "12345678")).status_code == 400
    for weak in ("password1", "qwerty123", "abc12345", "woaini1314", "Password123", "kefu2026", "1qaz2wsx"):
        r = await change(client, PASSWORD, weak)
        assert r.status_code == 400 and "新密码过于常见" in r.text, weak
    r = await change(client, PASSWORD, "PwRules2027x")
    assert r.status_code == 400 and "新密码不能包含用户名" in r.text
    assert (await change(client, PASSWORD, "Lotus-8842-desk")).status_code == 303


async def test_changing_the_password_ends_the_other_sessions(running_app, new_client):
    uid = await make_user("pwsessions")
    desk, phone = await new_client(), await new_client()
    await sign_in(desk, "pwsessions", PASSWORD)
    await sign_in(phone, "pwsessions", PASSWORD)
    assert desk.cookies["id"] != phone.cookies["id"]
    assert (await phone.get("/")).status_code == 200
    assert (await change(desk, PASSWORD, "Lotus-8843-desk")).status_code == 303
    assert (await desk.get("/")).status_code == 200  # the session the change was made in stays
    assert (await phone.get("/")).status_code == 303  # the other one is signed out
    assert await SessionsBase.count().where(SessionsBase.user_id == uid) == 1
    entry = await AuditLog.select(AuditLog.summary).where(AuditLog.action == "auth.change_password").order_by(AuditLog.id, ascending=False).first()
    assert "结束其他 1 个登录会话" in entry["summary"]


async def test_demo_accounts_keep_their_seeded_password(client):
    assert (await try_login(client, "clerk", DEMO_PASSWORD)).status_code == 303


# ---------------------------------------------------------------- headers


def assert_security_headers(r: httpx.Response, admin: bool = False) -> None:
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    if not admin:
        assert "script-src 'self';" in csp and "unsafe-eval" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in r.headers["permissions-policy"]
    assert "strict-transport-security" not in r.headers  # only in production


async def test_every_response_has_the_security_headers(client, login):
    assert_security_headers(await client.get("/login"))
    assert_security_headers(await client.get("/static/js/portal.js"))
    assert_security_headers(await client.get("/no/such/page"))
    assert_security_headers(await client.get("/healthz"))
    await login("sysadmin")
    assert_security_headers(await client.get("/"))
    assert_security_headers(await client.get("/org", headers={"HX-Request": "true"}))
    # pages and fragments are kept by no cache (personal data); static files may be
    assert (await client.get("/")).headers["cache-control"] == "no-store"
    assert (await client.get("/org", headers={"HX-Request": "true"})).headers["cache-control"] == "no-store"
    assert "no-store" not in (await client.get("/static/js/portal.js")).headers.get("cache-control", "")
    admin = await client.get("/admin/")
    assert admin.status_code == 200 and admin.headers["content-security-policy"] != (await client.get("/")).headers["content-security-policy"]
    assert_security_headers(admin, admin=True)


def test_templates_need_no_inline_script():
    """Our CSP has no 'unsafe-inline' for scripts: no <script> without src, no on…= handlers, no hx-on."""
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "hx-on" not in text, path


def test_production_cookies_are_secure_and_hsts_is_sent(app):  # `app` prepares the database
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PORTAL_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48)}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.time() < deadline
                time.sleep(0.2)
        with httpx.Client(base_url=base) as c:
            page = c.get("/login")
            assert page.headers["strict-transport-security"].startswith("max-age=")
            csrf = [h for h in page.headers.get_list("set-cookie") if h.startswith("portal_csrftoken=")]
            assert csrf and "secure" in csrf[0].lower() and "httponly" in csrf[0].lower() and "samesite=lax" in csrf[0].lower()
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
            r = c.post("/login", data={"username": "archive", "password": DEMO_PASSWORD, "_csrf_token": token},
                       headers={"cookie": csrf[0].split(";")[0]})
            assert r.status_code == 303, r.text[:500]
            session = [h for h in r.headers.get_list("set-cookie") if h.startswith("id=")]
            assert session and all(flag in session[0].lower() for flag in ("secure", "httponly", "samesite=lax"))
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def test_the_owners_typo_during_an_attack_does_not_slow_the_owner():
    await make_user("owner_typo")
    await auth.sign_in("owner_typo", PASSWORD, ip="10.1.2.5")
    for i in range(20):
        with pytest.raises(auth.LoginError):
            await auth.sign_in("owner_typo", "wrong-%d" % i, ip=f"198.51.101.{i}")
    with pytest.raises(auth.LoginError, match="用户名或密码不正确"):
        await auth.sign_in("owner_typo", "typo", ip="10.1.2.5")
    assert await auth.sign_in("owner_typo", PASSWORD, ip="10.1.2.5")
    listed = {(r["username"], r["ip"]) for r in await auth.throttled_logins()}
    assert ("owner_typo", "10.1.2.5") not in listed
