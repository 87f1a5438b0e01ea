"""资质证书升级 as a project with its checklist (SPEC §C 5.9) and 前期物业招标 with its twelve steps (SPEC §C2): the
only writers of their tables. One transaction per action, one audit row per change, state moves by a conditional
UPDATE on the state the page showed (a stale page or a double click moves nothing twice), reminders through the
register's Deadline rows (kinds "upgrades" and "tenders", thresholds in ReminderRule)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import Parser
from app.core.timeutil import now, today_local
from app.permits import rules
from app.permits.tables import (
    Deadline,
    PermitSetting,
    PropertyTender,
    Qualification,
    QualificationUpgrade,
    TenderStep,
    UpgradeChecklistItem,
    UpgradeItem,
)


MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL: a larger one is a field message, not a database error


class ProjectError(Exception):
    def __init__(self, message: str, errors: dict[str, str] | None = None):
        super().__init__(message)
        self.message, self.errors = message, errors or {}


def _fail(p: Parser) -> None:
    if p.errors:
        raise ProjectError("请修正标出的字段", dict(p.errors))


def may_upgrade(user) -> bool:
    return (getattr(user, "role", "") or "") in rules.UPGRADE_WRITERS


def may_tender(user) -> bool:
    return (getattr(user, "role", "") or "") in rules.TENDER_WRITERS


def _int(p: Parser, name: str, label: str, *, required: bool = True, minimum: int, maximum: int) -> int | None:
    """An integer field, None when it failed (so an out-of-range id never reaches a query)."""
    n = p.integer(name, label, required=required, minimum=minimum, maximum=maximum)
    return None if name in p.errors else n


async def _check_employee(p: Parser, name: str, employee_id: int | None) -> None:
    """An owner or holder must be an active employee (an unknown id is a field message, never a database error)."""
    from app.org.tables import Employee

    if employee_id is not None and (employee_id <= 0 or employee_id > 2**31 - 1
                                    or not await Employee.exists().where((Employee.id == employee_id) & (Employee.active == True))):  # noqa: E712
        p.fail(name, "请选择在职员工")


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise PermissionDeniedException(message)


# ---------------------------------------------------------------- settings and reference data


async def ensure_defaults() -> None:
    """Seed the C2 settings and the upgrade checklist (keeps an administrator's edits)."""
    have = {r["key"] for r in await PermitSetting.select(PermitSetting.key)}
    new = [PermitSetting(key=k, label=label, value=v) for k, (label, v) in rules.TENDER_SETTINGS.items() if k not in have]
    if new:
        await PermitSetting.insert(*new)
    if not await UpgradeChecklistItem.exists():
        await UpgradeChecklistItem.insert(*[UpgradeChecklistItem(name=n, sort=i * 10, active=True) for i, n in enumerate(rules.UPGRADE_CHECKLIST)])


async def tender_settings() -> dict[str, Decimal]:
    out = {k: v for k, (_label, v) in rules.TENDER_SETTINGS.items()}
    for r in await PermitSetting.select(PermitSetting.key, PermitSetting.value).where(PermitSetting.key.is_in(list(out))):
        if r["value"] is not None and Decimal(str(r["value"])) >= 0:
            out[r["key"]] = Decimal(str(r["value"]))
    return out


async def _deadline(kind: str, record_id: int, item: str, label: str, due: date | None, open_: bool, owner: int, project: int | None) -> None:
    """Keep the record's one reminder row in step (inside the caller's transaction)."""
    from app.permits.remind import deadline_done

    row = await Deadline.select(Deadline.id, Deadline.due_on, Deadline.done).where(
        (Deadline.kind == kind) & (Deadline.record_id == record_id) & (Deadline.item == item)).first()
    if row is None:
        if due and open_:
            await Deadline.insert(Deadline(kind=kind, record_id=record_id, item=item, label=label[:200], owner=owner, project=project, due_on=due,
                                           done=False))
        return
    done = not (due and open_)
    values = {Deadline.label: label[:200], Deadline.owner: owner, Deadline.done: done}
    moved = bool(due and due != row["due_on"])
    if moved:
        values.update({Deadline.due_on: due, Deadline.notified_days: None, Deadline.notified_at: None})
    await Deadline.update(values).where(Deadline.id == row["id"])
    if (done and not row["done"]) or moved:
        await deadline_done(row["id"])


# ---------------------------------------------------------------- 资质升级


async def load_upgrade(upgrade_id: int) -> dict[str, Any]:
    if not 0 < upgrade_id <= MAX_ID:
        raise NotFoundException("没有这个资质升级项目")
    r = await QualificationUpgrade.select(QualificationUpgrade.all_columns(), QualificationUpgrade.qualification.cert_no,
                                          QualificationUpgrade.qualification.grade, QualificationUpgrade.qualification.expires_on,
                                          QualificationUpgrade.qualification.company.name, QualificationUpgrade.owner.name).where(
        QualificationUpgrade.id == upgrade_id).first()
    if not r:
        raise NotFoundException("没有这个资质升级项目")
    r["title"] = f"{r['qualification.company.name']} 资质升级：{r['from_grade']} → {r['target_grade']}"
    return r


async def upgrade_items(upgrade_id: int) -> list[dict[str, Any]]:
    return await UpgradeItem.select(UpgradeItem.all_columns(), UpgradeItem.holder.name).where(UpgradeItem.upgrade == upgrade_id).order_by(
        UpgradeItem.sort).order_by(UpgradeItem.id)


async def qualification_choices() -> list[tuple[str, str]]:
    rows = await Qualification.select(Qualification.id, Qualification.cert_no, Qualification.grade, Qualification.company.name).where(
        Qualification.active == True).order_by(Qualification.id)  # noqa: E712
    return [(str(r["id"]), f"{r['company.name']} {r['grade']} {r['cert_no']}") for r in rows]


async def open_upgrade(user, raw: Any) -> int:
    _require(may_upgrade(user), "只有房管局专员或客服主管、客服副经理可以发起资质升级")
    p = Parser(raw)
    qid = _int(p, "qualification", "资质证书", minimum=1, maximum=MAX_ID)
    target = p.choice("target_grade", "目标等级", rules.GRADE_ORDER)
    due = p.date("due_on", "计划申报日期", required=False)
    owner = _int(p, "owner", "负责人", minimum=1, maximum=MAX_ID)
    note = p.text("note", "备注", required=False, max_len=1000)
    q = None
    if qid is not None:
        q = await Qualification.select(Qualification.id, Qualification.grade, Qualification.active, Qualification.cert_no).where(
            Qualification.id == qid).first()
        if not q or not q["active"]:
            p.fail("qualification", "没有这张有效的资质证书")
    if q and target and not rules.higher_grade(q["grade"], target):
        p.fail("target_grade", f"目标等级应高于现有等级「{q['grade']}」")
    if q and not p.errors and await QualificationUpgrade.exists().where(
            (QualificationUpgrade.qualification == qid) & QualificationUpgrade.status.is_in(["准备中", "已申报", "审核中"])):
        p.fail("qualification", "该证书已有进行中的升级项目")
    if due and due < today_local():
        p.fail("due_on", "计划申报日期不能早于今天")
    await _check_employee(p, "owner", owner)
    _fail(p)
    await ensure_defaults()  # the admin's checklist (seeded with the SPEC defaults once)
    stamp = now()
    async with write_transaction():
        rows = await QualificationUpgrade.insert(QualificationUpgrade(
            qualification=qid, from_grade=q["grade"], target_grade=target, status="准备中", due_on=due, owner=owner, note=note,
            created_at=stamp, updated_at=stamp)).returning(QualificationUpgrade.id)
        uid = rows[0]["id"]
        names = await UpgradeChecklistItem.select(UpgradeChecklistItem.name, UpgradeChecklistItem.sort).where(
            UpgradeChecklistItem.active == True).order_by(UpgradeChecklistItem.sort)  # noqa: E712
        if names:
            await UpgradeItem.insert(*[UpgradeItem(upgrade=uid, name=n["name"], sort=n["sort"]) for n in names])
        r = await load_upgrade(uid)
        await _deadline("upgrades", uid, "submit", f"{r['title']} 计划申报", due, True, owner, None)
        await audit.record(actor=user, action="permits.upgrade_open", entity="permit_upgrade", entity_id=uid,
                           summary=f"发起{r['title']}（证书 {q['cert_no']}，材料 {len(names)} 项）", after={"target_grade": target, "status": "准备中"})
    return uid


async def record_item(user, upgrade_id: int, item_id: int, raw: Any) -> str:
    _require(may_upgrade(user), "只有房管局专员或客服主管、客服副经理可以登记升级材料")
    if not 0 < item_id <= MAX_ID:
        raise NotFoundException("没有这项材料")
    up = await load_upgrade(upgrade_id)
    p = Parser(raw)
    received = p.date("received_on", "收到日期")
    holder = _int(p, "holder", "经手人", required=False, minimum=1, maximum=MAX_ID)
    document = p.text("document", "文件编号/说明", required=False, max_len=100)
    if received and received > today_local():
        p.fail("received_on", "收到日期不能晚于今天")
    await _check_employee(p, "holder", holder)
    _fail(p)
    if up["status"] not in ("准备中", "已申报", "审核中"):
        raise ProjectError(f"升级项目已{up['status']}，材料不能再修改")
    async with write_transaction():
        rows = await UpgradeItem.update({UpgradeItem.received_on: received, UpgradeItem.holder: holder, UpgradeItem.document: document}).where(
            (UpgradeItem.id == item_id) & (UpgradeItem.upgrade == upgrade_id)).returning(UpgradeItem.name)
        if not rows:
            raise NotFoundException("没有这项材料")
        await QualificationUpgrade.update({QualificationUpgrade.updated_at: now()}).where(QualificationUpgrade.id == upgrade_id)
        await audit.record(actor=user, action="permits.upgrade_item", entity="permit_upgrade", entity_id=upgrade_id,
                           summary=f"{up['title']}：收到材料「{rows[0]['name']}」（{received}）", after={"item": rows[0]["name"], "received_on": received,
                                                                                                 "document": document})
    return f"已登记材料「{rows[0]['name']}」"


UPGRADE_ACTIONS = {  # code → (label, sources, target)
    "submit": ("提交申报", ("准备中",), "已申报"),
    "review": ("进入审核", ("已申报",), "审核中"),
    "approve": ("登记批准", ("审核中",), "已批准"),
    "reject": ("登记未通过", ("已申报", "审核中"), "未通过"),
}


def upgrade_actions(user, status: str) -> list[str]:
    return [c for c, (_l, sources, _t) in UPGRADE_ACTIONS.items() if status in sources] if may_upgrade(user) else []


async def upgrade_act(user, upgrade_id: int, code: str, raw: Any) -> str:
    _require(may_upgrade(user), "只有房管局专员或客服主管、客服副经理可以办理资质升级")
    if code not in UPGRADE_ACTIONS:
        raise NotFoundException("不支持该操作")
    label, sources, target = UPGRADE_ACTIONS[code]
    up = await load_upgrade(upgrade_id)
    p = Parser(raw)
    changes: dict[Any, Any] = {}
    today = today_local()
    if code == "submit":
        on = p.date("submitted_on", "申报日期")
        if on and on > today:
            p.fail("submitted_on", "申报日期不能晚于今天")
        missing = [i["name"] for i in await upgrade_items(upgrade_id) if not i["received_on"]]
        if missing:
            p.fail("submitted_on", f"申报材料尚缺 {len(missing)} 项：{'、'.join(missing[:5])}{'等' if len(missing) > 5 else ''}")
        changes = {QualificationUpgrade.submitted_on: on}
    elif code == "approve":
        on = p.date("approved_on", "批准日期")
        expires = p.date("new_expires_on", "新证有效期至")
        cert_no = p.text("new_cert_no", "新证书编号", required=False, max_len=60)
        if on and on > today:
            p.fail("approved_on", "批准日期不能晚于今天")
        if on and up["submitted_on"] and on < up["submitted_on"]:
            p.fail("approved_on", f"批准日期不能早于申报日期 {up['submitted_on']}")
        if on and expires and expires <= on:
            p.fail("new_expires_on", "有效期应晚于批准日期")
        changes = {QualificationUpgrade.approved_on: on, QualificationUpgrade.new_expires_on: expires, QualificationUpgrade.new_cert_no: cert_no}
    elif code == "reject":
        changes = {QualificationUpgrade.result_note: p.text("result_note", "未通过原因", max_len=500)}
    _fail(p)
    async with write_transaction():
        moved = await QualificationUpgrade.update({**changes, QualificationUpgrade.status: target, QualificationUpgrade.updated_at: now()}).where(
            (QualificationUpgrade.id == upgrade_id) & QualificationUpgrade.status.is_in(list(sources))).returning(QualificationUpgrade.id)
        if not moved:
            raise ProjectError(f"该升级项目当前为「{up['status']}」，不能{label}；请刷新页面")
        summary = f"{up['title']}：{label}，{up['status']} → {target}"
        if code == "approve":  # the certificate itself: new grade and expiry (and number, if a new certificate was issued)
            from app.permits.kinds import KINDS
            from app.permits.services import sync_deadlines

            cert = {Qualification.grade: up["target_grade"], Qualification.expires_on: changes[QualificationUpgrade.new_expires_on],
                    Qualification.issued_on: changes[QualificationUpgrade.approved_on], Qualification.updated_at: now()}
            if changes[QualificationUpgrade.new_cert_no]:
                cert[Qualification.cert_no] = changes[QualificationUpgrade.new_cert_no]
            await Qualification.update(cert).where(Qualification.id == up["qualification"])
            await sync_deadlines(KINDS["qualification"], up["qualification"])  # the expiry reminders follow the new date
            summary += f"；资质证书更新为{up['target_grade']}，有效期至 {changes[QualificationUpgrade.new_expires_on]}"
            await audit.record(actor=user, action="permits.upgrade_cert", entity="permit_qualification", entity_id=up["qualification"],
                               summary=f"资质升级获批（{up['title']}）", before={"grade": up["qualification.grade"],
                                                                          "expires_on": up["qualification.expires_on"]},
                               after={"grade": up["target_grade"], "expires_on": changes[QualificationUpgrade.new_expires_on]})
        await _deadline("upgrades", upgrade_id, "submit", f"{up['title']} 计划申报", up["due_on"], target == "准备中", up["owner"], None)
        await audit.record(actor=user, action=f"permits.upgrade_{code}", entity="permit_upgrade", entity_id=upgrade_id, summary=summary,
                           before={"status": up["status"]}, after={"status": target})
    return f"已{label}，状态：{target}"


# ---------------------------------------------------------------- 前期物业招标


async def load_tender(tender_id: int, user=None) -> dict[str, Any]:
    if not 0 < tender_id <= MAX_ID:
        raise NotFoundException("没有这个招标项目")
    r = await PropertyTender.select(PropertyTender.all_columns(), PropertyTender.project.name, PropertyTender.owner.name).where(
        PropertyTender.id == tender_id).first()
    if not r or (user is not None and not user.sees_project(r["project"])):
        raise NotFoundException("没有这个招标项目")
    r["title"] = f"{r['project.name']} 前期物业招标"
    return r


async def tender_steps(tender_id: int) -> list[dict[str, Any]]:
    return await TenderStep.select().where(TenderStep.tender == tender_id).order_by(TenderStep.seq)


async def open_tender(user, raw: Any) -> int:
    _require(may_tender(user), "前期物业招标由客服中心（客服主管）办理")
    from app.estate.tables import Project

    p = Parser(raw)
    project = _int(p, "project", "项目", minimum=1, maximum=MAX_ID)
    area = p.money("total_area", "总建筑面积（㎡）", required=False)
    due = p.date("due_on", "计划物业进驻日期", required=False)
    owner = _int(p, "owner", "负责人", minimum=1, maximum=MAX_ID)
    note = p.text("note", "备注", required=False, max_len=1000)
    if project is not None:
        if not await Project.exists().where(Project.id == project):
            p.fail("project", "没有这个项目")
        elif not user.sees_project(project):
            p.fail("project", "该项目不在您的数据范围内")
        elif await PropertyTender.exists().where((PropertyTender.project == project) & (PropertyTender.status != rules.DONE)):
            p.fail("project", "该项目已有进行中的前期物业招标")
    if area is not None and area <= 0:
        p.fail("total_area", "总建筑面积应大于 0")
    if due and due < today_local():
        p.fail("due_on", "计划物业进驻日期不能早于今天")
    await _check_employee(p, "owner", owner)
    _fail(p)
    stamp = now()
    async with write_transaction():
        rows = await PropertyTender.insert(PropertyTender(project=project, total_area=area, due_on=due, owner=owner, note=note, status=rules.TENDER_STEPS[0],
                                                          created_at=stamp, updated_at=stamp)).returning(PropertyTender.id)
        tid = rows[0]["id"]
        await TenderStep.insert(*[TenderStep(key=f"{tid}:{i + 1}", tender=tid, seq=i + 1, step=s) for i, s in enumerate(rules.TENDER_STEPS)])
        t = await load_tender(tid)
        await _deadline("tenders", tid, "move_in", f"{t['title']} 计划物业进驻", due, True, owner, project)
        await audit.record(actor=user, action="permits.tender_open", entity="permit_tender", entity_id=tid, summary=f"发起{t['title']}",
                           after={"status": rules.TENDER_STEPS[0]})
    return tid


async def record_step(user, tender_id: int, raw: Any) -> str:
    """Complete the step in hand (the form names it: a stale page completes nothing)."""
    _require(may_tender(user), "前期物业招标由客服中心（客服主管）办理")
    t = await load_tender(tender_id, user)
    p = Parser(raw)
    step = p.choice("step", "环节", rules.TENDER_STEPS)
    on = p.date("done_on", "完成日期")
    party = p.text("party", "责任方", max_len=60)
    document = p.text("document", "文件", max_len=100)
    note = p.text("note", "说明", required=False, max_len=200)
    winner = p.text("winner", "中标物业公司", max_len=100) if step == "中标备案" else ""
    steps = await tender_steps(tender_id)
    if step and step != t["status"]:
        raise ProjectError(f"当前环节是「{t['status']}」，不能登记「{step}」；请刷新页面")
    done = [s for s in steps if s["done_on"]]
    last = max((s["done_on"] for s in done), default=None)
    if on and on > today_local():
        p.fail("done_on", "完成日期不能晚于今天")
    if on and last and on < last:
        p.fail("done_on", f"完成日期不能早于上一环节的完成日期 {last}")
    _fail(p)
    row = next(s for s in steps if s["step"] == step)
    after = rules.next_step([{**s, "done_on": on if s["id"] == row["id"] else s["done_on"]} for s in steps], step)
    async with write_transaction():
        moved = await PropertyTender.update({PropertyTender.status: after, PropertyTender.updated_at: now(),
                                             **({PropertyTender.winner: winner} if winner else {})}).where(
            (PropertyTender.id == tender_id) & (PropertyTender.status == step)).returning(PropertyTender.id)
        if not moved:
            raise ProjectError("该环节刚被他人登记；请刷新页面")
        await TenderStep.update({TenderStep.done_on: on, TenderStep.party: party, TenderStep.document: document, TenderStep.note: note,
                                 TenderStep.done_at: now()}).where(TenderStep.id == row["id"])
        await _deadline("tenders", tender_id, "move_in", f"{t['title']} 计划物业进驻", t["due_on"], after != rules.DONE, t["owner"], t["project"])
        await audit.record(actor=user, action="permits.tender_step", entity="permit_tender", entity_id=tender_id,
                           summary=f"{t['title']}：{step}（{on}，{party}，{document}）" + (f"，中标：{winner}" if winner else ""),
                           before={"status": step}, after={"status": after})
    return f"已登记「{step}」" + ("，招标已完成" if after == rules.DONE else f"，下一环节：{after}")


async def go_direct(user, tender_id: int, raw: Any) -> str:
    """协议选聘: fewer than N bidders or a small estate (settings), and only with the district/county housing authority's
    approval (number and date). The steps from 招标公告 to 评标 are then skipped."""
    _require(may_tender(user), "前期物业招标由客服中心（客服主管）办理")
    t = await load_tender(tender_id, user)
    limits = await tender_settings()
    p = Parser(raw)
    reason = p.choice("direct_reason", "协议选聘理由", rules.DIRECT_REASONS)
    bidders = _int(p, "bidders", "投标人数量", required=False, minimum=0, maximum=999)
    authority = p.text("direct_authority", "批准机关", max_len=100)
    number = p.text("direct_approval_no", "批准文号", max_len=60)
    on = p.date("direct_approved_on", "批准日期")
    if bidders is not None and bidders < 0:
        p.fail("bidders", "投标人数量不能为负数")
    if reason:
        refusal = rules.direct_allowed(reason, bidders, Decimal(str(t["total_area"])) if t["total_area"] is not None else None,
                                       int(limits["tender_min_bidders"]), limits["tender_small_area"])
        if refusal:
            p.fail("bidders" if reason == "投标人不足" else "direct_reason", refusal)
    if authority and not any(w in authority for w in ("区", "县")):
        p.fail("direct_authority", "协议选聘须经区、县人民政府房地产行政主管部门批准，请填写批准机关全称")
    if on and on > today_local():
        p.fail("direct_approved_on", "批准日期不能晚于今天")
    _fail(p)
    if t["mode"] == "协议选聘":
        raise ProjectError("该项目已改为协议选聘")
    if not rules.may_go_direct(t["status"]):
        raise ProjectError(f"招标公告已发布（当前环节「{t['status']}」），不能改为协议选聘")
    steps = await tender_steps(tender_id)
    marked = [{**s, "skipped": s["skipped"] or s["step"] in rules.DIRECT_SKIPS} for s in steps]
    current = t["status"]
    after = current if current not in rules.DIRECT_SKIPS else rules.next_step(marked, rules.DIRECT_SKIPS[-1])
    async with write_transaction():
        moved = await PropertyTender.update({
            PropertyTender.mode: "协议选聘", PropertyTender.direct_reason: reason, PropertyTender.bidders: bidders,
            PropertyTender.direct_authority: authority, PropertyTender.direct_approval_no: number, PropertyTender.direct_approved_on: on,
            PropertyTender.status: after, PropertyTender.updated_at: now()}).where(
            (PropertyTender.id == tender_id) & (PropertyTender.status == current) & (PropertyTender.mode == "公开招标")).returning(PropertyTender.id)
        if not moved:
            raise ProjectError("该招标项目刚被他人修改；请刷新页面")
        await TenderStep.update({TenderStep.skipped: True}).where((TenderStep.tender == tender_id) & TenderStep.step.is_in(list(rules.DIRECT_SKIPS)))
        await audit.record(actor=user, action="permits.tender_direct", entity="permit_tender", entity_id=tender_id,
                           summary=f"{t['title']} 改为协议选聘（{reason}{f'，投标人 {bidders} 个' if bidders is not None else ''}；{authority} {number}，{on}）",
                           before={"mode": "公开招标", "status": current}, after={"mode": "协议选聘", "status": after})
    return f"已改为协议选聘（{authority} {number}），跳过招标公告至评标"
