"""The record's hub: profile modules in ORDER (then by package), a section() that returns None, one or several
sections, the timeline merged newest first; who may view a record; years of service; the shown status."""
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from app.core.permissions import Perm
from app.hr_people import record, services

pytestmark = pytest.mark.unit


def _mod(name: str, order: int | None, title: str | None, evs=(), many: bool = False):
    async def section(emp, viewer):
        if title is None:
            return None
        s = {"title": title, "template": "x.html", "ctx": {}}
        return [s, {**s, "title": title + "2"}] if many else s

    async def events(employee_id):
        return list(evs)

    m = SimpleNamespace(__name__=f"app.{name}.profile", section=section, events=events)
    if order is not None:
        m.ORDER = order
    return m


async def test_sections_follow_order_then_package():
    mods = [_mod("hr_z", 50, "Z"), _mod("hr_a", 50, "A"), _mod("hr_first", 10, "F", many=True), _mod("hr_none", 5, None),
            _mod("hr_default", None, "D")]
    assert [m.__name__ for m in record.profile_modules(mods)] == [
        "app.hr_none.profile", "app.hr_first.profile", "app.hr_a.profile", "app.hr_z.profile", "app.hr_default.profile"]
    got = await record.sections({"id": 1}, None, mods)
    assert [(s["key"], s["title"]) for s in got] == [("hr_first", "F"), ("hr_first", "F2"), ("hr_a", "A"), ("hr_z", "Z"),
                                                    ("hr_default", "D")]


async def test_timeline_merges_every_section_newest_first():
    mods = [_mod("b", 20, "B", [{"on": date(2024, 1, 5), "text": "b1"}, {"on": None, "text": "skipped"}]),
            _mod("a", 10, "A", [{"on": date(2025, 3, 1), "text": "a1"}, {"on": datetime(2024, 1, 5, 9, tzinfo=timezone.utc), "text": "a2"}])]
    got = await record.timeline(1, mods)
    assert [e["text"] for e in got] == ["a1", "a2", "b1"] and all(type(e["on"]) is date for e in got)


def test_the_real_profile_modules_are_discovered_in_order():
    mods = record.profile_modules()
    names = [m.__name__ for m in mods]
    assert {"app.hr_contract.profile", "app.hr_leave.profile", "app.hr_probation.profile", "app.hr_training.profile",
            "app.hr_people.profile"} <= set(names)
    orders = [getattr(m, "ORDER", 100) for m in mods]
    assert orders == sorted(orders)  # each part's section at its ORDER, whichever parts exist


def _viewer(emp_id, hr=False):
    return SimpleNamespace(employee_id=emp_id, can=lambda p: hr and p == Perm.HR_MANAGE)


def test_who_may_view():
    emp = {"id": 7, "manager": 3}
    assert services.may_view(_viewer(None, hr=True), emp)
    assert services.may_view(_viewer(7), emp) and services.may_view(_viewer(3), emp)
    assert not services.may_view(_viewer(4), emp) and not services.may_view(_viewer(None), emp)
    assert not services.may_view(_viewer(None), {"id": 7, "manager": None})


def test_years_of_service_and_status():
    assert services.years_of_service(date(2020, 3, 1), date(2026, 2, 28)) == 5
    assert services.years_of_service(date(2020, 3, 1), date(2026, 3, 1)) == 6
    assert services.years_of_service(date(2027, 1, 1), date(2026, 3, 1)) is None
    assert services.years_of_service(None, date(2026, 3, 1)) is None
    assert services.shown_status(True, None) == "在职" and services.shown_status(True, "正式") == "正式"
    assert services.shown_status(False, "正式") == "已离职"


def test_masking():
    m = services.masked({"id_no": "11010519491231002X", "base_salary": 1, "education": "", "emergency_name": "",
                         "emergency_phone": "", "note": ""})
    assert m["id_no"] == "110105********002X" and m["base_salary"] == "****" and m["exists"]
    assert services.masked(None)["exists"] is False
