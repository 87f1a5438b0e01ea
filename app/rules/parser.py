"""Parser for the department's regulations text (``regulations/000_4e79c71db6c2d704.txt``).

The source is a web-scraped collection of about twenty regulation documents. Each one starts with its
title on a line by itself, repeated twice, followed by its body, whose first paragraph repeats the title.
Near the end sits the important 71-page regulation (``XX公司客字〔2010〕001号``): its table of contents and
chapters 1–2, badly converted (治理 for 管理, 讲明书 for 说明书 …). This module turns the text into
``Document`` / ``Clause`` values with stable, URL-safe anchors, so that the rules library can link to a
clause (``/rules/kf-71p#ch2-5.6``) and store read-acknowledgements against it.

Pure Python: no database, no I/O except reading the file it is given.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "CONVERSION_FIXES",
    "KF71P_CODE",
    "POSITION_ALIASES",
    "POSITION_DUTIES",
    "Clause",
    "Document",
    "default_path",
    "duties_text",
    "fix_conversion_errors",
    "load_regulations",
    "parse_regulations",
]


@dataclass(frozen=True)
class Clause:
    anchor: str  # stable, URL-safe ASCII, unique within its document ("art1", "s3-1.3", "ch2-5.6", "p12")
    number: str  # the clause number as written ("第一条", "一", "1", "1.3", "(二)") or ""
    text: str  # the paragraph text, whitespace-trimmed
    is_heading: bool  # section headings such as "一、部门职责" / "第二章客服部组织架构"


@dataclass(frozen=True)
class Document:
    code: str  # "kf-71p" for the 71-page regulation, "doc-01", "doc-02" … in order of appearance for the others
    title: str
    source: str  # the document number ("XX公司客字〔2010〕001号") where the text gives one, else ""
    clauses: tuple[Clause, ...]


KF71P_CODE = "kf-71p"

#: Conversion errors of the 71-page text (wrong term → right term). Applied to that document only:
#: elsewhere these strings may be correct Chinese.
CONVERSION_FIXES: dict[str, str] = {
    "治理": "管理",
    "讲明书": "说明书",
    "中意": "满意",
    "打算": "计划",
    "差不多": "基本",
    "分不": "分别",
    "时刻": "时间",
    "职员": "员工",
    "宽敞": "广大",
    # further conversion errors of the same kind found while importing (not in SPEC §0's list)
    "发觉": "发现",
    "操纵": "控制",
}

#: Positions whose duties the 71-page text lists (chapter 2, 第二节 三、岗位职责描述):
#: position name → (document code, anchor of the position's heading clause).
POSITION_DUTIES: dict[str, tuple[str, str]] = {
    "客服副经理": (KF71P_CODE, "ch2-1"),
    "客服主管": (KF71P_CODE, "ch2-2"),
    "合同专员": (KF71P_CODE, "ch2-3"),
    "按揭专员": (KF71P_CODE, "ch2-4"),
    "房管局专员": (KF71P_CODE, "ch2-5"),  # the duties list writes it 房管员专员
}

#: Other spellings of position names found in the source text.
POSITION_ALIASES: dict[str, str] = {"房管员专员": "房管局专员"}

_SHARED_FILE = Path("shared") / "regulations" / "000_4e79c71db6c2d704.txt"

# --------------------------------------------------------------------------------------------------
# Text-level helpers
# --------------------------------------------------------------------------------------------------

_BOILERPLATE_LINES = frozenset({"合集下载", "相关文档", "最新文档"})
_BOILERPLATE_PHRASES = ("下载文档前请自行甄别", "仅部分预览", "如文档侵犯您的权益")
_TRUNCATION_MARK = "……"

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十百零〇两"

_RE_MARKDOWN_HEADING = re.compile(r"^#+\s*")
_RE_KF71P_START = re.compile(r"^(?P<title>[^\s:：]{4,40}?制度)\s*编号\s*[:：]\s*(?P<source>[^\s:：]+?号)\s*(?=目录)")

# Leading clause markers, tried in this order.
_RE_CHAPTER = re.compile(rf"^第([{_CN}\d]+)章")
_RE_SUBSECTION = re.compile(rf"^第([{_CN}\d]+)节")
_RE_ARTICLE = re.compile(rf"^第([{_CN}\d]+)条")
_RE_SECTION = re.compile(rf"^([{_CN}]+)\s*、")
_RE_CN_PAREN = re.compile(rf"^[(（]([{_CN}]+)[)）]、?")
_RE_DECIMAL = re.compile(r"^(\d+)\.(\d+)(?!\d)\s*、?")
_RE_ITEM = re.compile(r"^(\d+)\s*[、.．](?!\d)")
_RE_PAREN_NUM = re.compile(r"^(?:[(（](\d+)[)）]|(\d+)[)）])、?")

# A heading immediately followed by its first child ("一、总则第一条为了…", "第一章总则第一条…").
_RE_FIRST_CHILD = re.compile(rf"第[{_CN}\d]+条|第一节|(?<![\d.])1\s*[、.．](?!\d)|(?<![\d.])\d+\.1(?!\d)")
_HEADING_MAX_CHARS = 20

# Table of contents page references: "(12)" or "……12" (a following "5、" is an item number, not a page).
_RE_TOC_PAGE = re.compile(r"\s*\(\d+\)|…+\d+?(?=\d、|\D|$)")
_RE_TOC_ENTRY = re.compile(rf"(第[{_CN}]+[章节])(.+?)\s*(?:\(\d+\)|…+\d+?(?=\d、|\D|$))")


def fix_conversion_errors(text: str) -> str:
    """Replace the 71-page text's conversion errors (``CONVERSION_FIXES``) with the right terms."""
    for wrong, right in CONVERSION_FIXES.items():
        text = text.replace(wrong, right)
    return text


