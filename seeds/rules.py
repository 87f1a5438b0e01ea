"""The rules library as the company's own (issue 8 §9). Idempotent; runs on every start (seeds.demo.seed_domains).

- Companies get their 发文代字 (the abbreviation in document numbers, "锦程地产客字〔2010〕001号") from their short
  name where the record has none.
- Near-duplicate templates imported from the regulations text are grouped under one rule (RuleDocument.variant_of)
  once: when no document has been grouped yet. Grouping is data; an administrator may change it in the admin panel.
  A variant is another source of its rule: reading is acknowledged on the rule, not on each source."""
from __future__ import annotations

from piccolo.engine import engine_finder

from app.org.tables import Company
from app.rules.parser import KF71P_CODE
from app.rules.tables import RuleClause, RuleDocument
from app.rules.text import group_documents


async def seed() -> None:
    from app.rules import quiz

    await quiz.seed()  # the quiz pass mark (规章设置)
    for c in await Company.select(Company.id, Company.short_name).where((Company.doc_abbr == "") & (Company.short_name != "")):
        await Company.update({Company.doc_abbr: c["short_name"]}).where(Company.id == c["id"])
    if await RuleDocument.exists().where(RuleDocument.variant_of.is_not_null()):
        return
    docs = await RuleDocument.select(RuleDocument.id, RuleDocument.code, RuleDocument.title).order_by(RuleDocument.sort).order_by(RuleDocument.id)
    if not docs:
        return
    counts = {r["code"]: r["n"] for r in await RuleClause.raw(
        "SELECT d.code AS code, COUNT(*) AS n FROM rule_clause c JOIN rule_version v ON v.id = c.version "
        "JOIN rule_document d ON d.id = v.document WHERE v.is_current = {} GROUP BY d.code", True)}
    groups = group_documents([{**d, "clauses": counts.get(d["code"], 0)} for d in docs], main_code=KF71P_CODE)
    ids = {d["code"]: d["id"] for d in docs}
    async with engine_finder().transaction():
        for code, lead in groups.items():
            await RuleDocument.update({RuleDocument.variant_of: ids[lead], RuleDocument.requires_ack: False}).where(
                RuleDocument.id == ids[code])


__all__ = ["seed"]
