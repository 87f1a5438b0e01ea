"""证件及手续: the only place that writes the registers. One transaction per action, one audit row per change,
state changes by a conditional UPDATE on the current state, deadlines kept in step with their records."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from litestar.exceptions import NotFoundException, PermissionDeniedException
from markupsafe import Markup

from app.core import audit
from app.core.db import write_transaction
from app.core.scope import project_clause
from app.core.tables import AuditLog
from app.core.timeutil import now, today_local
from app.core.validators import mask_id_number
from app.estate.tables import Building, Project, Unit
from app.permits import forms, rules
from app.permits.kinds import KINDS, Kind, title_of
from app.permits.rules import ActionField, Transition
from app.permits.tables import (
    Deadline,
    FundPayment,
    MaintenanceFund,
    PresaleBuilding,
    Qualification,
    ReminderLog,
    ReminderRule,
    ScaleApproval,
)

SOLD = ["已签约", "已备案", "已交付", "已办证"]  # units whose buyer pays the maintenance fund; signed area for 开发规模
STATE_COLOURS = {
    "材料准备": "secondary", "待申报": "secondary", "办理中": "yellow", "已申报": "yellow", "申请中": "yellow",
    "现场查勘": "orange", "已取证": "green", "已批准": "green", "已登记": "green", "已变更": "azure",
    "已注销": "secondary", "未通过": "red",
}

# Extra actions that are not state changes.
EXTRA_ACTIONS: dict[str, tuple[Transition, ...]] = {
    "qualification": (Transition("annual", "登记年检/年报", (), "", (ActionField("done_on", "年检/年报日期", "date"),)),),
    "fund": (Transition("pay", "登记缴存", (), "", (
        ActionField("unit", "房源", "unit"), ActionField("paid_on", "缴存日期", "date"), ActionField("receipt_no", "缴款凭证号"))),),
}


class PermitError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


def kind_or_404(slug: str) -> Kind:
    kind = KINDS.get(slug)
    if kind is None:
        raise NotFoundException("没有这类证件")
    return kind


def check_write(user, kind: Kind) -> None:
    if not rules.may_write(getattr(user, "role", None), kind.slug):
        raise PermissionDeniedException(f"您的岗位不能登记或修改{kind.name}")


def state_badge(state: str) -> Markup:
    colour = STATE_COLOURS.get(state, "secondary")
    return Markup('<span class="badge bg-{}-lt" data-status="{}">{}</span>').format(colour, state, state)


def level_badge(days: int, lvl: str) -> Markup:
    label, colour = rules.LEVELS[lvl]
    return Markup('<span class="badge bg-{}-lt portal-countdown" data-level="{}" data-days="{}" title="{}">{}</span>').format(
        colour, lvl, days, label, rules.countdown_text(days))


def scope_clause(table, user):
    """Project scope: officers see the projects they are assigned to (SPEC D privacy: role- and project-scoped access)."""
    return None if user is None else project_clause(table.project, user)


# ---- reading ----------------------------------------------------------------------------------------------------

def _select_columns(kind: Kind) -> list:
    t = kind.table
    cols = [*t.all_columns(), t.owner.name, t.owner.user]
    if kind.project_scoped:
        cols += [t.project.name, t.project.code]
    if kind.slug == "qualification":
        cols += [t.company.name]
    return cols


MAX_ID = 2**31 - 1  # an id beyond the INTEGER range cannot exist (and must not reach PostgreSQL)


async def load(kind: Kind, record_id: int, user=None) -> dict[str, Any]:
    if not 0 < record_id <= MAX_ID:
        raise NotFoundException(f"{kind.name}不存在")
    row = await kind.table.select(*_select_columns(kind)).where(kind.table.id == record_id).first()
    if not row:
        raise NotFoundException(f"{kind.name}不存在")
    if user is not None and kind.project_scoped and not user.sees_project(row["project"]):
        raise PermissionDeniedException("该项目不在您的负责范围内")
    row["title"] = title_of(kind, row)
    return row


async def buildings_of(kind: Kind, record_id: int) -> list[dict[str, Any]]:
    if not kind.m2m:
        return []
    join, col = kind.m2m
    return await join.select(join.building.id, join.building.name).where(getattr(join, col) == record_id).order_by(join.building.id)


async def history(kind: Kind, record_id: int) -> list[dict[str, Any]]:
    return await AuditLog.select(AuditLog.at, AuditLog.actor_name, AuditLog.action, AuditLog.summary).where(
        (AuditLog.entity == kind.entity) & (AuditLog.entity_id == str(record_id))).order_by(AuditLog.id, ascending=False).limit(100)


async def load_rules() -> dict[str, tuple[tuple[int, ...], int]]:
    """Reminder thresholds per item: the admin's ReminderRule rows over the SPEC defaults."""
    out = {k: (r.days, rules.DEFAULT_AMBER_PERCENT) for k, r in rules.DEFAULT_RULES.items()}
    for r in await ReminderRule.select(ReminderRule.key, ReminderRule.days, ReminderRule.amber_percent):
        default = rules.DEFAULT_RULES.get(r["key"])
        pct = r["amber_percent"] if r["amber_percent"] is not None and 0 <= r["amber_percent"] <= 100 else rules.DEFAULT_AMBER_PERCENT
        out[r["key"]] = (rules.parse_days(r["days"], default.days if default else ()), pct)
    return out


