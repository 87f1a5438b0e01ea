"""The customer file (客户档案): search the buyers in the user's project scope, one page per buyer with each section a
short list read by one query (deals, payments, cases, callbacks, surveys, calls), and the 档案准确率 audit (SPEC D5).

Scope: a buyer is reachable when one of their deals (as buyer or co-owner) or cases is in the user's projects. Every
section is limited to the user's projects too. Reading a file and revealing its ID number/phone are audited (SPEC §G 保密)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Callable

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Avg, Count, Sum
from piccolo.query.mixins import OrderByRaw

from app.calls.services import ClauseFilter, call_scope, months_back
from app.calls.tables import CallRecord
from app.care import rules as care_rules
from app.care.tables import Callback, CareCase, RecordAudit, RecordAuditItem
from app.core import audit
from app.core.db import write_transaction
from app.core.listing import Col, Filter, Listing, like_text
from app.core.scope import project_clause
from app.core.tables import AuditLog
from app.core.timeutil import SHANGHAI, fmt_date, fmt_datetime, now, today_local
from app.core.validators import mask_id_number, mask_phone
from app.estate.tables import Project
from app.pipeline.tables import Buyer, Deal, DealParty, Receipt
from app.surveys.tables import Answer, Invitation

SECTION_LIMIT = 5  # rows per section on the file page; "更多" opens the section's own paged list


class CustomerError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def _projects(user) -> list[int]:
    return list(user.project_ids) or [0]


def buyer_scope(user, col=Buyer.id):
    """WHERE `col` (a buyer id) is reachable: a deal as buyer or co-owner, or a case, in the user's projects."""
    if user.all_projects:
        return None
    p = _projects(user)
    return (col.is_in(Deal.select(Deal.buyer).where(Deal.project.is_in(p)))
            | col.is_in(DealParty.select(DealParty.buyer).where(DealParty.deal.project.is_in(p)))
            | col.is_in(CareCase.select(CareCase.buyer).where(CareCase.project.is_in(p) & CareCase.buyer.is_not_null())))


def buyer_reachable(user, buyer_id: int):
    """buyer_scope for ONE buyer: three EXISTS probes on the buyer's own rows (indexed by buyer), instead of the
    IN-lists of every buyer of the user's projects that a list needs (tens of thousands at scale)."""
    if user.all_projects:
        return None
    p = ", ".join(str(int(x)) for x in _projects(user))
    b = int(buyer_id)
    return WhereRaw(
        f"(EXISTS (SELECT 1 FROM pl_deal d WHERE d.buyer = {b} AND d.project IN ({p}))"
        f" OR EXISTS (SELECT 1 FROM pl_deal_party dp JOIN pl_deal d2 ON d2.id = dp.deal WHERE dp.buyer = {b} AND d2.project IN ({p}))"
        f" OR EXISTS (SELECT 1 FROM care_case c WHERE c.buyer = {b} AND c.project IN ({p})))")


def _in_scope(query, column, user):
    clause = project_clause(column, user)
    return query if clause is None else query.where(clause)


def _deal_buyers(user, where) -> Any:
    """Buyers with a deal (in the user's projects) matching `where`."""
    return Buyer.id.is_in(_in_scope(Deal.select(Deal.buyer).where(where), Deal.project, user))


