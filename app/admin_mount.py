"""piccolo-admin at /admin for the admin role. Built once at import; the tables come from each domain's admin.py."""
from __future__ import annotations

from litestar import asgi
from litestar.response import Redirect
from litestar.types import Receive, Scope, Send
from piccolo_admin.endpoints import create_admin

from app.core.admin_guard import table_configs
from app.core.discovery import domain_modules
from app.core.guards import requires
from app.core.permissions import Perm
from app.settings import get_settings

_settings = get_settings()

ADMIN_APP = create_admin(
    tables=table_configs([t for m in domain_modules("admin") for t in m.ADMIN_TABLES]),  # validated and audited
    site_name="客服部门户 · 管理后台",
    default_language_code="zh",
    production=_settings.production,
    session_expiry=__import__("datetime").timedelta(hours=_settings.session_hours),
    allowed_hosts=[],
    debug=_settings.debug,
)


@asgi("/admin", is_mount=True, copy_scope=True, guards=[requires(Perm.ADMIN)])
async def admin_mount(scope: Scope, receive: Receive, send: Send) -> None:
    if scope.get("raw_path", b"").rstrip(b"?") == b"/admin" or scope["path"] in ("", "/admin"):
        # The admin's single-page app resolves ./assets/ relative to the URL: it needs the trailing slash.
        await Redirect(path="/admin/", status_code=307).to_asgi_response(app=None, request=None)(scope, receive, send)  # type: ignore[arg-type]
        return
    await ADMIN_APP(scope, receive, send)
