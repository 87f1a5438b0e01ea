"""Values several parts of a page need, fetched once.

- `once`: for the current request only (the issuing company, read by the rules widget and the layout). The session
  middleware starts a fresh memo for every request; outside a request (a worker, a test calling a service) nothing is
  memoised.
- `kept`: reference data that nearly every page reads and that changes only by an edit (the pipeline's and the care
  limits, the holiday calendar, the projects, the issuing company, the attachment limits): kept by the process, but served only
  while the **data version** read with the request's session (app/core/figcache.py; every INSERT, UPDATE and DELETE
  on a domain table moves it, an admin panel edit included) is the one it was read at, and for at most the figure
  cache's `max_seconds` (0 turns it off). So no process serves anything the database no longer says: the database
  stays the only state, and an edit on one host is seen by every process on every host at its next request. Inside a
  transaction, before the version is known (no session) or outside a request, it is `once`. A kept value is shared by
  the requests of the process: it must be read-only (frozen dataclasses, or copied by the caller).
"""
from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any, Awaitable, Callable

_MEMO: ContextVar[dict | None] = ContextVar("portal_request_memo", default=None)

KEPT_MAX = 256  # entries; past it the process's kept values are dropped and read again
_KEPT: dict[str, tuple[int, float, Any]] = {}  # key -> (data version, monotonic time read, value)


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


async def kept(key: str, factory: Callable[[], Awaitable[Any]]) -> Any:
    """factory()'s value, kept by the process while the data version is unchanged (see the module's doc)."""
    from app.core import figcache

    state = figcache.request_state()
    memo = _MEMO.get()
    if (state is None or state.get("version") is None or state["max_seconds"] <= 0 or figcache._in_transaction()
            or (memo is not None and memo.get(_WROTE))):
        return await once(key, factory)
    version, moment = int(state["version"]), time.monotonic()
    hit = _KEPT.get(key)
    if hit is not None and hit[0] == version and moment - hit[1] < state["max_seconds"]:
        return hit[2]
    value = await once(key, factory)
    if len(_KEPT) >= KEPT_MAX:
        _KEPT.clear()
    # the version was read before the value (with the session): the value is at least as new as its version
    _KEPT[key] = (version, moment, value)
    return value


_WROTE = "\0wrote"


def wrote() -> None:
    """This request opened a write transaction: from now on `kept` is `once` (its data version was read before the
    write: a value read after it must not be kept under that version, nor a kept one trusted)."""
    memo = _MEMO.get()
    if memo is not None:
        memo[_WROTE] = True


def drop(prefix: str) -> None:
    """Forget this request's values (`once`, `kept`) whose key starts with `prefix`: the request itself changed them."""
    memo = _MEMO.get()
    if memo is not None:
        for k in [k for k in memo if k.startswith(prefix)]:
            del memo[k]


def forget() -> None:
    """Drop what the process keeps (the tests)."""
    _KEPT.clear()
