"""Rules library: reading, acknowledging, and who has not acknowledged."""
from __future__ import annotations

from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.engine import engine_finder

from app.core import audit
from app.core.db import write_transaction
from app.core.listing import like_text
from app.core.pagination import Page, clamp_page
from app.core.timeutil import now
from app.org.tables import Company, Employee
from app.rules import quiz as rule_quiz
from app.rules import text as rule_text
from app.rules.tables import RuleAcknowledgement, RuleClause, RuleDocument, RuleQuizAttempt, RuleQuizQuestion, RuleVersion


class RuleError(Exception):
    pass


async def issuing_company() -> rule_text.Company | None:
    """The company whose rules these are: the first operating company (not the group) in the org's order. Its name and
    发文代字 fill the source's placeholders when a rule is shown. Kept while the data version is unchanged (app/core/memo.py `kept`)."""
    from app.core.memo import kept

    return await kept("rules.issuing_company", _issuing_company)


async def _issuing_company() -> rule_text.Company | None:
    row = await Company.select(Company.name, Company.short_name, Company.doc_abbr).where(Company.is_group == False).order_by(  # noqa: E712
        Company.sort).order_by(Company.id).first()
    if not row:
        row = await Company.select(Company.name, Company.short_name, Company.doc_abbr).order_by(Company.sort).first()
    if not row:
        return None
    return rule_text.Company(name=row["name"], abbr=row["doc_abbr"] or row["short_name"] or "")


def _present_doc(doc: dict[str, Any], company: rule_text.Company | None) -> dict[str, Any]:
    return {**doc, "title": rule_text.fill(doc["title"], company), "source": rule_text.fill(doc.get("source") or "", company)}


async def documents_for(user) -> list[dict[str, Any]]:
    """Every rule (a document that is no other's variant) with its current version, whether this user has
    acknowledged it, and its variants (other sources of the same rule), titles filled from the company record."""
    company = await issuing_company()
    docs = [_present_doc(d, company) for d in await RuleDocument.select().order_by(RuleDocument.sort).order_by(RuleDocument.id)]
    versions = await RuleVersion.select().where(RuleVersion.is_current == True)  # noqa: E712
    by_doc = {v["document"]: v for v in versions}
    acked = {
        r["version"]
        for r in await RuleAcknowledgement.select(RuleAcknowledgement.version).where(RuleAcknowledgement.user == user.user_id)
    }
    counts = {
        r["version"]: r["n"]
        for r in await RuleClause.raw("SELECT version, COUNT(*) AS n FROM rule_clause GROUP BY version")
    }
    out, variants = [], {}
    for d in docs:
        v = by_doc.get(d["id"])
        row = {**d, "version": v, "read": bool(v and v["id"] in acked), "clauses": counts.get(v["id"], 0) if v else 0, "variants": []}
        if d["variant_of"]:
            variants.setdefault(d["variant_of"], []).append(row)
        else:
            out.append(row)
    ids = {d["id"] for d in out}
    for d in out:
        d["variants"] = variants.get(d["id"], [])
    for parent, rows in variants.items():  # a variant whose rule is gone (or is itself a variant) stays listed
        if parent not in ids:
            out.extend(rows)
    return out


_UNREAD_SQL = (
    "SELECT d.code AS code, d.title AS title, v.version_no AS version_no FROM rule_version v JOIN rule_document d ON d.id = v.document "
    "WHERE v.is_current = {} AND d.requires_ack = {} "
    "AND (d.variant_of IS NULL OR NOT EXISTS (SELECT 1 FROM rule_document p WHERE p.id = d.variant_of AND p.variant_of IS NULL)) "
    "AND NOT EXISTS (SELECT 1 FROM rule_acknowledgement a WHERE a.version = v.id AND a.\"user\" = {}) ORDER BY d.sort, d.id"
)