async def ensure_rules() -> int:
    """Add the SPEC default reminder rules that are missing (keeps an administrator's edits)."""
    added = 0
    for r in rules.DEFAULT_RULES.values():
        if not await ReminderRule.exists().where(ReminderRule.key == r.key):
            await ReminderRule.insert(ReminderRule(key=r.key, label=r.label, days=",".join(str(d) for d in r.days),
                                                   amber_percent=rules.DEFAULT_AMBER_PERCENT))
            added += 1
    return added


def countdown(due_on: date, rule_key: str, rule_map: dict, today: date | None = None) -> dict[str, Any]:
    days = rules.days_left(due_on, today or today_local())
    thresholds, pct = rule_map.get(rule_key, ((), rules.DEFAULT_AMBER_PERCENT))
    lvl = rules.level(days, thresholds, pct)
    return {"days": days, "level": lvl, "html": level_badge(days, lvl), "text": rules.countdown_text(days),
            "thresholds": thresholds}


async def decorate_list(kind: Kind, rows: list[dict[str, Any]]) -> None:
    """Per page row: the state tag, the soonest open deadline's countdown, masked IDs, link labels."""
    ids = [r["id"] for r in rows]
    due: dict[int, dict] = {}
    if ids:
        for d in await Deadline.select(Deadline.record_id, Deadline.item, Deadline.due_on).where(
                (Deadline.kind == kind.slug) & (Deadline.done == False) & Deadline.record_id.is_in(ids)).order_by(Deadline.due_on):  # noqa: E712
            due.setdefault(d["record_id"], d)
    rule_map = await load_rules() if due else {}
    for r in rows:
        if "status" in r:
            r["status_html"] = state_badge(r["status"])
        d = due.get(r["id"])
        r["countdown_html"] = countdown(d["due_on"], f"{kind.slug}.{d['item']}", rule_map)["html"] if d else ""
        if kind.slug == "presale":
            r["label"] = r.get("permit_no") or "（未取证）"
        elif kind.slug == "scale":
            r["label"] = f'{r["year"]} 年度'
        elif kind.slug == "fund":
            r["label"] = r.get("project.name")
        elif kind.slug == "overseas":
            r["id_masked"] = mask_id_number(r.get("id_no") or "")
        if "active" in r:
            r["active_text"] = "有效" if r["active"] else "已失效"


# ---- deadlines --------------------------------------------------------------------------------------------------

async def unpaid_units(project_id: int) -> int:
    return await Unit.count().where((Unit.project == project_id) & Unit.status.is_in(SOLD) & Unit.id.not_in(FundPayment.select(FundPayment.unit)))


