"""Sign-in, sessions and the current user.

Sessions live in piccolo_api's `sessions` table (cookie `id`), so every app process on every host shares them
and piccolo-admin accepts the same cookie: one sign-in serves the portal and the admin panel.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

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

    def can(self, perm: Perm | str) -> bool:
        return Perm(perm) in self.permissions

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role or "", "")

    def sees_project(self, project_id: int) -> bool:
        return self.all_projects or project_id in self.project_ids


async def load_user(user_id: int) -> CurrentUser | None:
    from app.org.tables import Employee, EmployeeProject

    user = await BaseUser.select(BaseUser.id, BaseUser.username, BaseUser.active, BaseUser.admin).where(
        BaseUser.id == user_id
    ).first()
    if not user or not user["active"]:
        return None
    emp = await Employee.select(
        Employee.id,
        Employee.name,
        Employee.all_projects,
        Employee.company.id,
        Employee.position.role,
        Employee.position.name,
        Employee.department.name,
    ).where((Employee.user == user_id) & (Employee.active == True)).first()  # noqa: E712
    project_ids: frozenset[int] = frozenset()
    if emp and not emp["all_projects"]:
        rows = await EmployeeProject.select(EmployeeProject.project).where(EmployeeProject.employee == emp["id"])
        project_ids = frozenset(r["project"] for r in rows)
    role = emp["position.role"] if emp else None
    return CurrentUser(
        user_id=user["id"],
        username=user["username"],
        display_name=emp["name"] if emp else user["username"],
        employee_id=emp["id"] if emp else None,
        role=role,
        position_name=emp["position.name"] if emp else ("系统管理员" if user["admin"] else ""),
        department_name=emp["department.name"] if emp else "",
        company_id=emp["company.id"] if emp else None,
        permissions=permissions_for(role, is_admin_user=bool(user["admin"])),
        all_projects=bool(emp["all_projects"]) if emp else bool(user["admin"]),
        project_ids=project_ids,
        is_admin=bool(user["admin"]),
    )


def client_ip(connection: ASGIConnection) -> str:
    return connection.client.host if connection.client else ""


class SessionAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        token = connection.cookies.get(SESSION_COOKIE)
        if not token:
            raise NotAuthorizedException("未登录")
        settings = get_settings()
        user_id = await SessionsBase.get_user_id(token, increase_expiry=timedelta(hours=settings.session_hours / 2))
        if not user_id:
            raise NotAuthorizedException("登录已过期")
        user = await load_user(user_id)
        if user is None:
            raise NotAuthorizedException("账号已停用")
        user.ip = client_ip(connection)
        return AuthenticationResult(user=user, auth=token)


class LoginError(Exception):
    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.message = message
        self.field = field


async def _recent_failures(username: str, since: datetime) -> int:
    return await LoginAttempt.count().where(
        (LoginAttempt.username == username) & (LoginAttempt.success == False) & (LoginAttempt.at >= since)  # noqa: E712
    )


async def sign_in(username: str, password: str, ip: str = "") -> str:
    """Check credentials and create a session; returns the session token. Raises LoginError (Chinese)."""
    settings = get_settings()
    username = (username or "").strip()
    if not username:
        raise LoginError("请输入用户名", "username")
    if not password:
        raise LoginError("请输入密码", "password")
    window_start = now() - timedelta(minutes=settings.login_lock_minutes)
    if await _recent_failures(username, window_start) >= settings.login_max_failures:
        await LoginAttempt.insert(LoginAttempt(username=username, at=now(), success=False, ip=ip))
        raise LoginError(
            f"登录失败次数过多，账号已暂时锁定，请 {settings.login_lock_minutes} 分钟后再试。", "password"
        )
    user_id = await BaseUser.login(username=username, password=password)
    await LoginAttempt.insert(LoginAttempt(username=username, at=now(), success=bool(user_id), ip=ip))
    if not user_id:
        raise LoginError("用户名或密码不正确", "password")
    local_now = datetime.now()  # piccolo_api compares session expiry with naive local time
    session = await SessionsBase.create_session(
        user_id=user_id,
        expiry_date=local_now + timedelta(hours=settings.session_hours),
        max_expiry_date=local_now + timedelta(days=settings.session_max_days),
    )
    user = await load_user(user_id)
    await audit.record(actor=user, action="auth.login", entity="user", entity_id=user_id, summary="登录", ip=ip)
    return session.token


async def sign_out(token: str, user: CurrentUser | None) -> None:
    await SessionsBase.remove_session(token)
    if user:
        await audit.record(actor=user, action="auth.logout", entity="user", entity_id=user.user_id, summary="退出登录")


async def change_password(user: CurrentUser, old: str, new: str, confirm: str) -> dict[str, str]:
    """Returns field errors (empty on success). On success all the user's other sessions end."""
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
    if new != confirm:
        errors["confirm_password"] = "两次输入的新密码不一致"
    if errors:
        return errors
    from piccolo.engine import engine_finder

    async with engine_finder().transaction():
        await BaseUser.update_password(user.user_id, new)
        await audit.record(actor=user, action="auth.change_password", entity="user", entity_id=user.user_id, summary="修改密码")
    return {}
