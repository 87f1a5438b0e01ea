"""piccolo-admin at /admin for the admin role, in Chinese. Built once at import; the tables come from each domain's
admin.py (`ADMIN_TABLES`: `AdminTable(table, 中文表名, 菜单分组, 中文列名)`), grouped in the menu by the portal's
chapters; app/core/admin_zh.py shows those names (the library shows table and column names as they are in code)."""
from __future__ import annotations

from datetime import timedelta

from litestar import asgi
from litestar.response import Redirect
from litestar.types import Receive, Scope, Send
from piccolo.table import Table
from piccolo_admin.endpoints import create_admin

from app.core.admin import RELATED_TABLES
from app.core.admin_guard import table_configs
from app.core.admin_zh import DEFAULT_LANGUAGE, TRANSLATIONS, AdminTable, ChineseAdmin
from app.core.discovery import domain_modules
from app.core.guards import requires
from app.core.nav import all_groups
from app.core.permissions import Perm
from app.settings import get_settings

_settings = get_settings()


def admin_tables() -> list[AdminTable]:
    """Every domain's ADMIN_TABLES; a bare Table (not yet named) is shown under its code name in 其他."""
    out = []
    for m in domain_modules("admin"):
        for t in m.ADMIN_TABLES:
            out.append(t if isinstance(t, AdminTable) else AdminTable(t, t._meta.tablename, "其他"))
    return out


def _display_name(scope) -> str:
    """The signed-in person as the admin's top bar shows them: 姓名 · 岗位 (the library shows the login name)."""
    user = scope.get("user")
    if user is None:
        return ""
    role = getattr(user, "position_name", "") or getattr(user, "role_name", "")
    return f"{user.display_name} · {role}" if role else user.display_name


def _build():
    tables = admin_tables()
    configs = table_configs([t.table for t in tables])  # validated and audited (app/core/admin_guard.py)
    for config, t in zip(configs, tables):
        config.menu_group = t.group
        if t.listed:
            config.visible_columns = [t.table._meta.get_column_by_name(n) for n in t.listed]
    admin = create_admin(
        tables=configs,
        site_name="客服部门户 · 管理后台",
        default_language_code=DEFAULT_LANGUAGE,
        translations=TRANSLATIONS,
        production=_settings.production,
        session_expiry=timedelta(hours=_settings.session_hours),
        allowed_hosts=[],
        debug=_settings.debug,
    )
    admin.template = (admin.template.replace('<html lang="en">', '<html lang="zh-CN">')
                      .replace("<title>Piccolo Admin</title>", "<title>客服部门户 · 管理后台</title>")
                      .replace("</head>", '  <link rel="stylesheet" href="/static/css/admin.css">\n</head>')
                      .replace("We're sorry but the Piccolo Admin doesn't work properly without JavaScript enabled.",
                               "管理后台需要启用 JavaScript。"))
    named = {t.tablename for t in tables}
    related = [t for t in RELATED_TABLES if t.tablename not in named]
    # the order of the portal's navigation, then anything else
    order = [g.label for g in all_groups()]
    order += sorted({t.group for t in tables + related} - set(order))
    return ChineseAdmin(admin, tables + related, group_order=order, display_name=_display_name), tables + related


ADMIN_APP, ALL_ADMIN_TABLES = _build()


def shown_tables() -> list[type[Table]]:
    """The tables the admin panel shows: those handed over and those it adds because they point at them."""
    return [c.table_class for c in ADMIN_APP.table_configs]


@asgi("/admin", is_mount=True, copy_scope=True, guards=[requires(Perm.ADMIN)])
async def admin_mount(scope: Scope, receive: Receive, send: Send) -> None:
    if scope.get("raw_path", b"").rstrip(b"?") == b"/admin" or scope["path"] in ("", "/admin"):
        # The admin's single-page app resolves ./assets/ relative to the URL: it needs the trailing slash.
        await Redirect(path="/admin/", status_code=307).to_asgi_response(app=None, request=None)(scope, receive, send)  # type: ignore[arg-type]
        return
    await ADMIN_APP(scope, receive, send)
