"""Idempotency keys: a client's retry after a lost response is recorded once.

Every rendered form carries a fresh random key (`_idem`, rendered beside the CSRF token: `csrf_input` is wrapped by
`IdemTemplate`); an HTMX request without a form may send the header `Idempotency-Key`. For an unsafe request of a
signed-in user carrying a key:

- `before_request` (after the CSRF check and the route's guards): when the key is already completed for this user,
  the recorded response (status, Location / HX-Redirect, the flash cookie, a small body) is returned WITHOUT running
  the action again;
- otherwise the action runs, and the first `write_transaction()` it opens inserts the key (`IdempotencyKey`, token
  unique) INSIDE that transaction: the action's writes and its key commit or roll back together. A second request
  with the same key at the same time finds the key taken when its own transaction inserts it, rolls back and gets
  the first one's response (`DuplicateRequest`);
- `IdempotencyMiddleware` captures the response as it is sent and fills it into the key's row afterwards. A route
  that writes outside `write_transaction()` gets its key recorded after a redirect (303/302/HX-Redirect) only —
  sequential retries are then still recorded once, but without the same-transaction guarantee.

A refused post (the form re-rendered with errors, nothing written) never inserts its key, so it can be corrected
and sent again with the same key. Keys expire after the setting `key_days` (purged by the worker,
`python -m app.core.idempotency`)."""
from __future__ import annotations

import asyncio
import contextvars
import html
import json
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from jinja2 import Template as JinjaTemplate
from litestar import Response
from markupsafe import Markup

log = logging.getLogger("portal.idempotency")

FIELD = "_idem"
HEADER = "idempotency-key"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Reveals (完整证件号/手机号) are not replayed: their response is personal data, which the key table must not keep,
# and running them again is harmless (each writes its own audit row).
NOT_REPLAYED = re.compile(r"/unmask$")
# Response headers a replay repeats (the flash cookie is filtered below).
REPLAYED_HEADERS = frozenset({
    "location", "content-type", "hx-redirect", "hx-location", "hx-refresh", "hx-trigger", "hx-retarget", "hx-reswap",
    "hx-push-url", "hx-replace-url", "set-cookie", "vary",
})
FLASH_COOKIE = "portal_flash"
WAIT_SECONDS = 10.0  # how long a duplicate waits for the first request's response to be recorded

DEFAULT_SETTINGS: dict[str, tuple[str, int]] = {
    "key_days": ("重复提交保护：提交记录保留天数", 7),
    "body_limit_kb": ("重复提交保护：重放的响应正文上限（KB）", 64),
}


def new_key() -> str:
    return secrets.token_urlsafe(16)


# ------------------------------------------------------------------ rendering: a fresh key beside each CSRF input
class CsrfInput:
    """Stands in for Litestar's `csrf_input` string: every time a template prints it (`{{ csrf_input | safe }}`), it
    renders the CSRF input and a hidden `_idem` input with a new key, so each form on a page gets its own key."""

    __slots__ = ("csrf",)

    def __init__(self, csrf: str) -> None:
        self.csrf = csrf

    def __html__(self) -> str:
        return f'{self.csrf}<input type="hidden" name="{FIELD}" value="{html.escape(new_key())}" />'

    __str__ = __html__

    def __bool__(self) -> bool:
        return True


class IdemTemplate(JinjaTemplate):
    """The environment's template class (app/core/web.py): wraps the context's `csrf_input`."""

    def new_context(self, vars=None, shared=False, locals=None):  # noqa: A002  (jinja's signature)
        if vars and isinstance(vars.get("csrf_input"), str):
            vars = dict(vars)
            vars["csrf_input"] = CsrfInput(vars["csrf_input"])
        return super().new_context(vars, shared, locals)


