"""Rules library: reading, acknowledging, and who has not acknowledged."""
from __future__ import annotations

from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.engine import engine_finder

from app.core import audit
from app.core.timeutil import now
from app.org.tables import Employee
from app.rules.tables import RuleAcknowledgement, RuleClause, RuleDocument, RuleVersion


class RuleError(Exception):
    pass


async def documents_for(user) -> list[dict[str, Any]]:
    """Every document with its current version and whether this user has acknowledged it."""
    docs = await RuleDocument.select().order_by(RuleDocument.sort).order_by(RuleDocument.id)
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
    out = []
    for d in docs:
        v = by_doc.get(d["id"])
        out.append({**d, "version": v, "read": bool(v and v["id"] in acked), "clauses": counts.get(v["id"], 0) if v else 0})
    return out


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
    return {"doc": doc, "version": version, "versions": versions, "clauses": clauses}


async def ack_of(user, version_id: int) -> dict[str, Any] | None:
    return await RuleAcknowledgement.select().where(
        (RuleAcknowledgement.version == version_id) & (RuleAcknowledgement.user == user.user_id)
    ).first()


async def acknowledge(user, version_id: int) -> dict[str, Any]:
    """Record that `user` has read `version_id`. Idempotent: a second click changes nothing."""
    async with engine_finder().transaction():
        version = await RuleVersion.select(RuleVersion.id, RuleVersion.version_no, RuleVersion.document.code, RuleVersion.document.title).where(
            RuleVersion.id == version_id).first()
        if not version:
            raise RuleError("该规章版本不存在")
        existing = await ack_of(user, version_id)
        if existing:
            return existing
        at = now()
        await RuleAcknowledgement.insert(RuleAcknowledgement(version=version_id, user=user.user_id, at=at))
        await audit.record(
            actor=user, action="rules.acknowledge", entity="rule_version", entity_id=version_id,
            summary=f'确认阅读《{version["document.title"]}》第 {version["version_no"]} 版',
            after={"version": version_id, "at": at},
        )
    return await ack_of(user, version_id)  # type: ignore[return-value]


def _acked_clause(version_id: int, read: bool) -> WhereRaw:
    op = "IN" if read else "NOT IN"
    return WhereRaw(f'employee."user" {op} (SELECT a."user" FROM rule_acknowledgement a WHERE a.version = {{}})', version_id)


async def ack_summary(version_id: int) -> dict[str, int]:
    base = (Employee.active == True) & (Employee.user.is_not_null())  # noqa: E712
    total = await Employee.count().where(base)
    read = await Employee.count().where(base).where(_acked_clause(version_id, True))
    return {"total": total, "read": read, "unread": total - read}


async def current_versions() -> list[dict[str, Any]]:
    return await RuleVersion.select(RuleVersion.id, RuleVersion.version_no, RuleVersion.effective_on, RuleVersion.document.code,
                                    RuleVersion.document.title).where(
        (RuleVersion.is_current == True) & (RuleVersion.document.requires_ack == True)  # noqa: E712
    ).order_by(RuleVersion.document.sort)


async def document_for_version(version_id: int) -> dict[str, Any] | None:
    return await RuleVersion.select(RuleVersion.all_columns(), RuleVersion.document.code, RuleVersion.document.title).where(
        RuleVersion.id == version_id).first()


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
                           summary=f"发布《{doc['title']}》第 {number} 版", before={"current_version": current["version_no"] if current else None},
                           after={"current_version": number, "clauses": len(clauses), "effective_on": effective, "note": note})
    return {}, number