# The search's filters need the user's scope inside their sub-selects; the Listing is built per request.
def customer_listing(user) -> Listing:
    def contract(v: str):
        return _deal_buyers(user, Deal.contract_no.like(f"%{like_text(v)}%"))

    def room(v: str):
        return _deal_buyers(user, Deal.unit.room_no.like(f"%{like_text(v)}%"))

    def phone(v: str):
        digits = "".join(ch for ch in v if ch.isdigit())[-4:]
        return Buyer.mobile.like(f"%{digits}") if digits else None

    def project(v: str):
        if not (v.isascii() and v.isdigit()) or len(v) > 9:
            return Buyer.id == -1
        pid = int(v)
        if not user.sees_project(pid):
            return Buyer.id == -1
        return (Buyer.id.is_in(Deal.select(Deal.buyer).where(Deal.project == pid))
                | Buyer.id.is_in(CareCase.select(CareCase.buyer).where((CareCase.project == pid) & CareCase.buyer.is_not_null())))

    async def project_choices(u) -> list[tuple[str, str]]:
        q = Project.select(Project.id, Project.name).order_by(Project.code)
        return [(str(r["id"]), r["name"]) for r in await _in_scope(q, Project.id, u)]

    return Listing(
        table=Buyer,
        select=[Buyer.id, Buyer.name, Buyer.id_type, Buyer.id_number, Buyer.mobile],
        columns=[
            Col("name", "姓名", link="/care/customers/{id}", testid="customer-link", hideable=False),
            Col("id_masked", "证件号码"),
            Col("mobile_masked", "手机"),
            Col("units", "房号"),
            Col("contracts", "合同编号"),
        ],
        filters=[
            Filter("name", "姓名", "text", (Buyer.name,), placeholder="客户姓名"),
            ClauseFilter("phone", "手机后四位", placeholder="例如 5678", make=phone),
            ClauseFilter("contract", "合同编号", make=contract),
            ClauseFilter("room", "房号", placeholder="例如 1203", make=room),
            ClauseFilter("project", "项目", "select", choices=project_choices, make=project),
        ],
        default_sort="name",
        base_url="/care/customers",
        target_id="customers-list",
        scope=lambda u: buyer_scope(u),
    )


async def decorate_customers(user, rows: list[dict]) -> None:
    """Masked identity, and the page's buyers' units and contract numbers by ONE query."""
    ids = [r["id"] for r in rows]
    units: dict[int, list[str]] = {}
    contracts: dict[int, list[str]] = {}
    if ids:
        q = Deal.select(Deal.buyer, Deal.project.name, Deal.unit.building.name, Deal.unit.room_no, Deal.contract_no).where(
            Deal.buyer.is_in(ids)).order_by(Deal.id)
        for d in await _in_scope(q, Deal.project, user):
            units.setdefault(d["buyer"], []).append(f'{d["project.name"]} {d["unit.building.name"]} {d["unit.room_no"]}')
            if d["contract_no"]:
                contracts.setdefault(d["buyer"], []).append(d["contract_no"])
    for r in rows:
        r["id_masked"] = mask_id_number(r.get("id_number") or "")
        r["mobile_masked"] = mask_phone(r.get("mobile") or "")
        r["units"] = "；".join(units.get(r["id"], [])) or "—"
        r["contracts"] = "；".join(contracts.get(r["id"], []))


# ---------------------------------------------------------------- the file page

async def reachable(user, buyer_id: int) -> dict | None:
    """The buyer's identity row if the user may open the file (else None → 404)."""
    q = Buyer.select(Buyer.id, Buyer.name, Buyer.id_type, Buyer.id_number, Buyer.mobile, Buyer.address, Buyer.marital, Buyer.spouse_name,
                     Buyer.overseas, Buyer.created_at).where(Buyer.id == buyer_id)
    clause = buyer_reachable(user, buyer_id)
    if clause is not None:
        q = q.where(clause)
    return await q.first()


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    columns: tuple[Col, ...]
    query: Callable[[Any, int], tuple[Any, Any]]  # (user, buyer id) → (select, count), both scoped
    empty: str = "暂无记录"


def _deals(user, bid: int):
    where = Deal.buyer == bid
    s = Deal.select(Deal.id, Deal.unit, Deal.project.name, Deal.unit.building.name, Deal.unit.room_no, Deal.stage, Deal.contract_no,
                    Deal.signed_on, Deal.handed_over_on).where(where).order_by(Deal.id, ascending=False)
    return _in_scope(s, Deal.project, user), _in_scope(Deal.count().where(where), Deal.project, user)


def _payments(user, bid: int):
    where = Receipt.deal.buyer == bid
    s = Receipt.select(Receipt.id, Receipt.received_on, Receipt.kind, Receipt.amount, Receipt.method, Receipt.voucher_no,
                       Receipt.deal.contract_no).where(where).order_by(Receipt.received_on, ascending=False).order_by(Receipt.id, ascending=False)
    return _in_scope(s, Receipt.deal.project, user), _in_scope(Receipt.count().where(where), Receipt.deal.project, user)