def _cn_to_int(value: str) -> int:
    """'一' → 1, '十一' → 11, '二十四' → 24, '12' → 12."""
    if value.isdigit():
        return int(value)
    total, current = 0, 0
    for char in value:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[char]
    return total + current


def _clean_line(line: str) -> str:
    """Trim a line; a line cut off by a broken character (U+FFFD) gets a visible '……' instead."""
    line = line.strip()
    if "\ufffd" in line:
        truncated = line.rstrip("\ufffd").rstrip() != line
        line = line.replace("\ufffd", "").strip()
        if truncated:
            line += _TRUNCATION_MARK
    return line


def _is_boilerplate(line: str) -> bool:
    return line in _BOILERPLATE_LINES or any(phrase in line for phrase in _BOILERPLATE_PHRASES)


def _paragraphs(text: str) -> list[str]:
    """Split on blank lines; drop web boilerplate; trim; repair truncated lines."""
    paragraphs: list[str] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [_clean_line(line) for line in block.split("\n")]
        lines = [line for line in lines if line and not _is_boilerplate(line)]
        if lines:
            paragraphs.append("".join(lines))
    return paragraphs


# --------------------------------------------------------------------------------------------------
# Splitting into documents
# --------------------------------------------------------------------------------------------------


@dataclass
class _RawDocument:
    title: str
    source: str
    paragraphs: list[str]
    is_kf71p: bool = False


def _looks_like_title(paragraph: str) -> bool:
    return len(paragraph) <= 60 and not any(
        regex.match(paragraph) for regex in (_RE_CHAPTER, _RE_ARTICLE, _RE_SECTION, _RE_DECIMAL, _RE_ITEM)
    )


def _split_documents(paragraphs: list[str]) -> list[_RawDocument]:
    documents: list[_RawDocument] = []
    current: _RawDocument | None = None  # text before the first title (the collection's own title) is dropped
    i = 0
    while i < len(paragraphs):
        paragraph = paragraphs[i]
        if i + 1 < len(paragraphs) and paragraphs[i + 1] == paragraph and _looks_like_title(paragraph):
            current = _RawDocument(title=paragraph, source="", paragraphs=[])
            documents.append(current)
            i += 2
            continue
        match = _RE_KF71P_START.match(paragraph)
        if match:
            # The 71-page regulation follows another document without a title pair of its own.
            rest = paragraph[match.end() :]
            current = _RawDocument(
                title=fix_conversion_errors(match.group("title")),
                source=match.group("source"),
                paragraphs=[fix_conversion_errors(rest)] if rest else [],
                is_kf71p=True,
            )
            documents.append(current)
        elif current is not None:
            current.paragraphs.append(fix_conversion_errors(paragraph) if current.is_kf71p else paragraph)
        i += 1
    return documents


