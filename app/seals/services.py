"""用章 register services: the seal register, the usage log written on approval, and the keeper's entries
(监印人, return of a seal taken out). Writes happen only here (and in the form's save, inside the engine)."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from litestar.exceptions import PermissionDeniedException

from app.core import audit
from app.core.db import write_transaction
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI, fmt_datetime, now, to_local, today_local
from app.org.tables import Employee
from app.seals.tables import Seal, SealLog, SealUse, SealUseLine
from app.core.fields import parse_id

KINDS = ["公章", "合同专用章", "财务专用章", "法定代表人名章", "发票专用章", "业务资料专用章"]
# who may keep the log of a seal, by the keeper's department (the seal's own keeper may always)
KEEPER_ROLES = {"行政": frozenset({"admin_staff"}), "财务": frozenset({"finance_manager", "accountant", "cashier"})}
# roles that see every row of the usage log (the others see their own uses)
LOG_READERS = frozenset({"admin_staff", "finance_manager", "accountant", "cashier", "legal"})


def parse_local_datetime(raw: str) -> datetime:
    """"2026-11-28T14:30" (an <input type=datetime-local>) or "2026-11-28 14:30", in Asia/Shanghai."""
    text = (raw or "").strip().replace(" ", "T")
    if not text:
        raise ValueError("请填写时间")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("时间格式应为 YYYY-MM-DD HH:MM，例如 2026-11-28 14:30") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    return value


def local_input(value: datetime | None) -> str:
    v = to_local(value)
    return v.strftime("%Y-%m-%dT%H:%M") if v else ""


class SealError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


async def active_seals() -> list[dict[str, Any]]:
    return await Seal.select(Seal.id, Seal.name, Seal.kind, Seal.keeper_dept).where(Seal.active == True).order_by(Seal.id)  # noqa: E712


async def seal(seal_id: int) -> dict[str, Any] | None:
    return await Seal.select().where(Seal.id == seal_id).first()


async def seal_choices(_user=None) -> list[tuple[str, str]]:
    return [(str(s["id"]), s["name"]) for s in await Seal.select(Seal.id, Seal.name).order_by(Seal.id)]


async def employee_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.department.name).where(
        Employee.active == True).order_by(Employee.department).order_by(Employee.id)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['department.name']}）") for r in rows]


async def active_employee(employee_id: int) -> dict[str, Any] | None:
    return await Employee.select(Employee.id, Employee.name).where((Employee.id == employee_id) & (Employee.active == True)).first()  # noqa: E712


def sees_all_logs(user) -> bool:
    return user.can(Perm.WORKFLOW_ALL) or (user.role or "") in LOG_READERS


def log_scope(user):
    """Keepers, legal and managers see the whole log; everyone else the uses they applied for."""
    return None if sees_all_logs(user) else (SealLog.applicant == (user.employee_id or 0))


def decorate_logs(rows: list[dict[str, Any]]) -> None:
    """Display texts for one page of the log (never more than a page)."""
    for r in rows:
        r["document_text"] = r["document"] + (f" · {r['contract_no']}" if r.get("contract_no") else "")
        r["applicant_text"] = f"{r.get('applicant.name') or ''} · {r.get('department.name') or ''}"
        r["witness_text"] = r.get("witness.name") or "待登记"
        if not r.get("taken_out"):
            r["out_text"] = "否"
        elif r.get("returned_at"):
            r["out_text"] = f"已归还 {fmt_datetime(r['returned_at'])}"
        else:
            r["out_text"] = "外带未归还"
        pending = not r.get("witness.name") or (r.get("taken_out") and not r.get("returned_at"))
        r["action"] = "待登记" if pending else "查看"


# ------------------------------------------------------------------ approval


async def write_log(req: dict, actor) -> int:
    """On approval: one log row, or one per contract number in batch mode. Inside the engine's transaction."""
    use = await SealUse.select().where(SealUse.request == req["id"]).first()
    lines = await SealUseLine.select().where(SealUseLine.request == req["id"]).order_by(SealUseLine.line_no)
    base = dict(
        used_on=today_local(), request=req["id"], seal=use["seal"], applicant=req["applicant"], department=req["department"],
        document=use["document"], purpose=use["purpose"], approver=getattr(actor, "display_name", "")[:60], taken_out=use["take_out"],
        taken_out_at=now() if use["take_out"] else None, planned_return=use["planned_return"],
    )
    if use["batch"] and lines:
        rows = [SealLog(**base, contract_no=line["contract_no"], copies=line["copies"]) for line in lines]
    else:
        rows = [SealLog(**base, copies=use["copies"])]
    await SealLog.insert(*rows)
    await audit.record(actor=actor, action="seals.log", entity="seal_log", entity_id=req["id"],
                       summary=f"{req['number']} 用印登记 {len(rows)} 条（共 {use['copies']} 份）",
                       after={"rows": len(rows), "copies": use["copies"], "taken_out": use["take_out"]})
    return len(rows)


