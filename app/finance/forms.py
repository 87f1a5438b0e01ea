"""The finance request types' forms: parse and validate (Chinese messages per field), save, load."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.core.fields import Parser, form_text as _text, parse_id
from app.core.timeutil import today_local
from app.finance import services
from app.core.timeutil import to_local
from app.finance.rules import buyer_tax_id_error, entertainment_ceiling, invoice_identity_errors, invoice_key, trip_claim
from app.org.services import company_identity
from app.finance.tables import Advance, Entertainment, ExpenseClaim, ExpenseTrip, Invoice, Payment
from app.workflow.definitions import FormResult
from app.workflow.engine import WorkflowError

INVOICE_KINDS = ["数电票", "专票", "普票"]
ADVANCE_KINDS = ["备用金", "业务借款", "差旅"]
PAY_METHODS = ["银行转账", "支票", "现金"]
EXPENSE_CATEGORIES = ["日常费用", "业务招待费"]
ENTERTAINMENT = "业务招待费"
LINES = 5  # invoice rows shown on the form (blank rows are ignored)




async def flow_setting(flow_code: str, key: str) -> Decimal:
    """A request type's admin setting (FlowSetting, seeded from the FlowDef's declared default)."""
    from app.workflow.definitions import FLOWS
    from app.workflow.engine import flow_settings

    return (await flow_settings(FLOWS[flow_code]))[key]


def _unique_violation(exc: Exception) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text


class ExpenseForm:
    fields_template = "finance/_expense_fields.html"
    detail_template = "finance/_expense_detail.html"

    async def context(self, user) -> dict[str, Any]:
        advances = await services.open_advances(user.employee_id) if user.employee_id else []
        choices = [(str(a["id"]), f'{a["request.number"]}（余额 {Decimal(a["balance"]):,.2f} 元）') for a in advances]
        company = await company_identity(user.company_id)
        ents = await services.usable_entertainments(user.employee_id) if user.employee_id else []
        settings = await _expense_settings()
        return {"kinds": INVOICE_KINDS, "lines": LINES, "advances": choices, "company": company, "categories": EXPENSE_CATEGORIES,
                "entertainments": [(str(e["request"]), _entertainment_label(e)) for e in ents],
                "rate": settings["private_car_rate"], "tolerance": settings["entertainment_tolerance_pct"]}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        reason = p.text("reason", "报销事由", max_len=500)
        category = p.raw("category") or EXPENSE_CATEGORIES[0]
        if category not in EXPENSE_CATEGORIES:
            p.fail("category", "费用类别的选项无效")
        kinds, codes, numbers, dates = p.getall("inv_kind"), p.getall("inv_code"), p.getall("inv_number"), p.getall("inv_date")
        sellers, amounts, taxes = p.getall("inv_seller"), p.getall("inv_amount"), p.getall("inv_tax")
        buyers, buyer_ids = p.getall("inv_buyer"), p.getall("inv_buyer_tax_id")
        columns = (kinds, codes, numbers, dates, sellers, amounts, taxes, buyers, buyer_ids)
        n = max(*(len(c) for c in columns), 0)
        pad = lambda xs: xs + [""] * (n - len(xs))  # noqa: E731
        kinds, codes, numbers, dates, sellers, amounts, taxes, buyers, buyer_ids = map(pad, columns)
        today = today_local()
        limit_days = int(await flow_setting("expense", "invoice_max_age_days"))
        company = await company_identity(user.company_id)
        company_code = (company or {}).get("credit_code") or ""
        lines, seen = [], {}
        for i in range(n):
            if not any((codes[i], numbers[i], dates[i], sellers[i], amounts[i], taxes[i], buyers[i], buyer_ids[i])):
                continue  # a blank row
            key = lambda f: f"inv_{f}_{i}"  # noqa: E731
            kind = kinds[i] if kinds[i] in INVOICE_KINDS else ""
            if not kind:
                p.fail(key("kind"), "请选择发票类型")
            code, number = codes[i].replace(" ", ""), numbers[i].replace(" ", "")
            identity = invoice_identity_errors(kind, code, number)
            for f, message in identity.items():
                p.fail(key(f), message)
            if not identity:
                ident = invoice_key(code, number)
                if ident in seen:
                    p.fail(key("number"), f"与第 {seen[ident] + 1} 行发票重复")
                else:
                    seen[ident] = i
                    earlier = await services.claimed_invoice(*ident, request_id)
                    if earlier:
                        p.fail(key("number"), f"该发票已在报销单 {earlier['request.number']}（{earlier['request.applicant.name']}）中报销，不能重复报销")
            buyer = buyers[i].strip()
            if not buyer:
                p.fail(key("buyer"), "请填写购买方名称")
            buyer_tax_id = buyer_ids[i].replace(" ", "").upper()
            err = buyer_tax_id_error(buyer_tax_id, company_code)
            if err:
                p.fail(key("buyer_tax_id"), err)
            issued = p.date(key("date"), "开票日期", raw=dates[i])
            if issued and issued > today:
                p.fail(key("date"), "开票日期不能晚于今天")
            elif issued and issued < today - timedelta(days=limit_days):
                p.fail(key("date"), f"超过 {limit_days} 天的发票不能报销")
            elif issued and issued.year != today.year:
                p.fail(key("date"), "只能报销本财年的发票")
            if not sellers[i]:
                p.fail(key("seller"), "请填写销售方名称")
            amount = p.money(key("amount"), "金额", raw=amounts[i])
            tax = p.money(key("tax"), "税额", raw=taxes[i] or "0", allow_zero=True)
            lines.append({"kind": kind, "code": invoice_key(code, number)[0], "number": number, "issued_on": issued, "seller": sellers[i][:100],
                          "amount": amount, "tax": tax, "buyer_name": buyer[:100], "buyer_tax_id": buyer_tax_id[:18]})
        settings = await _expense_settings()
        trip = await _parse_trip(p, user, request_id, settings["private_car_rate"])
        if not lines and not trip:
            p.fail("inv_number_0", "请至少填写一张发票" + ("" if category == ENTERTAINMENT else "，或选择一次出车（油费、路桥费、私车补贴）"))
        invoices_total = sum(((l["amount"] or 0) + (l["tax"] or 0) for l in lines), Decimal("0.00"))
        total = invoices_total + (trip["amount"] if trip else Decimal("0.00"))
        entertainment, over_tolerance = None, False
        if category == ENTERTAINMENT:
            if trip:
                p.fail("trip_ref", "业务招待费不能与出车费用合并报销，请分开提交")
            ent = await _parse_entertainment(p, user, request_id)
            if ent:
                entertainment = ent["request"]
                ceiling = entertainment_ceiling(ent["expected"], settings["entertainment_tolerance_pct"])
                over_tolerance = total > ceiling
                approved_on = to_local(ent["request.finished_at"]).date() if ent["request.finished_at"] else None
                for i, l in enumerate(lines):
                    if approved_on and l["issued_on"] and l["issued_on"] < approved_on:
                        p.fail(f"inv_date_{i}", f"开票日期早于招待申请 {ent['request.number']} 的批准日期 {approved_on}：业务招待须事前审批")
        offset_id = p.integer("offset_advance", "冲抵借款", required=False)
        offset_amount = Decimal("0.00")
        if offset_id:
            advances = {a["id"]: a for a in await services.open_advances(user.employee_id)}
            if offset_id not in advances:
                p.fail("offset_advance", "只能冲抵本人未结清的借款")
            else:
                offset_amount = p.money("offset_amount", "冲账金额") or Decimal("0.00")
                bal = Decimal(advances[offset_id]["balance"])
                if offset_amount > bal:
                    p.fail("offset_amount", f"冲账金额不能超过借款余额 {bal:,.2f} 元")
                elif offset_amount > total:
                    p.fail("offset_amount", "冲账金额不能超过报销总额")
        cleaned = {"reason": reason, "lines": lines, "total": total, "offset_advance": offset_id or None, "offset_amount": offset_amount,
                   "category": category, "trip": trip, "entertainment": entertainment, "over_tolerance": over_tolerance}
        title = f"{'业务招待费' if category == ENTERTAINMENT else '费用'}报销：{reason[:40]}"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=total)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await Invoice.delete().where(Invoice.request == request_id)
        await ExpenseTrip.delete().where(ExpenseTrip.request == request_id)
        await ExpenseClaim.delete().where(ExpenseClaim.request == request_id)
        try:  # the unique index: one claim per prior approval (a second tab used it a moment ago)
            await ExpenseClaim.insert(ExpenseClaim(request=request_id, reason=cleaned["reason"], total=cleaned["total"],
                                                   offset_advance=cleaned["offset_advance"], offset_amount=cleaned["offset_amount"],
                                                   category=cleaned.get("category") or EXPENSE_CATEGORIES[0], entertainment=cleaned.get("entertainment"),
                                                   over_tolerance=bool(cleaned.get("over_tolerance"))))
        except Exception as e:
            if _unique_violation(e):
                raise WorkflowError("该招待申请刚刚已被另一张报销单使用，每次事前审批只能报销一次", "entertainment_ref") from None
            raise
        trip = cleaned.get("trip")
        if trip:
            try:  # the unique trip: claimed once, company-wide
                await ExpenseTrip.insert(ExpenseTrip(request=request_id, trip=trip["id"], private=trip["private"], distance=trip["distance"],
                                                     fuel=trip["fuel"], toll=trip["toll"], rate=trip["rate"], allowance=trip["allowance"],
                                                     amount=trip["amount"]))
            except Exception as e:
                if _unique_violation(e):
                    raise WorkflowError("该次出车刚刚已在另一张报销单中报销，每次出车只能报销一次", "trip_ref") from None
                raise
        if not cleaned["lines"]:
            return
        try:
            await Invoice.insert(*[Invoice(request=request_id, line_no=i + 1, kind=l["kind"], code=l["code"], number=l["number"], issued_on=l["issued_on"],
                                           seller=l["seller"], amount=l["amount"], tax=l["tax"], buyer_name=l["buyer_name"],
                                           buyer_tax_id=l["buyer_tax_id"], active=True) for i, l in enumerate(cleaned["lines"])])
        except Exception as e:  # the partial unique index: someone claimed the same invoice a moment ago
            if _unique_violation(e):
                raise WorkflowError("发票号码刚刚已被他人报销，请刷新后核对", "inv_number_0") from None
            raise

    async def load(self, request_id: int) -> dict:
        claim = await ExpenseClaim.select(ExpenseClaim.all_columns(), ExpenseClaim.offset_advance.request.number).where(
            ExpenseClaim.request == request_id).first() or {}
        lines = await Invoice.select().where(Invoice.request == request_id).order_by(Invoice.line_no)
        trip = await ExpenseTrip.select(ExpenseTrip.all_columns(), ExpenseTrip.trip.booking, ExpenseTrip.trip.booking.request.number,
                                        ExpenseTrip.trip.vehicle.plate).where(ExpenseTrip.request == request_id).first()
        ent = await services.entertainment_of(claim["entertainment"]) if claim.get("entertainment") else None
        values: dict[str, Any] = {"reason": claim.get("reason", ""), "offset_advance": str(claim.get("offset_advance") or ""),
                                  "offset_amount": _text(claim.get("offset_amount")) if claim.get("offset_advance") else "",
                                  "category": claim.get("category") or EXPENSE_CATEGORIES[0], "entertainment_ref": str(claim.get("entertainment") or ""),
                                  "trip_ref": trip["trip.booking.request.number"] if trip else "",
                                  "trip_fuel": _text(trip["fuel"]) if trip and not trip["private"] else "", "trip_toll": _text(trip["toll"]) if trip else ""}
        for f, col in (("inv_kind", "kind"), ("inv_code", "code"), ("inv_number", "number"), ("inv_buyer", "buyer_name"), ("inv_buyer_tax_id", "buyer_tax_id"), ("inv_date", "issued_on"), ("inv_seller", "seller"), ("inv_amount", "amount"), ("inv_tax", "tax")):
            values[f] = [_text(l[col]) for l in lines]
        ceiling = None
        if ent:
            ceiling = entertainment_ceiling(ent["expected"], (await _expense_settings())["entertainment_tolerance_pct"])
        return {"claim": claim, "lines": lines, "trip": trip, "entertainment": ent, "ceiling": ceiling, "form_values": values}


async def _expense_settings() -> dict[str, Decimal]:
    from app.workflow.definitions import FLOWS
    from app.workflow.engine import flow_settings

    return await flow_settings(FLOWS["expense"])


def _entertainment_label(e: dict) -> str:
    return f"{e['request.number']} · {e['event_on']} {e['guests'][:20]}（批准 {Decimal(e['expected']):,.2f} 元）"


async def _parse_trip(p: Parser, user, request_id: int | None, rate: Decimal) -> dict | None:
    """A logged trip on the claim (the record picker `trip_ref`): the applicant's own, not on another claim, the
    amounts entered equal to the log's receipts. Returns the claim line (trip_claim) or None."""
    from app.office import services as office

    ref = p.raw("trip_ref").strip()
    if not ref:
        return None
    t = await office.trip_by_ref(ref)
    if not t or t["booking.request.applicant_user"] != user.user_id:
        p.fail("trip_ref", "只能报销本人用车申请已登记的行车记录，请从列表中选择")
        return None
    if t["claim"] and t["claim"]["request"] != request_id:
        p.fail("trip_ref", f"该次出车已在报销单 {t['claim']['request.number']}（{t['claim']['request.applicant.name']}）中报销，每次出车只能报销一次")
        return None
    private = bool(t["vehicle.private_owner"])
    line = trip_claim(private=private, distance=t["distance"], fuel=t["fuel_amount"], toll=t["toll_amount"], rate=rate)
    checks = [("trip_toll", "路桥费", line["toll"])] + ([] if private else [("trip_fuel", "油费", line["fuel"])])
    for name, label, logged in checks:
        entered = p.money(name, label, allow_zero=True)
        if entered is not None and entered != logged:
            p.fail(name, f"{label}应与行车记录的票据金额一致（行车记录 {logged:,.2f} 元）")
    if line["amount"] <= 0:
        p.fail("trip_ref", "该次出车没有可报销的金额（行车记录中没有油费、路桥费或里程）")
    return {"id": t["id"], "ref": ref, "private": private, "distance": t["distance"], "rate": rate if private else Decimal("0.00"), **line}


