"""The figure cache keeps values as JSON with money, dates and moments kept as such (app/core/figcache.py)."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from app.core.figcache import decode, encode, make_key


def test_values_round_trip_with_their_types():
    value = {"amount": Decimal("1234.50"), "on": date(2026, 12, 2), "at": datetime(2026, 12, 2, 8, 30, tzinfo=timezone.utc),
             "rows": [{"n": 3, "name": "交房", "none": None}], "pair": ("a", 1)}
    back = decode(encode(value))
    assert back["amount"] == Decimal("1234.50") and isinstance(back["amount"], Decimal)
    assert back["on"] == date(2026, 12, 2) and type(back["on"]) is date
    assert back["at"] == value["at"] and back["at"].tzinfo is not None
    assert back["rows"] == [{"n": 3, "name": "交房", "none": None}] and back["pair"] == ["a", 1]


def test_an_unknown_type_is_refused():
    with pytest.raises(TypeError):
        encode({"x": object()})


def test_keys_differ_by_every_part():
    a = make_key("home.queue_counts", [date(2026, 12, 2), "all", ["交房"]])
    assert a == make_key("home.queue_counts", [date(2026, 12, 2), "all", ["交房"]])
    assert a != make_key("home.queue_counts", [date(2026, 12, 3), "all", ["交房"]])
    assert a != make_key("home.queue_counts", [date(2026, 12, 2), [1, 2], ["交房"]])
    assert a != make_key("pipeline.queue", [date(2026, 12, 2), "all", ["交房"]])
    assert len(a) <= 80
