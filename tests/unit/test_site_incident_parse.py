"""The incident form's parse (no database): required fields, the kinds, the time (not in the future, garbage refused),
the phone a 聚集维权/媒体 case needs, the team among the user's own, and the month filter's range."""
from datetime import datetime, timedelta

import pytest

from app.core.fields import FormValues
from app.core.timeutil import SHANGHAI
from app.site_incident.services import month_range, parse_report

pytestmark = pytest.mark.unit

TEAMS = [{"id": 7, "name": "保安队", "project": 3}]


def _ok(**extra) -> FormValues:
    when = (datetime.now(SHANGHAI) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    return FormValues({"kind": "纠纷", "occurred_at": when, "place": "大厅", "account": "争吵", "actions": "劝离", **extra})


def test_a_complete_report_parses_with_the_only_team():
    c, errors = parse_report(_ok(called_119="1"), TEAMS)
    assert errors == {} and c["team"]["id"] == 7 and c["called_119"] and not c["called_110"]


def test_required_fields_are_named():
    _, errors = parse_report(FormValues(), TEAMS)
    assert set(errors) == {"kind", "occurred_at", "place", "account", "actions"}
    assert errors["kind"] == "请选择事件类型" and errors["place"] == "请填写地点"


@pytest.mark.parametrize("raw", ["9" * 5000, "2026-13-40T25:61", "昨天", "0001-01-01T00:00"])
def test_garbage_times_are_field_errors(raw):
    _, errors = parse_report(_ok(occurred_at=raw), TEAMS)
    assert "occurred_at" in errors


def test_a_time_in_the_future_is_refused():
    later = (datetime.now(SHANGHAI) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    assert parse_report(_ok(occurred_at=later), TEAMS)[1]["occurred_at"] == "事发时间不能晚于现在"


@pytest.mark.parametrize("kind", ["聚集维权", "媒体"])
def test_escalated_kinds_need_a_phone(kind):
    assert "contact_phone" in parse_report(_ok(kind=kind), TEAMS)[1]
    assert parse_report(_ok(kind=kind, contact_phone="13800138000"), TEAMS)[1] == {}
    assert "contact_phone" in parse_report(_ok(kind=kind, contact_phone="1" * 500), TEAMS)[1]


def test_unknown_kind_and_someone_elses_team():
    _, errors = parse_report(_ok(kind="外星人", team="8"), TEAMS + [{"id": 9, "name": "另一队", "project": 3}])
    assert errors["kind"] == "事件类型的选项无效" and errors["team"] == "班组的选项无效"
    assert "team" in parse_report(_ok(team="99999999999999999999"), TEAMS)[1]


def test_month_range():
    first, nxt = month_range("2026-12")
    assert first == datetime(2026, 12, 1, tzinfo=SHANGHAI) and nxt == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    for bad in ("2026-13", "2026-1", "x", "", "99999-01", "1999-05"):
        assert month_range(bad) is None
