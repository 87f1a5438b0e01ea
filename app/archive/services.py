"""资料保管: file completeness per deal, the location of the originals, and the borrow/return register.

Writes are the 资料保管专员's (or the 合同专员's, who keeps the archive until a keeper is appointed); each is one
transaction with one audit row. A lent original is locked by a conditional update, so it cannot be lent twice."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from piccolo.columns.combination import WhereRaw

from app.archive.tables import ArchiveFile, ArchiveOriginal, DocumentLoan
from app.core import audit
from app.core.db import write_transaction
from app.core.fields import Parser
from app.core.scope import scoped
from app.core.timeutil import now, today_local
from app.ledgers.base import valid_id
from app.org.tables import Employee
from app.pipeline.tables import Deal, DealDocument

# The originals every signed deal's file must hold (besides the pipeline's per-stage DealDocument checklists).
ORIGINALS_LIST = "归档原件"  # the originals each deal's file holds: the admin checklist (pipeline ChecklistItem)
KEEPER_ROLES = {"archive", "contract"}  # 资料保管专员; 合同专员 (who doubles as keeper, SPEC §0.1)
APPROVER_ROLES = ("supervisor", "dept_head")  # approval before borrowing owner files (SPEC §G 保密)
# the loan limits are pipeline settings (loan_default_days 7, loan_max_days 30), edited in the admin
CLOSED = ("已作废", "已退订")
OUT, RETURNED = "借出", "已归还"


class ArchiveError(Exception):
    def __init__(self, message: str, field: str = "__all__", errors: dict | None = None):
        super().__init__(message)
        self.message, self.field = message, field
        self.errors = errors or {field: message}


def may_keep(user) -> bool:
    return user.role in KEEPER_ROLES


def _require_keeper(user) -> None:
    if not may_keep(user):
        raise ArchiveError("只有资料保管专员或合同专员可以办理")


# ---------------------------------------------------------------- completeness (SQL)


def missing_sql() -> str:
    """Missing items of a deal as an SQL expression on pl_deal: unreceived checklist documents + originals not filed."""
    originals = f"SELECT ci.name FROM pl_checklist_item ci WHERE ci.checklist = '{ORIGINALS_LIST}' AND ci.active = TRUE"  # a code constant
    return ("((SELECT COUNT(*) FROM pl_deal_document dd WHERE dd.deal = pl_deal.id AND dd.received_on IS NULL)"
            f" + ((SELECT COUNT(*) FROM ({originals}) oc) - (SELECT COUNT(*) FROM arc_original ao WHERE ao.deal = pl_deal.id AND ao.name IN ({originals}))))")


async def originals() -> list[str]:
    """The originals a deal's file must hold (admin checklist 归档原件)."""
    from app.pipeline.services import checklist

    return await checklist(ORIGINALS_LIST)


def incomplete_clause():
    return WhereRaw(missing_sql() + " > 0")


def complete_clause():
    return WhereRaw(missing_sql() + " = 0")


def no_location_clause():
    return WhereRaw("NOT EXISTS (SELECT 1 FROM arc_file af WHERE af.deal = pl_deal.id AND af.cabinet <> '')")


