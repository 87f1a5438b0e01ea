"""Unit tests for seeds/regulations.py: parsing the shared regulations text (no database)."""

from __future__ import annotations

import re

import pytest

from app.rules.parser import (
    CONVERSION_FIXES,
    POSITION_DUTIES,
    Clause,
    Document,
    default_path,
    duties_text,
    fix_conversion_errors,
    load_regulations,
    parse_regulations,
)

pytestmark = pytest.mark.unit

WRONG_TERMS = ("治理", "讲明书", "中意", "打算", "差不多", "分不", "时刻", "职员", "宽敞")
BOILERPLATE = ("下载文档前请自行甄别", "仅部分预览", "如文档侵犯您的权益", "相关文档", "最新文档", "合集下载")
URL_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@pytest.fixture(scope="module")
def source_text() -> str:
    path = default_path()
    assert path.exists(), f"regulations text not found at {path}"
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def documents(source_text: str) -> list[Document]:
    return parse_regulations(source_text)


@pytest.fixture(scope="module")
def kf71p(documents: list[Document]) -> Document:
    matches = [doc for doc in documents if doc.code == "kf-71p"]
    assert len(matches) == 1
    return matches[0]


def by_anchor(document: Document, anchor: str) -> Clause:
    found = [clause for clause in document.clauses if clause.anchor == anchor]
    assert found, f"{document.code} has no clause #{anchor}"
    return found[0]


# --- the collection --------------------------------------------------------------------------------


def test_load_regulations_reads_the_default_file(documents: list[Document]) -> None:
    assert load_regulations() == documents


def test_every_document_has_a_title_and_clauses(documents: list[Document]) -> None:
    assert len(documents) >= 20
    for document in documents:
        assert document.title.strip(), document.code
        assert len(document.clauses) >= 1, document.code
        assert all(clause.text == clause.text.strip() and clause.text for clause in document.clauses)


def test_document_codes_are_unique_and_in_order(documents: list[Document]) -> None:
    codes = [doc.code for doc in documents]
    assert len(codes) == len(set(codes))
    others = [code for code in codes if code != "kf-71p"]
    assert others == [f"doc-{n:02d}" for n in range(1, len(others) + 1)]


def test_anchors_are_url_safe_and_unique_per_document(documents: list[Document]) -> None:
    for document in documents:
        anchors = [clause.anchor for clause in document.clauses]
        assert len(anchors) == len(set(anchors)), document.code
        for anchor in anchors:
            assert URL_SAFE.match(anchor), (document.code, anchor)


def test_parsing_is_deterministic(source_text: str, documents: list[Document]) -> None:
    again = parse_regulations(source_text)
    assert [(d.code, [c.anchor for c in d.clauses]) for d in again] == [
        (d.code, [c.anchor for c in d.clauses]) for d in documents
    ]
    assert again == documents


def test_web_boilerplate_is_dropped(documents: list[Document]) -> None:
    for document in documents:
        for clause in document.clauses:
            for phrase in BOILERPLATE:
                assert phrase not in clause.text, (document.code, clause.anchor, phrase)


def test_collection_title_line_is_not_a_document(documents: list[Document]) -> None:
    assert documents[0].title == "地产客服工作制度"


# --- the other documents keep their wording --------------------------------------------------------


def test_first_document_articles(documents: list[Document]) -> None:
    first = documents[0]
    assert first.code == "doc-01"
    assert first.source == ""
    heading = first.clauses[0]
    assert heading.is_heading and heading.text == "一、总则"
    art1 = by_anchor(first, "art1")
    assert art1.number == "第一条"
    assert art1.text == "第一条为了提高地产客服工作效率,提升客户满意度,根据公司实际情况,制定本工作制度。"
    assert not art1.is_heading
    assert by_anchor(first, "art4-i2").number == "(二)"


def test_repeated_title_is_split_off_the_first_heading(documents: list[Document]) -> None:
    last_plain = [doc for doc in documents if doc.title == "房地产客户服务部管理制度"][-1]
    first = last_plain.clauses[0]
    assert first.is_heading
    assert first.text.startswith("一、部门职责")
    assert by_anchor(last_plain, "s3-1.3").text.startswith("1.3 投诉处理流程")
    # "地产客服管理制度范文" repeats its title twice before 第一章
    template = next(doc for doc in documents if doc.title == "地产客服管理制度范文")
    assert template.clauses[0].text == "第一章总则"
    for document in documents:
        assert not document.clauses[0].text.startswith(document.title), document.code