# --------------------------------------------------------------------------------------------------
# Splitting paragraphs into clauses
# --------------------------------------------------------------------------------------------------


def _strip_title(paragraph: str, title: str) -> str:
    while title and paragraph.startswith(title):
        paragraph = paragraph[len(title) :].lstrip()
    return paragraph


def _split_toc(paragraph: str) -> tuple[str, str, str, list[str]] | None:
    """(preamble, table of contents, rest, entries) if the paragraph holds a table of contents."""
    start = paragraph.find("目录")
    if start < 0 or start > 80:
        return None
    after = paragraph[start + 2 :]
    if not (after.startswith("第") or _RE_SECTION.match(after)):
        return None
    pages = list(_RE_TOC_PAGE.finditer(after))
    if pages:
        end = pages[-1].end()
    else:
        # No page numbers: the body starts where the first entry's marker comes round again.
        marker = _RE_SECTION.match(after) or _RE_CHAPTER.match(after)
        if marker is None:
            return None
        end = after.find(marker.group(0), marker.end())
        if end < 0:
            return None
    entries = [label + title.strip() for label, title in _RE_TOC_ENTRY.findall(after[:end])]
    return paragraph[:start].strip(), "目录" + after[:end].strip(), after[end:].strip(), entries


def _mid_splits(paragraph: str, toc_entries: list[str]) -> list[str]:
    """Cut a run-together paragraph of the 71-page text before each numbered item or heading."""
    cuts: set[int] = set()
    # In this text every "二、"-style numeral is a section marker, even where it follows a word ("资料员二、岗位设置原则").
    for match in re.finditer(rf"(?<=[;；])\s*(?=\d+(?:\.\d+)?、)|(?<![{_CN}])(?=[{_CN}]+\s*、)", paragraph):
        cuts.add(match.end())
    for entry in toc_entries:
        position = paragraph.find(entry, 1)
        while position > 0:
            cuts.add(position)
            position = paragraph.find(entry, position + 1)
    pieces, previous = [], 0
    for cut in sorted(cuts):
        pieces.append(paragraph[previous:cut])
        previous = cut
    pieces.append(paragraph[previous:])
    return [piece.strip().rstrip(";；").strip() for piece in pieces if piece.strip().rstrip(";；").strip()]


def _leading_splits(chunk: str, toc_entries: list[str]) -> list[tuple[str, bool]]:
    """Split headings off the start of a chunk: [(text, forced_heading)].

    "一、总则第一条为了…" → "一、总则", "第一条为了…"; "1、客服副经理1.1、依据…" → "1、客服副经理", "1.1、依据…";
    "第一章客服部职责说明书客户服务部是…" (a table-of-contents entry) → heading + body.
    """
    pieces: list[tuple[str, bool]] = []
    while True:
        entry = max((e for e in toc_entries if chunk.startswith(e) and len(chunk) > len(e)), key=len, default=None)
        if entry is not None:
            pieces.append((entry, True))
            chunk = chunk[len(entry) :].strip()
            continue
        heading = _RE_CHAPTER.match(chunk) or _RE_SUBSECTION.match(chunk) or _RE_SECTION.match(chunk)
        if heading is not None:
            window = chunk[heading.end() : heading.end() + _HEADING_MAX_CHARS + 1]
            child = _RE_FIRST_CHILD.search(window)
            if child is not None and child.start() > 0 and window[: child.start()].strip():
                cut = heading.end() + child.start()
                pieces.append((chunk[:cut].strip(), False))
                chunk = chunk[cut:].strip()
                continue
        item = _RE_ITEM.match(chunk)
        if item is not None:
            window = chunk[item.end() : item.end() + _HEADING_MAX_CHARS + 1]
            child = re.search(rf"(?<![\d.]){item.group(1)}\.1(?!\d)", window)
            if child is not None and child.start() > 0:
                cut = item.end() + child.start()
                pieces.append((chunk[:cut].strip(), True))
                chunk = chunk[cut:].strip()
                continue
        break
    if chunk:
        pieces.append((chunk, False))
    return pieces