async def deadline_specs(kind: Kind, r: dict[str, Any]) -> list[tuple[str, str, date | None, bool]]:
    """(item, label, date, open) for each dated item of a record."""
    title = title_of(kind, r)
    s = r.get("status")
    if kind.slug == "presale":
        return [("validity", f"{title} 有效期届满", r.get("valid_until"), s in ("已取证", "已变更"))]
    if kind.slug == "scale":
        return [("annual", f"{title} 申报及批复", r.get("due_on"), s != "已批准")]
    if kind.slug == "qualification":
        return [("expiry", f"{title} 到期", r.get("expires_on"), bool(r.get("active"))),
                ("annual", f"{title} 年检/年报", r.get("annual_due_on"), bool(r.get("active")))]
    if kind.slug == "fund":
        # open until every sold unit has paid (before the first sale there is nothing paid yet, so it stays open)
        sold = await Unit.count().where((Unit.project == r["project"]) & Unit.status.is_in(SOLD))
        open_ = bool(r.get("handover_on")) and (sold == 0 or await unpaid_units(r["project"]) > 0)
        return [("handover", f"{title} 交付前缴清维修基金", r.get("handover_on"), open_)]
    if kind.slug == "mortgage":
        return [("expiry", f"{title} 抵押期限届满", r.get("end_on"), s in ("办理中", "已登记"))]
    if kind.slug == "agreement":
        return [("expiry", f"{title} 到期", r.get("end_on"), bool(r.get("active")))]
    return []


async def sync_deadlines(kind: Kind, record_id: int) -> None:
    """Bring the record's deadline rows in step with it (call inside the action's transaction). A changed date
    starts its reminders afresh; a deadline done or moved closes the reminders sent about it. Serialised per record, so
    two workers' resync_funds (or a worker and a user's action) never both insert the same missing deadline."""
    from app.core.claims import serialise

    await serialise(f"permit-deadlines:{kind.slug}:{record_id}")
    r = await load(kind, record_id)
    for item, label, due, open_ in await deadline_specs(kind, r):
        existing = await Deadline.select(Deadline.id, Deadline.due_on, Deadline.done).where(
            (Deadline.kind == kind.slug) & (Deadline.record_id == record_id) & (Deadline.item == item)).first()
        values = {Deadline.label: label[:200], Deadline.owner: r["owner"], Deadline.project: r.get("project"), Deadline.done: not (due and open_)}
        if existing is None:
            if due and open_:
                await Deadline.insert(Deadline(kind=kind.slug, record_id=record_id, item=item, label=label[:200], owner=r["owner"],
                                               project=r.get("project"), due_on=due, done=False))
            continue
        moved = bool(due and due != existing["due_on"])
        if moved:
            values.update({Deadline.due_on: due, Deadline.notified_days: None, Deadline.notified_at: None})
        await Deadline.update(values).where(Deadline.id == existing["id"])
        if (values[Deadline.done] and not existing["done"]) or moved:  # done, or renewed to a new date: its reminders are answered
            from app.permits.remind import deadline_done

            await deadline_done(existing["id"])


# ---- writing ----------------------------------------------------------------------------------------------------

def _jsonable(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in ("created_at", "updated_at")}


def _unique_violation(exc: Exception) -> bool:
    return "unique" in f"{type(exc).__name__} {exc}".lower()


async def _check_unique(kind: Kind, data: dict[str, Any], record_id: int | None) -> None:
    t = kind.table
    if kind.slug == "scale" and data.get("project") and data.get("year"):
        q = t.exists().where((t.project == data["project"]) & (t.year == data["year"]))
        if record_id:
            q = q.where(t.id != record_id)
        if await q:
            raise forms.FormError({"year": f"该项目 {data['year']} 年度的开发规模审批已登记"})
    if kind.slug == "fund" and data.get("project"):
        q = t.exists().where(t.project == data["project"])
        if record_id:
            q = q.where(t.id != record_id)
        if await q:
            raise forms.FormError({"project": "该项目已登记维修基金专户"})


async def _write_buildings(kind: Kind, record_id: int, building_ids: list[int] | None) -> None:
    if not kind.m2m or building_ids is None:
        return
    join, col = kind.m2m
    await join.delete().where(getattr(join, col) == record_id)
    if building_ids:
        await join.insert(*[join(**{col: record_id, "building": b}) for b in building_ids])