def _cases(user, bid: int):
    where = CareCase.buyer == bid
    s = CareCase.select(CareCase.id, CareCase.number, CareCase.kind, CareCase.title, CareCase.level, CareCase.status, CareCase.received_at,
                        CareCase.closed_at).where(where).order_by(CareCase.received_at, ascending=False)
    return _in_scope(s, CareCase.project, user), _in_scope(CareCase.count().where(where), CareCase.project, user)


def _callbacks(user, bid: int):
    where = Callback.case.buyer == bid
    s = Callback.select(Callback.id, Callback.case, Callback.case.number, Callback.due_at, Callback.called_at, Callback.caller.name,
                        Callback.reached, Callback.score).where(where).order_by(Callback.due_at, ascending=False)
    return _in_scope(s, Callback.project, user), _in_scope(Callback.count().where(where), Callback.project, user)


def _surveys(user, bid: int):
    where = Invitation.buyer == bid
    s = Invitation.select(Invitation.id, Invitation.questionnaire.title, Invitation.project.name, Invitation.due_on, Invitation.sent_at,
                          Invitation.answered_at).where(where).order_by(Invitation.due_on, ascending=False)
    return _in_scope(s, Invitation.project, user), _in_scope(Invitation.count().where(where), Invitation.project, user)


def _calls(user, bid: int):
    where = CallRecord.buyer == bid
    s = CallRecord.select(CallRecord.id, CallRecord.started_at, CallRecord.direction, CallRecord.answered, CallRecord.talk_seconds,
                          CallRecord.agent.name, CallRecord.rating, CallRecord.case.number).where(where).order_by(CallRecord.started_at, ascending=False)
    scope = call_scope(user)
    c = CallRecord.count().where(where)
    return (s.where(scope), c.where(scope)) if scope is not None else (s, c)


