"""Finance registers: the advance ledger (balance kept with every entry), ageing, invoice duplicates, contract payments."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.core import audit
from app.core.db import write_transaction
from app.core.money import parse_money
from app.core.timeutil import now, today_local
from app.finance.tables import Advance, AdvanceEntry, Invoice, Payment
from app.workflow.tables import Request


class FinanceError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


async def add_entry(advance_id: int, kind: str, amount: Decimal, *, request_id: int | None = None, note: str = "") -> Decimal:
    """Append to the ledger and keep the balance; closes the advance at zero. Call inside a transaction."""
    await AdvanceEntry.insert(AdvanceEntry(advance=advance_id, kind=kind, amount=amount, at=now(), request=request_id, note=note))
    # one atomic UPDATE (also the row lock on PostgreSQL), so concurrent entries cannot lose an update
    rows = await Advance.raw("UPDATE fin_advance SET balance = balance + {} WHERE id = {} RETURNING balance, status", amount, advance_id)
    balance = Decimal(rows[0]["balance"])
    if balance < 0:
        raise FinanceError("冲账或还款金额超过借款余额", "amount")
    if balance == 0 and rows[0]["status"] == "未结清":
        await Advance.update({Advance.status: "已结清", Advance.settled_at: now()}).where(Advance.id == advance_id)
    return balance


async def open_advances(employee_id: int) -> list[dict]:
    return await Advance.select(Advance.id, Advance.request.number, Advance.balance, Advance.due_on, Advance.purpose).where(
        (Advance.employee == employee_id) & (Advance.status == "未结清")).order_by(Advance.due_on)


async def overdue_advance(employee_id: int, today: date | None = None) -> dict | None:
    return await Advance.select(Advance.id, Advance.request.number, Advance.balance, Advance.due_on).where(
        (Advance.employee == employee_id) & (Advance.status == "未结清") & (Advance.due_on < (today or today_local()))).first()


async def open_advance(employee_id: int, exclude_request: int | None = None) -> dict | None:
    """The applicant's open advance, if any (SPEC E14: no new advance while one is open): one still in approval
    (审批中, also when returned for changes) or paid out and not yet fully repaid/offset (未结清)."""
    q = Advance.select(Advance.id, Advance.request.number, Advance.balance, Advance.amount, Advance.due_on, Advance.status).where(
        (Advance.employee == employee_id) & Advance.status.is_in(["审批中", "未结清"]))
    if exclude_request:
        q = q.where(Advance.request != exclude_request)
    return await q.order_by(Advance.due_on).first()


async def claimed_invoice(code: str, number: str, exclude_request: int | None = None) -> dict | None:
    """The active claim holding this invoice: identified by 发票代码 + 号码 (code "" for a 20-digit 数电票)."""
    q = Invoice.select(Invoice.request.number, Invoice.request.applicant.name).where(
        (Invoice.code == code) & (Invoice.number == number) & (Invoice.active == True))  # noqa: E712
    if exclude_request:
        q = q.where(Invoice.request != exclude_request)
    return await q.first()


async def paid_on_contract(contract_no: str, exclude_request: int | None = None) -> Decimal:
    """Paid to date on a contract: approved payments plus those still in approval (so they cannot overlap)."""
    q = Payment.select(Payment.amount).where((Payment.contract_no == contract_no) & Payment.request.status.is_in(["审批中", "已退回", "已通过"]))
    if exclude_request:
        q = q.where(Payment.request != exclude_request)
    return sum((Decimal(r["amount"]) for r in await q), Decimal("0.00"))


async def repay(user, advance_id: int, raw_amount: str, note: str = "") -> Decimal:
    """Cash repayment recorded by finance."""
    try:
        amount = parse_money(raw_amount, allow_zero=False)
    except ValueError as e:
        raise FinanceError(f"还款金额：{e}", "amount") from None
    async with write_transaction():
        adv = await Advance.select(Advance.status, Advance.balance, Advance.request.number).where(Advance.id == advance_id).first()
        if not adv or adv["status"] != "未结清":
            raise FinanceError("该借款不是“未结清”状态", "amount")
        if amount > Decimal(adv["balance"]):
            raise FinanceError(f"还款金额不能超过借款余额 {Decimal(adv['balance']):,.2f} 元", "amount")
        balance = await add_entry(advance_id, "还款", -amount, note=note[:200])
        await audit.record(actor=user, action="finance.repay", entity="fin_advance", entity_id=advance_id,
                           summary=f"{adv['request.number']} 还款 {amount:,.2f} 元", before={"balance": adv["balance"]}, after={"balance": balance})
    return balance


AGEING_SQL = """
SELECT e.id AS employee_id, e.name AS name, COUNT(*) AS n, SUM(a.balance) AS total,
  SUM(CASE WHEN a.due_on >= {} THEN a.balance ELSE 0 END) AS current_amt,
  SUM(CASE WHEN a.due_on < {} AND a.due_on >= {} THEN a.balance ELSE 0 END) AS late_30,
  SUM(CASE WHEN a.due_on < {} AND a.due_on >= {} THEN a.balance ELSE 0 END) AS late_60,
  SUM(CASE WHEN a.due_on < {} THEN a.balance ELSE 0 END) AS late_more
FROM fin_advance a JOIN employee e ON e.id = a.employee
WHERE a.status = '未结清'
GROUP BY e.id, e.name ORDER BY total DESC
"""


async def ageing(today: date | None = None) -> list[dict]:
    """Open advances per person by how late they are (in SQL): not yet due, 1–30, 31–60, over 60 days overdue."""
    from datetime import timedelta

    t = today or today_local()
    d30, d60 = t - timedelta(days=30), t - timedelta(days=60)
    return await Advance.raw(AGEING_SQL, t, t, d30, d30, d60, d60)