async def create(user, kind: Kind, raw: Any) -> int:
    check_write(user, kind)
    parsed = await forms.parse_record(kind, raw, user)
    data = parsed.data
    try:
        async with write_transaction():
            await _check_unique(kind, data, None)
            stamp = now()
            row = kind.table(**data, created_at=stamp, updated_at=stamp)
            await row.save()
            await _write_buildings(kind, row.id, parsed.buildings)
            await sync_deadlines(kind, row.id)
            r = await load(kind, row.id)
            await audit.record(actor=user, action="permits.create", entity=kind.entity, entity_id=row.id,
                               summary=f"登记{kind.name}：{r['title']}", after={**_jsonable(_safe(kind, data)), "buildings": parsed.buildings})
    except forms.FormError:
        raise
    except Exception as e:  # a unique index caught a concurrent duplicate
        if _unique_violation(e):
            raise forms.FormError({"project": "该记录已存在（可能刚由他人登记），请刷新后核对"}) from None
        raise
    return row.id


async def update(user, kind: Kind, record_id: int, raw: Any) -> None:
    check_write(user, kind)
    before = await load(kind, record_id, user)
    parsed = await forms.parse_record(kind, raw, user, before)
    data = parsed.data
    try:
        async with write_transaction():
            await _check_unique(kind, data, record_id)
            old_buildings = [b["building.id"] for b in await buildings_of(kind, record_id)]
            await kind.table.update({**{getattr(kind.table, k): v for k, v in data.items()}, kind.table.updated_at: now()}).where(
                kind.table.id == record_id)
            await _write_buildings(kind, record_id, parsed.buildings)
            await sync_deadlines(kind, record_id)
            changed = {k: v for k, v in data.items() if before.get(k) != v}
            old_values = {k: before.get(k) for k in changed}
            if parsed.buildings is not None and sorted(parsed.buildings) != sorted(old_buildings):
                changed["buildings"], old_values["buildings"] = parsed.buildings, old_buildings
            labels = "、".join((kind.field(k).label if kind.field(k) else k) for k in changed) or "无变化"
            await audit.record(actor=user, action="permits.update", entity=kind.entity, entity_id=record_id,
                               summary=f"修改{kind.name}：{before['title']}（{labels}）", before=_safe(kind, old_values), after=_safe(kind, changed))
    except forms.FormError:
        raise
    except Exception as e:
        if _unique_violation(e):
            raise forms.FormError({"project": "与已有记录重复，请核对"}) from None
        raise


def _safe(kind: Kind, d: dict[str, Any]) -> dict[str, Any]:
    """What goes into the audit log: ID numbers masked (SPEC D 保密)."""
    out = dict(d)
    if "id_no" in out and out["id_no"]:
        out["id_no"] = mask_id_number(out["id_no"])
    return out


def available_actions(user, kind: Kind, record: dict[str, Any]) -> list[Transition]:
    """What this user may do now on the record (the template shows only these)."""
    if not rules.may_write(getattr(user, "role", None), kind.slug):
        return []
    out = rules.transitions_from(kind.slug, record["status"]) if "status" in record and kind.states else []
    if kind.slug == "qualification" and record.get("active") and record.get("regime") != "延续制":
        out = [*out, *EXTRA_ACTIONS["qualification"]]
    if kind.slug == "fund":
        out = [*out, *EXTRA_ACTIONS["fund"]]
    return out


