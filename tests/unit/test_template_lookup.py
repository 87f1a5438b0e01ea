"""The portal's Jinja environment reads `row.key` of a plain dict as an item first (no AttributeError raised and caught
per cell) with exactly Jinja's results: a dict's own attributes (its methods) still win, a missing key is undefined,
and every other object is looked up as Jinja does."""
from __future__ import annotations

from collections import OrderedDict

from jinja2 import Environment

from app.core.web import PortalEnvironment


def _both(source: str, **ctx) -> tuple[str, str]:
    return PortalEnvironment(autoescape=True).from_string(source).render(**ctx), Environment(autoescape=True).from_string(source).render(**ctx)


def test_a_dict_key_is_read_as_jinja_reads_it():
    row = {"stage": "签约", "n": 3, "none": None, "html": "<b>"}
    ours, jinjas = _both("{{ r.stage }}|{{ r.n + 1 }}|{{ r.none }}|{{ r.html }}|{{ r.missing is undefined }}", r=row)
    assert ours == jinjas == "签约|4|None|&lt;b&gt;|True"


def test_a_dicts_own_methods_still_win_over_a_key_of_the_same_name():
    row = {"items": ["x"], "get": "key", "keys": 1}
    ours, jinjas = _both("{{ r.items() | list | length }}|{{ r.get('get') }}|{{ r['items'] }}|{{ r.keys() | list | length }}", r=row)
    assert ours == jinjas == "3|key|[&#39;x&#39;]|3"


def test_other_objects_are_looked_up_as_before():
    class Obj:
        stage = "备案"

        def __getitem__(self, key):
            return f"item:{key}"

    od = OrderedDict(stage="交房")  # a dict subclass: Jinja's own path
    ours, jinjas = _both("{{ o.stage }}|{{ o.other }}|{{ d.stage }}|{{ d.items() | list | length }}", o=Obj(), d=od)
    assert ours == jinjas == "备案|item:other|交房|1"
