"""资产购置 and 固定资产报废 forms: parse and validate (Chinese messages per field, lines numbered), save, load."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.assets import services
from app.assets.rules import net_value
from app.assets.tables import AssetDisposal, AssetPurchase, AssetPurchaseLine, AssetQuote
from app.core.fields import Parser, parse_id, pick_id, form_text as _text
from app.core.timeutil import today_local
from app.workflow.definitions import FormResult

LINES = 5  # purchase lines shown on the form (blank rows are ignored)
QUOTES = 3
MAX_QTY = 100






def _padded(p: Parser, names: list[str]) -> list[list[str]]:
    cols = [p.getall(n) for n in names]
    n = max((len(c) for c in cols), default=0)
    return [c + [""] * (n - len(c)) for c in cols]


async def _settings(code: str) -> dict[str, Decimal]:
    from app.workflow.definitions import get_flow
    from app.workflow.engine import flow_settings

    return await flow_settings(get_flow(code))


# ------------------------------------------------------------------ E16 资产购置


class PurchaseForm:
    fields_template = "assets/_purchase_fields.html"
    detail_template = "assets/_purchase_detail.html"

    async def context(self, user) -> dict[str, Any]:
        settings = await _settings("asset_purchase")
        department = None
        if user.employee_id:
            from app.org.tables import Employee

            e = await Employee.select(Employee.department).where(Employee.id == user.employee_id).first()
            department = str(e["department"]) if e else None
        return {
            "lines": LINES, "quotes": QUOTES, "categories": await services.categories(), "people": await services.employee_choices(),
            "departments": await services.department_choices(), "default_department": department,
            "quotes_from": settings["quotes_from"], "unit_min": settings["unit_min"],
        }

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        settings = await _settings("asset_purchase")
        cats = {c["id"]: c for c in await services.categories()}
        names, specs, categories, qtys, prices = _padded(p, ["a_name", "a_spec", "a_category", "a_qty", "a_price"])
        lines = []
        for i in range(len(names)):
            if not any((names[i], specs[i], qtys[i], prices[i])):
                continue  # a blank row (the category select always sends a value)
            key = lambda f: f"a_{f}_{i}"  # noqa: E731
            if not names[i]:
                p.fail(key("name"), "请填写资产名称")
            elif len(names[i]) > 100:
                p.fail(key("name"), "资产名称最多 100 个字")
            if len(specs[i]) > 100:
                p.fail(key("spec"), "规格型号最多 100 个字")
            cat = parse_id(categories[i])
            if cat not in cats:
                p.fail(key("category"), "请选择资产类别")
            qty = p.integer(key("qty"), "数量", minimum=1, maximum=MAX_QTY, raw=qtys[i])
            price = p.money(key("price"), "单价", raw=prices[i])
            if price is not None and price < settings["unit_min"]:
                p.fail(key("price"), f"单价低于 {settings['unit_min']:,.2f} 元的物品不属于固定资产，请走办公用品申购流程")
            amount = (price * qty).quantize(Decimal("0.01")) if (price is not None and qty) else Decimal("0.00")
            lines.append({"name": names[i], "spec": specs[i], "category": cat, "quantity": qty or 0, "unit_price": price, "amount": amount})
        if not lines:
            p.fail("a_name_0", "请至少填写一项资产")
        total = sum((line["amount"] for line in lines), Decimal("0.00"))
        units = sum(line["quantity"] for line in lines)
        if units > services.MAX_UNITS:
            p.fail("a_qty_0", f"一次最多购置 {services.MAX_UNITS} 件，请分次申请")
        department = pick_id(p, "department", "使用部门")
        if department and not await services.department_exists(department):
            p.fail("department", "使用部门不存在")
        custodian = pick_id(p, "custodian", "保管人")
        if custodian and not await services.active_employee(custodian):
            p.fail("custodian", "请选择在职员工作为保管人")
        location = p.text("location", "存放地点", max_len=100)
        years = p.integer("depreciation_years", "折旧年限", minimum=1, maximum=50)
        reason = p.text("reason", "购置理由", max_len=500)
        suppliers, qprices = _padded(p, ["q_supplier", "q_price"])
        quotes, seen = [], {}
        need = total >= settings["quotes_from"]
        for i in range(max(len(suppliers), QUOTES if need else 0)):
            s = suppliers[i] if i < len(suppliers) else ""
            raw = qprices[i] if i < len(qprices) else ""
            if not s and not raw:
                if need:
                    told = any(k.startswith("q_supplier_") for k in p.errors)
                    p.fail(f"q_supplier_{i}", f"请填写第 {i + 1} 家供应商" if told else
                           f"采购金额达到 {settings['quotes_from']:,.2f} 元，须提供 {QUOTES} 家供应商报价")
                continue
            if not s:
                p.fail(f"q_supplier_{i}", "请填写供应商名称")
            elif len(s) > 100:
                p.fail(f"q_supplier_{i}", "供应商名称最多 100 个字")
            elif s in seen:
                p.fail(f"q_supplier_{i}", f"与第 {seen[s] + 1} 家供应商重复，须为不同供应商")
            else:
                seen[s] = i
            price = p.money(f"q_price_{i}", "报价", raw=raw)
            quotes.append({"supplier": s, "price": price})
        cleaned = {"lines": lines, "total": total, "units": units, "department": department, "custodian": custodian, "location": location,
                   "depreciation_years": years, "reason": reason, "quotes": quotes}
        first = lines[0]["name"] if lines else ""
        title = f"资产购置：{first}" + (f" 等 {len(lines)} 项" if len(lines) > 1 else "") + f"（{units} 件）"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=total)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await AssetPurchaseLine.delete().where(AssetPurchaseLine.request == request_id)
        await AssetQuote.delete().where(AssetQuote.request == request_id)
        await AssetPurchase.delete().where(AssetPurchase.request == request_id)
        await AssetPurchase.insert(AssetPurchase(request=request_id, **{k: cleaned[k] for k in (
            "department", "custodian", "location", "depreciation_years", "reason", "total", "units")}))
        await AssetPurchaseLine.insert(*[AssetPurchaseLine(request=request_id, line_no=i + 1, **line) for i, line in enumerate(cleaned["lines"])])
        if cleaned["quotes"]:
            await AssetQuote.insert(*[AssetQuote(request=request_id, line_no=i + 1, **q) for i, q in enumerate(cleaned["quotes"])])

    async def load(self, request_id: int) -> dict:
        purchase = await AssetPurchase.select(AssetPurchase.all_columns(), AssetPurchase.department.name, AssetPurchase.custodian.name).where(
            AssetPurchase.request == request_id).first() or {}
        lines = await AssetPurchaseLine.select(AssetPurchaseLine.all_columns(), AssetPurchaseLine.category.name).where(
            AssetPurchaseLine.request == request_id).order_by(AssetPurchaseLine.line_no)
        quotes = await AssetQuote.select().where(AssetQuote.request == request_id).order_by(AssetQuote.line_no)
        from app.assets.tables import AssetCard

        cards = await AssetCard.select(AssetCard.id, AssetCard.number, AssetCard.name).where(AssetCard.source_request == request_id).order_by(
            AssetCard.number).limit(services.MAX_UNITS)
        values: dict[str, Any] = {k: _text(purchase.get(k)) for k in ("department", "custodian", "location", "depreciation_years", "reason")}
        for f, col in (("a_name", "name"), ("a_spec", "spec"), ("a_category", "category"), ("a_qty", "quantity"), ("a_price", "unit_price")):
            values[f] = [_text(line[col]) for line in lines]
        values["q_supplier"] = [q["supplier"] for q in quotes]
        values["q_price"] = [_text(q["price"]) for q in quotes]
        return {"purchase": purchase, "lines": lines, "quotes": quotes, "cards": cards, "form_values": values}


# ------------------------------------------------------------------ E17 固定资产报废


class DisposalForm:
    fields_template = "assets/_disposal_fields.html"
    detail_template = "assets/_disposal_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"cards": await services.disposable_cards(user)}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        asset_id = pick_id(p, "asset", "资产")
        card = await services.card(asset_id) if asset_id else None
        nv = None
        if asset_id and not card:
            p.fail("asset", "资产不存在")
        elif card and card["status"] != services.IN_USE:
            p.fail("asset", f"该资产已于 {card['disposed_on']} 报废，不能重复报废")
        elif card:
            other = await services.pending_disposal(asset_id, request_id)
            if other:
                p.fail("asset", f"该资产已在报废申请 {other['request.number']}（{other['request.status']}）中，不能重复申请")
            nv = net_value(Decimal(card["original_value"]), card["depreciation_years"], card["purchase_date"], today_local())
        reason = p.text("reason", "报废原因", max_len=500)
        assessment = p.text("assessment", "现状及鉴定说明", max_len=500)
        holds = p.flag("holds_customer_data")
        salvage = p.money("salvage", "残值收入", allow_zero=True, required=False)
        cleaned = {
            "asset": asset_id, "reason": reason, "assessment": assessment, "holds_customer_data": holds, "salvage": salvage or Decimal("0.00"),
            "original_value": nv.original if nv else None, "net_value": nv.net if nv else None, "accumulated": nv.accumulated if nv else None,
            "months_used": nv.months_used if nv else 0, "depreciation_years": nv.depreciation_years if nv else 0,
        }
        title = f"固定资产报废：{card['number']} {card['name']}" if card else "固定资产报废"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=nv.net if nv else None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.reserve_for_disposal(cleaned["asset"], request_id, user)
        existing = await AssetDisposal.select(AssetDisposal.id, AssetDisposal.asset).where(AssetDisposal.request == request_id).first()
        data = {k: cleaned[k] for k in ("asset", "reason", "assessment", "holds_customer_data", "salvage", "original_value", "net_value",
                                        "accumulated", "months_used", "depreciation_years")}
        if existing:
            if existing["asset"] != cleaned["asset"] or not cleaned["holds_customer_data"]:
                data.update(data_wiped=False, wipe_method="", wipe_certificate="", wiped_by="", wiped_at=None)
            await AssetDisposal.update({getattr(AssetDisposal, k): v for k, v in data.items()}).where(AssetDisposal.id == existing["id"])
        else:
            await AssetDisposal.insert(AssetDisposal(request=request_id, **data))

    async def load(self, request_id: int) -> dict:
        d = await AssetDisposal.select(
            AssetDisposal.all_columns(), AssetDisposal.asset.number, AssetDisposal.asset.name, AssetDisposal.asset.spec,
            AssetDisposal.asset.purchase_date, AssetDisposal.asset.status, AssetDisposal.asset.custodian.name, AssetDisposal.request.status,
        ).where(AssetDisposal.request == request_id).first() or {}
        values = {"asset": _text(d.get("asset")), "reason": d.get("reason", ""), "assessment": d.get("assessment", ""),
                  "holds_customer_data": "1" if d.get("holds_customer_data") else "", "salvage": _text(d.get("salvage"))}
        years_used = (Decimal(d["months_used"]) / 12).quantize(Decimal("0.01")) if d else None
        return {"disposal": d, "years_used": years_used, "form_values": values}