SECTIONS: tuple[Section, ...] = (
    Section("deals", "房产与交易", (Col("project.name", "项目"), Col("unit.building.name", "楼栋"), Col("unit.room_no", "房号", link="/pipeline/units/{unit}"),
                                 Col("stage", "阶段", fmt="badge"), Col("contract_no", "合同编号"), Col("signed_on", "签约日", fmt="date"),
                                 Col("handed_over_on", "交付日", fmt="date")), _deals),
    Section("payments", "收款记录", (Col("received_on", "日期", fmt="date"), Col("kind", "款项"), Col("amount", "金额", fmt="money"),
                                  Col("method", "方式"), Col("voucher_no", "凭证号"), Col("deal.contract_no", "合同编号")), _payments),
    Section("cases", "投诉与报修", (Col("number", "编号", link="/care/cases/{id}"), Col("kind", "类型"), Col("title", "标题"), Col("level", "等级"),
                                  Col("status", "状态", fmt="badge"), Col("received_at", "受理时间", fmt="datetime")), _cases),
    Section("callbacks", "回访", (Col("case.number", "案件", link="/care/cases/{case}"), Col("due_at", "应回访", fmt="datetime"),
                                Col("called_at", "回访时间", fmt="datetime"), Col("caller.name", "回访人"), Col("reached_text", "接通"),
                                Col("score_text", "满意度")), _callbacks),
    Section("surveys", "满意度调查", (Col("questionnaire.title", "问卷"), Col("project.name", "项目"), Col("due_on", "应发日期", fmt="date"),
                                   Col("sent_at", "发送时间", fmt="datetime"), Col("answered_text", "答卷"), Col("avg_score", "平均分")), _surveys),
    Section("calls", "通话记录", (Col("started_at", "时间", fmt="datetime", link="/calls/{id}"), Col("direction", "方向"), Col("answered_text", "接通"),
                              Col("talk_seconds", "通话（秒）"), Col("agent.name", "坐席"), Col("rating", "评价"), Col("case.number", "关联案件")), _calls),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


async def _decorate(section: str, rows: list[dict]) -> None:
    if section == "callbacks":
        for r in rows:
            r["reached_text"] = "" if r["called_at"] is None else ("已接通" if r["reached"] else "未接通")
            r["score_text"] = care_rules.SATISFACTION_SCALE.get(r["score"], "") if r["score"] else ""
    elif section == "surveys":
        ids = [r["id"] for r in rows if r["answered_at"]]
        avg: dict[int, Any] = {}
        if ids:
            for a in await Answer.select(Answer.invitation, Avg(Answer.score, alias="avg")).where(
                    Answer.invitation.is_in(ids) & Answer.score.is_not_null()).group_by(Answer.invitation):
                avg[a["invitation"]] = a["avg"]
        for r in rows:
            r["answered_text"] = f"已答（{fmt_date(r['answered_at'])}）" if r["answered_at"] else ("未答" if r["sent_at"] else "未发送")
            r["avg_score"] = f"{float(avg[r['id']]):.1f}" if avg.get(r["id"]) is not None else ""
    elif section == "calls":
        for r in rows:
            r["answered_text"] = "已接通" if r["answered"] else "未接通"


async def file_page(user, buyer: dict) -> dict[str, Any]:
    """Every section's first rows (one query each; LIMIT n+1 tells whether there are more), the co-owners, and the
    audit row of this reading."""
    bid = buyer["id"]
    sections = []
    for s in SECTIONS:
        select, _count = s.query(user, bid)
        rows = await select.limit(SECTION_LIMIT + 1)
        await _decorate(s.key, rows)
        sections.append({"section": s, "rows": rows[:SECTION_LIMIT], "more": len(rows) > SECTION_LIMIT})
    q = DealParty.select(DealParty.buyer.name, DealParty.role, DealParty.share, DealParty.deal.contract_no).where(
        (DealParty.deal.buyer == bid) & (DealParty.buyer != bid))
    parties = await _in_scope(q, DealParty.deal.project, user)
    await audit.record(actor=user, action="customer.file_view", entity="pl_buyer", entity_id=bid, summary=f"查看客户档案：{buyer['name']}")
    return {"sections": sections, "parties": parties}


async def section_page(user, buyer: dict, key: str, page: int, per_page: int = 20) -> dict[str, Any]:
    from app.core.pagination import paginate

    s = SECTION_BY_KEY[key]
    select, count = s.query(user, buyer["id"])
    pg = await paginate(select, count, page=page, per_page=per_page, params={})
    await _decorate(key, pg.rows)
    await audit.record(actor=user, action="customer.file_view", entity="pl_buyer", entity_id=buyer["id"],
                       summary=f"查看客户档案：{buyer['name']} · {s.title}")
    return {"section": s, "page": pg}


async def access_log(buyer_id: int, limit: int = 10) -> list[dict]:
    """Who read or revealed this file (the 保密 read log), newest first."""
    return await AuditLog.select(AuditLog.at, AuditLog.actor_name, AuditLog.action, AuditLog.summary).where(
        (AuditLog.entity == "pl_buyer") & (AuditLog.entity_id == str(buyer_id))
        & AuditLog.action.is_in(["customer.file_view", "customer.unmask"])).order_by(AuditLog.id, ascending=False).limit(limit)


async def reveal(user, buyer: dict) -> None:
    await audit.record(actor=user, action="customer.unmask", entity="pl_buyer", entity_id=buyer["id"],
                       summary=f"查看 {buyer['name']} 的完整证件号和手机号（客户档案）")


# ---------------------------------------------------------------- 档案准确率 audit

AUDIT_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "姓名"), ("id_type", "证件类型"), ("id_number", "证件号码"), ("mobile", "手机"), ("address", "地址"),
    ("marital", "婚姻状况"), ("co_owners", "共有人"), ("unit", "房号"), ("contract_no", "合同编号"), ("handover_date", "交付日期"),
)
AUDIT_LABELS = dict(AUDIT_FIELDS)


