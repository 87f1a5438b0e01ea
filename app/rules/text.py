"""How a stored rule reads: the source's placeholders filled from the company record, conversion debris dropped, the
table of contents turned into links to its chapters, near-duplicate templates grouped, and search snippets.

Pure functions, no I/O. The database keeps the source text as imported (placeholders and all); everything here runs
at render time, so renaming the company changes every rule at once."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from markupsafe import Markup, escape

_CN = "一二三四五六七八九十百零〇两"

#: The source's placeholders for the company, longest first (their replacement is the company's full name).
COMPANY_PLACEHOLDERS = ("XXXX房地产开发有限公司", "某房地产公司")
#: The placeholder of the issuing company's abbreviation in document numbers ("XX公司客字〔2010〕001号").
ABBR_PLACEHOLDER = "XX公司"

_RE_DOC_PAGES = re.compile(r"\s*[(（]\s*doc\s*\d+\s*页\s*[)）]", re.IGNORECASE)
_RE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_RE_TITLE_LINE = re.compile(r"^.{0,60}?(制度|规定)\s*编号\s*[:：]\s*\S{0,40}号$")  # the cover line repeated in the body
_RE_PAGE_REF = re.compile(r"\s*[(（]\s*\d+\s*[)）]|\s*[…\.·]{2,}\s*\d*")  # Word page numbers: "(12)", "……12"
_RE_TOC_MARK = re.compile(
    rf"(?=第[{_CN}\d]+[章节])|(?<![{_CN}])(?=[{_CN}]+\s*、)|(?=[(（][{_CN}]+[)）])|(?<![\d.])(?=\d+\s*、)"
)


@dataclass(frozen=True)
class Company:
    """What the placeholders are filled with."""

    name: str
    abbr: str  # 发文代字 ("锦程地产"); the company's short name when the record has none


def fill(text: str, company: Company | None) -> str:
    """The source text with the placeholders replaced and the conversion debris removed."""
    text = _RE_CONTROL.sub("", text or "")
    text = _RE_DOC_PAGES.sub("", text)
    if company is not None:
        for placeholder in COMPANY_PLACEHOLDERS:
            text = text.replace(placeholder, company.name)
        if company.abbr:
            text = text.replace(ABBR_PLACEHOLDER, company.abbr)
    return text.strip()


def is_debris(text: str) -> bool:
    """A clause that is only conversion debris: the cover line (title + 编号) repeated in the body, or nothing."""
    text = text.strip()
    return not text or bool(_RE_TITLE_LINE.match(text))


def is_toc(clause: dict[str, Any]) -> bool:
    return clause.get("anchor") == "toc" or (clause.get("text") or "").lstrip().startswith("目录")


def _norm(text: str) -> str:
    return re.sub(r"[\s:：,，。;；、.．()（）]", "", text)


def _level(label: str) -> int:
    return 1 if re.match(rf"^(第[{_CN}\d]+章|[{_CN}]+\s*、)", label) else 2


@dataclass(frozen=True)
class TocEntry:
    label: str
    level: int  # 1: chapter (第一章, 一、), 2: below it
    anchor: str  # "" when the chapter's text is not in this document


def _strip_marker(label: str) -> str:
    return re.sub(rf"^(第[{_CN}\d]+[章节]|[{_CN}]+\s*、|[(（][{_CN}]+[)）]、?|\d+\s*、)", "", label).strip()


def toc_entries(toc_text: str, clauses: Sequence[dict[str, Any]]) -> list[TocEntry]:
    """The entries of a "目录…" paragraph without its page numbers, each linked to the clause it names.

    `clauses` are the document's clauses in order ({"anchor", "text", "is_heading"}). An entry links to the first
    heading after the previous match whose text starts with the entry (so the second "第一节" links to the second
    chapter's); failing that, to the first later clause that contains the entry's words (a heading the source ran
    into its paragraph). An entry whose chapter is not in the text links nowhere."""
    body = toc_text.strip()
    body = body[2:] if body.startswith("目录") else body
    body = _RE_PAGE_REF.sub("", body)
    labels = [part.strip() for part in _RE_TOC_MARK.split(body) if part.strip()]
    texts = [(c["anchor"], _norm(c["text"]), bool(c.get("is_heading"))) for c in clauses if not is_toc(c)]
    entries: list[TocEntry] = []
    position = 0
    for label in labels:
        key, words = _norm(label), _norm(_strip_marker(label))
        found = None
        for index in range(position, len(texts)):
            anchor, text, heading = texts[index]
            if heading and key and (text.startswith(key) or (len(text) >= 4 and key.startswith(text))):
                found = index
                break
        if found is None and len(words) >= 2 and not re.match(rf"^第[{_CN}\d]+章", label):
            found = next((i for i in range(position, len(texts)) if words in texts[i][1]), None)
        anchor = ""
        if found is not None:
            anchor, position = texts[found][0], found + (1 if texts[found][2] else 0)
        entries.append(TocEntry(label=label, level=_level(label), anchor=anchor))
    return entries


def headings_toc(headings: Sequence[dict[str, Any]], limit: int = 40) -> list[TocEntry]:
    """A table of contents from the headings, for a document whose source has none (chapters and sections only)."""
    out = []
    for h in headings:
        text = h["text"]
        if not re.match(rf"^(第[{_CN}\d]+[章节]|[{_CN}]+\s*、)", text):
            continue
        label = text if len(text) <= 24 else text[:24] + "…"
        out.append(TocEntry(label=label, level=_level(text), anchor=h["anchor"]))
    return out[:limit]


# --------------------------------------------------------------------------------------------------
# Grouping near-duplicate templates
# --------------------------------------------------------------------------------------------------

_RE_FAMILY_PREFIX = re.compile(
    r"^(XXXX房地产开发有限公司|某房地产公司|房地产开发公司|房产开发公司|房地产公司|地产公司|房产公司|房地产|地产|房产|某)+"
)
_RE_FAMILY_SUFFIX = re.compile(r"(模板范文|模板范本|内容范本|模板|范文|范本)+$")


def family(title: str) -> str:
    """What a template's title says once the source's variations are taken away: "地产客服部管理制度模板",
    "房地产客户服务部管理制度" and "XXXX房地产开发有限公司客服部管理制度" all say "客服部管理制度"."""
    text = _RE_DOC_PAGES.sub("", title).strip()
    text = _RE_FAMILY_PREFIX.sub("", text)
    text = _RE_FAMILY_SUFFIX.sub("", text)
    return text.replace("客户服务部", "客服部")


def group_documents(docs: Iterable[dict[str, Any]], main_code: str = "") -> dict[str, str]:
    """code → the code of the rule it is a variant of, for each document that has a near-duplicate.

    In each family the main regulation (`main_code`) leads if present, else the document with the most clauses, then
    the first. Documents alone in their family are absent."""
    families: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        families.setdefault(family(doc["title"]), []).append(doc)
    out: dict[str, str] = {}
    for members in families.values():
        if len(members) < 2:
            continue
        lead = next((m for m in members if m["code"] == main_code), None) or max(
            members, key=lambda m: (m.get("clauses", 0), -members.index(m)))
        for m in members:
            if m is not lead:
                out[m["code"]] = lead["code"]
    return out


# --------------------------------------------------------------------------------------------------
# Search
# --------------------------------------------------------------------------------------------------


def query_variants(q: str, company: Company | None) -> list[str]:
    """The typed text, and the same text as the source writes it (the company's name as its placeholder), so a search
    for the filled-in name finds the paragraph that stores the placeholder."""
    q = q.strip()
    out = [q]
    if company is not None:
        for placeholder in COMPANY_PLACEHOLDERS:
            if company.name and company.name in q:
                out.append(q.replace(company.name, placeholder))
        if company.abbr and company.abbr in q:
            out.append(q.replace(company.abbr, ABBR_PLACEHOLDER))
    return list(dict.fromkeys(v for v in out if v))


def snippet(text: str, q: str, width: int = 60) -> Markup:
    """A piece of `text` around the first hit of `q`, the hit in <mark>, the rest escaped."""
    if not q:
        return Markup(escape(text[: width * 2]))
    at = text.find(q)
    if at < 0:
        lowered = text.lower()
        at = lowered.find(q.lower())
    if at < 0:
        return Markup(escape(text[: width * 2] + ("…" if len(text) > width * 2 else "")))
    start = max(0, at - width)
    end = min(len(text), at + len(q) + width)
    before, hit, after = text[start:at], text[at:at + len(q)], text[at + len(q):end]
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        "…" if start > 0 else "", before, hit, after, "…" if end < len(text) else "")