async def unread_rules(user) -> list[dict[str, Any]]:
    """The rules (as documents_for lists them: no variant under its rule) whose current version asks this user for a
    read confirmation not yet given — for the home's 待办 — in one statement (the rules are few: not paged)."""
    company = await issuing_company()
    rows = await RuleVersion.raw(_UNREAD_SQL, True, True, user.user_id)
    return [{"code": r["code"], "title": rule_text.fill(r["title"], company), "version": {"version_no": r["version_no"]}} for r in rows]


async def unread_count(user) -> int:
    """Current versions of documents that require acknowledgement and that this user has not acknowledged."""
    rows = await RuleVersion.raw(
        "SELECT COUNT(*) AS n FROM rule_version v JOIN rule_document d ON d.id = v.document "
        "WHERE v.is_current = {} AND d.requires_ack = {} AND NOT EXISTS "
        "(SELECT 1 FROM rule_acknowledgement a WHERE a.version = v.id AND a.\"user\" = {})",
        True, True, user.user_id,
    )
    return int(rows[0]["n"]) if rows else 0


async def document(code: str, version_no: int | None = None) -> dict[str, Any] | None:
    doc = await RuleDocument.select().where(RuleDocument.code == code).first()
    if not doc:
        return None
    q = RuleVersion.select(RuleVersion.all_columns(), RuleVersion.published_by.username).where(RuleVersion.document == doc["id"])
    if version_no is None:
        q = q.where(RuleVersion.is_current == True)  # noqa: E712
    else:
        q = q.where(RuleVersion.version_no == version_no)
    version = await q.first()
    versions = await RuleVersion.select(RuleVersion.id, RuleVersion.version_no, RuleVersion.effective_on, RuleVersion.is_current).where(
        RuleVersion.document == doc["id"]).order_by(RuleVersion.version_no, ascending=False)
    clauses = []
    if version:
        clauses = await RuleClause.select().where(RuleClause.version == version["id"]).order_by(RuleClause.seq)
    family = await RuleDocument.select(RuleDocument.id, RuleDocument.code, RuleDocument.title, RuleDocument.variant_of).where(
        (RuleDocument.variant_of == (doc["variant_of"] or doc["id"])) | (RuleDocument.id == (doc["variant_of"] or doc["id"]))
    ).order_by(RuleDocument.sort).order_by(RuleDocument.id)
    return {"doc": doc, "version": version, "versions": versions, "clauses": clauses, "family": family if len(family) > 1 else []}


async def reading(code: str, version_no: int | None = None) -> dict[str, Any] | None:
    """`document()` as the reader sees it: placeholders filled, debris dropped, the table of contents as links."""
    data = await document(code, version_no)
    if not data:
        return None
    company = await issuing_company()
    data["doc"] = _present_doc(data["doc"], company)
    data["family"] = [_present_doc(f, company) for f in data["family"]]
    shown, toc_text = [], ""
    for c in data["clauses"]:
        if rule_text.is_toc(c):
            toc_text = toc_text or c["text"]
            continue
        filled = rule_text.fill(c["text"], company)
        if rule_text.is_debris(filled):
            continue
        shown.append({**c, "text": filled})
    if toc_text:
        toc = rule_text.toc_entries(rule_text.fill(toc_text, company), shown)
    else:
        toc = rule_text.headings_toc([c for c in shown if c["is_heading"]])
    data["clauses"] = shown
    data["toc"] = toc if len(toc) >= 2 else []
    data["toc_from_source"] = bool(toc_text)
    return data


SEARCH_PER_PAGE = 20