# --------------------------------------------------------------------------------------------------
# Numbering and anchors
# --------------------------------------------------------------------------------------------------


class _Numberer:
    """Gives each clause its number and anchor from the clause's own marker and its enclosing context."""

    def __init__(self, renumber_decimals: bool) -> None:
        self.renumber_decimals = renumber_decimals
        self.chapter = ""  # "ch2"
        self.section = ""  # "s3" / "ch2-s3"
        self.article = ""  # "art4"
        self.list_parent = ""  # anchor of the latest "1、" item or "1.3" decimal, parent of "(1)" items
        self.decimal_parent: int | None = None  # N of the latest "N、" heading that owns N.1, N.2 …
        self.last_decimal: tuple[int, int] | None = None
        self.unnumbered = 0
        self.used: set[str] = set()

    def _unique(self, anchor: str) -> str:
        candidate, n = anchor, 1
        while candidate in self.used:
            n += 1
            candidate = f"{anchor}-{n}"
        self.used.add(candidate)
        return candidate

    def _join(self, *parts: str) -> str:
        return "-".join(part for part in parts if part)

    def _reset_below_section(self) -> None:
        self.article = self.list_parent = ""
        self.decimal_parent = self.last_decimal = None

    def clause(self, text: str, forced_heading: bool) -> Clause:
        if match := _RE_CHAPTER.match(text):
            self.chapter = f"ch{_cn_to_int(match.group(1))}"
            self.section = ""
            self._reset_below_section()
            return self._make(self.chapter, match.group(0), text, True)
        if match := _RE_SUBSECTION.match(text):
            self.section = ""
            self._reset_below_section()
            return self._make(self._join(self.chapter, f"sec{_cn_to_int(match.group(1))}"), match.group(0), text, True)
        if match := _RE_ARTICLE.match(text):
            self.article = f"art{_cn_to_int(match.group(1))}"
            self.list_parent = ""
            self.decimal_parent = self.last_decimal = None
            return self._make(self.article, match.group(0), text, forced_heading)
        if match := _RE_SECTION.match(text):
            self.section = self._join(self.chapter, f"s{_cn_to_int(match.group(1))}")
            self._reset_below_section()
            return self._make(self.section, match.group(1), text, True)
        if match := _RE_CN_PAREN.match(text):
            parent = self.article or self.section or self.chapter
            anchor = self._join(parent, f"i{_cn_to_int(match.group(1))}")
            return self._make(anchor, f"({match.group(1)})", text, forced_heading)
        if match := _RE_DECIMAL.match(text):
            major, minor = int(match.group(1)), int(match.group(2))
            if (
                self.renumber_decimals
                and self.decimal_parent is not None
                and major != self.decimal_parent
                and self.last_decimal == (self.decimal_parent, minor - 1)
            ):
                # A mistyped item number ("4.6" among 5.5 and 5.7): renumber it after its neighbours.
                text = f"{self.decimal_parent}.{minor}" + text[len(f"{major}.{minor}") :]
                major = self.decimal_parent
            self.last_decimal = (major, minor)
            top = self.chapter or self.section
            anchor = self._join(top, f"{major}.{minor}") if top else f"n{major}.{minor}"
            clause = self._make(anchor, f"{major}.{minor}", text, forced_heading)
            self.list_parent = clause.anchor
            return clause
        if match := _RE_ITEM.match(text):
            number = int(match.group(1))
            if forced_heading:  # "1、客服副经理" heading its duties 1.1, 1.2 …: numbered like them
                self.decimal_parent, self.last_decimal = number, None
                top = self.chapter or self.section or self.article
                anchor = self._join(top, str(number)) if top else f"n{number}"
            else:
                parent = self.article or self.section or self.chapter
                anchor = self._join(parent, str(number)) if parent else f"n{number}"
            clause = self._make(anchor, str(number), text, forced_heading)
            self.list_parent = clause.anchor
            return clause
        if match := _RE_PAREN_NUM.match(text):
            number = match.group(1) or match.group(2)
            parent = self.list_parent or self.article or self.section or self.chapter
            anchor = self._join(parent, f"b{number}")
            written = f"({number})" if match.group(1) else f"{number})"
            return self._make(anchor, written, text, forced_heading)
        self.unnumbered += 1
        return self._make(f"p{self.unnumbered}", "", text, forced_heading)

    def _make(self, anchor: str, number: str, text: str, is_heading: bool) -> Clause:
        return Clause(anchor=self._unique(anchor), number=number, text=text.strip(), is_heading=is_heading)


