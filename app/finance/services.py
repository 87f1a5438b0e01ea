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
GROUP BY e.id, e.name ORDER BY total DESC, e.id LIMIT {}
"""
AGEING_ROWS = 50  # the people owing most; the list of every advance below is paged


async def ageing(today: date | None = None) -> list[dict]:
    """Open advances per person by how late they are (in SQL): not yet due, 1–30, 31–60, over 60 days overdue; the
    AGEING_ROWS people owing most, plus one row that tells the page there are more."""
    from datetime import timedelta

    t = today or today_local()
    d30, d60 = t - timedelta(days=30), t - timedelta(days=60)
    return await Advance.raw(AGEING_SQL, t, t, d30, d30, d60, d60, AGEING_ROWS + 1)


# ---------------------------------------------------------------- 业务招待: prior approvals and their one claim


async def usable_entertainments(employee_id: int, exclude_request: int | None = None) -> list[dict]:
    """The applicant's approved 招待申请 not yet used by a claim (a claim that was rejected or withdrawn let go of
    it). `exclude_request`: the claim being edited keeps its own."""
    from app.finance.tables import Entertainment, ExpenseClaim

    used = ExpenseClaim.select(ExpenseClaim.entertainment).where(ExpenseClaim.entertainment.is_not_null())
    if exclude_request:
        used = used.where(ExpenseClaim.request != exclude_request)
    return await Entertainment.select(
        Entertainment.request, Entertainment.request.number, Entertainment.request.finished_at, Entertainment.purpose, Entertainment.guests,
        Entertainment.event_on, Entertainment.expected,
    ).where((Entertainment.employee == employee_id) & (Entertainment.request.status == "已通过") & Entertainment.request.not_in(used)).order_by(
        Entertainment.event_on, ascending=False).limit(100)


async def entertainment_of(request_id: int) -> dict | None:
    """A 招待申请 by its request id, whoever filed it, and the claim holding it (if any)."""
    from app.finance.tables import Entertainment, ExpenseClaim

    row = await Entertainment.select(Entertainment.all_columns(), Entertainment.request.number, Entertainment.request.status,
                                     Entertainment.request.finished_at).where(Entertainment.request == request_id).first()
    if row:
        row["claim"] = await ExpenseClaim.select(ExpenseClaim.request, ExpenseClaim.request.number).where(
            ExpenseClaim.entertainment == request_id).first()
    return row


# ---------------------------------------------------------------- 借款逾期 → 工资扣回, only with written consent (E14)

DEDUCTION_ROLES = {"finance_manager", "accountant", "cashier", "finance_director"}  # 财务部 records the consent
DEDUCTION_OWNER = "fin_deduction"  # the scanned signed consent: an attachment of the advance (app/finance/attachment_owners.py)


def may_deduct(user) -> bool:
    return getattr(user, "role", None) in DEDUCTION_ROLES


class DeductionRefused(FinanceError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), next(iter(errors)))
        self.errors = errors


async def deduction_of(advance_id: int) -> dict | None:
    """The consent and its schedule, each instalment marked once payroll has taken it (工资扣回 ledger entries)."""
    from app.finance.rules import deduction_schedule, parse_month
    from app.finance.tables import DeductionConsent

    c = await DeductionConsent.select().where(DeductionConsent.advance == advance_id).first()
    if not c:
        return None
    taken = await AdvanceEntry.count().where((AdvanceEntry.advance == advance_id) & (AdvanceEntry.kind == "工资扣回"))
    rows = [{"no": i + 1, "month": m, "amount": a, "done": i < taken}
            for i, (m, a) in enumerate(deduction_schedule(Decimal(c["amount"]), c["instalments"], parse_month(c["first_month"])))]
    return {**c, "schedule": rows, "next": next((r for r in rows if not r["done"]), None)}


async def record_consent(user, advance_id: int, values, file_ids: list[int]) -> dict:
    """Mark an overdue advance for payroll deduction: only by finance, only with the employee's written consent recorded
    (date, amount, instalments, first payroll month, the scanned signed consent). Without the consent it is refused
    with the legal basis (rules.DEDUCTION_BASIS). One transaction: the consent, its file, the audit row."""
    from app.core import attachments
    from app.core.fields import Parser
    from app.finance.rules import DEDUCTION_BASIS, deduction_schedule, month_text, parse_month
    from app.finance.tables import DeductionConsent
    from app.workflow.definitions import FLOWS
    from app.workflow.engine import flow_settings

    p = Parser(values)
    today = today_local()
    if not p.flag("consent_signed"):
        p.fail("consent_signed", "未取得员工书面同意，不能从工资中扣回。" + DEDUCTION_BASIS)
    consent_on = p.date("consent_on", "书面同意签署日期")
    if consent_on and consent_on > today:
        p.fail("consent_on", "签署日期不能晚于今天")
    amount = p.money("amount", "同意扣回金额")
    max_n = int((await flow_settings(FLOWS["advance"]))["deduction_max_instalments"])
    instalments = p.integer("instalments", "分期数", minimum=1, maximum=max_n)
    first = parse_month(p.raw("first_month"))
    if not p.raw("first_month"):
        p.fail("first_month", "请填写首期扣回月份")
    elif not first:
        p.fail("first_month", "首期扣回月份格式应为 YYYY-MM，例如 2026-12")
    elif first < today.replace(day=1):
        p.fail("first_month", f"首期扣回月份不能早于本月（{month_text(today)}）")
    if not file_ids:
        p.fail("attachments", "请上传员工签字的书面同意书扫描件（没有书面同意不能从工资扣回）")
    async with write_transaction():
        adv = await Advance.select(Advance.id, Advance.status, Advance.balance, Advance.due_on, Advance.request.number, Advance.employee.name).where(
            Advance.id == advance_id).first()
        if not adv:
            raise FinanceError("借款不存在")
        if adv["status"] != "未结清" or adv["due_on"] >= today:
            p.errors = {"__all__": f"只有逾期未结清的借款才能办理工资扣回（应还日期 {adv['due_on']}，状态 {adv['status']}）"}
        elif await DeductionConsent.exists().where(DeductionConsent.advance == advance_id):
            p.errors = {"__all__": "该借款已登记工资扣回的书面同意"}
        elif amount is not None and amount > Decimal(adv["balance"]):
            p.fail("amount", f"同意扣回金额不能超过借款余额 {Decimal(adv['balance']):,.2f} 元")
        if p.errors:
            raise DeductionRefused(p.errors)
        rows = await DeductionConsent.insert(DeductionConsent(advance=advance_id, consent_on=consent_on, amount=amount, instalments=instalments,
                                                              first_month=month_text(first), recorded_by_name=user.display_name,
                                                              recorded_at=now())).returning(DeductionConsent.id)
        await attachments.bind(user, file_ids, DEDUCTION_OWNER, advance_id)
        schedule = deduction_schedule(amount, instalments, first)
        await audit.record(actor=user, action="finance.deduction_consent", entity="fin_advance", entity_id=advance_id,
                           summary=f"{adv['request.number']} {adv['employee.name']} 书面同意工资扣回 {amount:,.2f} 元，分 {instalments} 期，自 {month_text(first)} 起",
                           before=None, after={"consent_on": str(consent_on), "amount": str(amount), "schedule": [[m, str(a)] for m, a in schedule]})
    return {"id": rows[0]["id"], "schedule": schedule}


async def payroll_deduct(user, advance_id: int) -> Decimal:
    """Record the next scheduled instalment as taken from pay (a 工资扣回 ledger entry), never beyond the balance."""
    async with write_transaction():
        d = await deduction_of(advance_id)
        if not d:
            raise FinanceError("未登记员工书面同意，不能从工资中扣回")
        nxt = d["next"]
        adv = await Advance.select(Advance.status, Advance.balance, Advance.request.number).where(Advance.id == advance_id).first()
        if not nxt or adv["status"] != "未结清":
            raise FinanceError("扣回计划已执行完毕，或借款已结清")
        amount = min(nxt["amount"], Decimal(adv["balance"]))
        balance = await add_entry(advance_id, "工资扣回", -amount, note=f"第 {nxt['no']} 期（{nxt['month']} 工资）")
        await audit.record(actor=user, action="finance.payroll_deduct", entity="fin_advance", entity_id=advance_id,
                           summary=f"{adv['request.number']} {nxt['month']} 工资扣回第 {nxt['no']} 期 {amount:,.2f} 元",
                           before={"balance": adv["balance"]}, after={"balance": balance})
    return amount