def idem_input() -> Markup:
    """A hidden `_idem` input alone (a form that has no CSRF input of its own)."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{new_key()}" />')


# ------------------------------------------------------------------ request state
@dataclass
class IdemState:
    method: str
    path: str
    user_id: int = 0
    key: str = ""
    inserted: bool = False  # the key row was written inside the action's transaction
    replayed: bool = False
    duplicate: bool = False
    captured_status: int | None = None
    captured_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    body_over: bool = False

    @property
    def token(self) -> str:
        return f"{self.user_id}:{self.key}"


_current: contextvars.ContextVar[IdemState | None] = contextvars.ContextVar("portal_idem", default=None)
SCOPE_KEY = "portal.idem"


class DuplicateRequest(Exception):
    """The key was taken by another request while this one ran: its transaction rolled back."""

    def __init__(self, state: IdemState) -> None:
        super().__init__("duplicate idempotency key")
        self.state = state


async def claim() -> None:
    """Called by `write_transaction()` inside the transaction it opened: insert this request's key (once)."""
    state = _current.get()
    if state is None or not state.key or state.inserted or state.replayed:
        return
    from app.core.tables import IdempotencyKey
    from app.core.timeutil import now

    rows = await IdempotencyKey.insert(
        IdempotencyKey(token=state.token, user_id=state.user_id, created_at=now(), method=state.method, path=state.path[:300])
    ).on_conflict(target=IdempotencyKey.token, action="DO NOTHING").returning(IdempotencyKey.id)
    if not rows:
        state.duplicate = True
        raise DuplicateRequest(state)
    state.inserted = True


class IdempotentTransaction:
    """`write_transaction()`'s context manager: the engine's transaction, plus the request's key inserted in it.
    When the transaction that inserted the key rolls back, the key is free again (a later transaction of the same
    request inserts it)."""

    __slots__ = ("_tx", "_claimed", "_claim")

    def __init__(self, tx: Any, claim: bool = True) -> None:
        self._tx = tx
        self._claimed = False
        self._claim = claim

    async def __aenter__(self) -> Any:
        from app.core import memo

        memo.wrote()  # the rest of this request reads reference data afresh (its version was read before this write)
        tx = await self._tx.__aenter__()
        if not self._claim:
            return tx
        state = _current.get()
        try:
            had = state is not None and state.inserted
            await claim()
            self._claimed = state is not None and state.inserted and not had
        except BaseException as exc:
            await self._tx.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return tx

    async def __aexit__(self, exc_type, exc, tb) -> Any:
        try:
            result = await self._tx.__aexit__(exc_type, exc, tb)
        except BaseException:
            self._release()
            raise
        if exc_type is not None:
            self._release()
        return result

    def _release(self) -> None:
        state = _current.get()
        if self._claimed and state is not None:
            state.inserted = False
            self._claimed = False

    def __getattr__(self, name: str) -> Any:  # savepoint(), rollback() … of the wrapped transaction
        return getattr(self._tx, name)


# ------------------------------------------------------------------ settings
async def settings() -> dict[str, int]:
    from app.core import keyvalues
    from app.core.tables import IdempotencySetting

    return await keyvalues.read(IdempotencySetting, DEFAULT_SETTINGS)


async def seed_defaults() -> int:
    from app.core import keyvalues
    from app.core.tables import IdempotencySetting

    return await keyvalues.seed(IdempotencySetting, DEFAULT_SETTINGS)


# ------------------------------------------------------------------ replay
def _key_of(request: Any, form: Any) -> str:
    key = request.headers.get(HEADER) or ""
    if not key and form is not None:
        value = form.get(FIELD)
        key = value if isinstance(value, str) else ""
    return key if KEY_RE.match(key) else ""


async def _recorded(token: str) -> dict | None:
    from app.core.tables import IdempotencyKey

    return await IdempotencyKey.select(IdempotencyKey.status, IdempotencyKey.headers, IdempotencyKey.body,
                                       IdempotencyKey.path).where(IdempotencyKey.token == token).first()


