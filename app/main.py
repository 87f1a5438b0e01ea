"""create_app(): collects each domain's router, the admin mount, plugins, middleware and the lifespan."""
from __future__ import annotations

import logging
import gc
from contextlib import asynccontextmanager
from typing import AsyncIterator

from litestar import Litestar, Request, Response, get
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.middleware.base import DefineMiddleware
from litestar.plugins.htmx import HTMXPlugin
from litestar.response import File, Redirect
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from urllib.parse import quote

from app.core.auth import SessionAuthMiddleware
from app.core.guards import public
from app.core.headers import security_headers
from app.core.idempotency import DuplicateRequest, IdempotencyMiddleware, duplicate_request
from app.core.idempotency import after_request as idempotency_after_request
from app.core.idempotency import before_request as idempotency_before_request
from app.core.workdays import end_request
from app.core.web import render, template_config
from app.settings import BASE_DIR, get_settings

log = logging.getLogger("portal")

PUBLIC_PATHS = ["^/login", "^/static/", "^/healthz", "^/favicon.ico"]


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine
    from piccolo.engine.sqlite import SQLiteEngine

    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)
    elif isinstance(engine, SQLiteEngine):
        import sqlite3

        with sqlite3.connect(engine.path) as conn:  # WAL is persistent in the file
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA optimize")  # refresh the planner's statistics where they are stale (cheap when not)
    from app.core.figcache import ensure_triggers

    await ensure_triggers()  # the data version behind the kept figures (app/core/figcache.py)
    # Everything loaded by now (modules, tables, routes, templates' environment: ~340,000 objects) lives as long as the
    # process: moved out of the collector's reach, a full (generation 2) collection no longer scans it — that scan took
    # ~125 ms and stalled every request in flight, the benchmark's p99 of ~100 ms even on /healthz (bench/README.md).
    # (Not under the test suite, which starts the app again and again: frozen objects are never freed.)
    if get_settings().env != "test":
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()
        else:
            from app.core.engine import close_engine

            await close_engine(engine)


async def sql_count_header(message, scope) -> None:
    """X-SQL-Count: the statements the request ran so far (PORTAL_SQL_COUNT=1; the benchmark reads it)."""
    if message["type"] == "http.response.start":
        from litestar.datastructures import MutableScopeHeaders

        from app.core.engine import statement_count

        n = statement_count()
        if n is not None:
            MutableScopeHeaders.from_message(message)["X-SQL-Count"] = str(n)


ERROR_TITLES = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 500: "系统错误"}


class ErrorPage(Response):
    """An error page in the portal's shell.

    Exception handlers are synchronous, and a path that matches no route never passes the session middleware, so
    its request has no user: the page looks the session cookie up when it is sent (read-only, the session is not
    extended) and shows the sidebar and top bar to a signed-in user, the sign-in page's style to anyone else."""

    def __init__(self, request: Request, status: int, ctx: dict) -> None:
        super().__init__(content=b"", status_code=status)
        self._request, self._ctx = request, ctx

    def to_asgi_response(self, app, request, **kwargs):  # type: ignore[override]
        async def send_page(scope, receive, send) -> None:
            req = self._request
            if "user" not in self._ctx and req.scope.get("user") is None:
                user = await _session_user(req)
                if user is not None:
                    req.scope["user"] = user
            page = render(req, "errors/error.html", {"title": ERROR_TITLES.get(self.status_code, "请求有误"), "response_code": self.status_code, **self._ctx},
                          status_code=self.status_code)
            await page.to_asgi_response(app, request, **kwargs)(scope, receive, send)

        return send_page


async def _session_user(request: Request):
    from app.core.auth import SESSION_COOKIE, session_user

    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return (await session_user(token))[0]
    except Exception:  # an error page must render even when the database is what failed
        log.warning("error page: session lookup failed", exc_info=True)
        return None


def error_page(request: Request, status: int, ctx: dict) -> Response:
    if status >= 500:  # the database may be what failed: no lookup
        return render(request, "errors/error.html", {"title": ERROR_TITLES.get(status, "请求有误"), **ctx}, status_code=status)
    return ErrorPage(request, status, ctx)


@get("/favicon.ico", guards=[public], include_in_schema=False)
async def favicon() -> File:
    return File(path=BASE_DIR / "static" / "favicon.ico", media_type="image/x-icon", content_disposition_type="inline",
                headers={"Cache-Control": "public, max-age=86400"})