async def completeness(deal_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per deal: checklist documents received/total, originals filed/total, originals lent out, location.
    Three grouped queries for the whole page (or export batch), whatever its size."""
    out = {i: {"docs_total": 0, "docs_received": 0, "originals_filed": 0, "originals_out": 0, "location": ""} for i in deal_ids}
    if not deal_ids:
        return out
    names = await originals()
    for d in await DealDocument.select(DealDocument.deal, DealDocument.received_on).where(DealDocument.deal.is_in(deal_ids)):
        e = out[d["deal"]]
        e["docs_total"] += 1
        e["docs_received"] += d["received_on"] is not None
    for o in await ArchiveOriginal.select(ArchiveOriginal.deal, ArchiveOriginal.name, ArchiveOriginal.loan).where(
            ArchiveOriginal.deal.is_in(deal_ids)):
        if o["name"] in names:
            out[o["deal"]]["originals_filed"] += 1
            out[o["deal"]]["originals_out"] += o["loan"] is not None
    for f in await ArchiveFile.select(ArchiveFile.deal, ArchiveFile.cabinet, ArchiveFile.shelf, ArchiveFile.box).where(ArchiveFile.deal.is_in(deal_ids)):
        out[f["deal"]]["location"] = location_text(f)
    for e in out.values():
        e["originals_total"] = len(names)
        e["complete"] = e["docs_received"] + e["originals_filed"]
        e["missing"] = (e["docs_total"] - e["docs_received"]) + (len(names) - e["originals_filed"])
    return out


def location_text(f: dict) -> str:
    if not f or not f.get("cabinet"):
        return ""
    parts = [f"{f['cabinet']}柜"]
    if f.get("shelf"):
        parts.append(f"{f['shelf']}层")
    if f.get("box"):
        parts.append(f"{f['box']}盒")
    return " ".join(parts)


# ---------------------------------------------------------------- one deal's file


async def deal_file(deal_id: int) -> dict[str, Any] | None:
    deal = await Deal.select(Deal.id, Deal.number, Deal.contract_no, Deal.stage, Deal.project, Deal.project.name, Deal.unit, Deal.unit.room_no,
                             Deal.unit.building.name, Deal.buyer.name, Deal.signed_on).where(Deal.id == deal_id).first()
    if not deal:
        return None
    location = await ArchiveFile.select().where(ArchiveFile.deal == deal_id).first()
    filed = {o["name"]: o for o in await ArchiveOriginal.select(ArchiveOriginal.all_columns(), ArchiveOriginal.loan.number).where(
        ArchiveOriginal.deal == deal_id)}
    items = [{"name": n, "filed": filed.get(n)} for n in await originals()]
    docs = await DealDocument.select().where(DealDocument.deal == deal_id).order_by(DealDocument.stage).order_by(DealDocument.id)
    loans = await DocumentLoan.select(DocumentLoan.all_columns(), DocumentLoan.borrower.name, DocumentLoan.approver.name).where(
        DocumentLoan.deal == deal_id).order_by(DocumentLoan.id, ascending=False)
    today = today_local()
    for ln in loans:
        ln["overdue_days"] = (today - ln["due_on"]).days if ln["status"] == OUT and ln["due_on"] < today else 0
    return {"deal": deal, "location": location, "location_text": location_text(location or {}), "originals": items, "docs": docs,
            "loans": loans}


async def _deal_in_scope(user, deal_id: int) -> dict:
    deal = await Deal.select(Deal.id, Deal.number, Deal.contract_no, Deal.project, Deal.stage, Deal.unit.room_no, Deal.unit.building.name).where(
        Deal.id == deal_id).first()
    if not deal:
        raise ArchiveError("记录不存在")
    if not user.sees_project(deal["project"]):
        raise ArchiveError("该项目不在您的数据范围内")
    return deal


def _label(deal: dict) -> str:
    return f"{deal['unit.building.name']}{deal['unit.room_no']}（{deal['contract_no'] or deal['number']}）"


async def set_location(user, deal_id: int, values) -> None:
    _require_keeper(user)
    deal = await _deal_in_scope(user, deal_id)
    p = Parser(values)
    cabinet = p.text("cabinet", "档案柜", max_len=20)
    shelf = p.text("shelf", "层", required=False, max_len=20)
    box = p.text("box", "档案盒", required=False, max_len=20)
    note = p.text("note", "备注", required=False, max_len=200)
    if p.errors:
        raise ArchiveError("请修改标红的项目", errors=p.errors)
    async with write_transaction():
        before = await ArchiveFile.select().where(ArchiveFile.deal == deal_id).first()
        changes = {ArchiveFile.cabinet: cabinet, ArchiveFile.shelf: shelf, ArchiveFile.box: box, ArchiveFile.note: note,
                   ArchiveFile.updated_at: now(), ArchiveFile.updated_by: user.display_name}
        if before:
            await ArchiveFile.update(changes).where(ArchiveFile.deal == deal_id)
        else:
            await ArchiveFile.insert(ArchiveFile(deal=deal_id, cabinet=cabinet, shelf=shelf, box=box, note=note, updated_at=now(),
                                                 updated_by=user.display_name))
        new = {"cabinet": cabinet, "shelf": shelf, "box": box}
        await audit.record(actor=user, action="archive.location", entity="pl_deal", entity_id=deal_id,
                           summary=f"{_label(deal)} 原件存放位置：{location_text(new)}",
                           before={k: before[k] for k in new} if before else None, after=new)


async def file_original(user, deal_id: int, name: str, filed: bool) -> None:
    """Mark an original as received into the archive (or take the mark back while it is not lent out)."""
    _require_keeper(user)
    deal = await _deal_in_scope(user, deal_id)
    if name not in await originals():
        raise ArchiveError("没有这项原件")
    async with write_transaction():
        if filed:
            if await ArchiveOriginal.exists().where((ArchiveOriginal.deal == deal_id) & (ArchiveOriginal.name == name)):
                raise ArchiveError(f"「{name}」已归档")
            await ArchiveOriginal.insert(ArchiveOriginal(deal=deal_id, name=name, filed_on=today_local(), filed_by=user.display_name))
        else:
            rows = await ArchiveOriginal.delete().where((ArchiveOriginal.deal == deal_id) & (ArchiveOriginal.name == name)
                                                        & ArchiveOriginal.loan.is_null()).returning(ArchiveOriginal.id)
            if not rows:
                raise ArchiveError(f"「{name}」未归档或正在借出，不能撤销归档")
        await audit.record(actor=user, action="archive.original", entity="pl_deal", entity_id=deal_id,
                           summary=f"{_label(deal)} 原件「{name}」{'已归档' if filed else '撤销归档'}")


# ---------------------------------------------------------------- lending


async def approver_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.position.name).where(
        (Employee.active == True) & Employee.position.role.is_in(list(APPROVER_ROLES))).order_by(Employee.id)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['position.name']}）") for r in rows]


async def borrower_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.department.name).where(
        (Employee.active == True) & Employee.user.is_not_null()).order_by(Employee.department).order_by(Employee.id)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['department.name']}）") for r in rows]


async def loan_max_days() -> int:
    from app.pipeline.services import setting

    return int(await setting("loan_max_days"))


def loan_number(day: date, loan_id: int) -> str:
    """JY-YYYYMMDD-#### with the register's running number (unique without a read-then-write race)."""
    return f"JY-{day:%Y%m%d}-{loan_id:04d}"


async def lend(user, deal_id: int, values, *, today: date | None = None) -> dict:
    _require_keeper(user)
    deal = await _deal_in_scope(user, deal_id)
    today = today or today_local()
    p = Parser(values)
    item = p.choice("item", "借阅资料", await originals())
    kind = p.choice("kind", "原件或复印件", ["原件", "复印件"])
    borrower = p.integer("borrower", "借阅人")
    approver = p.integer("approver", "批准人")
    reason = p.text("reason", "借阅事由", max_len=200)
    due = p.date("due_on", "应还日期")
    if due is not None:
        if due < today:
            p.fail("due_on", f"应还日期 {due} 不能早于今天")
        elif due > today + timedelta(days=(max_days := await loan_max_days())):
            p.fail("due_on", f"借阅期限最长 {max_days} 天（最晚 {today + timedelta(days=max_days)}）")
    if borrower is not None and valid_id(borrower) is None:
        p.fail("borrower", "请选择在职员工")
    elif borrower is not None and not await Employee.exists().where((Employee.id == borrower) & (Employee.active == True)):  # noqa: E712
        p.fail("borrower", "请选择在职员工")
    if approver is not None and valid_id(approver) is None:
        p.fail("approver", "批准人须为客服主管或客服副经理")
    elif approver is not None:
        ok = await Employee.exists().where((Employee.id == approver) & (Employee.active == True)  # noqa: E712
                                           & Employee.position.role.is_in(list(APPROVER_ROLES)))
        if not ok:
            p.fail("approver", "批准人须为客服主管或客服副经理")
        elif approver == borrower:
            p.fail("approver", "借阅人不能批准自己的借阅")
    if p.errors:
        raise ArchiveError("请修改标红的项目", errors=p.errors)
    original = kind == "原件"
    async with write_transaction():
        locked = []
        if original:  # take the original: a conditional update (the row lock makes a concurrent lender wait, then find it taken)
            locked = await ArchiveOriginal.update({ArchiveOriginal.loan: None}).where(
                (ArchiveOriginal.deal == deal_id) & (ArchiveOriginal.name == item) & ArchiveOriginal.loan.is_null()).returning(ArchiveOriginal.id)
            if not locked:
                held = await ArchiveOriginal.select(ArchiveOriginal.loan.number, ArchiveOriginal.loan.borrower.name).where(
                    (ArchiveOriginal.deal == deal_id) & (ArchiveOriginal.name == item)).first()
                if not held:
                    raise ArchiveError(f"「{item}」原件尚未归档，不能借出", "item")
                raise ArchiveError(f"「{item}」原件已借出（借阅单 {held['loan.number']}，借阅人 {held['loan.borrower.name']}），归还前不能再借", "item")
        loan = DocumentLoan(number=f"JY-TMP-{uuid.uuid4().hex[:20]}", deal=deal_id, item=item, original=original, borrower=borrower,
                            reason=reason, approver=approver, out_on=today, due_on=due, status=OUT, recorded_by=user.display_name, created_at=now())
        await loan.save()
        loan.number = loan_number(today, loan.id)
        await DocumentLoan.update({DocumentLoan.number: loan.number}).where(DocumentLoan.id == loan.id)
        if locked:
            await ArchiveOriginal.update({ArchiveOriginal.loan: loan.id}).where(ArchiveOriginal.id == locked[0]["id"])
        row = loan.to_dict()
        names = {r["id"]: r["name"] for r in await Employee.select(Employee.id, Employee.name).where(Employee.id.is_in([borrower, approver]))}
        await audit.record(actor=user, action="archive.lend", entity="arc_loan", entity_id=loan.id,
                           summary=f"{row['number']} {_label(deal)}「{item}」{kind}借给 {names.get(borrower, '')}，批准人 {names.get(approver, '')}，应还 {due}",
                           after={"status": OUT, "due_on": due, "original": original})
    return row


async def give_back(user, loan_id: int, *, today: date | None = None) -> dict:
    _require_keeper(user)
    loan = await DocumentLoan.select(DocumentLoan.deal).where(DocumentLoan.id == loan_id).first()
    if not loan:
        raise ArchiveError("借阅记录不存在")
    deal = await _deal_in_scope(user, loan["deal"])
    today = today or today_local()
    async with write_transaction():
        rows = await DocumentLoan.update({DocumentLoan.status: RETURNED, DocumentLoan.returned_on: today}).where(
            (DocumentLoan.id == loan_id) & (DocumentLoan.status == OUT)).returning(DocumentLoan.number, DocumentLoan.item, DocumentLoan.original)
        if not rows:
            raise ArchiveError("该借阅已归还，请刷新页面")
        await ArchiveOriginal.update({ArchiveOriginal.loan: None}).where(ArchiveOriginal.loan == loan_id)
        from app.archive.remind import loan_returned

        await loan_returned(loan_id)  # its overdue notices are answered
        await audit.record(actor=user, action="archive.return", entity="arc_loan", entity_id=loan_id,
                           summary=f"{rows[0]['number']} {_label(deal)}「{rows[0]['item']}」已归还", before={"status": OUT},
                           after={"status": RETURNED, "returned_on": today})
    return rows[0]


OVERDUE_LIMIT = 50


async def overdue_loans(user, today: date | None = None) -> list[dict]:
    today = today or today_local()
    q = DocumentLoan.select(DocumentLoan.id, DocumentLoan.number, DocumentLoan.deal, DocumentLoan.item, DocumentLoan.original,
                            DocumentLoan.borrower.name, DocumentLoan.due_on, DocumentLoan.deal.unit.building.name, DocumentLoan.deal.unit.room_no,
                            DocumentLoan.deal.project.name).where((DocumentLoan.status == OUT) & (DocumentLoan.due_on < today))
    q = scoped(q, DocumentLoan.deal.project, user)
    rows = await q.order_by(DocumentLoan.due_on).limit(OVERDUE_LIMIT)
    for r in rows:
        r["overdue_days"] = (today - r["due_on"]).days
    return rows