async def search(q: str, page: int = 1) -> tuple[Page, str]:
    """Paragraphs of the current versions that contain `q` (SQL LIKE), with their rule and the heading they sit under.

    Every reader of the library may read every current rule; earlier versions are not searched. Returns the page of
    hits (rule code and title, anchor, heading, snippet) and the cleaned query."""
    company = await issuing_company()
    q = like_text(q)[:50]
    params = {"q": q}
    if len(q) < 1:
        return Page(rows=[], total=0, page=1, per_page=SEARCH_PER_PAGE, params=params), q
    variants = rule_text.query_variants(q, company)
    hit = " OR ".join(["c.text LIKE {}"] * len(variants))
    patterns = ["%" + v + "%" for v in variants]
    base = ("FROM rule_clause c JOIN rule_version v ON v.id = c.version JOIN rule_document d ON d.id = v.document "
            f"WHERE v.is_current = {{}} AND c.anchor <> 'toc' AND ({hit})")
    total_rows = await RuleClause.raw("SELECT COUNT(*) AS n " + base, True, *patterns)
    total = int(total_rows[0]["n"]) if total_rows else 0
    pages = max(1, -(-total // SEARCH_PER_PAGE))
    page = min(clamp_page(page), pages)
    heading = ("(SELECT h.{col} FROM rule_clause h WHERE h.version = c.version AND h.is_heading = {{}} AND h.seq <= c.seq "
               "{extra}ORDER BY h.seq DESC LIMIT 1)")
    rows = await RuleClause.raw(
        "SELECT c.anchor, c.text, c.is_heading, d.code, d.title, d.variant_of, "
        f"{heading.format(col='text', extra='')} AS heading, {heading.format(col='anchor', extra='')} AS heading_anchor, "
        f"{heading.format(col='text', extra=chr(39).join(['AND h.text LIKE ', '第%章%', ' ']))} AS chapter "
        + base + f" ORDER BY d.sort, d.id, c.seq LIMIT {SEARCH_PER_PAGE} OFFSET {(page - 1) * SEARCH_PER_PAGE}",
        True, True, True, True, *patterns,
    )
    out = []
    for r in rows:
        text = rule_text.fill(r["text"], company)
        if rule_text.is_debris(text):
            continue
        chapter = rule_text.fill(r["chapter"] or "", company)
        section = rule_text.fill(r["heading"] or "", company)
        if section == text:
            section = ""
        out.append({
            "code": r["code"], "title": rule_text.fill(r["title"], company), "anchor": r["anchor"],
            "chapter": chapter, "section": section if section != chapter else "",
            "snippet": rule_text.snippet(text, q),
        })
    return Page(rows=out, total=total, page=page, per_page=SEARCH_PER_PAGE, params=params), q


async def ack_of(user, version_id: int) -> dict[str, Any] | None:
    return await RuleAcknowledgement.select().where(
        (RuleAcknowledgement.version == version_id) & (RuleAcknowledgement.user == user.user_id)
    ).first()


class QuizFailed(Exception):
    """A failed quiz attempt (recorded): the version stays unacknowledged; `result` says which answers were wrong."""

    def __init__(self, result: rule_quiz.Result):
        super().__init__(f"测验未通过：得分 {result.pct}%，及格线 {result.pass_pct}%")
        self.result = result


async def quiz_of(version_id: int) -> list[rule_quiz.Question]:
    rows = await RuleQuizQuestion.select().where(RuleQuizQuestion.version == version_id).order_by(RuleQuizQuestion.seq)
    return [rule_quiz.Question(id=r["id"], seq=r["seq"], question=r["question"], correct=r["correct"],
                               options=[o for o in (r["option_1"], r["option_2"], r["option_3"], r["option_4"]) if o]) for r in rows]


async def last_attempt(user, version_id: int) -> dict[str, Any] | None:
    return await RuleQuizAttempt.select().where(
        (RuleQuizAttempt.version == version_id) & (RuleQuizAttempt.user == user.user_id)).order_by(RuleQuizAttempt.id, ascending=False).first()


async def acknowledge(user, version_id: int, answers: dict[int, str] | None = None) -> dict[str, Any]:
    """Record that `user` has read `version_id`. Idempotent: a second click changes nothing.

    A version with a quiz is acknowledged only by passing it: `answers` ({question id: chosen option}) are graded and
    the attempt recorded; a failed attempt (or none at all) raises QuizFailed once the attempt is committed."""
    failed: rule_quiz.Result | None = None
    async with engine_finder().transaction():
        version = await RuleVersion.select(RuleVersion.id, RuleVersion.version_no, RuleVersion.document.code, RuleVersion.document.title).where(
            RuleVersion.id == version_id).first()
        if not version:
            raise RuleError("该规章版本不存在")
        existing = await ack_of(user, version_id)
        if existing:
            return existing
        at = now()
        title = rule_text.fill(version["document.title"], await issuing_company())
        questions = await quiz_of(version_id)
        result = None
        if questions:
            result = rule_quiz.grade(questions, answers or {}, await rule_quiz.pass_pct())
            await RuleQuizAttempt.insert(RuleQuizAttempt(version=version_id, user=user.user_id, at=at, correct_count=result.correct,
                                                         total=result.total, score_pct=result.pct, passed=result.passed,
                                                         wrong=",".join(str(n) for n in result.wrong)))
            await audit.record(
                actor=user, action="rules.quiz_attempt", entity="rule_version", entity_id=version_id,
                summary=f'《{title}》第 {version["version_no"]} 版测验：{result.correct}/{result.total}，{result.pct}%，{"通过" if result.passed else "未通过"}',
                after={"pct": result.pct, "passed": result.passed, "wrong": result.wrong},
            )
            if not result.passed:
                failed = result
        if failed is None:
            await RuleAcknowledgement.insert(RuleAcknowledgement(version=version_id, user=user.user_id, at=at))
            await audit.record(
                actor=user, action="rules.acknowledge", entity="rule_version", entity_id=version_id,
                summary=f'确认阅读《{title}》第 {version["version_no"]} 版' + (f"（测验 {result.pct}% 通过）" if result else ""),
                after={"version": version_id, "at": at},
            )
    if failed is not None:
        raise QuizFailed(failed)
    return await ack_of(user, version_id)  # type: ignore[return-value]


async def save_quiz(user, version_id: int, text: str) -> tuple[str, int]:
    """Replace the version's quiz with the one written in `text` (an empty text removes it). Returns (error, count)."""
    questions: list[rule_quiz.Question] = []
    if (text or "").strip():
        questions, error = rule_quiz.parse(text)
        if error:
            return error, 0
    async with write_transaction():
        version = await document_for_version(version_id)
        if not version:
            raise RuleError("该规章版本不存在")
        await RuleQuizQuestion.delete().where(RuleQuizQuestion.version == version_id)
        if questions:
            await RuleQuizQuestion.insert(*[RuleQuizQuestion(
                version=version_id, seq=q.seq, question=q.question, correct=q.correct,
                **{f"option_{i}": (q.options[i - 1] if i <= len(q.options) else "") for i in range(1, 5)}) for q in questions])
        await audit.record(
            actor=user, action="rules.quiz", entity="rule_version", entity_id=version_id,
            summary=f"设置规章测验：{len(questions)} 道题" if questions else "取消规章测验",
            after={"questions": len(questions)},
        )
    return "", len(questions)


def _acked_clause(version_id: int, read: bool) -> WhereRaw:
    op = "IN" if read else "NOT IN"
    return WhereRaw(f'employee."user" {op} (SELECT a."user" FROM rule_acknowledgement a WHERE a.version = {{}})', version_id)


async def ack_summary(version_id: int) -> dict[str, int]:
    return (await ack_summaries([version_id]))[version_id]


_ACK_SQL = (
    'SELECT v.id AS version, (SELECT COUNT(*) FROM employee e WHERE e.active = {} AND e."user" IS NOT NULL) AS total, '
    '(SELECT COUNT(*) FROM employee e WHERE e.active = {} AND e."user" IS NOT NULL AND e."user" IN '
    '(SELECT a."user" FROM rule_acknowledgement a WHERE a.version = v.id)) AS "read" FROM rule_version v WHERE v.id IN ({})'
)


async def ack_summaries(version_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per version: the active staff with an account, how many of them have acknowledged it, how many not — one
    statement for all the versions (the home page and the status page show every current version)."""
    ids = sorted({int(i) for i in version_ids})
    out = {i: {"total": 0, "read": 0, "unread": 0} for i in ids}
    if not ids:
        return out
    from piccolo.querystring import QueryString

    id_list = QueryString(", ".join("{}" for _ in ids), *ids)
    for r in await RuleVersion.raw(_ACK_SQL, True, True, id_list):
        total, read = int(r["total"] or 0), int(r["read"] or 0)
        out[int(r["version"])] = {"total": total, "read": read, "unread": total - read}
    return out


async def current_versions() -> list[dict[str, Any]]:
    company = await issuing_company()
    rows = await _current_versions()
    for r in rows:
        r["document.title"] = rule_text.fill(r["document.title"], company)
    return rows


async def _current_versions() -> list[dict[str, Any]]:
    return await RuleVersion.select(RuleVersion.id, RuleVersion.version_no, RuleVersion.effective_on, RuleVersion.document.code,
                                    RuleVersion.document.title).where(
        (RuleVersion.is_current == True) & (RuleVersion.document.requires_ack == True)  # noqa: E712
    ).order_by(RuleVersion.document.sort)


async def document_for_version(version_id: int) -> dict[str, Any] | None:
    row = await RuleVersion.select(RuleVersion.all_columns(), RuleVersion.document.code, RuleVersion.document.title).where(
        RuleVersion.id == version_id).first()
    if row:
        row["document.title"] = rule_text.fill(row["document.title"], await issuing_company())
    return row


async def publish_version(user, code: str, values: dict[str, str]) -> tuple[dict[str, str], int | None]:
    """Publish a new version of a document: it becomes current, and everyone must acknowledge it again.

    Returns (field errors, new version number). One transaction: the version, its clauses and the audit row."""
    from app.core.timeutil import parse_date
    from app.rules.parser import KF71P_CODE, parse_body

    errors: dict[str, str] = {}
    body = (values.get("body") or "").strip()
    note = (values.get("change_note") or "").strip()
    effective = None
    try:
        effective = parse_date(values.get("effective_on"))
    except ValueError as e:
        errors["effective_on"] = str(e)
    if not note:
        errors["change_note"] = "请说明本次修订的内容"
    elif len(note) > 500:
        errors["change_note"] = "修订说明最多 500 字"
    if not body:
        errors["body"] = "请填写规章全文"
    elif len(body) > 200_000:
        errors["body"] = "全文过长（最多 20 万字）"
    doc = await RuleDocument.select().where(RuleDocument.code == code).first()
    if not doc:
        raise RuleError("没有找到该规章")
    clauses = parse_body(doc["title"], body, kf71p=doc["code"] == KF71P_CODE) if body and not errors.get("body") else ()
    if body and not clauses:
        errors["body"] = "未能识别出任何条款，请检查全文（段落之间以空行分隔）"
    if errors:
        return errors, None
    async with engine_finder().transaction():
        current = await RuleVersion.select(RuleVersion.id, RuleVersion.version_no).where(
            (RuleVersion.document == doc["id"]) & (RuleVersion.is_current == True)).first()  # noqa: E712
        last = await RuleVersion.select(RuleVersion.version_no).where(RuleVersion.document == doc["id"]).order_by(
            RuleVersion.version_no, ascending=False).first()
        number = (last["version_no"] if last else 0) + 1
        await RuleVersion.update({RuleVersion.is_current: False}).where(RuleVersion.document == doc["id"])
        version = RuleVersion(document=doc["id"], version_no=number, effective_on=effective, change_note=note, is_current=True,
                              published_at=now(), published_by=user.user_id)
        await version.save()
        await RuleClause.insert(*[RuleClause(version=version.id, seq=i, anchor=c.anchor, number=c.number, is_heading=c.is_heading, text=c.text)
                                  for i, c in enumerate(clauses)])
        await audit.record(actor=user, action="rules.publish", entity="rule_version", entity_id=version.id,
                           summary=f"发布《{rule_text.fill(doc['title'], await issuing_company())}》第 {number} 版", before={"current_version": current["version_no"] if current else None},
                           after={"current_version": number, "clauses": len(clauses), "effective_on": effective, "note": note})
    return {}, number