def test_conversion_fixes_apply_only_to_the_71p_document() -> None:
    text = "普通制度\n\n普通制度\n\n普通制度第一条本部门的工作打算由职员在规定时刻内完成。\n"
    (document,) = parse_regulations(text)
    assert document.clauses[0].text == "第一条本部门的工作打算由职员在规定时刻内完成。"


def test_truncated_lines_are_marked() -> None:
    text = "普通制度\n\n普通制度\n\n第一条熟练使用办公软\ufffd\n\n第二条完整。\n"
    (document,) = parse_regulations(text)
    assert document.clauses[0].text == "第一条熟练使用办公软……"
    assert all("\ufffd" not in clause.text for clause in document.clauses)


# --- the 71-page regulation -------------------------------------------------------------------------


def test_71p_document_is_found_with_its_source(kf71p: Document) -> None:
    assert kf71p.source == "XX公司客字〔2010〕001号"
    assert kf71p.title == "XXXX房地产开发有限公司客服部管理制度"
    assert by_anchor(kf71p, "toc").text.startswith("目录第一章客服部职责说明书")
    assert by_anchor(kf71p, "ch1").text == "第一章客服部职责说明书"
    assert by_anchor(kf71p, "ch2").text == "第二章客服部组织架构"


@pytest.mark.parametrize("wrong", WRONG_TERMS)
def test_71p_has_no_conversion_errors(kf71p: Document, wrong: str) -> None:
    assert wrong not in kf71p.title
    offending = [clause.anchor for clause in kf71p.clauses if wrong in clause.text]
    assert offending == []


def test_71p_keeps_the_right_terms(kf71p: Document) -> None:
    assert "面向广大客户群" in by_anchor(kf71p, "p1").text
    assert "客户满意度" in by_anchor(kf71p, "ch1-s1").text
    assert by_anchor(kf71p, "ch1-s4").text == "四、客服人员应具备的基本工作技能"


def test_maintenance_fund_item_is_renumbered_5_6(kf71p: Document) -> None:
    clause = by_anchor(kf71p, "ch2-5.6")
    assert clause.number == "5.6"
    assert "维修基金" in clause.text
    assert clause.text.startswith("5.6、")
    # the genuine 4.6 under 按揭专员 stays as it is
    assert "公积金" in by_anchor(kf71p, "ch2-4.6").text
    assert not any("维修基金" in c.text for c in kf71p.clauses if c.number == "4.6")


def test_71p_item_anchors_include_the_position_number(kf71p: Document) -> None:
    assert by_anchor(kf71p, "ch2-3.2").text.startswith("3.2、依据《商品房买卖合同》登记要求")
    assert by_anchor(kf71p, "ch2-2.5").text.startswith("2.5、协助客服副经理")


def test_position_duties_point_at_position_headings(kf71p: Document) -> None:
    assert set(POSITION_DUTIES) == {"客服副经理", "客服主管", "合同专员", "按揭专员", "房管局专员"}
    for name, (code, anchor) in POSITION_DUTIES.items():
        assert code == "kf-71p"
        heading = by_anchor(kf71p, anchor)
        assert heading.is_heading
        written = "房管员专员" if name == "房管局专员" else name
        assert heading.text.endswith(written), (name, heading.text)


def test_duties_text(documents: list[Document]) -> None:
    mortgage = duties_text(documents, "按揭专员")
    assert "3到5个工作日" in mortgage
    assert "4.1、" in mortgage and "5.1、" not in mortgage
    deputy = duties_text(documents, "客服副经理")
    assert deputy.startswith("1.1、")
    assert "每周召开部门例会" in deputy and "2.1、" not in deputy
    bureau = duties_text(documents, "房管局专员")
    assert "5.6、完成我公司的维修基金" in bureau
    assert duties_text(documents, "房管员专员") == bureau
    assert duties_text(documents, "保安") == ""
    assert duties_text([], "按揭专员") == ""


def test_fix_conversion_errors() -> None:
    assert fix_conversion_errors("客服部治理制度讲明书") == "客服部管理制度说明书"
    assert fix_conversion_errors("提高客户中意度") == "提高客户满意度"
    for wrong, right in CONVERSION_FIXES.items():
        assert fix_conversion_errors(wrong) == right
