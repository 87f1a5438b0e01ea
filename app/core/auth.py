"""Sign-in, sessions and the current user.

Sessions live in piccolo_api's `sessions` table (cookie `id`), so every app process on every host shares them
and piccolo-admin accepts the same cookie: one sign-in serves the portal and the admin panel.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from app.core import audit
from app.core.permissions import ROLES, Perm, permissions_for
from app.core.tables import LoginAttempt
from app.core.timeutil import now
from app.settings import get_settings

log = logging.getLogger("portal.auth")

SESSION_COOKIE = "id"  # the name piccolo-admin reads


@dataclass
class CurrentUser:
    user_id: int
    username: str
    display_name: str
    employee_id: int | None
    role: str | None
    position_name: str
    department_name: str
    company_id: int | None
    permissions: frozenset[Perm]
    all_projects: bool
    project_ids: frozenset[int] = field(default_factory=frozenset)
    is_admin: bool = False
    ip: str = ""
    calendar_missing: tuple[int, ...] = ()  # for administrators: this or next year's holidays not entered yet

    def can(self, perm: Perm | str) -> bool:
        return Perm(perm) in self.permissions

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role or "", "")

    def sees_project(self, project_id: int) -> bool:
        return self.all_projects or project_id in self.project_ids


# The account, its active employee (company, position, department) and the employee's project scope in one
# statement, run on every signed-in request: written out once rather than built by Piccolo's select each time (its
# join chains cost more than the statement itself; see the floor in bench/results). The same SQL on SQLite and
# PostgreSQL but for the list of projects (AGG). `{}` are the statement's parameters.
_USER_COLUMNS = (
    'e."id" AS "id", e."name" AS "name", e."all_projects" AS "all_projects", c."id" AS "company_id", '
    'p."role" AS "role", p."name" AS "position_name", d."name" AS "department_name", u."id" AS "u_id", '
    'u."username" AS "u_username", u."active" AS "u_active", u."admin" AS "u_admin", '
    '(SELECT AGG FROM "employee_project" ep WHERE ep."employee" = e."id") AS "projects"'
)
_USER_JOINS = (
    'LEFT JOIN "employee" e ON e."user" = u."id" AND e."active" = {} '
    'LEFT JOIN "company" c ON e."company" = c."id" LEFT JOIN "position" p ON e."position" = p."id" '
    'LEFT JOIN "department" d ON e."department" = d."id"'
)
_USER_SQL = f'SELECT {_USER_COLUMNS} FROM "piccolo_user" u {_USER_JOINS} WHERE u."id" = {{}} LIMIT 1'
# The session's statement also carries the request's data version and the figure cache's age limit (DV: see
# app/core/figcache.py state_columns): the kept figures and the reference data kept per process (app/core/memo.py
# `kept`) are checked against it without a statement of their own.
_SESSION_SQL = (f'SELECT s."id" AS "s_id", s."expiry_date" AS "s_expiry", s."max_expiry_date" AS "s_max", {_USER_COLUMNS}, DV '
                f'FROM "sessions" s LEFT JOIN "piccolo_user" u ON u."id" = s."user_id" {_USER_JOINS} WHERE s."token" = {{}} LIMIT 1')
_PROJECT_LIST = {"sqlite": "group_concat(ep.\"project\", ',')", "postgres": "string_agg(ep.\"project\"::text, ',')"}


def _sql(template: str) -> str:
    from app.core.figcache import state_columns

    engine = SessionsBase._meta.db
    out = template.replace("AGG", _PROJECT_LIST["postgres" if engine.engine_type == "postgres" else "sqlite"])
    return out.replace(", DV ", f", {state_columns(engine)} ") if ", DV " in out else out


def _current_user(row: dict) -> CurrentUser | None:
    """The user of one row of _USER_SQL / _SESSION_SQL; None for no account or a disabled one."""
    if row["u_id"] is None or not row["u_active"]:
        return None
    emp = row if row["id"] is not None else None  # None: an account without an active employee (a piccolo administrator)
    project_ids: frozenset[int] = frozenset()
    if emp and not emp["all_projects"] and row["projects"]:
        project_ids = frozenset(int(x) for x in str(row["projects"]).split(","))
    role = emp["role"] if emp else None
    return CurrentUser(
        user_id=row["u_id"],
        username=row["u_username"],
        display_name=emp["name"] if emp else row["u_username"],
        employee_id=emp["id"] if emp else None,
        role=role,
        position_name=emp["position_name"] if emp else ("系统管理员" if row["u_admin"] else ""),
        department_name=emp["department_name"] if emp else "",
        company_id=emp["company_id"] if emp else None,
        permissions=permissions_for(role, is_admin_user=bool(row["u_admin"])),
        all_projects=bool(emp["all_projects"]) if emp else bool(row["u_admin"]),
        project_ids=project_ids,
        is_admin=bool(row["u_admin"]),
    )


async def load_user(user_id: int) -> CurrentUser | None:
    rows = await BaseUser.raw(_sql(_USER_SQL), True, user_id)
    return _current_user(rows[0]) if rows else None


async def session_user(token: str, increase_expiry: timedelta | None = None) -> tuple[CurrentUser | None, str]:
    """The signed-in user of a session cookie, in one statement (session, account, active employee, its projects):
    (user, "") or (None, why). Like piccolo_api's SessionsBase.get_user_id, a session close to its expiry is extended
    by `increase_expiry`, never beyond its max_expiry_date check."""
    from app.core import figcache

    try:
        rows = await SessionsBase.raw(_sql(_SESSION_SQL), True, token)
    except Exception:  # the data version not installed (a database the lifespan has not prepared): the session alone
        log.warning("session statement without the data version", exc_info=True)
        rows = await SessionsBase.raw(_sql(_SESSION_SQL.replace(", DV ", " ")), True, token)
    row = rows[0] if rows else None
    if row is not None and "dv" in row:
        figcache.seed_state(row["dv"], row["dv_s"])
    at = datetime.now()  # piccolo_api stores the session's times naive, in the server's local time
    if row is None or not (row["s_expiry"] > at and row["s_max"] > at):
        return None, "登录已过期"
    if increase_expiry and row["s_expiry"] - at < increase_expiry:
        await SessionsBase.update({SessionsBase.expiry_date: row["s_expiry"] + increase_expiry}).where(
            SessionsBase.id == row["s_id"])
    user = _current_user(row)
    return (user, "") if user else (None, "账号已停用")


def client_ip(connection: ASGIConnection) -> str:
    return connection.client.host if connection.client else ""


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        from app.core import workdays
        from app.core.engine import begin_count

        begin_count()
        workdays.begin_request()
        from app.core import figcache

        figcache.begin_request()
        from app.core import memo

        memo.begin_request()
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            raise NotAuthorizedException("未登录")
        settings = get_settings()
        user, why = await session_user(token, increase_expiry=timedelta(hours=settings.session_hours / 2))
        if user is None:
            raise NotAuthorizedException(why)
        user.ip = client_ip(connection)
        if user.can(Perm.ADMIN):
            from app.core.timeutil import today_local

            user.calendar_missing = tuple(await workdays.missing_schedule_years(today_local()))
        return AuthenticationResult(user=user, auth=token)


class LoginError(Exception):
    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Throttle:
    """Why and until when sign-ins for a user name from an IP are refused."""

    until: datetime
    reason: str  # "pair" (this IP failed too often for this user name) | "user" (many IPs failed for it)

    def minutes_left(self, at: datetime) -> int:
        return max(1, int((self.until - at).total_seconds() + 59) // 60)


def _delay(failures: int, threshold: int, settings) -> timedelta:
    """1, 2, 4, … minutes (LOGIN_BASE_DELAY_MINUTES doubling) after the threshold, capped at LOGIN_LOCK_MINUTES."""
    steps = max(0, failures - threshold)
    minutes = settings.login_base_delay_minutes * (2 ** min(steps, 20))
    return timedelta(minutes=min(minutes, settings.login_lock_minutes))


_COUNTED = (LoginAttempt.success == False) & (LoginAttempt.throttled == False) & (LoginAttempt.cleared == False)  # noqa: E712


async def throttle_for(username: str, ip: str, at: datetime | None = None) -> Throttle | None:
    """The throttle in force for `username` from `ip`, read from the database (shared by every process).

    - The pair (IP, user name): after LOGIN_MAX_FAILURES failures since that pair's last success, each further
      attempt waits a growing delay after the last failure (1, 2, 4, … minutes up to LOGIN_LOCK_MINUTES).
    - The user name: after LOGIN_USER_MAX_FAILURES failures from all IPs in the window, IPs that have never signed
      in successfully as this user (in the window's 30-fold) are slowed the same way. The owner's own desk, with a
      recent success and no failures of its own, is never refused, so a stranger cannot lock the owner out."""
    settings = get_settings()
    at = at or now()
    since = at - timedelta(hours=settings.login_window_hours)
    last_ok = await LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.username == username) & (LoginAttempt.ip == ip) & (LoginAttempt.success == True)  # noqa: E712
    ).order_by(LoginAttempt.at, ascending=False).first()
    pair_since = max(since, last_ok["at"]) if last_ok else since
    pair = await LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.username == username) & (LoginAttempt.ip == ip) & _COUNTED & (LoginAttempt.at > pair_since)
    ).order_by(LoginAttempt.at, ascending=False)
    if len(pair) >= settings.login_max_failures:
        until = pair[0]["at"] + _delay(len(pair), settings.login_max_failures, settings)
        if until > at:
            return Throttle(until, "pair")
    # the owner's desk: a success in the last 30 windows and fewer failures since than the pair threshold (a typo
    # or two by the owner during an attack on the name does not slow the owner down)
    trusted = bool(last_ok) and last_ok["at"] >= at - timedelta(hours=settings.login_window_hours * 30) \
        and len(pair) < settings.login_max_failures
    if trusted:
        return None
    others = await LoginAttempt.select(LoginAttempt.at).where(
        (LoginAttempt.username == username) & _COUNTED & (LoginAttempt.at > since)
    ).order_by(LoginAttempt.at, ascending=False).limit(settings.login_user_max_failures * 8)
    if len(others) >= settings.login_user_max_failures:
        # one doubling per further LOGIN_MAX_FAILURES failures, so many IPs together slow down quickly but not at once
        steps = (len(others) - settings.login_user_max_failures) // max(1, settings.login_max_failures)
        until = others[0]["at"] + _delay(steps, 0, settings)
        if until > at:
            return Throttle(until, "user")
    return None


async def sign_in(username: str, password: str, ip: str = "") -> str:
    """Check credentials and create a session; returns the session token. Raises LoginError (Chinese)."""
    settings = get_settings()
    username = (username or "").strip()
    if not username:
        raise LoginError("请输入用户名", "username")
    if not password:
        raise LoginError("请输入密码", "password")
    username = username[:100]
    at = now()
    throttle = await throttle_for(username, ip, at)
    if throttle:
        await LoginAttempt.insert(LoginAttempt(username=username, at=at, success=False, ip=ip, throttled=True))
        raise LoginError(
            f"登录失败次数过多，请 {throttle.minutes_left(at)} 分钟后再试。如非本人操作，请联系系统管理员。", "password"
        )
    user_id = await BaseUser.login(username=username, password=password)
    # piccolo's login does not look at `active`: a disabled account (e.g. a leaver's, app/hr_exit) is refused here
    user = await load_user(user_id) if user_id else None
    await LoginAttempt.insert(LoginAttempt(username=username, at=at, success=bool(user), ip=ip))
    if not user_id:
        raise LoginError("用户名或密码不正确", "password")
    if user is None:
        raise LoginError("该账号已停用，不能登录。如有疑问请联系人事。", "username")
    local_now = datetime.now()  # piccolo_api compares session expiry with naive local time
    session = await SessionsBase.create_session(
        user_id=user_id,
        expiry_date=local_now + timedelta(hours=settings.session_hours),
        max_expiry_date=local_now + timedelta(days=settings.session_max_days),
    )
    await audit.record(actor=user, action="auth.login", entity="user", entity_id=user_id, summary="登录", ip=ip)
    return session.token


async def throttled_logins(at: datetime | None = None) -> list[dict]:
    """User names and IPs with counted failures in the window, with the throttle in force (for the admin page)."""
    settings = get_settings()
    at = at or now()
    from piccolo.query.functions.aggregate import Count, Max

    pairs = await LoginAttempt.select(
        LoginAttempt.username, LoginAttempt.ip, Count(alias="failures"), Max(LoginAttempt.at, alias="last")
    ).where(_COUNTED & (LoginAttempt.at > at - timedelta(hours=settings.login_window_hours))).group_by(
        LoginAttempt.username, LoginAttempt.ip
    ).order_by(LoginAttempt.username).limit(500)
    out = []
    for p in pairs:
        if isinstance(p["last"], str):  # SQLite returns an aggregate's timestamp as text
            p["last"] = datetime.fromisoformat(p["last"])
        t = await throttle_for(p["username"], p["ip"], at)
        if t or p["failures"] >= settings.login_max_failures:
            out.append({**p, "until": t.until if t else None, "reason": t.reason if t else ""})
    out.sort(key=lambda p: (p["until"] is None, p["username"], p["ip"]))
    return out


async def unlock_login(actor: CurrentUser, username: str, ip: str | None = None) -> int:
    """Lift the throttle: the counted failures for `username` (from `ip`, or from every IP) stop counting. Audited."""
    from app.core.db import write_transaction

    cond = (LoginAttempt.username == username) & _COUNTED
    if ip is not None:
        cond = cond & (LoginAttempt.ip == ip)
    async with write_transaction():
        rows = await LoginAttempt.update({LoginAttempt.cleared: True}).where(cond).returning(LoginAttempt.id)
        where = f"（IP {ip}）" if ip is not None else "（全部 IP）"
        await audit.record(actor=actor, action="auth.unlock", entity="login", entity_id=username,
                           summary=f"解除登录限制：{username}{where}，清除 {len(rows)} 次失败记录",
                           after={"username": username, "ip": ip, "cleared": len(rows)})
    return len(rows)


async def sign_out(token: str, user: CurrentUser | None) -> None:
    await SessionsBase.remove_session(token)
    if user:
        await audit.record(actor=user, action="auth.logout", entity="user", entity_id=user.user_id, summary="退出登录")


async def change_password(user: CurrentUser, old: str, new: str, confirm: str, keep_token: str = "") -> dict[str, str]:
    """Returns field errors (empty on success). On success all the user's other sessions end (every session but
    `keep_token`, the one the change was made in)."""
    errors: dict[str, str] = {}
    if not old:
        errors["old_password"] = "请输入当前密码"
    elif not await BaseUser.login(username=user.username, password=old):
        errors["old_password"] = "当前密码不正确"
    if len(new or "") < 8:
        errors["new_password"] = "新密码至少 8 个字符"
    elif len(new) > 128:
        errors["new_password"] = "新密码最多 128 个字符"
    elif new == old:
        errors["new_password"] = "新密码不能与当前密码相同"
    elif not (any(c.isdigit() for c in new) and any(c.isalpha() for c in new)):
        errors["new_password"] = "新密码须同时包含字母和数字"
    elif message := password_problem(new, user.username):
        errors["new_password"] = message
    if new != confirm:
        errors["confirm_password"] = "两次输入的新密码不一致"
    if errors:
        return errors
    from piccolo.engine import engine_finder

    async with engine_finder().transaction():
        await BaseUser.update_password(user.user_id, new)
        ended = await SessionsBase.delete().where(
            (SessionsBase.user_id == user.user_id) & (SessionsBase.token != keep_token)
        ).returning(SessionsBase.id)
        await audit.record(actor=user, action="auth.change_password", entity="user", entity_id=user.user_id,
                           summary=f"修改密码（结束其他 {len(ended)} 个登录会话）")
    return {}


_COMMON: frozenset[str] | None = None


def common_passwords() -> frozenset[str]:
    """The common-password list shipped in app/core/data (read once: it is a constant file, not request state)."""
    global _COMMON
    if _COMMON is None:
        import gzip

        data = Path(__file__).parent / "data"
        with gzip.open(data / "common-passwords.txt.gz", "rt", encoding="utf-8") as f:
            words = {line.strip().lower() for line in f if line.strip()}
        words |= {line.strip().lower() for line in (data / "common-passwords-zh.txt").read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")}
        _COMMON = frozenset(words)
    return _COMMON


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is refused (Chinese), or None: common passwords and those containing the user name."""
    low = password.lower()
    if username and len(username) >= 3 and username.lower() in low:
        return "新密码不能包含用户名"
    if low in common_passwords():
        return "新密码过于常见，容易被猜中，请换一个"
    return None