class ReplayResponse(Response):
    """The recorded response of a completed key, sent as is (Litestar calls `to_asgi_response`)."""

    def __init__(self, token: str, row: dict | None = None) -> None:
        super().__init__(content=b"", status_code=200)
        self.token, self.row = token, row

    def to_asgi_response(self, app: Any, request: Any, **kwargs: Any):  # type: ignore[override]  # noqa: ARG002
        async def send_recorded(scope, receive, send) -> None:
            row = self.row
            waited = 0.0
            # in flight (the first request's action committed, its response is being sent): wait for it briefly
            while (row is None or row["status"] is None) and waited < WAIT_SECONDS:
                await asyncio.sleep(0.05)
                waited += 0.05
                row = await _recorded(self.token)
            if row is None or row["status"] is None:
                # committed, but the process died before the response was recorded: the action is done; say so
                status, headers, body = 409, [("content-type", "text/html; charset=utf-8")], (
                    "<!doctype html><meta charset=utf-8><title>已提交</title>"
                    "<p>此操作已经提交过，未重复执行。请返回上一页刷新查看结果。</p><p><a href=\"/\">返回首页</a></p>")
            else:
                status, headers, body = int(row["status"]), json.loads(row["headers"] or "[]"), row["body"] or ""
            raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers if k != "content-length"]
            payload = body.encode("utf-8")
            raw.append((b"content-length", str(len(payload)).encode()))
            raw.append((b"idempotent-replayed", b"true"))
            await send({"type": "http.response.start", "status": status, "headers": raw})
            await send({"type": "http.response.body", "body": payload})

        return send_recorded


async def before_request(request: Any) -> Any:
    """App-level before_request hook: replay a completed key, else arm this request's key for `claim()`."""
    state: IdemState | None = request.scope.get(SCOPE_KEY)
    user = request.scope.get("user")
    if state is None or user is None or getattr(user, "user_id", None) is None:
        return None
    if NOT_REPLAYED.search(state.path):
        return None
    form = None
    if not request.headers.get(HEADER):
        try:
            form = await request.form()
        except Exception:  # a malformed body is the route's to refuse
            return None
    key = _key_of(request, form)
    if not key:
        return None
    state.user_id, state.key = int(user.user_id), key
    row = await _recorded(state.token)
    if row is None:
        return None
    if row["path"] != state.path[:300]:
        state.key = ""  # the client reused a key for another action: run it, without idempotency
        return None
    state.replayed = True
    return ReplayResponse(state.token, row)


async def after_request(response: Any) -> Any:
    """App-level after_request hook: a refused post (4xx) whose key another request with the same key committed
    meanwhile gets that request's response — the retry arrived while the first was still running, passed the replay
    check before the key existed, and was then refused by a check that sees the first one's writes (e.g. a duplicate
    invoice number)."""
    state = _current.get()
    if state is None or not state.key or state.inserted or state.replayed or not 400 <= getattr(response, "status_code", 0) < 500:
        return response
    row = await _recorded(state.token)
    if row is None or row["path"] != state.path[:300]:
        return response
    state.replayed = True
    return ReplayResponse(state.token, row)


def duplicate_request(request: Any, exc: DuplicateRequest) -> Any:
    """Exception handler: the same key committed by a concurrent request: send its response once recorded."""
    return ReplayResponse(exc.state.token)


# ------------------------------------------------------------------ recording
def _replayable_headers(raw: list[tuple[bytes, bytes]]) -> list[list[str]]:
    out = []
    for k, v in raw:
        name, value = k.decode("latin-1").lower(), v.decode("latin-1")
        if name not in REPLAYED_HEADERS:
            continue
        if name == "set-cookie" and not value.startswith(FLASH_COOKIE + "="):
            continue  # never replay session or CSRF cookies
        out.append([name, value])
    return out