async def _parse_entertainment(p: Parser, user, request_id: int | None) -> dict | None:
    """业务招待费 needs its prior approval (SPEC E13): an approved 招待申请 of the same applicant, used by no other claim."""
    raw = p.raw("entertainment_ref")
    rid = parse_id(raw)
    if not raw:
        p.fail("entertainment_ref", "业务招待费须事前审批：请选择已批准的招待申请（没有的请先提交「业务招待申请」）")
        return None
    ent = await services.entertainment_of(rid) if rid else None
    if not ent or ent["employee"] != user.employee_id:
        p.fail("entertainment_ref", "只能选择本人的招待申请")
    elif ent["request.status"] != "已通过":
        p.fail("entertainment_ref", f"招待申请 {ent['request.number']} 尚未审批通过（{ent['request.status']}），不能报销")
    elif ent["claim"] and ent["claim"]["request"] != request_id:
        p.fail("entertainment_ref", f"招待申请 {ent['request.number']} 已在报销单 {ent['claim']['request.number']} 中使用，每次事前审批只能报销一次")
    else:
        return ent
    return None


class AdvanceForm:
    fields_template = "finance/_advance_fields.html"
    detail_template = "finance/_advance_detail.html"

    async def context(self, user) -> dict[str, Any]:
        days = int(await flow_setting("advance", "settle_days"))
        return {"kinds": ADVANCE_KINDS, "default_due": (today_local() + timedelta(days=days)).isoformat(), "settle_days": days}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        kind = p.choice("kind", "借款类型", ADVANCE_KINDS)
        purpose = p.text("purpose", "借款用途", max_len=500)
        amount = p.money("amount", "借款金额")
        due = p.date("due_on", "预计还款日期")
        today = today_local()
        if due and due < today:
            p.fail("due_on", "预计还款日期不能早于今天")
        elif due and due > today + timedelta(days=(days := int(await flow_setting("advance", "settle_days")))):
            p.fail("due_on", f"借款应在 {days} 天内结清，预计还款日期最晚为 " + (today + timedelta(days=days)).isoformat())
        if user.employee_id:
            late = await services.overdue_advance(user.employee_id)
            if late:
                p.fail("amount", f"您有逾期未结清的借款 {late['request.number']}（余额 {Decimal(late['balance']):,.2f} 元），请先还款或报销冲账")
            else:
                held = await services.open_advance(user.employee_id, request_id)
                if held and held["status"] == "审批中":
                    p.fail("amount", f"您的借款 {held['request.number']} 尚在审批中，结清前不能再借款")
                elif held:
                    p.fail("amount", f"您有未结清的借款 {held['request.number']}（余额 {Decimal(held['balance']):,.2f} 元），请先还款或报销冲账后再借款")
        return FormResult(errors=p.errors, cleaned={"kind": kind, "purpose": purpose, "amount": amount, "due_on": due},
                          title=f"借款（{kind}）：{purpose[:40]}", amount=amount)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        held = await services.open_advance(user.employee_id, request_id) if user.employee_id else None
        if held:  # checked again inside the submitting transaction: a second tab submitted a moment ago
            raise WorkflowError(f"您有未结清的借款 {held['request.number']}，结清前不能再借款", "amount")
        existing = await Advance.select(Advance.id).where(Advance.request == request_id).first()
        data = {Advance.kind: cleaned["kind"], Advance.purpose: cleaned["purpose"], Advance.amount: cleaned["amount"], Advance.due_on: cleaned["due_on"]}
        if existing:
            await Advance.update(data).where(Advance.id == existing["id"])
        else:
            await Advance.insert(Advance(request=request_id, employee=user.employee_id, kind=cleaned["kind"], purpose=cleaned["purpose"],
                                         amount=cleaned["amount"], balance=Decimal("0.00"), due_on=cleaned["due_on"], status="审批中"))

    async def load(self, request_id: int) -> dict:
        adv = await Advance.select().where(Advance.request == request_id).first() or {}
        return {"advance": adv, "form_values": {k: _text(adv.get(k)) for k in ("kind", "purpose", "amount", "due_on")}}


