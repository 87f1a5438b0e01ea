"""The sales office's shift slots: hours, crossing midnight, the span worked from a start day, the slot running at a
moment (a night shift that started the day before), and the merged 售楼处 navigation group."""
from datetime import date, datetime, time

import pytest

from app.core.nav import NavGroup, NavItem
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI
from app.site.services import Slot, clock, slot_at

pytestmark = pytest.mark.unit

DAY = Slot(1, 1, "白班", time(8), time(20))
NIGHT = Slot(2, 1, "夜班", time(20), time(8))
LATE = Slot(3, 2, "中班", time(16), clock("24:00"))
EARLY = Slot(4, 2, "夜班", time(0), time(8))


def test_hours_and_midnight():
    assert (DAY.hours, NIGHT.hours, LATE.hours, EARLY.hours) == (12, 12, 8, 8)
    assert NIGHT.crosses_midnight and LATE.crosses_midnight and not DAY.crosses_midnight and not EARLY.crosses_midnight
    assert LATE.label == "中班 16:00–24:00" and NIGHT.label == "夜班 20:00–08:00"


def test_a_night_shift_on_the_last_day_of_the_month_ends_on_the_first():
    start, end = NIGHT.span(date(2026, 12, 31))
    assert start == datetime(2026, 12, 31, 20, tzinfo=SHANGHAI) and end == datetime(2027, 1, 1, 8, tzinfo=SHANGHAI)


def test_slot_at_finds_the_night_that_began_yesterday():
    assert slot_at([DAY, NIGHT], datetime(2027, 1, 1, 7, 59, tzinfo=SHANGHAI)) == (NIGHT, date(2026, 12, 31))
    assert slot_at([DAY, NIGHT], datetime(2027, 1, 1, 8, 0, tzinfo=SHANGHAI)) == (DAY, date(2027, 1, 1))
    assert slot_at([DAY], datetime(2027, 1, 1, 21, tzinfo=SHANGHAI)) is None


def test_groups_of_one_label_merge_and_items_keep_their_roles(monkeypatch):
    from app.core import nav

    a = NavGroup("售楼处", roles=frozenset({"guard"}), items=(NavItem("甲", "/a", Perm.SITE, "a"),))
    b = NavGroup("售楼处", roles=frozenset({"cleaner"}), items=(NavItem("乙", "/b", Perm.SITE, "b"),))

    class M:
        NAV_GROUPS = (a, b)

    monkeypatch.setattr("app.core.discovery.domain_modules", lambda name: [M])
    nav.all_groups.cache_clear()
    try:
        groups = [g for g in nav.all_groups() if g.label == "售楼处"]
        assert len(groups) == 1 and groups[0].roles == frozenset({"guard", "cleaner"})
        assert [(i.url, i.roles) for i in groups[0].items] == [("/a", frozenset({"guard"})), ("/b", frozenset({"cleaner"}))]
    finally:
        nav.all_groups.cache_clear()
