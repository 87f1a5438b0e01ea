"""The rules library reads as the company's own rules (issue 8 §9): placeholders filled from the company record,
no conversion debris, a table of contents that links to its chapters, near-duplicates grouped, and search."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from app.org.tables import Company
from app.rules.tables import RuleClause, RuleDocument, RuleVersion
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.integration


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.toc: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("data-testid") == "toc-link":
            self.toc.append(a.get("href", ""))


def _parse(html: str) -> _Links:
    p = _Links()
    p.feed(html)
    return p


async def test_placeholders_are_filled_from_the_company_record(client, login):
    await login("archive")
    r = await client.get("/rules/kf-71p")
    assert r.status_code == 200
    assert "锦程房地产开发有限公司客服部管理制度" in r.text and "锦程地产客字〔2010〕001号" in r.text
    for placeholder in ("XXXX", "XX公司", "某房地产公司"):
        assert placeholder not in r.text
    index = await client.get("/rules")
    assert "XXXX" not in index.text and "XX公司" not in index.text and "锦程房地产开发有限公司客服部管理制度" in index.text
    # the source text stays intact in the database
    doc = await RuleDocument.select(RuleDocument.title, RuleDocument.source).where(RuleDocument.code == "kf-71p").first()
    assert doc["title"].startswith("XXXX") and doc["source"].startswith("XX公司")


async def test_renaming_the_company_changes_every_rule(client, login):
    await login("archive")
    row = await Company.select(Company.id, Company.name, Company.doc_abbr).where(Company.name == "锦程房地产开发有限公司").first()
    try:
        await Company.update({Company.name: "锦程新城开发有限公司", Company.doc_abbr: "锦程新城"}).where(Company.id == row["id"])
        r = await client.get("/rules/kf-71p")
        assert "锦程新城开发有限公司客服部管理制度" in r.text and "锦程新城客字〔2010〕001号" in r.text
        assert "锦程房地产开发有限公司" not in r.text
        assert "锦程新城开发有限公司客服部管理制度" in (await client.get("/rules")).text
    finally:
        await Company.update({Company.name: row["name"], Company.doc_abbr: row["doc_abbr"]}).where(Company.id == row["id"])


async def test_no_conversion_debris(client, login):
    await login("archive")
    for path in ("/rules", "/rules/kf-71p", "/rules/doc-08"):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert "doc 71页" not in r.text and "(doc" not in r.text, path
        assert "\f" not in r.text, path
        assert not re.search(r"[\u4e00-\u9fff] \(\d+\)第", r.text), path  # Word page numbers of the table of contents
        assert "…………" not in r.text, path
        assert "编号: XX" not in r.text and "xx 客服部" not in r.text, path


async def test_every_table_of_contents_link_has_its_anchor(client, login):
    await login("archive")
    codes = [d["code"] for d in await RuleDocument.select(RuleDocument.code)]
    linked = 0
    for code in codes:
        r = await client.get(f"/rules/{code}")
        assert r.status_code == 200, code
        page = _parse(r.text)
        for href in page.toc:
            assert href.startswith("#c-"), (code, href)
            assert href[1:] in page.ids, (code, href)
        linked += len(page.toc)
    main = _parse((await client.get("/rules/kf-71p")).text)
    assert {"#c-ch1", "#c-ch2", "#c-ch2-sec2"} <= set(main.toc)
    assert linked > 10


async def test_clause_links_of_the_forms_still_resolve(client, login):
    await login("contract")
    r = await client.get("/rules/kf-71p")
    ids = _parse(r.text).ids
    for anchor in ("ch2-3.1", "ch2-4.3", "ch2-5.3", "ch2-5.4", "ch2-5.6", "ch2-3.5"):
        assert f"c-{anchor}" in ids, anchor


async def test_near_duplicates_are_grouped_under_one_rule(client, login):
    await login("archive")
    r = await client.get("/rules")
    rows = re.findall(r'data-testid="rule-row-([\w-]+)"', r.text)
    total = await RuleDocument.count()
    assert len(rows) < total * 0.6, (len(rows), total)
    assert "kf-71p" in rows and "doc-02" not in rows and "doc-08" not in rows
    assert 'data-testid="variant-link-doc-08"' in r.text and 'data-testid="rule-variants-kf-71p"' in r.text
    # every document is still reachable: as a rule or as a variant of one
    for d in await RuleDocument.select(RuleDocument.code):
        assert f'rule-row-{d["code"]}"' in r.text or f'variant-link-{d["code"]}"' in r.text, d["code"]
    variant = await client.get("/rules/doc-02")
    assert variant.status_code == 200 and 'data-testid="variant-note"' in variant.text and 'href="/rules/kf-71p"' in variant.text
    assert 'data-testid="family-doc-02"' in variant.text and 'data-testid="family-kf-71p"' in variant.text
    lead = await client.get("/rules/kf-71p")
    assert 'data-testid="rule-family"' in lead.text and 'data-testid="family-doc-08"' in lead.text


async def test_search_finds_a_phrase_and_links_to_its_anchor(client, login):
    await login("mortgage")
    r = await client.get("/rules", params={"q": "维修基金"})
    assert r.status_code == 200 and 'data-testid="rule-hits"' in r.text
    assert 'href="/rules/kf-71p#c-ch2-5.6"' in r.text
    assert "<mark>维修基金</mark>" in r.text
    assert "第二章客服部组织架构" in r.text  # the chapter of the hit
    target = await client.get("/rules/kf-71p")
    assert 'id="c-ch2-5.6"' in target.text
    frag = await client.get("/rules", params={"q": "维修基金"}, headers={"HX-Request": "true"})
    assert frag.status_code == 200 and "<html" not in frag.text and frag.text.lstrip().startswith('<div id="rule-search">')
    assert 'href="/rules/kf-71p#c-ch2-5.6"' in frag.text
    none = await client.get("/rules", params={"q": "这句话不在任何规章里"})
    assert none.status_code == 200 and "没有找到" in none.text
    # wildcards are typed text, not patterns; a page beyond the end is the last page
    assert (await client.get("/rules", params={"q": "%_", "page": "99"})).status_code == 200
    assert (await client.get("/rules", params={"q": "客服", "page": "abc"})).status_code == 200


async def test_search_reads_only_current_versions(new_client):
    head = await sign_in(await new_client(), "supervisor")
    token = await csrf_token(head, "/rules/doc-19/publish")
    old_phrase = (await RuleClause.select(RuleClause.text).where(
        (RuleClause.version.document.code == "doc-19") & (RuleClause.version.is_current == True) & (RuleClause.anchor == "art1")  # noqa: E712
    ).first())["text"][4:16]
    body = "第一条为规范售楼处客户接待，制定本制度。\n\n第二条接待专员应在三分钟内响应来访客户的咨询。"
    ok = await head.post("/rules/doc-19/publish", data={"_csrf_token": token, "effective_on": "2026-12-01", "change_note": "改写", "body": body})
    assert ok.status_code == 303
    new = await head.get("/rules", params={"q": "三分钟内响应"})
    assert 'href="/rules/doc-19#c-art2"' in new.text
    old = await head.get("/rules", params={"q": old_phrase})
    assert "/rules/doc-19#" not in old.text, old_phrase  # the earlier version is not searched
    assert await RuleVersion.count().where(RuleVersion.document.code == "doc-19") == 2


async def test_search_needs_sign_in(client):
    r = await client.get("/rules", params={"q": "维修基金"}, follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
