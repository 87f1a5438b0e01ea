"""Demo permits and filings (SPEC §C). Idempotent: each record is looked up by its natural key first.
Dates are relative to the day of seeding so the countdowns show something useful. FOR DEMONSTRATION ONLY.

- JC01 锦程·滨江府: an issued presale permit for its three buildings; JC02 锦程·云栖苑: an issued permit for
  1号楼 and 2号楼 and one 已申报 for 3号楼 (whose 48 units are 不可售 until it is issued).
- a 资质证书 expiring in 45 days; a 维修基金 account per project; a 在建工程抵押 for JC02;
  a 公积金 registration expiring in 50 days (and a bank agreement); this year's 开发规模审批; two overseas filings."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.core import audit
from app.core.timeutil import now, today_local
from app.estate.tables import Building, Project
from app.org.tables import Company, Employee
from app.permits import rules, services
from app.permits.kinds import KINDS
from app.permits.tables import (
    ConstructionMortgage,
    LoanAgreement,
    MaintenanceFund,
    OverseasFiling,
    PresaleBuilding,
    PresalePermit,
    Qualification,
    ScaleApproval,
)

NOTE = "演示数据"


async def _emp(username: str) -> int | None:
    row = await Employee.select(Employee.id).where(Employee.user.username == username).first()
    return row["id"] if row else None


async def _project(code: str) -> dict | None:
    return await Project.select(Project.id, Project.name).where(Project.code == code).first()


async def _buildings(project_id: int, names: list[str]) -> list[int]:
    rows = await Building.select(Building.id, Building.name).where((Building.project == project_id) & Building.name.is_in(names)).order_by(Building.id)
    return [r["id"] for r in rows]


async def _add(kind_slug: str, row, buildings: list[int] | None = None) -> None:
    kind = KINDS[kind_slug]
    stamp = now()
    row.created_at = stamp
    row.updated_at = stamp
    await row.save()
    if buildings and kind.m2m:
        join, col = kind.m2m
        await join.insert(*[join(**{col: row.id, "building": b}) for b in buildings])
    await services.sync_deadlines(kind, row.id)
    loaded = await services.load(kind, row.id)
    await audit.record(actor=None, action="permits.create", entity=kind.entity, entity_id=row.id, summary=f"导入{kind.name}：{loaded['title']}（{NOTE}）")


async def seed() -> None:
    await services.ensure_rules()
    from app.permits import projects

    await projects.ensure_defaults()  # C2 settings (协议选聘 limits) and the 资质升级 checklist
    await _seed_registers()
    await seed_projects()


async def _seed_registers() -> None:
    jc01, jc02 = await _project("JC01"), await _project("JC02")
    bureau, mortgage, mortgage2, contract = [await _emp(u) for u in ("bureau", "mortgage", "mortgage2", "contract")]
    if not (jc01 and jc02 and bureau):
        return  # the demo org is not there
    today = today_local()
    cabinet = "客服部档案柜 A-03"

    # 商品房预售许可证
    presale = [
        (jc01, "苏房预吴中字（2025）第0186号", ["1号楼", "2号楼", "3号楼"], "已取证", today - timedelta(days=300), today + timedelta(days=430), "苏州市住房和城乡建设局"),
        (jc02, "锡房预滨湖字（2026）第0042号", ["1号楼", "2号楼"], "已取证", today - timedelta(days=120), today + timedelta(days=610), "无锡市住房和城乡建设局"),
        (jc02, "", ["3号楼"], "已申报", None, None, "无锡市住房和城乡建设局"),
    ]
    for project, permit_no, names, status, issued, valid, authority in presale:
        building_ids = await _buildings(project["id"], names)
        exists = await PresaleBuilding.exists().where(PresaleBuilding.building.is_in(building_ids or [0]) & (PresaleBuilding.permit.status != "已注销"))
        if exists or not building_ids:
            continue
        await _add("presale", PresalePermit(
            project=project["id"], permit_no=permit_no, area_residential=Decimal("5280.64") * len(names), area_other=Decimal("0.00"),
            unit_count=48 * len(names), authority=authority, submitted_on=(issued or today) - timedelta(days=35), issued_on=issued,
            valid_until=valid, escrow_bank="中国建设银行" if project is jc01 else "中国工商银行",
            escrow_account="32250198753600001234" if project is jc01 else "1103020109000076543",
            checklist="\n".join(PRESALE_READY if status == "已申报" else _all_items()), displayed=status == "已取证", status=status,
            owner=bureau, original_at=cabinet, note=NOTE), building_ids)

    # 开发规模审批 (this year's)
    for project, status, applied, approved, number in (
        (jc01, "已批准", Decimal("9000.00"), Decimal("8500.00"), f"苏开规〔{today.year}〕017号"),
        (jc02, "已批准", Decimal("16000.00"), Decimal("15000.00"), f"锡开规〔{today.year}〕009号"),
    ):
        if await ScaleApproval.exists().where((ScaleApproval.project == project["id"]) & (ScaleApproval.year == today.year)):
            continue
        await _add("scale", ScaleApproval(
            project=project["id"], year=today.year, area_applied=applied, area_approved=approved, approval_no=number,
            due_on=rules.annual_due(today.year), applied_on=date(today.year, 1, 10), approved_on=date(today.year, 1, 25) if approved else None,
            status=status, owner=bureau, original_at=cabinet, note=NOTE))

    # 资质证书 expiring in 45 days
    company = await Company.select(Company.id).where(Company.name == "锦程房地产开发有限公司").first()
    if company and not await Qualification.exists().where(Qualification.cert_no == "JS-KF-2-0358"):
        await _add("qualification", Qualification(
            company=company["id"], cert_no="JS-KF-2-0358", grade="二级", regime="年报制", issued_on=today + timedelta(days=45) - timedelta(days=3 * 365),
            expires_on=today + timedelta(days=45), annual_due_on=rules.annual_due(today.year + 1), last_annual_on=date(today.year, 1, 20),
            active=True, owner=bureau, original_at="总经理办公室保险柜", note=NOTE))

    # 维修基金: one account per project
    for project, bank, account, basis, rate, cost, pct, handover in (
        (jc01, "中国银行苏州吴中支行", "5123 6688 0001", "固定标准", Decimal("60.00"), None, None, today + timedelta(days=5)),
        (jc02, "交通银行无锡滨湖支行", "3220 0061 8018 0000 0321", "造价比例", None, Decimal("2500.00"), Decimal("5.00"), today + timedelta(days=400)),
    ):
        if await MaintenanceFund.exists().where(MaintenanceFund.project == project["id"]):
            continue
        await _add("fund", MaintenanceFund(
            project=project["id"], bank=bank, account_no=account.replace(" ", ""), opened_on=today - timedelta(days=200), basis=basis,
            rate=rate if rate is not None else rules.rate_from_cost(cost, pct), cost_per_sqm=cost, percent=pct, handover_on=handover,
            owner=bureau, original_at=cabinet, note=NOTE))

    # 在建工程抵押 for JC02
    if not await ConstructionMortgage.exists().where(ConstructionMortgage.contract_no == "ZDY-2025-0815"):
        await _add("mortgage", ConstructionMortgage(
            project=jc02["id"], contract_no="ZDY-2025-0815", mortgagee="中国工商银行无锡分行", amount=Decimal("180000000.00"),
            cert_no="苏（2025）无锡市不动产证明第0231876号", registered_on=today - timedelta(days=180), start_on=today - timedelta(days=185),
            end_on=today + timedelta(days=75), status="已登记", owner=mortgage2 or mortgage or bureau, original_at="财务部档案室", note=NOTE),
            await _buildings(jc02["id"], ["1号楼", "2号楼", "3号楼"]))

    # 公积金项目备案 expiring in 50 days; a bank agreement
    for kind, institution, project, reg_no, start, end, ratio, line in (
        ("公积金项目备案", "苏州市住房公积金管理中心", jc01, "SZGJJ-XM-2024-0566", today - timedelta(days=680), today + timedelta(days=50), Decimal("5.00"), None),
        ("按揭合作协议", "中国建设银行苏州分行", jc01, "CCB-SZ-AJ-2025-031", today - timedelta(days=200), today + timedelta(days=530), Decimal("10.00"),
         Decimal("300000000.00")),
    ):
        if await LoanAgreement.exists().where(LoanAgreement.reg_no == reg_no):
            continue
        await _add("agreement", LoanAgreement(
            kind=kind, institution=institution, project=project["id"], reg_no=reg_no, start_on=start, end_on=end, deposit_ratio=ratio,
            credit_line=line, active=True, owner=mortgage or bureau, original_at="客服部档案柜 B-01", note=NOTE))

    # 境外购房备案
    for name, id_type, id_no, region, room, applied, approved, ref, status in (
        ("陈嘉欣", "港澳居民来往内地通行证", "H60123456", "中国香港", "2号楼 1102", today - timedelta(days=20), today - timedelta(days=6),
         f"JWGF-{today.year}-0012", "已批准"),
        ("TANAKA HIROSHI", "护照", "TR8827461", "日本", "1号楼 803", today - timedelta(days=5), None, "", "申请中"),
    ):
        if await OverseasFiling.exists().where(OverseasFiling.id_no == id_no):
            continue
        await _add("overseas", OverseasFiling(
            project=jc01["id"], buyer_name=name, id_type=id_type, id_no=id_no, region=region, room=room, applied_on=applied, approved_on=approved,
            reference_no=ref, status=status, owner=contract or bureau, original_at="客服部档案柜 C-02", note=NOTE))


PRESALE_READY = ["预售许可申请表", "营业执照及资质证书", "土地使用权证", "建设工程规划许可证", "建筑工程施工许可证", "投资达25%以上的证明（形象进度）"]


def _all_items() -> list[str]:
    return list(KINDS["presale"].field("checklist").choices)


async def seed_projects() -> None:
    """Demo 资质升级 (二级 → 一级, materials partly in) and 前期物业招标 (JC02, three steps done). Idempotent."""
    from piccolo.apps.user.tables import BaseUser

    from app.core.auth import load_user
    from app.permits import projects
    from app.permits.tables import PropertyTender, QualificationUpgrade, UpgradeItem

    async def user(name: str):
        row = await BaseUser.select(BaseUser.id).where(BaseUser.username == name).first()
        return await load_user(row["id"]) if row else None

    bureau, supervisor = await user("bureau"), await user("supervisor")
    today = today_local()
    q = await Qualification.select(Qualification.id).where(Qualification.cert_no == "JS-KF-2-0358").first()
    if bureau and q and not await QualificationUpgrade.exists():
        uid = await projects.open_upgrade(bureau, {"qualification": str(q["id"]), "target_grade": "一级",
                                                   "due_on": (today + timedelta(days=45)).isoformat(), "owner": str(bureau.employee_id)})
        for item in (await UpgradeItem.select(UpgradeItem.id).where(UpgradeItem.upgrade == uid).order_by(UpgradeItem.sort))[:4]:
            await projects.record_item(bureau, uid, item["id"], {"received_on": (today - timedelta(days=3)).isoformat(),
                                                                 "holder": str(bureau.employee_id), "document": "扫描件已上传"})
    jc02 = await _project("JC02")
    if supervisor and jc02 and not await PropertyTender.exists():
        tid = await projects.open_tender(supervisor, {"project": str(jc02["id"]), "total_area": "126800.00",
                                                      "due_on": (today + timedelta(days=120)).isoformat(), "owner": str(supervisor.employee_id)})
        from app.permits import rules as prules

        for i, step in enumerate(prules.TENDER_STEPS[:3]):
            await projects.record_step(supervisor, tid, {"step": step, "done_on": (today - timedelta(days=20 - 5 * i)).isoformat(),
                                                         "party": prules.TENDER_PARTY[step], "document": prules.TENDER_DOCUMENT[step]})
