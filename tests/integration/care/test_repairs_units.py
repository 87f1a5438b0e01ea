"""The repair service's pure parts: the signature's decoding, where a step's form may return to, which steps a state
offers (the order of D3), and the list's clock cell from the stored dues."""
from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from app.care import states
from app.care.core import CareError
from app.repairs.routes import _clock_of
from app.repairs.services import decode_signature, offered, safe_back

pytestmark = pytest.mark.unit

T = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)


def test_decode_signature():
    assert decode_signature("data:image/png;base64," + base64.b64encode(b"abc").decode()) == b"abc"
    assert decode_signature(base64.b64encode(b"xyz").decode()) == b"xyz"
    for bad in ("data:image/png,abc", "@@@", "data:image/png;base64,%%%"):
        with pytest.raises(CareError) as e:
            decode_signature(bad)
        assert e.value.field == "signature" and "签名数据格式不正确" in e.value.message


def test_safe_back_only_this_case():
    assert safe_back("/care/repairs/7", 7) == "/care/repairs/7"
    assert safe_back("/care/cases/7", 7) == "/care/cases/7"
    for raw in ("https://evil.example/", "/care/cases/8", "//evil", ""):
        assert safe_back(raw, 7) == "/care/cases/7"


def _repair(**kw):
    base = {"needs_inspection": False, "inspected_at": None, "on_site_at": None}
    return {**base, **kw}


def test_offered_follows_the_order():
    w = {"in": True}
    assert offered({"status": states.R_ACCEPTED}, _repair(), w) == ["survey", "to_property"]
    assert offered({"status": states.R_SURVEY}, _repair(), w) == ["dispatch", "to_property"]
    assert offered({"status": states.R_SURVEY}, _repair(needs_inspection=True), w) == ["inspect", "to_property"]
    assert offered({"status": states.R_INSPECTING}, _repair(needs_inspection=True), w) == ["inspected", "to_property"]
    assert offered({"status": states.R_INSPECTING}, _repair(needs_inspection=True, inspected_at=T), w) == ["dispatch", "to_property"]
    assert offered({"status": states.R_DISPATCHED}, _repair(), w) == ["on_site"]
    assert offered({"status": states.R_DISPATCHED}, _repair(on_site_at=T), w) == ["start_repair"]
    assert offered({"status": states.R_REPAIRING}, _repair(on_site_at=T), w) == ["check", "repaired"]
    assert offered({"status": states.R_SIGN}, _repair(on_site_at=T), w) == ["signed"]
    assert offered({"status": states.CALLBACK}, _repair(on_site_at=T), w) == []
    assert offered({"status": states.REOPENED}, _repair(on_site_at=T), w) == ["survey"]


def test_list_clock_cell():
    row = {"case.status": states.R_DISPATCHED, "on_site_due": T - timedelta(minutes=1), "on_site_at": None, "fix_due": None,
           "done_at": None, "case.plan_due": None, "case.plan_at": None}
    assert _clock_of(row, T) == ("到场已超时", "red")
    assert _clock_of({**row, "on_site_due": T + timedelta(hours=1)}, T) == ("到场计时中", "blue")
    assert _clock_of({**row, "case.status": states.CALLBACK, "on_site_at": T}, T) == ("超时完成", "red")
    assert _clock_of({**row, "case.status": states.CALLBACK, "on_site_at": T - timedelta(hours=1)}, T) == ("已完成", "green")
    assert _clock_of({**row, "case.status": states.TO_PROPERTY}, T) == ("已转物业", "secondary")
    assert _clock_of({**row, "on_site_due": None}, T) == ("", "")
