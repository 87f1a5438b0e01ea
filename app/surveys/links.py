"""The personal link of an invitation. The officer must be able to send it at any time, so the token is not a random
secret shown once: it is an HMAC (SHA-256, keyed with the app's SECRET_KEY) of the invitation's `key`
(f"{questionnaire}:{deal}", known before the row exists, so the scheduler inserts whole batches in one statement).
Only sha256(token) is stored (Invitation.token_hash). Verifying a link looks the row up by that hash and compares the
recomputed HMAC with hmac.compare_digest: a tampered or made-up token finds nothing."""
from __future__ import annotations

import base64
import hashlib
import hmac
import re

TOKEN_BYTES = 16  # 128 bits: unguessable, and short enough for an SMS and a small QR code
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22}")  # base64url of 16 bytes without padding


def _secret() -> bytes:
    from app.settings import get_settings

    return get_settings().secret_key.encode()


def token_for(key: str, secret: bytes | None = None) -> str:
    mac = hmac.new(secret if secret is not None else _secret(), b"survey-invitation:" + key.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:TOKEN_BYTES]).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return bool(TOKEN_RE.fullmatch(token or ""))


def matches(token: str, key: str, secret: bytes | None = None) -> bool:
    """Whether `token` is the link token of the invitation with `key` (constant-time compare)."""
    return well_formed(token) and hmac.compare_digest(token_for(key, secret), token)


def link_path(key: str) -> str:
    return "/s/" + token_for(key)


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG markup (drawn on the server: no script, no external service)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                    title="调查链接二维码", svgclass="portal-qr", lineclass=None)
    return out.getvalue().decode()