class PaymentForm:
    fields_template = "finance/_payment_fields.html"
    detail_template = "finance/_payment_detail.html"

    async def context(self, user) -> dict[str, Any]:
        from app.pipeline.receipts import REFUND_KINDS

        return {"methods": PAY_METHODS, "refund_kinds": REFUND_KINDS}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        payee = p.text("payee", "收款单位", max_len=100)
        bank = p.text("bank", "开户银行", max_len=100)
        account = p.raw("account").replace(" ", "")
        if not account:
            p.fail("account", "请填写银行账号")
        elif not re.fullmatch(r"\d{8,30}", account):
            p.fail("account", "银行账号应为 8–30 位数字")
        contract_no = p.text("contract_no", "合同编号", max_len=50)
        total = p.money("contract_total", "合同总额")
        amount = p.money("amount", "本次付款金额")
        method = p.choice("method", "付款方式", PAY_METHODS)
        purpose = p.text("purpose", "付款事由", max_len=500)
        from app.pipeline import receipts  # a customer refund (A5 voiding, A6 area difference) is linked to its deal

        refund = await receipts.refund_target(user, p, request_id, amount)
        paid = await services.paid_on_contract(contract_no, request_id) if contract_no else Decimal("0.00")
        percent = None
        if total and amount:
            if paid + amount > total:
                p.fail("amount", f"累计付款将超过合同总额：已付（含审批中）{paid:,.2f} 元，本次最多可付 {max(total - paid, Decimal(0)):,.2f} 元")
            percent = ((paid + amount) / total * 100).quantize(Decimal("0.01"))
        cleaned = {"payee": payee, "bank": bank, "account": account, "contract_no": contract_no, "contract_total": total,
                   "paid_before": paid, "amount": amount, "method": method, "purpose": purpose, "percent": percent, "refund": refund}
        title = f"客户退款：{payee}（{refund['kind']}，合同 {contract_no}）" if refund else f"付款：{payee}（合同 {contract_no}）"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=amount)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await Payment.delete().where(Payment.request == request_id)
        await Payment.insert(Payment(request=request_id, **{k: cleaned[k] for k in (
            "payee", "bank", "account", "contract_no", "contract_total", "paid_before", "amount", "method", "purpose")}))
        from app.pipeline import receipts

        refund = cleaned.get("refund")
        await receipts.link_refund(request_id, {**refund, "amount": cleaned["amount"]} if refund else None)

    async def load(self, request_id: int) -> dict:
        pay = await Payment.select().where(Payment.request == request_id).first() or {}
        percent = None
        if pay:
            percent = ((Decimal(pay["paid_before"]) + Decimal(pay["amount"])) / Decimal(pay["contract_total"]) * 100).quantize(Decimal("0.01"))
        from app.pipeline import receipts

        refund = await receipts.refund_of(request_id)
        values = {k: _text(pay.get(k)) for k in ("payee", "bank", "account", "contract_no", "contract_total", "amount", "method", "purpose")}
        values.update(deal_ref=(refund.get("deal.contract_no") or refund.get("deal.number")) if refund else "", refund_kind=refund["kind"] if refund else "")
        return {"payment": pay, "percent": percent, "refund": refund, "form_values": values}