def _build_clauses(raw: _RawDocument) -> tuple[Clause, ...]:
    numberer = _Numberer(renumber_decimals=raw.is_kf71p)
    clauses: list[Clause] = []
    toc_entries: list[str] = []
    for index, paragraph in enumerate(raw.paragraphs):
        paragraph = _RE_MARKDOWN_HEADING.sub("", paragraph).strip()
        if index == 0:
            paragraph = _strip_title(paragraph, raw.title)
        if not paragraph:
            continue
        chunks = [paragraph]
        toc = _split_toc(paragraph) if index == 0 else None
        if toc is not None:
            preamble, toc_text, rest, toc_entries = toc
            if preamble:
                clauses.append(numberer.clause(preamble, False))
            clauses.append(numberer._make("toc", "", toc_text, False))
            chunks = [rest] if rest else []
        if raw.is_kf71p:
            chunks = [piece for chunk in chunks for piece in _mid_splits(chunk, toc_entries)]
        for chunk in chunks:
            for text, forced_heading in _leading_splits(chunk, toc_entries):
                clauses.append(numberer.clause(text, forced_heading))
    return tuple(clauses)


# --------------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------------


def parse_body(title: str, text: str, *, kf71p: bool = False) -> tuple[Clause, ...]:
    """Clauses of one document's body (paragraphs separated by blank lines), numbered the same way as the
    import, so a clause keeps its anchor in a new version as long as it keeps its number."""
    return _build_clauses(_RawDocument(title=title, source="", paragraphs=_paragraphs(text), is_kf71p=kf71p))


def parse_regulations(text: str) -> list[Document]:
    """Parse the whole collection into documents, in order of appearance (the 71-page one as ``kf-71p``)."""
    documents: list[Document] = []
    counter = 0
    for raw in _split_documents(_paragraphs(text)):
        clauses = _build_clauses(raw)
        if not clauses:
            continue
        if raw.is_kf71p:
            code = KF71P_CODE
        else:
            counter += 1
            code = f"doc-{counter:02d}"
        documents.append(Document(code=code, title=raw.title, source=raw.source, clauses=clauses))
    return documents


def default_path() -> Path:
    """``$REGULATIONS_PATH`` if set, else the copy kept in the repository (seeds/data/regulations.txt,
    taken verbatim from shared/regulations/000_4e79c71db6c2d704.txt)."""
    if os.environ.get("REGULATIONS_PATH"):
        return Path(os.environ["REGULATIONS_PATH"])
    return Path(__file__).resolve().parents[2] / "seeds" / "data" / "regulations.txt"


def load_regulations(path: str | Path | None = None) -> list[Document]:
    """Read and parse the regulations file (default: ``default_path()``)."""
    text = Path(path if path is not None else default_path()).read_text(encoding="utf-8", errors="replace")
    return parse_regulations(text)


def duties_text(documents: list[Document] | tuple[Document, ...], position_name: str) -> str:
    """The duty clauses of a position in the 71-page text, joined by newlines ("" if unknown)."""
    name = POSITION_ALIASES.get(position_name.strip(), position_name.strip())
    target = POSITION_DUTIES.get(name)
    if target is None:
        return ""
    code, anchor = target
    document = next((doc for doc in documents if doc.code == code), None)
    if document is None:
        return ""
    anchors = [clause.anchor for clause in document.clauses]
    if anchor not in anchors:
        return ""
    lines: list[str] = []
    for clause in document.clauses[anchors.index(anchor) + 1 :]:
        if clause.is_heading:
            break
        lines.append(clause.text)
    return "\n".join(lines)
