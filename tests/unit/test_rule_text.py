"""How a rule reads (app/rules/text.py) and the shared number filters (app/core/web.py)."""
from decimal import Decimal

import pytest

from app.core.numbers import format_area, format_pct
from app.rules import text as T

pytestmark = pytest.mark.unit

CO = T.Company(name="锦程房地产开发有限公司", abbr="锦程地产")


def test_fill_replaces_placeholders_and_drops_debris():
    assert T.fill("XXXX房地产开发有限公司客服部管理制度", CO) == "锦程房地产开发有限公司客服部管理制度"
    assert T.fill("XX公司客字〔2010〕001号", CO) == "锦程地产客字〔2010〕001号"
    assert T.fill("房地产公司客服部管理制度(doc 71页)", CO) == "房地产公司客服部管理制度"
    assert T.fill("第一条\f本制度\x0c适用", CO) == "第一条本制度适用"
    assert T.fill("XXXX房地产开发有限公司", None) == "XXXX房地产开发有限公司"
    assert T.is_debris("xx 客服部锦程房地产开发有限公司客服部管理制度编号: 锦程地产客字〔2010〕001号")
    assert not T.is_debris("第一条为加强管理，特制定本制度。")


def test_toc_links_to_headings_and_drops_page_numbers():
    clauses = [
        {"anchor": "toc", "text": "目录", "is_heading": False},
        {"anchor": "ch1", "text": "第一章总则", "is_heading": True},
        {"anchor": "sec1", "text": "第一节目的", "is_heading": True},
        {"anchor": "ch2", "text": "第二章组织", "is_heading": True},
        {"anchor": "ch2-sec1", "text": "第一节架构", "is_heading": True},
    ]
    entries = T.toc_entries("目录第一章总则 (1)第一节目的 (2)第二章组织……………3第一节架构 (4)第三章附则 (9)", clauses)
    assert [(e.label, e.anchor, e.level) for e in entries] == [
        ("第一章总则", "ch1", 1), ("第一节目的", "sec1", 2), ("第二章组织", "ch2", 1), ("第一节架构", "ch2-sec1", 2), ("第三章附则", "", 1)]


def test_family_groups_near_duplicate_titles():
    assert T.family("地产客服部管理制度模板") == T.family("房地产客户服务部管理制度") == T.family("XXXX房地产开发有限公司客服部管理制度") \
        == T.family("房地产公司客服部管理制度(doc 71页)") == "客服部管理制度"
    assert T.family("地产客服管理制度模板范文") == T.family("房产开发公司客服管理制度") == "客服管理制度"
    assert T.family("房地产公司客服中心管理规定") != T.family("某房地产公司客服中心管理制度")
    groups = T.group_documents([
        {"code": "a", "title": "地产客服部管理制度模板", "clauses": 30},
        {"code": "main", "title": "XXXX房地产开发有限公司客服部管理制度", "clauses": 5},
        {"code": "b", "title": "地产客服管理制度范文", "clauses": 3},
        {"code": "c", "title": "房地产客服管理制度", "clauses": 9},
        {"code": "alone", "title": "房地产客服日常管理制度", "clauses": 9},
    ], main_code="main")
    assert groups == {"a": "main", "b": "c"}


def test_snippet_marks_the_hit_and_escapes():
    s = str(T.snippet("<b>前文</b>维修基金的开户", "维修基金", width=3))
    assert s == "…/b&gt;<mark>维修基金</mark>的开户"
    assert T.query_variants("锦程房地产开发有限公司客服部", CO)[1] == "XXXX房地产开发有限公司客服部"


def test_numbers_keep_their_format():
    assert format_area(100) == "100.00㎡" and format_area(Decimal("88.8")) == "88.80㎡" and format_area(None) == ""
    assert format_pct(Decimal("-3")) == "−3.00%" and format_pct(2.5) == "2.50%" and format_pct(-3.0) == "−3.00%"
    assert format_pct(None) == "" and format_pct(Decimal("-0.001")) == "0.00%"


def test_a_prefixed_form_shares_its_values_and_prefixes_its_ids():
    from app.core.web import Form, build_environment, with_prefix

    form = Form(values={"on": "2026-12-01"}, errors={"on": "请填写日期"})
    f = with_prefix(form, "filing-submit-")
    assert f.prefix == "filing-submit-" and f.values is form.values and form.prefix == ""
    assert with_prefix({"on": "x"}, "a-").values == {"on": "x"}
    env = build_environment()
    html = env.from_string('{% from "_partials/forms.html" import field, select, textarea, check %}'
                           '{{ field(f, "on", "日期") }}{{ select(f, "s", "选", [("1", "一")]) }}{{ textarea(f, "t", "文") }}{{ check(f, "c", "勾") }}'
                           ).render(f=f)
    for name in ("on", "s", "t", "c"):
        assert f'id="f-filing-submit-{name}"' in html and f'data-testid="field-{name}"' in html
    assert 'for="f-filing-submit-on"' in html and "请填写日期" in html and 'value="2026-12-01"' in html
    plain = env.from_string('{% from "_partials/forms.html" import field %}{{ field(f, "on", "日期") }}').render(f=Form())
    assert 'id="f-on"' in plain and 'for="f-on"' in plain