class EntertainmentForm:
    """业务招待申请: the prior approval an entertainment expense needs (purpose, guests, expected amount), filed
    before the event."""

    fields_template = "finance/_entertainment_fields.html"
    detail_template = "finance/_entertainment_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {"today": today_local().isoformat(), "tolerance": (await _expense_settings())["entertainment_tolerance_pct"]}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        purpose = p.text("purpose", "招待事由", max_len=500)
        guests = p.text("guests", "来宾单位及人员", max_len=200)
        guest_count = p.integer("guest_count", "来宾人数", minimum=1, maximum=200)
        staff_count = p.integer("staff_count", "陪同人数", minimum=0, maximum=50)
        event_on = p.date("event_on", "招待日期")
        if event_on and event_on < today_local():
            p.fail("event_on", "招待申请须在招待前提交：招待日期不能早于今天")
        expected = p.money("expected", "预计金额")
        cleaned = {"purpose": purpose, "guests": guests, "guest_count": guest_count, "staff_count": staff_count, "event_on": event_on,
                   "expected": expected}
        return FormResult(errors=p.errors, cleaned=cleaned, title=f"业务招待申请：{guests[:30]}（{event_on or ''}）", amount=expected)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await Entertainment.delete().where(Entertainment.request == request_id)
        await Entertainment.insert(Entertainment(request=request_id, employee=user.employee_id, **cleaned))

    async def load(self, request_id: int) -> dict:
        ent = await services.entertainment_of(request_id) or {}
        return {"ent": ent, "form_values": {k: _text(ent.get(k)) for k in ("purpose", "guests", "guest_count", "staff_count", "event_on", "expected")}}
