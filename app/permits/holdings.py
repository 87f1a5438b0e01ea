"""离职交接 provider (app/hr_exit/holdings.py): the 证件及手续 items the leaver is 负责人 (owner) of while they are still
open by their own state — a presale permit not 已注销, a scale approval not 已批准, an active qualification or loan
agreement, a maintenance fund with its handover deadline still open, a construction mortgage 办理中/已登记, an overseas
filing 申请中, a qualification upgrade not decided, a property tender not 已完成 — and the upgrade materials the leaver
keeps (holder) for an upgrade still open. Each is handed to a colleague; a register record's deadline rows follow its
owner (services.sync_deadlines, the reminders go to the new owner).

One provider serves several tables, so a holding's record_id carries the table: code × 100 000 000 + the row's id
(ids stay far below that; the sum stays a positive 32-bit integer as the sweep's form expects)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.timeutil import now
from app.hr_exit.holdings import REASSIGN, Holding, HoldingError, receiver

BASE = 100_000_000


@dataclass(frozen=True)
class Spec:
    code: int
    name: str  # shown as the holding's kind
    table: str
    entity: str  # the audit entity (the table's name)
    slug: str  # permits.kinds slug ("" for the project-like registers)
    column: str  # owner | holder
    sql: str  # SELECT code, id, status, place, ident of the open rows matching {who}; one branch of the UNION


_OPEN_UPGRADE = "('准备中', '已申报', '审核中')"
SPECS = (
    Spec(1, "预售许可证", "permit_presale", "permit_presale", "presale", "owner",
         "SELECT 1 AS code, t.id AS id, t.status AS status, p.name AS place, t.permit_no AS ident FROM permit_presale t "
         "JOIN project p ON p.id = t.project WHERE {who} AND t.status <> '已注销'"),
    Spec(2, "开发规模审批", "permit_scale", "permit_scale", "scale", "owner",
         "SELECT 2 AS code, t.id AS id, t.status AS status, p.name AS place, CAST(t.year AS VARCHAR(10)) AS ident FROM permit_scale t JOIN project p ON p.id = t.project "
         "WHERE {who} AND t.status <> '已批准'"),
    Spec(3, "资质证书", "permit_qualification", "permit_qualification", "qualification", "owner",
         "SELECT 3 AS code, t.id AS id, '有效' AS status, c.name AS place, t.cert_no AS ident FROM permit_qualification t JOIN company c ON c.id = t.company "
         "WHERE {who} AND t.active = TRUE"),
    Spec(4, "维修基金专户", "permit_fund", "permit_fund", "fund", "owner",
         "SELECT 4 AS code, t.id AS id, '交付前缴清' AS status, p.name AS place, t.account_no AS ident FROM permit_fund t JOIN project p ON p.id = t.project "
         "WHERE {who} AND EXISTS (SELECT 1 FROM permit_deadline d WHERE d.kind = 'fund' AND d.record_id = t.id "
         "AND d.done = FALSE)"),
    Spec(5, "在建工程抵押", "permit_mortgage", "permit_mortgage", "mortgage", "owner",
         "SELECT 5 AS code, t.id AS id, t.status AS status, p.name AS place, t.contract_no AS ident FROM permit_mortgage t JOIN project p ON p.id = t.project "
         "WHERE {who} AND t.status IN ('办理中', '已登记')"),
    Spec(6, "公积金/按揭协议", "permit_agreement", "permit_agreement", "agreement", "owner",
         "SELECT 6 AS code, t.id AS id, '有效' AS status, p.name AS place, t.institution AS ident FROM permit_agreement t JOIN project p ON p.id = t.project "
         "WHERE {who} AND t.active = TRUE"),
    Spec(7, "境外购房备案", "permit_overseas", "permit_overseas", "overseas", "owner",
         "SELECT 7 AS code, t.id AS id, t.status AS status, p.name AS place, t.buyer_name AS ident FROM permit_overseas t JOIN project p ON p.id = t.project "
         "WHERE {who} AND t.status = '申请中'"),
    Spec(8, "资质升级", "permit_upgrade", "permit_upgrade", "", "owner",
         "SELECT 8 AS code, t.id AS id, t.status AS status, c.name AS place, t.target_grade AS ident FROM permit_upgrade t JOIN permit_qualification q ON q.id = t.qualification "
         "JOIN company c ON c.id = q.company WHERE {who} AND t.status IN " + _OPEN_UPGRADE),
    Spec(9, "前期物业招标", "permit_tender", "permit_tender", "", "owner",
         "SELECT 9 AS code, t.id AS id, t.status AS status, p.name AS place, t.mode AS ident FROM permit_tender t JOIN project p ON p.id = t.project "
         "WHERE {who} AND t.status <> '已完成'"),
    Spec(10, "资质升级材料保管", "permit_upgrade_item", "permit_upgrade", "", "holder",
         "SELECT 10 AS code, t.id AS id, u.status AS status, c.name AS place, t.name AS ident FROM permit_upgrade_item t JOIN permit_upgrade u ON u.id = t.upgrade "
         "JOIN permit_qualification q ON q.id = u.qualification JOIN company c ON c.id = q.company "
         "WHERE {who} AND t.received_on IS NOT NULL AND u.status IN " + _OPEN_UPGRADE),
)
BY_CODE = {s.code: s for s in SPECS}
# the audit entities written (every spec's entity is one of them; named here so the audit-name scan can read them)
ENTITIES = ("permit_presale", "permit_scale", "permit_qualification", "permit_fund", "permit_mortgage", "permit_agreement",
            "permit_overseas", "permit_upgrade", "permit_tender")
PROJECT_DEADLINES = {8: "upgrades", 9: "tenders"}  # Deadline.kind of app/permits/projects.py


def encode(code: int, row_id: int) -> int:
    return code * BASE + row_id


def decode(record_id: int) -> tuple[Spec | None, int]:
    return BY_CODE.get(record_id // BASE), record_id % BASE


def _url(spec: Spec, row_id: int) -> str:
    if spec.code == 8:
        return f"/permits/upgrades/{row_id}"
    if spec.code == 9:
        return f"/permits/tenders/{row_id}"
    if spec.code == 10:
        return "/permits/upgrades"
    return f"/permits/{spec.slug}/{row_id}"


async def held_by(employee_id: int) -> list[Holding]:
    from app.permits.tables import PresalePermit

    emp = int(employee_id)
    union = " UNION ALL ".join(s.sql.format(who=f"t.{s.column} = {emp}") for s in SPECS)
    rows = await PresalePermit.raw(f"SELECT * FROM ({union}) AS h ORDER BY code, id LIMIT 500")
    out = []
    for r in rows:
        spec = BY_CODE[int(r["code"])]
        label = " ".join(x for x in (r["place"] or "", r["ident"] or "") if x) + f"（{r['status']}）"
        out.append(Holding(spec.name, label, encode(spec.code, int(r["id"])), _url(spec, int(r["id"])), REASSIGN))
    return out


async def reassign(record_id: int, to_employee_id: int, actor: Any) -> None:
    from app.permits import services
    from app.permits.kinds import KINDS
    from app.permits.tables import Deadline, PropertyTender, QualificationUpgrade, UpgradeItem

    spec, row_id = decode(record_id)
    entity = spec.entity if spec else ""
    if spec is None or entity not in ENTITIES:
        raise HoldingError("没有这项证件手续")
    async with write_transaction():
        found = await QualificationUpgrade.raw(spec.sql.format(who=f"t.id = {int(row_id)}"))  # still open?
        if not found:
            raise HoldingError("这项证件手续已经办结或不存在，请刷新页面")
        to = await receiver(to_employee_id, "接手的负责人")
        table = {8: QualificationUpgrade, 9: PropertyTender, 10: UpgradeItem}.get(spec.code) or KINDS[spec.slug].table
        col = getattr(table, spec.column)
        before = await table.select(col, getattr(table, spec.column).name).where(table.id == row_id).first()
        changes = {col: to_employee_id}
        if hasattr(table, "updated_at"):
            changes[table.updated_at] = now()
        await table.update(changes).where(table.id == row_id)
        if spec.slug:
            await services.sync_deadlines(KINDS[spec.slug], row_id)  # the deadline rows' owner follows the record
        elif spec.code in PROJECT_DEADLINES:  # app/permits/projects.py's own deadline rows of an upgrade / a tender
            await Deadline.update({Deadline.owner: to_employee_id}).where(
                (Deadline.kind == PROJECT_DEADLINES[spec.code]) & (Deadline.record_id == row_id))
        who = "材料保管人" if spec.column == "holder" else "负责人"
        entity_id = row_id
        if spec.code == 10:
            entity_id = (await UpgradeItem.select(UpgradeItem.upgrade).where(UpgradeItem.id == row_id).first())["upgrade"]
        await audit.record(actor=actor, action="hr_exit.permit_reassign", entity=entity, entity_id=entity_id,
                           summary=f"{spec.name} {' '.join(x for x in (found[0]['place'] or '', found[0]['ident'] or '') if x)} "
                                   f"{who}由 {(before or {}).get(spec.column + '.name') or '（无）'} 改为 {to['name']}（离职交接）",
                           before={spec.column: (before or {}).get(spec.column)}, after={spec.column: to_employee_id},
                           ip=getattr(actor, "ip", ""))