def _wants_fragment(request: Request) -> bool:
    return bool(getattr(request, "htmx", None))


def not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    raw = request.scope.get("raw_path") or request.url.path.encode()
    target = raw.decode("latin-1") + (("?" + request.url.query) if request.url.query else "")
    login = "/login?next=" + quote(target, safe="/")
    if _wants_fragment(request):
        return Response(content="", status_code=401, headers={"HX-Redirect": login})
    return Redirect(path=login, status_code=303)


def forbidden(request: Request, exc: PermissionDeniedException) -> Response:
    csrf = "csrf" in str(exc.detail).lower()
    generic = "您的岗位没有访问此页面的权限。如需开通，请联系客服副经理或系统管理员。"
    detail = str(exc.detail or "")
    specific = detail and detail not in ("无权访问", "Forbidden") and any("\u4e00" <= ch <= "\u9fff" for ch in detail)
    message = "页面已过期或表单缺少安全校验（CSRF），请刷新页面后重试。" if csrf else (f"{detail}。{generic[len('您的岗位没有访问此页面的权限。'):]}" if specific else generic)
    ctx = {"message": message, "csrf": csrf}
    if request.url.path.startswith("/admin"):
        ctx["user"] = None  # CSRF is off under /admin (piccolo-admin has its own), so show the page without forms
    return error_page(request, 403, ctx)


def not_found(request: Request, exc: NotFoundException) -> Response:
    detail = exc.detail if exc.detail and exc.detail != "Not Found" else "您访问的页面不存在。"
    return error_page(request, 404, {"message": detail})


def bad_request(request: Request, exc: ValidationException) -> Response:
    return error_page(request, 400, {"message": "请求参数不正确，请检查后重试。"})


def http_error(request: Request, exc: HTTPException) -> Response:
    return error_page(request, exc.status_code, {"message": f"请求无法处理（{exc.status_code}）。"})


def out_of_range(request: Request, exc: Exception) -> Response:
    """An id too large for the database's integer (e.g. /workflow/requests/99999999999999999999): no such page."""
    return error_page(request, 404, {"message": "您访问的页面不存在。"})


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return error_page(request, 500, {"message": "系统出现错误，已记录。请稍后重试或联系系统管理员。"})


def domain_routers() -> list:
    """Every domain's `router` (app/<domain>/routes.py)."""
    from app.core.discovery import domain_modules

    return [m.router for m in domain_modules("routes") if hasattr(m, "router")]


def create_app() -> Litestar:
    settings = get_settings()
    from app.admin_mount import admin_mount
    from app.dashboard.routes import badge, home, notifications_read

    import app.flows  # noqa: F401  (registers every request type on the engine)

    auth_mw = DefineMiddleware(SessionAuthMiddleware, exclude=PUBLIC_PATHS)
    return Litestar(
        route_handlers=[
            home,
            favicon,
            badge,
            notifications_read,
            *domain_routers(),
            admin_mount,
            create_static_files_router(path="/static", directories=[BASE_DIR / "static"], guards=[public], name="static", include_in_schema=False),
        ],
        middleware=[auth_mw, IdempotencyMiddleware],  # idempotency inside the session (it reads the user)
        before_request=idempotency_before_request,  # replays a completed idempotency key (after CSRF and guards)
        after_request=idempotency_after_request,  # …and a refused retry whose key a concurrent request committed
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name="portal_csrftoken",
            header_name="x-csrftoken",
            cookie_samesite="lax",
            cookie_secure=settings.production,
            cookie_httponly=True,  # the token reaches pages through the template (csrf_token()), never through JS
            exclude=["^/admin"],
        ),
        before_send=[security_headers(settings.production), end_request, *([sql_count_header] if settings.sql_count else [])],
        template_config=template_config(),
        plugins=[HTMXPlugin()],
        lifespan=[lifespan],
        exception_handlers={
            NotAuthorizedException: not_authorized,
            PermissionDeniedException: forbidden,
            NotFoundException: not_found,
            ValidationException: bad_request,
            OverflowError: out_of_range,
            __import__("asyncpg").exceptions.DataError: out_of_range,
            DuplicateRequest: duplicate_request,
            HTTPException: http_error,
            HTTP_500_INTERNAL_SERVER_ERROR: server_error,
        },
        debug=settings.debug,
        openapi_config=None,
    )


app = create_app()