async def logs_of_request(request_id: int) -> list[dict[str, Any]]:
    return await SealLog.select(SealLog.id, SealLog.contract_no, SealLog.copies, SealLog.witness.name, SealLog.returned_at, SealLog.taken_out).where(
        SealLog.request == request_id).order_by(SealLog.id)


# ------------------------------------------------------------------ keeper's entries


async def log_entry(log_id: int) -> dict[str, Any] | None:
    return await SealLog.select(
        SealLog.all_columns(), SealLog.seal.name, SealLog.seal.kind, SealLog.seal.keeper_dept, SealLog.seal.keeper,
        SealLog.applicant.name, SealLog.department.name, SealLog.witness.name, SealLog.request.number,
    ).where(SealLog.id == log_id).first()


async def group_rows(request_id: int) -> list[dict[str, Any]]:
    """Every log row of the same request (a batch): the seal was stamped, witnessed and returned once."""
    return await SealLog.select(SealLog.id, SealLog.contract_no, SealLog.copies, SealLog.witness.name, SealLog.returned_at).where(
        SealLog.request == request_id).order_by(SealLog.id)


def may_keep(user, entry: dict[str, Any]) -> bool:
    if entry.get("seal.keeper") and entry["seal.keeper"] == user.employee_id:
        return True
    return (user.role or "") in KEEPER_ROLES.get(entry.get("seal.keeper_dept") or "", frozenset())


def _check_keeper(user, entry: dict[str, Any]) -> None:
    if not may_keep(user, entry):
        dept = entry.get("seal.keeper_dept") or ""
        raise PermissionDeniedException(f"只有{dept}部门（印章保管部门）可以登记该印章的使用情况")


async def record_witness(user, log_id: int, raw_witness: str) -> None:
    """监印人: recorded once for the use (every row of a batch); not the applicant."""
    entry = await log_entry(log_id)
    if not entry:
        raise SealError("用印记录不存在")
    _check_keeper(user, entry)
    raw = (raw_witness or "").strip()
    if not raw:
        raise SealError("请选择监印人", "witness")
    witness_id = parse_id(raw)
    if witness_id is None:
        raise SealError("监印人的选项无效", "witness")
    witness = await active_employee(witness_id)
    if not witness:
        raise SealError("请选择在职员工作为监印人", "witness")
    if witness["id"] == entry["applicant"]:
        raise SealError("监印人不能是用印申请人本人", "witness")
    async with write_transaction():
        rows = await SealLog.update({SealLog.witness: witness["id"], SealLog.witnessed_at: now()}).where(
            (SealLog.request == entry["request"]) & (SealLog.witness.is_null())).returning(SealLog.id)
        if not rows:
            raise SealError("监印人已登记，不能重复登记", "__all__")
        await audit.record(actor=user, action="seals.witness", entity="seal_log", entity_id=entry["request"],
                           summary=f"{entry['request.number']} 登记监印人 {witness['name']}（{len(rows)} 条）",
                           before={"witness": None}, after={"witness": witness["name"], "rows": len(rows)})


async def record_return(user, log_id: int, raw_time: str) -> None:
    """A seal taken out comes back: the time is not before it was taken out nor in the future; recorded once."""
    entry = await log_entry(log_id)
    if not entry:
        raise SealError("用印记录不存在")
    _check_keeper(user, entry)
    if not entry["taken_out"]:
        raise SealError("该次用印未外带印章，无需登记归还", "__all__")
    if entry["returned_at"]:
        raise SealError(f"已于 {fmt_datetime(entry['returned_at'])} 登记归还，不能重复登记", "__all__")
    try:
        at = parse_local_datetime(raw_time)
    except ValueError as e:
        raise SealError(f"归还时间：{e}", "returned_at") from None
    if entry["taken_out_at"] and at < entry["taken_out_at"].replace(second=0, microsecond=0):  # the form has minutes only
        raise SealError(f"归还时间不能早于外带时间 {fmt_datetime(entry['taken_out_at'])}", "returned_at")
    if at > now() + timedelta(minutes=5):
        raise SealError("归还时间不能晚于现在", "returned_at")
    async with write_transaction():
        rows = await SealLog.update({SealLog.returned_at: at, SealLog.returned_by: user.display_name[:60]}).where(
            (SealLog.request == entry["request"]) & (SealLog.taken_out == True) & (SealLog.returned_at.is_null())  # noqa: E712
        ).returning(SealLog.id)
        if not rows:
            raise SealError("印章已登记归还，不能重复登记", "__all__")
        await audit.record(actor=user, action="seals.return", entity="seal_log", entity_id=entry["request"],
                           summary=f"{entry['request.number']} {entry['seal.name']} 归还于 {fmt_datetime(at)}",
                           before={"returned_at": None}, after={"returned_at": at, "rows": len(rows)})
