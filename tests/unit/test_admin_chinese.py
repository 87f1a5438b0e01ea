"""The admin panel's names (issue 8 §5): every table it shows has a Chinese name and every column a Chinese label,
grouped by the portal's chapter names; the portal's texts that send people to the admin name its menu exactly."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_admin_table_and_column_has_a_chinese_name():
    from app.admin_mount import ALL_ADMIN_TABLES, admin_tables, shown_tables

    for t in admin_tables():
        assert type(t).__name__ == "AdminTable", f"{t} in an ADMIN_TABLES is not named: use AdminTable(table, 中文表名, 分组, 列名)"
    named = {t.tablename: t for t in ALL_ADMIN_TABLES}
    for table in shown_tables():  # also the ones piccolo-admin adds because an admin table points at them
        t = named.get(table._meta.tablename)
        assert t is not None, f"{table._meta.tablename} is shown in the admin without a Chinese name"
        assert CJK.search(t.name), t.name
        missing = [c._meta.name for c in table._meta.columns if not CJK.search(t.labels.get(c._meta.name, ""))]
        assert not missing, f"{t.name} ({t.tablename}): columns without a Chinese label: {missing}"
        assert set(t.labels) <= {c._meta.name for c in table._meta.columns}, f"{t.tablename}: labels for unknown columns"
        for col in t.listed:
            assert col in t.labels
    assert len({t.name for t in ALL_ADMIN_TABLES}) == len(ALL_ADMIN_TABLES), "two admin tables share a Chinese name"


def test_menu_groups_are_the_portals_chapters():
    from app.admin_mount import ALL_ADMIN_TABLES
    from app.core.nav import all_groups

    chapters = {g.label for g in all_groups()}
    for t in ALL_ADMIN_TABLES:
        assert t.group in chapters, f"{t.name}: menu group {t.group!r} is not a chapter of the portal's navigation"


def test_only_chinese_is_offered_and_is_the_default():
    from app.admin_mount import ADMIN_APP
    from app.core.admin_zh import CHINESE

    assert list(ADMIN_APP.translations_map) == ["zh-cn"] and ADMIN_APP.default_language_code == "zh-CN"
    assert all(CJK.search(v) or k in ("MFA Code",) or v in ("/",) for k, v in CHINESE.translations.items()), \
        [k for k, v in CHINESE.translations.items() if not CJK.search(v)]
    assert 'lang="zh-CN"' in ADMIN_APP.template and "客服部门户 · 管理后台" in ADMIN_APP.template


def test_links_to_the_admin_name_its_menu_exactly():
    """Every mention of an admin table in the portal's pages names it as the admin's menu does (管理后台 › 分组 › 表名):
    the admin_link macro (a link for administrators) or the same words in plain text."""
    from app.admin_mount import ALL_ADMIN_TABLES

    menu = {(t.group, t.name) for t in ALL_ADMIN_TABLES}
    seen = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name == "admin_link.html":
            continue
        text = path.read_text()
        seen += [(path.name, m.group(1), m.group(2)) for m in re.finditer(r'admin_link\(user, "([^"]+)", "([^"]+)"\)', text)]
        seen += [(path.name, m.group(1), m.group(2)) for m in re.finditer(r"管理后台 › ([^ ]+) › ([^」”）。\s]+)", text)]
        for m in re.finditer(r"管理后台[“「]([^”」]+)[”」]", text):
            pytest.fail(f"{path.name}: 管理后台“{m.group(1)}” does not name the admin's menu: use admin_link")
    assert len(seen) >= 4, seen
    for file, group, name in seen:
        assert (group, name) in menu, f"{file}: 管理后台 › {group} › {name} is not in the admin's menu"


def test_admin_link_is_a_link_for_administrators_only():
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True)
    tpl = env.from_string('{% from "_partials/admin_link.html" import admin_link %}{{ admin_link(user, "系统", "节假日调整") }}')

    class U:
        def __init__(self, admin):
            self.admin = admin

        def can(self, perm):
            return self.admin and perm == "admin"

    html = tpl.render(user=U(True))
    assert html == '<a href="/admin/#/%E8%8A%82%E5%81%87%E6%97%A5%E8%B0%83%E6%95%B4" data-testid="admin-link">管理后台 › 系统 › 节假日调整</a>'
    assert tpl.render(user=U(False)) == "「管理后台 › 系统 › 节假日调整」"
