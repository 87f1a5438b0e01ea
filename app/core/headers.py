"""Security headers on every response (pages, fragments, static files, error pages, the /admin mount).

Installed as a Litestar `before_send` hook, which wraps the whole application's `send`, so even a 404 for an
unknown path or a response from the mounted piccolo-admin gets them. Our own pages need no inline script (all
behaviour is in /static/js/portal.js); inline `style` attributes remain, hence `style-src 'unsafe-inline'`.
piccolo-admin is a Vue single-page app built by others: it gets its own, looser policy."""
from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

def _csp(img: str) -> str:
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {img}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


PORTAL_CSP = _csp("'self' data:")
ADMIN_CSP = _csp("'self' data: blob:")  # piccolo-admin also shows blob: images
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(production: bool):
    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        raw = scope.get("raw_path")  # the router rewrites `path` for a mount; raw_path is what the client asked for
        path = raw.decode("latin-1") if raw else scope.get("path", "")
        admin = path == "/admin" or path.startswith("/admin/")
        values = {
            "Content-Security-Policy": ADMIN_CSP if admin else PORTAL_CSP,
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Permissions-Policy": PERMISSIONS_POLICY,
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if production:
            values["Strict-Transport-Security"] = HSTS
        for name, value in values.items():
            headers[name] = value  # ours win: piccolo-admin's own (if any) would be looser
        if not path.startswith("/static/") and headers.get("Cache-Control") is None:
            headers["Cache-Control"] = "no-store"  # ASVS 8.2.1: pages with personal data are kept by no cache

    return before_send
