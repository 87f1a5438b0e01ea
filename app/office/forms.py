"""The office request types' forms: parse and validate (Chinese messages per field, per line), save, load.
Nothing is written in parse; save runs inside the engine's transaction."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from app.core.fields import Parser
from app.core.money import CENT, MAX_MONEY
from app.core.timeutil import SHANGHAI, fmt_datetime, now, to_local, today_local
from app.office import services
from app.office.tables import Issue, IssueLine, Purchase, PurchaseLine, VehicleBooking
from app.workflow.definitions import FormResult
from app.workflow.engine import WorkflowError

PURCHASE_LINES = 5  # rows shown on the form (blank rows are ignored)
ISSUE_LINES = 5
MAX_LINES = 30
SELF_DRIVE = "self"
MAX_BOOKING_DAYS = 30


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (Decimal, float)):
        return f"{Decimal(str(value)):.2f}"
    if isinstance(value, bool):
        return "1" if value else ""
    return str(value)


def _pad(lists: list[list[str]]) -> tuple[int, list[list[str]]]:
    n = max((len(x) for x in lists), default=0)
    return n, [x + [""] * (n - len(x)) for x in lists]


def _int_or_none(raw: str) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- E1 申购


class PurchaseForm:
    fields_template = "office/_purchase_fields.html"
    detail_template = "office/_purchase_detail.html"

    async def context(self, user) -> dict[str, Any]:
        from app.workflow.definitions import get_flow
        from app.workflow.engine import flow_settings

        from app.office import rules

        settings = await flow_settings(get_flow("supplies_purchase"))
        today = today_local()
        nxt = rules.add_months(today, 1)
        day = int(settings["plan_deadline_day"])
        months = [rules.month_text(nxt), rules.month_text(today)]
        return {"items": await services.item_choices(), "lines": PURCHASE_LINES, "vp_from": settings["vp_from"],
                "next_month": months[0], "deadline": rules.plan_deadline(nxt, day), "late_now": rules.plan_is_late(nxt, today, day),
                "budgets": {m: await services.budget_lines(m) for m in months}}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        purpose = p.text("purpose", "申购用途", max_len=500)
        budget_line = p.text("budget_line", "预算科目", max_len=60)
        over_budget = p.flag("over_budget")  # the applicant may declare it; the server also decides from the month's budget
        plan_month, late = await _plan_month(p)
        n, (ids, names, specs, units, durables, qtys, prices) = _pad(
            [p.getall(f"line_{f}") for f in ("item", "name", "spec", "unit", "durable", "qty", "price")])
        if n > MAX_LINES:
            p.fail("line_item_0", f"每张申购单最多 {MAX_LINES} 行")
            n = MAX_LINES
        known = await services.items_by_id([i for i in (_int_or_none(x) for x in ids[:n]) if i])
        lines: list[dict] = []
        seen: dict[str, int] = {}
        total = Decimal("0.00")
        for i in range(n):
            if not any((ids[i], names[i], specs[i], units[i], qtys[i], prices[i])):
                continue  # a blank row
            key = lambda f: f"line_{f}_{i}"  # noqa: E731
            line: dict[str, Any] = {"item": None, "name": names[i], "spec": specs[i], "unit": units[i], "durable": durables[i] == "1"}
            if ids[i]:
                item = known.get(_int_or_none(ids[i]) or 0)
                if not item or not item["active"]:
                    p.fail(key("item"), "所选物品不存在或已停用，请重新选择")
                elif names[i]:
                    p.fail(key("name"), "已从库存物品中选择，新物品名称请留空")
                else:
                    line.update(item=item["id"], name=item["name"], spec=item["spec"], unit=item["unit"], durable=item["durable"])
            elif not names[i]:
                p.fail(key("item"), "请选择库存物品，或填写新物品名称")
            else:
                if len(names[i]) > 60:
                    p.fail(key("name"), "物品名称最多 60 个字")
                if len(specs[i]) > 60:
                    p.fail(key("spec"), "规格最多 60 个字")
                if not units[i]:
                    p.fail(key("unit"), "请填写单位")
                elif len(units[i]) > 10:
                    p.fail(key("unit"), "单位最多 10 个字")
                if not p.errors.get(key("name")):
                    same = await services.item_named(names[i], specs[i])
                    if same:
                        p.fail(key("name"), f"「{services.item_label(same)}」已在库存物品中，请直接从下拉列表选择")
            ident = f"#{line['item']}" if line["item"] else f"{line['name']}|{line['spec']}"
            if line["name"] and ident in seen and not p.errors.get(key("item")) and not p.errors.get(key("name")):
                p.fail(key("item") if line["item"] else key("name"), f"与第 {seen[ident] + 1} 行物品重复，请合并数量")
            seen.setdefault(ident, i)
            qty = p.integer(key("qty"), "数量", minimum=1, maximum=services.MAX_QTY, raw=qtys[i])
            price = p.money(key("price"), "预估单价", raw=prices[i])
            amount = None
            if qty is not None and price is not None and not p.errors.get(key("qty")):
                amount = (price * qty).quantize(CENT, rounding=ROUND_HALF_UP)
                total += amount
            line.update(qty=qty, unit_price=price, amount=amount)
            lines.append(line)
        if not lines:
            p.fail("line_item_0", "请至少填写一行申购物品")
        if total > MAX_MONEY:
            p.fail("line_qty_0", "申购金额超出允许范围")
        budget = None
        if plan_month and budget_line and "budget_line" not in p.errors:
            budget = await services.budget_left(plan_month, budget_line, request_id)
            if not budget:
                p.fail("budget_line", f"{plan_month} 没有预算科目「{budget_line}」，请从列表中选择（月度预算由管理后台「办公用品月度预算」维护）")
            elif total > budget["left"]:
                over_budget = True  # over budget: 分管副总 approves too (SPEC E1)
        first = lines[0]["name"] if lines and lines[0]["name"] else "办公用品"
        title = (f"办公用品申购计划（{plan_month}{'，逾期提交' if late else ''}）：" if plan_month else "办公用品申购：") + first + (
            f" 等 {len(lines)} 项" if len(lines) > 1 else "")
        cleaned = {"purpose": purpose, "budget_line": budget_line, "over_budget": over_budget, "lines": lines, "total": total,
                   "plan_month": plan_month or "", "late": late, "budget": budget["id"] if budget else None,
                   "budget_left": budget["left"] if budget else None}
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=total)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await PurchaseLine.delete().where(PurchaseLine.request == request_id)
        existing = await Purchase.select(Purchase.id).where(Purchase.request == request_id).first()
        data = {"purpose": cleaned["purpose"], "budget_line": cleaned["budget_line"], "over_budget": cleaned["over_budget"], "total": cleaned["total"],
                "plan_month": cleaned.get("plan_month", ""), "late": bool(cleaned.get("late")), "budget": cleaned.get("budget")}
        if existing:
            await Purchase.update({getattr(Purchase, k): v for k, v in data.items()}).where(Purchase.id == existing["id"])
        else:
            await Purchase.insert(Purchase(request=request_id, **data))
        await PurchaseLine.insert(*[PurchaseLine(request=request_id, line_no=i + 1, item=ln["item"], name=ln["name"], spec=ln["spec"],
                                                 unit=ln["unit"], durable=ln["durable"], qty=ln["qty"], unit_price=ln["unit_price"],
                                                 amount=ln["amount"])
                                    for i, ln in enumerate(cleaned["lines"])])

    async def load(self, request_id: int) -> dict:
        head = await Purchase.select().where(Purchase.request == request_id).first() or {}
        lines = await PurchaseLine.select(PurchaseLine.all_columns(), PurchaseLine.item.quantity).where(
            PurchaseLine.request == request_id).order_by(PurchaseLine.line_no)
        values: dict[str, Any] = {"purpose": head.get("purpose", ""), "budget_line": head.get("budget_line", ""),
                                  "over_budget": "1" if head.get("over_budget") else "", "plan_month": head.get("plan_month", "")}
        values["line_item"] = [_text(ln["item"]) for ln in lines]
        for f in ("name", "spec", "unit"):  # only new items carry their own name on the form
            values[f"line_{f}"] = ["" if ln["item"] else ln[f] for ln in lines]
        values["line_durable"] = ["1" if ln["durable"] else "0" for ln in lines]
        values["line_qty"] = [_text(ln["qty"]) for ln in lines]
        values["line_price"] = [_text(ln["unit_price"]) for ln in lines]
        budget = None
        if head.get("budget"):
            budget = await services.budget_left(head["plan_month"], head["budget_line"])
        deadline = None
        if head.get("plan_month"):
            from app.office import rules
            from app.workflow.definitions import get_flow
            from app.workflow.engine import flow_settings

            month = rules.parse_month(head["plan_month"])
            deadline = rules.plan_deadline(month, int((await flow_settings(get_flow("supplies_purchase")))["plan_deadline_day"])) if month else None
        return {"purchase": head, "lines": lines, "form_values": values, "budget": budget, "deadline": deadline}


async def _plan_month(p: Parser) -> tuple[str | None, bool]:
    """The plan's month (YYYY-MM; next month when not given) and whether it is filed after its deadline (the
    plan_deadline_day setting of the month before): flagged, not refused."""
    from app.office import rules
    from app.workflow.definitions import get_flow
    from app.workflow.engine import flow_settings

    today = today_local()
    raw = p.raw("plan_month") or rules.month_text(rules.add_months(today, 1))
    month = rules.parse_month(raw)
    if not month:
        p.fail("plan_month", "计划月份格式应为 YYYY-MM，例如 " + rules.month_text(rules.add_months(today, 1)))
        return None, False
    err = rules.plan_month_error(month, today)
    if err:
        p.fail("plan_month", err)
        return None, False
    day = int((await flow_settings(get_flow("supplies_purchase")))["plan_deadline_day"])
    return rules.month_text(month), rules.plan_is_late(month, today, day)


# ---------------------------------------------------------------- E1 领用


class IssueForm:
    fields_template = "office/_issue_fields.html"
    detail_template = "office/_issue_detail.html"

    async def context(self, user) -> dict[str, Any]:
        from app.office import rules

        month = rules.month_text(today_local())
        return {"items": await services.item_choices(in_stock_only=True), "lines": ISSUE_LINES, "plan": await services.month_plan(month),
                "plan_month": month}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        purpose = p.text("purpose", "领用用途", max_len=500)
        n, (ids, qtys) = _pad([p.getall("line_item"), p.getall("line_qty")])
        if n > MAX_LINES:
            p.fail("line_item_0", f"每张领用单最多 {MAX_LINES} 行")
            n = MAX_LINES
        known = await services.items_by_id([i for i in (_int_or_none(x) for x in ids[:n]) if i])
        lines: list[dict] = []
        seen: dict[int, int] = {}
        for i in range(n):
            if not ids[i] and not qtys[i]:
                continue
            key = lambda f: f"line_{f}_{i}"  # noqa: E731
            item = known.get(_int_or_none(ids[i]) or 0) if ids[i] else None
            if not ids[i]:
                p.fail(key("item"), "请选择领用物品")
            elif not item or not item["active"]:
                p.fail(key("item"), "所选物品不存在或已停用，请重新选择")
                item = None
            elif item["id"] in seen:
                p.fail(key("item"), f"与第 {seen[item['id']] + 1} 行物品重复，请合并数量")
            else:
                seen[item["id"]] = i
            qty = p.integer(key("qty"), "数量", minimum=1, maximum=services.MAX_QTY, raw=qtys[i])
            if item and qty is not None and not p.errors.get(key("qty")) and qty > item["quantity"]:
                p.fail(key("qty"), f"超出库存：「{services.item_label(item)}」当前库存 {item['quantity']} {item['unit']}")
            lines.append({"item": item["id"] if item else None, "name": services.item_label(item) if item else "", "qty": qty})
        if not lines:
            p.fail("line_item_0", "请至少填写一行领用物品")
        first = lines[0]["name"] if lines and lines[0]["name"] else "办公用品"
        title = f"办公用品领用：{first}" + (f" 等 {len(lines)} 项" if len(lines) > 1 else "")
        return FormResult(errors=p.errors, cleaned={"purpose": purpose, "lines": lines}, title=title, amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await IssueLine.delete().where(IssueLine.request == request_id)
        await Issue.delete().where(Issue.request == request_id)
        await Issue.insert(Issue(request=request_id, purpose=cleaned["purpose"]))
        await IssueLine.insert(*[IssueLine(request=request_id, line_no=i + 1, item=ln["item"], qty=ln["qty"]) for i, ln in enumerate(cleaned["lines"])])

    async def load(self, request_id: int) -> dict:
        head = await Issue.select().where(Issue.request == request_id).first() or {}
        lines = await IssueLine.select(IssueLine.all_columns(), IssueLine.item.name, IssueLine.item.spec, IssueLine.item.unit,
                                       IssueLine.item.quantity, IssueLine.item.durable).where(IssueLine.request == request_id).order_by(IssueLine.line_no)
        values = {"purpose": head.get("purpose", ""), "line_item": [_text(ln["item"]) for ln in lines], "line_qty": [_text(ln["qty"]) for ln in lines]}
        from app.office import rules

        plan = {r["item"]: r for r in await services.month_plan(rules.month_text(today_local()))}
        return {"issue": head, "lines": lines, "form_values": values, "plan": plan}


# ---------------------------------------------------------------- E2 用车


def _parse_datetime(p: Parser, name: str, label: str) -> datetime | None:
    """A datetime-local value (Asia/Shanghai) → UTC, to the minute."""
    raw = p.raw(name)
    if not raw:
        p.fail(name, f"请填写{label}")
        return None
    try:
        value = datetime.fromisoformat(raw.replace(" ", "T", 1))
        if value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        return value.replace(second=0, microsecond=0).astimezone(timezone.utc)
    except (ValueError, OverflowError):
        p.fail(name, f"{label}格式应为 年-月-日 时:分，例如 2026-12-01 09:00")
        return None


class VehicleForm:
    fields_template = "office/_vehicle_fields.html"
    detail_template = "office/_vehicle_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"vehicles": await services.vehicle_choices(user), "drivers": await services.driver_choices(), "self_drive": SELF_DRIVE}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        vehicles = {v["id"]: v for v in await services.vehicle_choices(user)}  # another employee's private car is not offered
        drivers = {d["id"]: d for d in await services.driver_choices()}
        raw_vehicle = p.raw("vehicle")
        vehicle = vehicles.get(_int_or_none(raw_vehicle) or 0) if raw_vehicle else None
        if not raw_vehicle:
            p.fail("vehicle", "请选择车辆")
        elif not vehicle:
            p.fail("vehicle", "所选车辆不存在或已停用，请重新选择")
        raw_driver = p.raw("driver")
        driver_id: int | None = None
        if not raw_driver:
            p.fail("driver", "请选择司机，或选择“自驾”")
        elif raw_driver != SELF_DRIVE:
            driver_id = _int_or_none(raw_driver)
            if driver_id not in drivers:
                p.fail("driver", "所选司机不存在或已停用，请重新选择")
                driver_id = None
        purpose = p.text("purpose", "用车事由", max_len=500)
        destination = p.text("destination", "目的地", max_len=100)
        depart = _parse_datetime(p, "depart_at", "出发时间")
        ret = _parse_datetime(p, "return_at", "返回时间")
        if depart and depart < now() - timedelta(hours=1):
            p.fail("depart_at", "出发时间不能早于当前时间")
        elif depart and depart > now() + timedelta(days=366):
            p.fail("depart_at", "只能预约一年以内的用车")
        if depart and ret:
            if ret <= depart:
                p.fail("return_at", "返回时间必须晚于出发时间")
            elif ret - depart > timedelta(days=MAX_BOOKING_DAYS):
                p.fail("return_at", f"单次用车不能超过 {MAX_BOOKING_DAYS} 天")
        passengers = p.integer("passengers", "乘车人数", minimum=1, maximum=99)
        if vehicle and passengers and "passengers" not in p.errors:
            room = vehicle["seats"] - (1 if driver_id else 0)
            if passengers > room:
                p.fail("passengers", f"乘车人数超过该车可乘人数（{vehicle['seats']} 座{'，含司机' if driver_id else ''}，最多 {room} 人）")
        passenger_names = p.text("passenger_names", "同行人员", required=False, max_len=200)
        out_of_town = p.flag("out_of_town")
        overnight = p.flag("overnight")
        if depart and ret and ret > depart and to_local(ret).date() != to_local(depart).date():
            overnight = True  # returning on a later day is overnight, whatever the box says
        if vehicle and depart and ret and ret > depart and not p.errors.get("driver"):
            for fld, msg in (await services.booking_conflicts(vehicle["id"], driver_id, depart, ret, request_id)).items():
                p.fail(fld, msg)
        cleaned = {"vehicle": vehicle["id"] if vehicle else None, "driver": driver_id, "purpose": purpose, "destination": destination,
                   "depart_at": depart, "return_at": ret, "passengers": passengers, "passenger_names": passenger_names,
                   "out_of_town": out_of_town, "overnight": overnight}
        when = fmt_datetime(depart) if depart else ""
        return FormResult(errors=p.errors, cleaned=cleaned, title=f"用车：{destination[:40]}（{when}）", amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        """Inside the engine's transaction: lock the vehicle (and driver), re-check, then write — so two people
        booking the same car at once cannot both get it."""
        await services.lock_for_booking(cleaned["vehicle"], cleaned["driver"])
        clash = await services.booking_conflicts(cleaned["vehicle"], cleaned["driver"], cleaned["depart_at"], cleaned["return_at"], request_id)
        for fld in ("vehicle", "driver"):
            if fld in clash:
                raise WorkflowError(clash[fld], fld)
        data = {k: cleaned[k] for k in ("vehicle", "driver", "purpose", "destination", "depart_at", "return_at", "passengers", "passenger_names",
                                        "out_of_town", "overnight")}
        existing = await VehicleBooking.select(VehicleBooking.id).where(VehicleBooking.request == request_id).first()
        if existing:
            await VehicleBooking.update({**{getattr(VehicleBooking, k): v for k, v in data.items()}, VehicleBooking.holds: True}).where(
                VehicleBooking.id == existing["id"])
        else:
            await VehicleBooking.insert(VehicleBooking(request=request_id, holds=True, **data))

    async def load(self, request_id: int) -> dict:
        b = await VehicleBooking.select(VehicleBooking.all_columns(), VehicleBooking.vehicle.plate, VehicleBooking.vehicle.model,
                                        VehicleBooking.vehicle.seats, VehicleBooking.driver.name, VehicleBooking.driver.phone).where(
            VehicleBooking.request == request_id).first() or {}
        values = {k: _text(b.get(k)) for k in ("vehicle", "purpose", "destination", "passengers", "passenger_names", "out_of_town", "overnight")}
        values["driver"] = _text(b.get("driver")) if b.get("driver") else (SELF_DRIVE if b else "")
        values["depart_at"] = services.local_text(b.get("depart_at"))
        values["return_at"] = services.local_text(b.get("return_at"))
        return {"booking": b, "form_values": values}