async def audit_subject(user, buyer: dict) -> dict[str, Any]:
    """What the file says for each audited field (masked where sensitive), and the project the audit counts for:
    the buyer's latest deal in the user's scope (else their latest case's project)."""
    q = Deal.select(Deal.id, Deal.project, Deal.project.name, Deal.unit.building.name, Deal.unit.room_no, Deal.contract_no,
                    Deal.handed_over_on).where(Deal.buyer == buyer["id"]).order_by(Deal.id, ascending=False)
    deal = await _in_scope(q, Deal.project, user).first()
    project = deal["project"] if deal else None
    if project is None:
        cq = CareCase.select(CareCase.project).where(CareCase.buyer == buyer["id"]).order_by(CareCase.id, ascending=False)
        case = await _in_scope(cq, CareCase.project, user).first()
        project = case["project"] if case else None
    parties = []
    if deal:
        parties = await DealParty.select(DealParty.buyer.name, DealParty.role, DealParty.share).where(
            (DealParty.deal == deal["id"]) & (DealParty.role == "共有人"))
    values = {
        "name": buyer["name"], "id_type": buyer["id_type"], "id_number": mask_id_number(buyer["id_number"] or ""),
        "mobile": mask_phone(buyer["mobile"] or ""), "address": buyer["address"] or "", "marital": buyer["marital"] or "",
        "co_owners": "、".join(p["buyer.name"] + (f"（{p['share']}%）" if p["share"] is not None else "") for p in parties) or "无",
        "unit": f'{deal["project.name"]} {deal["unit.building.name"]} {deal["unit.room_no"]}' if deal else "",
        "contract_no": deal["contract_no"] if deal else "", "handover_date": fmt_date(deal["handed_over_on"]) if deal else "",
    }
    return {"values": values, "project": project, "deal": deal}


def parse_audit(data: dict[str, str]) -> tuple[list[dict[str, Any]], str, dict[str, str]]:
    """Each field marked 正确 (ok) or 错误 (wrong) with a note; a wrong field needs its note."""
    items, errors = [], {}
    for key, label in AUDIT_FIELDS:
        mark = (data.get(f"mark_{key}") or "").strip()
        note = (data.get(f"note_{key}") or "").strip()
        if mark not in ("ok", "wrong"):
            errors[f"mark_{key}"] = f"请标记“{label}”正确或错误"
        elif mark == "wrong" and not note:
            errors[f"note_{key}"] = f"“{label}”标记为错误时，请写明错在哪里"
        if len(note) > 200:
            errors[f"note_{key}"] = "说明最多 200 个字"
        items.append({"field": key, "ok": mark == "ok", "note": note[:200]})
    note = (data.get("note") or "").strip()
    if len(note) > 1000:
        errors["note"] = "备注最多 1000 个字"
    return items, note, errors


async def save_audit(user, buyer: dict, project: int | None, items: list[dict[str, Any]], note: str) -> int:
    wrong = sum(1 for i in items if not i["ok"])
    async with write_transaction():
        row = (await RecordAudit.insert(RecordAudit(buyer=buyer["id"], project=project, auditor=user.employee_id, at=now(),
                                                    fields_audited=len(items), fields_wrong=wrong, note=note)).returning(RecordAudit.id))[0]
        await RecordAuditItem.insert(*[RecordAuditItem(audit=row["id"], **i) for i in items])
        await audit.record(actor=user, action="care.record_audit", entity="care_record_audit", entity_id=row["id"],
                           summary=f"抽查客户档案 {buyer['name']}：{len(items)} 项，错误 {wrong} 项",
                           after={"buyer": buyer["id"], "audited": len(items), "wrong": wrong, "wrong_fields": [i["field"] for i in items if not i["ok"]]})
    return row["id"]


def _audit_scope(user):
    clause = project_clause(RecordAudit.project, user)
    return None if clause is None else clause