async def act(user, kind: Kind, record_id: int, code: str, raw: Any) -> str:
    """Run a state action or an extra action. Returns the message to show."""
    check_write(user, kind)
    if kind.slug in EXTRA_ACTIONS and code in {a.code for a in EXTRA_ACTIONS[kind.slug]}:
        if kind.slug == "qualification":
            return await record_annual(user, record_id, raw)
        return await record_payment(user, record_id, raw)
    t = rules.transition(kind.slug, code)
    if t is None:
        raise NotFoundException("不支持该操作")
    record = await load(kind, record_id, user)
    values = forms.parse_action(t.fields, raw)
    _check_action_dates(kind, record, values)
    table = kind.table
    stored = {k: v for k, v in values.items() if k != "note"}
    note = values.get("note") or ""
    async with write_transaction():
        # the state check and the write are one statement: a concurrent action cannot slip in between
        changed = await table.update({**{getattr(table, k): v for k, v in stored.items()}, table.status: t.target, table.updated_at: now()}).where(
            (table.id == record_id) & table.status.is_in(list(t.sources))).returning(table.id)
        if not changed:
            current = await table.select(table.status).where(table.id == record_id).first()
            raise PermitError(rules.refusal(kind.slug, code, current["status"] if current else "未知"))
        released = 0
        if kind.slug == "presale" and t.target == "已取证":
            released = await release_units(record_id)
        await sync_deadlines(kind, record_id)
        after = {"status": t.target, **stored}
        summary = f"{t.label}：{record['title'] if code != 'issue' else title_of(kind, {**record, **stored})}，{record['status']} → {t.target}"
        if kind.slug == "presale" and t.target == "已取证":
            after["units_released"] = released
            summary += f"，{released} 套房源由“不可售”变为“可售”"
        if note:
            summary += f"（{note}）"
        await audit.record(actor=user, action=f"permits.{code}", entity=kind.entity, entity_id=record_id, summary=summary,
                           before={"status": record["status"]}, after=after)
    message = f"已{t.label}，状态：{t.target}"
    if kind.slug == "presale" and t.target == "已取证":
        message += f"；{released} 套房源已变为可售"
    return message


def _check_action_dates(kind: Kind, record: dict[str, Any], values: dict[str, Any]) -> None:
    pairs = {"presale": ("submitted_on", "issued_on", "发证日期不能早于申报日期"),
             "scale": ("applied_on", "approved_on", "批准日期不能早于申报日期"),
             "overseas": ("applied_on", "approved_on", "批准日期不能早于申请日期")}
    if kind.slug in pairs:
        first, second, message = pairs[kind.slug]
        a, b = values.get(first) or record.get(first), values.get(second)
        if a and b and b < a:
            raise forms.FormError({second: f"{message}（{a.isoformat()}）"})


async def release_units(permit_id: int) -> int:
    """预售许可证取证: every 不可售 unit of the covered buildings becomes 可售; sold or reserved units are left alone.
    One UPDATE (call inside the action's transaction). Returns how many units changed."""
    rows = await Unit.update({Unit.status: "可售"}).where(
        (Unit.status == "不可售") & Unit.building.is_in(PresaleBuilding.select(PresaleBuilding.building).where(PresaleBuilding.permit == permit_id))
    ).returning(Unit.id)
    return len(rows)


async def record_annual(user, record_id: int, raw: Any) -> str:
    kind = KINDS["qualification"]
    record = await load(kind, record_id, user)
    values = forms.parse_action(EXTRA_ACTIONS["qualification"][0].fields, raw)
    done_on: date = values["done_on"]
    if done_on > today_local():
        raise forms.FormError({"done_on": f"年检/年报日期不能晚于今天（{done_on.isoformat()}）"})
    if done_on < record["issued_on"]:
        raise forms.FormError({"done_on": f"年检/年报日期不能早于发证日期（{record['issued_on'].isoformat()}）"})
    base_year = max(done_on.year, record["annual_due_on"].year if record.get("annual_due_on") else done_on.year)
    next_due = rules.annual_due(base_year + 1)
    async with write_transaction():
        changed = await Qualification.update({Qualification.last_annual_on: done_on, Qualification.annual_due_on: next_due,
                                              Qualification.updated_at: now()}).where(
            (Qualification.id == record_id) & (Qualification.active == True)).returning(Qualification.id)  # noqa: E712
        if not changed:
            raise PermitError("该证书已失效，不能登记年检/年报")
        await sync_deadlines(kind, record_id)
        await audit.record(actor=user, action="permits.annual", entity=kind.entity, entity_id=record_id,
                           summary=f"登记年检/年报：{record['title']}，{done_on.isoformat()}；下次截止 {next_due.isoformat()}",
                           before={"last_annual_on": record.get("last_annual_on"), "annual_due_on": record.get("annual_due_on")},
                           after={"last_annual_on": done_on, "annual_due_on": next_due})
    return f"已登记年检/年报，下次截止日期 {next_due.isoformat()}"


