"""Asset register services: numbering, opening cards on purchase acceptance, reserving and closing a card on
disposal, the certified data-wipe entry, the register's reads (by custodian in SQL) and a card's history.
Every change of a card writes one audit row (entity "asset_card") in the same transaction; the card's history
page reads them back."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from litestar.exceptions import PermissionDeniedException

from app.assets.rules import NetValue, net_value
from app.assets.tables import AssetCard, AssetCategory, AssetDisposal, AssetNumberSeq, AssetPurchase, AssetPurchaseLine
from app.core import audit
from app.core.db import write_transaction
from app.core.listing import like_text
from app.core.permissions import Perm
from app.core.tables import AuditLog
from app.core.timeutil import now, today_local
from app.org.tables import Department, Employee
from app.workflow.engine import WorkflowError
from app.workflow.tables import Request

IN_USE, DISPOSED = "在用", "已报废"
PENDING_STATES = ["审批中", "已退回"]
REGISTER_ROLES = frozenset({"admin_staff", "finance_manager", "accountant", "cashier"})  # 行政 and 财务 keep the register
WIPE_ROLES = frozenset({"admin_staff"})  # 行政部 (含信息化) certifies data wiping
WIPE_METHODS = ["专业软件多次覆写", "消磁", "物理销毁（拆除硬盘粉碎）", "厂商/第三方认证擦除"]
MAX_UNITS = 100  # cards opened by one purchase


class AssetError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def sees_register(user) -> bool:
    return user.can(Perm.WORKFLOW_ALL) or (user.role or "") in REGISTER_ROLES


def card_scope(user):
    """行政, 财务 and managers see every card; everyone else the cards in their custody."""
    return None if sees_register(user) else (AssetCard.custodian == (user.employee_id or 0))


# ------------------------------------------------------------------ choices


async def categories() -> list[dict[str, Any]]:
    return await AssetCategory.select().where(AssetCategory.active == True).order_by(AssetCategory.sort).order_by(AssetCategory.id)  # noqa: E712


async def category_choices(_user=None) -> list[tuple[str, str]]:
    return [(str(c["id"]), c["name"]) for c in await AssetCategory.select(AssetCategory.id, AssetCategory.name).order_by(AssetCategory.sort)]


async def employee_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.department.name).where(
        Employee.active == True).order_by(Employee.department).order_by(Employee.id)  # noqa: E712
    return [(str(r["id"]), f"{r['name']}（{r['department.name']}）") for r in rows]


async def department_choices(_user=None) -> list[tuple[str, str]]:
    rows = await Department.select(Department.id, Department.name, Department.company.short_name).order_by(Department.company).order_by(Department.sort)
    return [(str(r["id"]), f"{r['name']}（{r['company.short_name']}）") for r in rows]


async def department_exists(department_id: int) -> bool:
    return await Department.exists().where(Department.id == department_id)


async def custodian_filter_choices(_user=None) -> list[tuple[str, str]]:
    """Employees who hold or held a card (DISTINCT in SQL)."""
    rows = await AssetCard.select(AssetCard.custodian, AssetCard.custodian.name).distinct().order_by(AssetCard.custodian)
    return [(str(r["custodian"]), r["custodian.name"]) for r in rows]


async def department_filter_choices(_user=None) -> list[tuple[str, str]]:
    rows = await AssetCard.select(AssetCard.department, AssetCard.department.name).distinct().order_by(AssetCard.department)
    return [(str(r["department"]), r["department.name"]) for r in rows]


async def active_employee(employee_id: int) -> dict[str, Any] | None:
    return await Employee.select(Employee.id, Employee.name, Employee.department).where(
        (Employee.id == employee_id) & (Employee.active == True)).first()  # noqa: E712


ASSET_KEEPERS = ("admin_staff", "dept_head")  # 行政 keeps the register; the department head answers for it


def _disposable_where(user):
    """Cards in use that this user may propose for disposal: their own (custodian), or any for the keepers."""
    cond = AssetCard.status == IN_USE
    if user.role not in ASSET_KEEPERS:
        cond &= AssetCard.custodian == (user.employee_id or 0)
    return cond


async def disposable_cards(user, q: str = "", limit: int = 1000) -> list[tuple[str, str]]:
    """The disposal form's choices (a department's assets: hundreds at most)."""
    cond = _disposable_where(user)
    q = like_text(q)
    if q:
        cond &= AssetCard.number.like(f"%{q}%") | AssetCard.name.like(f"%{q}%")
    rows = await AssetCard.select(AssetCard.id, AssetCard.number, AssetCard.name, AssetCard.custodian.name).where(cond).order_by(
        AssetCard.number).limit(limit)
    return [(str(c["id"]), f"{c['number']} {c['name']}（{c['custodian.name']}）") for c in rows]


async def reaches_card(user, value: str) -> bool:
    try:
        card_id = int(value)
    except (TypeError, ValueError):
        return False
    return await AssetCard.exists().where(_disposable_where(user) & (AssetCard.id == card_id))


# ------------------------------------------------------------------ net value


async def card(card_id: int) -> dict[str, Any] | None:
    return await AssetCard.select(
        AssetCard.all_columns(), AssetCard.category.name, AssetCard.department.name, AssetCard.custodian.name,
        AssetCard.source_request.number, AssetCard.disposal.number, AssetCard.disposal.status,
    ).where(AssetCard.id == card_id).first()


def card_net_value(c: dict[str, Any], today: date | None = None) -> NetValue:
    end = c.get("disposed_on") or today or today_local()
    return net_value(Decimal(c["original_value"]), c["depreciation_years"], c["purchase_date"], end)


async def pending_disposal(card_id: int, exclude_request: int | None = None) -> dict[str, Any] | None:
    """The open disposal request holding this card, if any."""
    q = AssetDisposal.select(AssetDisposal.request, AssetDisposal.request.number, AssetDisposal.request.status).where(
        (AssetDisposal.asset == card_id) & AssetDisposal.request.status.is_in(PENDING_STATES))
    if exclude_request:
        q = q.where(AssetDisposal.request != exclude_request)
    return await q.first()


# ------------------------------------------------------------------ numbering and purchase acceptance


async def next_numbers(year: int, n: int) -> list[str]:
    """n fresh asset numbers ZC-<year>-0001…: a counter row per year, bumped with UPDATE … RETURNING (the row lock
    serialises concurrent acceptances on PostgreSQL; SQLite's write transaction does the same)."""
    if not await AssetNumberSeq.exists().where(AssetNumberSeq.year == year):
        last = await AssetCard.select(AssetCard.number).where(AssetCard.number.like(f"ZC-{year}-%")).order_by(
            AssetCard.number, ascending=False).first()
        start = int(last["number"].rsplit("-", 1)[1]) if last else 0
        await AssetNumberSeq.insert(AssetNumberSeq(year=year, last=start)).on_conflict(action="DO NOTHING")
    rows = await AssetNumberSeq.update({AssetNumberSeq.last: AssetNumberSeq.last + n}).where(AssetNumberSeq.year == year).returning(AssetNumberSeq.last)
    end = rows[0]["last"]
    return [f"ZC-{year}-{i:04d}" for i in range(end - n + 1, end + 1)]


async def open_cards(req: dict, actor) -> list[dict[str, Any]]:
    """Acceptance of an approved purchase: one card per unit, numbered, in use, linked to the request."""
    purchase = await AssetPurchase.select().where(AssetPurchase.request == req["id"]).first()
    lines = await AssetPurchaseLine.select().where(AssetPurchaseLine.request == req["id"]).order_by(AssetPurchaseLine.line_no)
    today = today_local()
    numbers = await next_numbers(today.year, sum(line["quantity"] for line in lines))
    cards, k = [], 0
    for line in lines:
        for _ in range(line["quantity"]):
            cards.append(AssetCard(
                number=numbers[k], name=line["name"], spec=line["spec"], category=line["category"], original_value=line["unit_price"],
                purchase_date=today, department=purchase["department"], custodian=purchase["custodian"], location=purchase["location"],
                depreciation_years=purchase["depreciation_years"], status=IN_USE, source_request=req["id"], created_at=now(),
            ))
            k += 1
    rows = await AssetCard.insert(*cards).returning(AssetCard.id, AssetCard.number, AssetCard.name, AssetCard.original_value)
    for r in rows:
        await audit.record(actor=actor, action="assets.open", entity="asset_card", entity_id=r["id"],
                           summary=f"{req['number']} 验收入账：{r['number']} {r['name']}，原值 {Decimal(r['original_value']):,.2f} 元",
                           before=None, after={"status": IN_USE, "number": r["number"], "request": req["number"]})
    return rows


# ------------------------------------------------------------------ disposal


async def reserve_for_disposal(card_id: int, request_id: int, actor) -> None:
    """Inside the engine's transaction: the card is held by this disposal request (a conditional update, so two
    requests racing for one card cannot both hold it). A card previously held by this request is released."""
    released = await AssetCard.update({AssetCard.disposal: None}).where(
        (AssetCard.disposal == request_id) & (AssetCard.id != card_id) & (AssetCard.status == IN_USE)).returning(AssetCard.id)
    number = (await Request.select(Request.number).where(Request.id == request_id).first())["number"]
    for r in released:
        await audit.record(actor=actor, action="assets.dispose_release", entity="asset_card", entity_id=r["id"],
                           summary=f"{number} 改为其他资产，本资产不再报废", before={"disposal": number}, after={"disposal": None})
    held = await AssetCard.select(AssetCard.disposal).where(AssetCard.id == card_id).first()
    if held and held["disposal"] == request_id:
        return
    rows = await AssetCard.update({AssetCard.disposal: request_id}).where(
        (AssetCard.id == card_id) & (AssetCard.status == IN_USE) & AssetCard.disposal.is_null()).returning(AssetCard.id)
    if not rows:
        other = await pending_disposal(card_id, request_id)
        raise WorkflowError(f"该资产已在报废申请 {other['request.number']} 中，不能重复申请" if other else "该资产已报废或正在报废，不能申请", "asset")
    await audit.record(actor=actor, action="assets.dispose_request", entity="asset_card", entity_id=card_id,
                       summary=f"{number} 申请报废", before={"disposal": None}, after={"disposal": number})


async def release_disposal(req: dict, actor) -> None:
    """驳回 or 撤回: the card is free again."""
    rows = await AssetCard.update({AssetCard.disposal: None}).where(
        (AssetCard.disposal == req["id"]) & (AssetCard.status == IN_USE)).returning(AssetCard.id)
    for r in rows:
        await audit.record(actor=actor, action="assets.dispose_release", entity="asset_card", entity_id=r["id"],
                           summary=f"{req['number']} {req['status']}，资产恢复在用", before={"disposal": req["number"]}, after={"disposal": None})


async def close_card(req: dict, actor) -> None:
    """Approval: refused while a device that held customer data lacks the certified wipe; otherwise the card is closed."""
    d = await AssetDisposal.select().where(AssetDisposal.request == req["id"]).first()
    if d["holds_customer_data"] and not d["data_wiped"]:
        raise WorkflowError("该设备存有客户数据，须先由行政部（信息化）登记“数据已由认证方式擦除”，才能完成报废审批")
    today = today_local()
    rows = await AssetCard.update({AssetCard.status: DISPOSED, AssetCard.disposed_on: today, AssetCard.disposal: req["id"]}).where(
        (AssetCard.id == d["asset"]) & (AssetCard.status == IN_USE)).returning(AssetCard.id, AssetCard.number)
    if not rows:
        raise WorkflowError("该资产已报废，不能重复报废")
    await audit.record(actor=actor, action="assets.dispose", entity="asset_card", entity_id=d["asset"],
                       summary=f"{req['number']} 报废审批通过：{rows[0]['number']} 已报废，净值 {Decimal(d['net_value']):,.2f} 元，残值收入 {Decimal(d['salvage']):,.2f} 元",
                       before={"status": IN_USE}, after={"status": DISPOSED, "disposed_on": today, "request": req["number"]})


async def disposal_for_wipe(request_id: int) -> dict[str, Any] | None:
    return await AssetDisposal.select(
        AssetDisposal.all_columns(), AssetDisposal.request.number, AssetDisposal.request.status, AssetDisposal.asset.number,
        AssetDisposal.asset.name, AssetDisposal.asset.custodian.name,
    ).where(AssetDisposal.request == request_id).first()


def may_wipe(user) -> bool:
    return (user.role or "") in WIPE_ROLES


async def confirm_wipe(user, request_id: int, values: dict[str, str]) -> dict[str, str]:
    """行政/IT records the certified wipe of a device that held customer data. Returns field errors (empty when done)."""
    if not may_wipe(user):
        raise PermissionDeniedException("只有行政部（信息化）可以登记数据擦除")
    d = await disposal_for_wipe(request_id)
    if not d:
        raise AssetError("报废申请不存在")
    errors: dict[str, str] = {}
    if not d["holds_customer_data"]:
        errors["wipe_method"] = "该资产未登记存有客户数据，无需登记数据擦除"
    elif d["data_wiped"]:
        errors["wipe_method"] = f"数据擦除已由 {d['wiped_by']} 登记，不能重复登记"
    elif d["request.status"] not in PENDING_STATES:
        errors["wipe_method"] = "该报废申请已结束，不能再登记"
    method = (values.get("wipe_method") or "").strip()
    cert = (values.get("wipe_certificate") or "").strip()
    if not errors:
        if method not in WIPE_METHODS:
            errors["wipe_method"] = "请选择擦除方式"
        if not cert:
            errors["wipe_certificate"] = "请填写擦除报告或证书编号"
        elif len(cert) > 60:
            errors["wipe_certificate"] = "擦除报告编号最多 60 个字"
        if (values.get("wiped") or "") not in ("1", "on"):
            errors["wiped"] = "请确认数据已由认证方式擦除"
    if errors:
        return errors
    async with write_transaction():
        rows = await AssetDisposal.update({AssetDisposal.data_wiped: True, AssetDisposal.wipe_method: method, AssetDisposal.wipe_certificate: cert,
                                           AssetDisposal.wiped_by: user.display_name[:60], AssetDisposal.wiped_at: now()}).where(
            (AssetDisposal.request == request_id) & (AssetDisposal.data_wiped == False)).returning(AssetDisposal.asset)  # noqa: E712
        if not rows:
            return {"wipe_method": "数据擦除已登记，不能重复登记"}
        await audit.record(actor=user, action="assets.wipe", entity="asset_card", entity_id=rows[0]["asset"],
                           summary=f"{d['request.number']} 数据已由认证方式擦除：{method}，报告编号 {cert}",
                           before={"data_wiped": False}, after={"data_wiped": True, "method": method, "certificate": cert})
    return {}


# ------------------------------------------------------------------ register reads


BY_CUSTODIAN_SQL = """
SELECT e.id AS employee_id, e.name AS name, d.name AS department, COUNT(*) AS n, SUM(c.original_value) AS total
FROM asset_card c JOIN employee e ON e.id = c.custodian JOIN department d ON d.id = e.department
WHERE c.status = {} AND (e.id = {} OR {} = 1)
GROUP BY e.id, e.name, d.name ORDER BY total DESC, e.id
"""


async def by_custodian(user) -> list[dict[str, Any]]:
    """What each employee holds: count and original value of the cards in use, aggregated in SQL (GROUP BY).
    行政, 财务 and managers see everyone; others their own line."""
    everyone = 1 if sees_register(user) else 0
    rows = await AssetCard.raw(BY_CUSTODIAN_SQL, IN_USE, user.employee_id or 0, everyone)
    for r in rows:
        r["total"] = Decimal(str(r["total"] or 0)).quantize(Decimal("0.01"))
    return rows


async def history(card_id: int) -> list[dict[str, Any]]:
    return await AuditLog.select(AuditLog.at, AuditLog.actor_name, AuditLog.action, AuditLog.summary).where(
        (AuditLog.entity == "asset_card") & (AuditLog.entity_id == str(card_id))).order_by(AuditLog.at).order_by(AuditLog.id).limit(200)