def _is_redirect(state: IdemState) -> bool:
    if state.captured_status in (301, 302, 303, 307, 308):
        return True
    return bool(state.captured_status and state.captured_status < 300
                and any(k.lower() == b"hx-redirect" for k, _v in state.captured_headers))


async def record_response(state: IdemState) -> None:
    from app.core.tables import IdempotencyKey
    from app.core.timeutil import now

    if state.captured_status is None or state.replayed or state.duplicate or not state.key:
        return
    if not state.inserted and not _is_redirect(state):
        return  # nothing committed through write_transaction and not a post/redirect/get success: not consumed
    headers = _replayable_headers(state.captured_headers)
    ctype = next((v for k, v in headers if k == "content-type"), "")
    body = ""
    if not _is_redirect(state) and state.body:
        limit = (await settings())["body_limit_kb"] * 1024
        text_like = not ctype or ctype.startswith("text/") or "json" in ctype
        if state.body_over or len(state.body) > limit or not text_like:
            # a download or a large page cannot be replayed: release the key, a retry runs the action again
            if state.inserted:
                await IdempotencyKey.delete().where(IdempotencyKey.token == state.token)
            return
        try:
            body = state.body.decode("utf-8")
        except UnicodeDecodeError:
            if state.inserted:
                await IdempotencyKey.delete().where(IdempotencyKey.token == state.token)
            return
    values = {IdempotencyKey.status: state.captured_status, IdempotencyKey.headers: json.dumps(headers, ensure_ascii=False),
              IdempotencyKey.body: body}
    if state.inserted:
        await IdempotencyKey.update(values).where(IdempotencyKey.token == state.token)
    else:
        await IdempotencyKey.insert(IdempotencyKey(token=state.token, user_id=state.user_id, created_at=now(), method=state.method,
                                                   path=state.path[:300], status=state.captured_status,
                                                   headers=json.dumps(headers, ensure_ascii=False), body=body)
                                    ).on_conflict(target=IdempotencyKey.token, action="DO NOTHING")


class IdempotencyMiddleware:
    """ASGI middleware: arms the request state for unsafe methods, captures the response, records it afterwards."""

    MAX_CAPTURE = 1024 * 1024  # captured in memory at most; the setting body_limit_kb decides what is kept

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("method") not in UNSAFE:
            await self.app(scope, receive, send)
            return
        state = IdemState(method=scope["method"], path=scope.get("path", ""))
        scope[SCOPE_KEY] = state
        token = _current.set(state)

        async def capture(message) -> None:
            if message["type"] == "http.response.start":
                state.captured_status = message["status"]
                state.captured_headers = list(message.get("headers") or [])
            elif message["type"] == "http.response.body" and state.key and not state.body_over:
                chunk = message.get("body") or b""
                if len(state.body) + len(chunk) > self.MAX_CAPTURE:
                    state.body_over = True
                    state.body.clear()
                else:
                    state.body.extend(chunk)
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            _current.reset(token)
        if state.key:
            try:
                await record_response(state)
            except Exception:  # the response is sent; a failed record only loses the replay of this key
                log.warning("idempotency: recording the response of %s failed", state.path, exc_info=True)


# ------------------------------------------------------------------ expiry (worker pass)
async def purge_expired() -> int:
    from app.core.tables import IdempotencyKey
    from app.core.timeutil import now

    days = (await settings())["key_days"]
    rows = await IdempotencyKey.delete().where(IdempotencyKey.created_at < now() - timedelta(days=days)).returning(IdempotencyKey.id)
    return len(rows)


async def _main() -> None:
    from piccolo.engine import engine_finder
    from piccolo.engine.postgres import PostgresEngine

    engine = engine_finder()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=2)
    try:
        await seed_defaults()
        n = await purge_expired()
        print(f"idempotency: {n} expired keys removed")
    finally:
        if isinstance(engine, PostgresEngine):
            await engine.close_connection_pool()


if __name__ == "__main__":
    asyncio.run(_main())