async def record_payment(user, fund_id: int, raw: Any) -> str:
    kind = KINDS["fund"]
    fund = await load(kind, fund_id, user)
    from app.core.fields import Parser

    p = Parser(raw)
    unit_raw = p.raw("unit")
    paid_on = p.date("paid_on", "缴存日期")
    receipt = p.text("receipt_no", "缴款凭证号", max_len=60)
    if paid_on and paid_on > today_local():
        p.fail("paid_on", f"缴存日期不能晚于今天（{paid_on.isoformat()}）")
    unit = None
    if not unit_raw:
        p.fail("unit", "请选择房源")
    elif not (unit_raw.isascii() and unit_raw.isdigit() and len(unit_raw) <= 10) or not 0 < int(unit_raw) <= MAX_ID:
        p.fail("unit", "房源的选项无效")
    else:
        unit = await Unit.select(Unit.id, Unit.room_no, Unit.building.name, Unit.area_build, Unit.status, Unit.project).where(
            Unit.id == int(unit_raw)).first()
        if not unit or unit["project"] != fund["project"]:
            p.fail("unit", "该房源不属于本项目")
        elif unit["status"] not in SOLD:
            p.fail("unit", f"该房源状态为“{unit['status']}”，签约后才需缴存维修基金")
    if p.errors:
        raise forms.FormError(p.errors)
    amount = rules.fund_amount(unit["area_build"], fund["rate"])
    label = f'{unit["building.name"]} {unit["room_no"]}'
    try:
        async with write_transaction():
            if await FundPayment.exists().where(FundPayment.unit == unit["id"]):
                raise forms.FormError({"unit": f"{label} 已登记缴存"})
            await FundPayment.insert(FundPayment(fund=fund_id, unit=unit["id"], area=unit["area_build"], rate=fund["rate"], amount=amount,
                                                 paid_on=paid_on, receipt_no=receipt, created_at=now()))
            await sync_deadlines(kind, fund_id)
            await audit.record(actor=user, action="permits.fund_pay", entity=kind.entity, entity_id=fund_id,
                               summary=f"登记维修基金缴存：{label}，{Decimal(unit['area_build']):.2f}㎡ × {Decimal(fund['rate']):.2f} 元/㎡ = {amount:,.2f} 元，凭证 {receipt}",
                               after={"unit": unit["id"], "amount": amount, "paid_on": paid_on, "receipt_no": receipt})
    except forms.FormError:
        raise
    except Exception as e:
        if _unique_violation(e):
            raise forms.FormError({"unit": f"{label} 已登记缴存"}) from None
        raise
    return f"已登记 {label} 维修基金 {amount:,.2f} 元"


# ---- pages' aggregates (in SQL) -----------------------------------------------------------------------------------

async def unit_counts_for_buildings(building_ids: list[int]) -> dict[str, int]:
    if not building_ids:
        return {}
    rows = await Unit.raw(
        "SELECT status, COUNT(*) AS n FROM unit WHERE building IN (" + ",".join("{}" for _ in building_ids) + ") GROUP BY status",
        *building_ids)
    return {r["status"]: r["n"] for r in rows}


async def project_unit_summary(user) -> list[dict[str, Any]]:
    sql = ("SELECT p.id AS id, p.code AS code, p.name AS name, COUNT(u.id) AS total, "
           "SUM(CASE WHEN u.status = '不可售' THEN 1 ELSE 0 END) AS unsaleable, "
           "SUM(CASE WHEN u.status = '可售' THEN 1 ELSE 0 END) AS saleable "
           "FROM project p JOIN unit u ON u.project = p.id WHERE p.active = {} GROUP BY p.id, p.code, p.name ORDER BY p.code")
    rows = await Project.raw(sql, True)
    return [r for r in rows if user is None or user.sees_project(r["id"])]


