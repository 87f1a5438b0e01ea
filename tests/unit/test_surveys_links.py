"""The survey link token: an HMAC of the invitation key with the app's secret; only its sha256 is stored."""
import hashlib

import pytest

from app.surveys import links

pytestmark = pytest.mark.unit

SECRET = b"x" * 48


def test_token_is_stable_short_and_urlsafe():
    t = links.token_for("3:17", SECRET)
    assert t == links.token_for("3:17", SECRET)
    assert len(t) == 22 and links.well_formed(t)
    assert "=" not in t and "/" not in t and "+" not in t


def test_token_depends_on_key_and_secret():
    t = links.token_for("3:17", SECRET)
    assert t != links.token_for("3:18", SECRET)
    assert t != links.token_for("17:3", SECRET)
    assert t != links.token_for("3:17", b"y" * 48)


def test_verification_accepts_only_the_exact_token():
    t = links.token_for("3:17", SECRET)
    assert links.matches(t, "3:17", SECRET)
    assert not links.matches(t, "3:18", SECRET)
    flipped = ("A" if t[0] != "A" else "B") + t[1:]
    assert not links.matches(flipped, "3:17", SECRET)
    assert not links.matches(t[:-1], "3:17", SECRET)
    assert not links.matches(t + "x", "3:17", SECRET)
    assert not links.matches("", "3:17", SECRET)
    assert not links.matches("../../etc/passwd", "3:17", SECRET)


def test_only_the_hash_is_stored():
    t = links.token_for("3:17", SECRET)
    h = links.token_hash(t)
    assert h == hashlib.sha256(t.encode()).hexdigest() and len(h) == 64 and t not in h


def test_qr_code_is_svg_of_the_link():
    svg = links.qr_svg("https://portal.example/s/" + links.token_for("1:1", SECRET))
    assert svg.startswith("<svg") and "</svg>" in svg and "<script" not in svg
