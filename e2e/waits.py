"""Waiting for a page to be done: loaded, and no HTMX request in flight or being swapped in.

Playwright's "networkidle" waits for 500 ms without a request after the last one, on every call: ~600 calls a run
spent ~5 minutes only waiting. The pages' own background requests are all HTMX's (the badges' `load` and
`todo-changed` triggers, the fragments; static/js/portal.js makes none of its own), and HTMX marks the element of each
request in flight with `htmx-request` until its response is swapped (`htmx-swapping`) and settled (`htmx-settling`).
A page is done when the document has loaded and no element carries one of those classes."""
from __future__ import annotations

SETTLED = "() => document.readyState === 'complete' && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def settle(page, timeout: float = 30_000) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function(SETTLED, timeout=timeout)