async def scale_usage(user, year: int | None = None) -> list[dict[str, Any]]:
    """Approved development scale against the signed area (SUM in SQL), for the 90% warning [C]."""
    y = year or today_local().year
    sql = ("SELECT s.id AS id, s.project AS project, p.name AS name, s.year AS year, s.area_approved AS approved, "
           "(SELECT SUM(u.area_build) FROM unit u WHERE u.project = s.project AND u.status IN ({}, {}, {}, {})) AS signed "
           "FROM permit_scale s JOIN project p ON p.id = s.project WHERE s.year = {} AND s.status = '已批准' ORDER BY p.code")
    rows = await ScaleApproval.raw(sql, *SOLD, y)
    out = []
    for r in rows:
        if user is not None and not user.sees_project(r["project"]):
            continue
        signed = Decimal(str(r["signed"] or 0)).quantize(rules.CENT)
        pct, warn = rules.scale_usage(signed, Decimal(str(r["approved"])) if r["approved"] is not None else None)
        out.append({**r, "signed": signed, "percent": pct, "warn": warn})
    return out


async def fund_summary(fund: dict[str, Any]) -> dict[str, Any]:
    sold = await Unit.count().where((Unit.project == fund["project"]) & Unit.status.is_in(SOLD))
    paid = await FundPayment.count().where(FundPayment.fund == fund["id"])
    total = await FundPayment.raw("SELECT COALESCE(SUM(amount), 0) AS total FROM permit_fund_payment WHERE fund = {}", fund["id"])
    return {"sold": sold, "paid": paid, "unpaid": await unpaid_units(fund["project"]),
            "paid_total": Decimal(str(total[0]["total"] or 0)).quantize(rules.CENT)}


async def unpaid_unit_choices(fund: dict[str, Any], limit: int = 500) -> list[tuple[str, str]]:
    rows = await Unit.select(Unit.id, Unit.building.name, Unit.room_no, Unit.area_build).where(
        (Unit.project == fund["project"]) & Unit.status.is_in(SOLD) & Unit.id.not_in(FundPayment.select(FundPayment.unit))
    ).order_by(Unit.building).order_by(Unit.room_no).limit(limit)
    return [(str(r["id"]), f'{r["building.name"]} {r["room_no"]}（{Decimal(r["area_build"]):.2f}㎡，应缴 {rules.fund_amount(r["area_build"], fund["rate"]):,.2f} 元）')
            for r in rows]


async def record_deadlines(kind: Kind, record_id: int) -> list[dict[str, Any]]:
    rows = await Deadline.select().where((Deadline.kind == kind.slug) & (Deadline.record_id == record_id)).order_by(Deadline.due_on)
    rule_map = await load_rules()
    for r in rows:
        r["countdown"] = countdown(r["due_on"], f"{kind.slug}.{r['item']}", rule_map)
        r["sent"] = await ReminderLog.select(ReminderLog.threshold, ReminderLog.sent_at).where(ReminderLog.deadline == r["id"]).order_by(
            ReminderLog.id)
    return rows


async def overseas_approved(id_no: str) -> bool:
    """For signing (A2): an overseas buyer may sign only once the filing is approved."""
    from app.permits.tables import OverseasFiling

    return await OverseasFiling.exists().where((OverseasFiling.id_no == id_no.strip().upper()) & (OverseasFiling.status == "已批准"))


async def presale_permit_for_building(building_id: int) -> dict[str, Any] | None:
    """For units (A0 预售证 ref.): the issued permit covering a building, if any."""
    return await PresaleBuilding.select(PresaleBuilding.permit.id, PresaleBuilding.permit.permit_no).where(
        (PresaleBuilding.building == building_id) & PresaleBuilding.permit.status.is_in(["已取证", "已变更"])).first()


async def fund_for_project(project_id: int) -> dict[str, Any] | None:
    return await MaintenanceFund.select().where(MaintenanceFund.project == project_id).first()


async def building_names(ids: list[int]) -> list[str]:
    if not ids:
        return []
    return [r["name"] for r in await Building.select(Building.name).where(Building.id.is_in(ids)).order_by(Building.id)]
