"""A memo for the current request only: a value several parts of one page need (the issuing company, read by the
rules widget and the layout) is fetched once per request, never kept past it (no process keeps state between
requests). The session middleware starts a fresh memo for every request; outside a request (a worker, a test calling
a service) nothing is memoised."""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Awaitable, Callable

_MEMO: ContextVar[dict | None] = ContextVar("portal_request_memo", default=None)


def begin_request() -> None:
    _MEMO.set({})


async def once(key: str, factory: Callable[[], Awaitable[Any]]) -> Any:
    """factory()'s value, computed at most once in this request."""
    memo = _MEMO.get()
    if memo is None:
        return await factory()
    if key not in memo:
        memo[key] = await factory()
    return memo[key]