RECORD_AUDITS = Listing(
    table=RecordAudit,
    select=[RecordAudit.id, RecordAudit.at, RecordAudit.buyer.name, RecordAudit.project.name, RecordAudit.auditor.name,
            RecordAudit.fields_audited, RecordAudit.fields_wrong, RecordAudit.note],
    columns=[
        Col("at_text", "抽查时间", sort=RecordAudit.at, link="/care/record-audits/{id}", testid="record-audit-link", hideable=False),
        Col("buyer.name", "客户"), Col("project.name", "项目"), Col("auditor.name", "抽查人"),
        Col("fields_audited", "抽查项数"), Col("fields_wrong", "错误项数"), Col("accuracy", "准确率"), Col("note", "备注"),
    ],
    filters=[
        Filter("from", "抽查日期从", "date_from", (RecordAudit.at,)),
        Filter("to", "至", "date_to", (RecordAudit.at,)),
        Filter("buyer", "客户", "text", (RecordAudit.buyer.name,)),
    ],
    default_sort="at_text",
    default_desc=True,
    base_url="/care/record-audits",
    target_id="record-audits-list",
    scope=_audit_scope,
)


def decorate_audits(rows: list[dict]) -> None:
    for r in rows:
        r["at_text"] = fmt_datetime(r["at"])
        r["accuracy"] = care_rules.kpi_text(care_rules.record_accuracy(r["fields_audited"], r["fields_wrong"]))


async def monthly_accuracy(user, months: int = 6) -> list[dict[str, Any]]:
    """Per month: SUM(fields audited), SUM(fields wrong), COUNT(audits) in SQL, one aggregate query per month; measured
    against the admin's target (客服时限与目标)."""
    from app.care.settings import load_limits

    limits = await load_limits()
    out = []
    for first in months_back(today_local(), months):
        nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        start, end = datetime.combine(first, time.min, tzinfo=SHANGHAI), datetime.combine(nxt, time.min, tzinfo=SHANGHAI)
        q = RecordAudit.select(Sum(RecordAudit.fields_audited, alias="audited"), Sum(RecordAudit.fields_wrong, alias="wrong"),
                               Count(RecordAudit.id, alias="n")).where((RecordAudit.at >= start) & (RecordAudit.at < end))
        scope = _audit_scope(user)
        r = (await (q.where(scope) if scope is not None else q))[0]
        audited, wrong = int(r["audited"] or 0), int(r["wrong"] or 0)
        value = care_rules.record_accuracy(audited, wrong) if audited else None
        out.append({"month": f"{first:%Y-%m}", "n": r["n"], "audited": audited, "wrong": wrong, "accuracy": care_rules.kpi_text(value),
                    "met": care_rules.meets_target("record_accuracy", value, limits) if value is not None else None,
                    "target": limits.targets.record_accuracy})
    return out


async def sample(user, project_id: int, n: int) -> list[dict]:
    """N buyers with a live deal in the project, picked at random IN SQL (ORDER BY random() LIMIT n)."""
    if not user.sees_project(project_id):
        raise CustomerError("该项目不在您的数据范围内", "project")
    ids = Deal.select(Deal.buyer).where((Deal.project == project_id) & Deal.stage.not_in(["已作废", "已退订"]))
    rows = await Buyer.select(Buyer.id, Buyer.name, Buyer.mobile).where(Buyer.id.is_in(ids)).order_by(OrderByRaw("random()")).limit(n)
    for r in rows:
        r["mobile_masked"] = mask_phone(r["mobile"] or "")
    return rows


async def get_audit(user, audit_id: int) -> dict | None:
    q = RecordAudit.select(RecordAudit.all_columns(), RecordAudit.buyer.name, RecordAudit.project.name, RecordAudit.auditor.name).where(
        RecordAudit.id == audit_id)
    scope = _audit_scope(user)
    row = await (q.where(scope) if scope is not None else q).first()
    if not row:
        return None
    row["items"] = await RecordAuditItem.select().where(RecordAuditItem.audit == audit_id).order_by(RecordAuditItem.id)
    for i in row["items"]:
        i["label"] = AUDIT_LABELS.get(i["field"], i["field"])
    row["accuracy"] = care_rules.kpi_text(care_rules.record_accuracy(row["fields_audited"], row["fields_wrong"]))
    return row

