"""A2 签约: the 购房审核单 (submitted by the 置业顾问, checked by the 合同专员), the overseas filing read from the permits
register, 网签草拟 → 待客户签字 → 已签约, the same-day entries (合同台账, RIS, 预警预报系统) and the 联机备案故障记录."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.scope import project_clause
from app.core.timeutil import SHANGHAI, now, to_local, today_local
from app.core.web import Form, redirect_with_flash, render
from app.pipeline import services
from app.pipeline.steps import DealPanel
from app.pipeline.tables import Deal, Receipt
from app.pipeline.tables_signing import Outage, OutageDeal, SignCheck, SigningEntry

SETTINGS = {
    "sign_entry_remind_hour": ("签约当日录入（合同台账、RIS、预警预报系统）：当天几点起提醒漏录（时）", Decimal("17")),
    "sign_entry_window_days": ("签约当日录入：签约后多少天内仍提醒漏录", Decimal("7")),
}

CLOSES = {"sign.entries": ("entries",)}

SIGN_TASKS = {  # sign_status → (owner stage, the queue's task)
    "审核单待审": ("签约", "审核购房审核单"),
    "审核通过": ("签约", "网签录入（联机备案系统）"),
    "境外审批中": ("签约", "跟进境外购房备案审批"),
    "网签草拟": ("签约", "打印合同，约客户签字"),
    "待客户签字": ("签约", "客户签字按手印，确认签约"),
    "审核退回": ("认购", "改正审核单后重新提交"),
}


# ---------------------------------------------------------------- the unit page


async def _panel(user, deal: dict, page: dict) -> dict | None:
    """The 办理 card's 签约 part: the 置业顾问's 审核单 form, the 合同专员's check, 网签, print and signing forms."""
    if deal["stage"] != "已认购":
        return None
    acts = page["acts"]
    status = deal["sign_status"]
    sales_turn = acts["认购"] and status in ("", "审核退回") and deal["subscription_status"] in ("", "已认购")
    contract_turn = acts["签约"] and status != "审核退回"
    if not (sales_turn or contract_turn):
        return None
    sheet = await SignCheck.select().where(SignCheck.deal == deal["id"]).first()
    receipts = await Receipt.select(Receipt.voucher_no, Receipt.kind, Receipt.amount).where((Receipt.deal == deal["id"]) & (Receipt.amount > 0)).order_by(Receipt.id)
    data: dict[str, Any] = {"sheet": sheet, "sales_turn": sales_turn, "contract_turn": contract_turn, "checks": services.SIGN_CHECKS,
                            "receipt_choices": [(r["voucher_no"], f"{r['voucher_no']}（{r['kind']} ¥{Decimal(r['amount']):,.2f}）") for r in receipts],
                            "methods": [(m, m) for m in services.PAYMENT_METHODS], "docs": [x for x in page["current"]["docs"] if x["stage"] == "签约"],
                            "filing": await services._overseas_gate(deal) if status == "境外审批中" else None}
    if sales_turn:
        src = sheet or {}
        data["sheet_form"] = Form(values={
            "area": f"{Decimal(src.get('area') or deal['unit.area_build']):.2f}", "unit_price": f"{Decimal(src.get('unit_price') or deal['unit_price']):.2f}",
            "total_price": f"{Decimal(src.get('total_price') or deal['total_price']):.2f}", "payment_method": src.get("payment_method") or deal["payment_method"],
            "down_payment": f"{Decimal(src.get('down_payment') if src else deal['down_payment']):.2f}", "receipt_no": src.get("receipt_no", ""),
            "loan_amount": f"{Decimal(deal['total_price']) - Decimal(deal['down_payment']):.2f}" if deal["payment_method"] in services.LOAN_METHODS else "",
            "loan_bank": src.get("loan_bank", ""), "delivery_due": src["delivery_due"].isoformat() if src.get("delivery_due") else "",
            "title_deadline": src["title_deadline"].isoformat() if src.get("title_deadline") else "",
            "supplement": "1" if src.get("supplement") else "", "supplement_text": src.get("supplement_text", ""),
        })
    return data


async def _entries_panel(user, deal: dict, page: dict) -> dict | None:
    """After signing: the same-day entries still to record (合同专员)."""
    if deal["sign_status"] != "已签约" or deal["stage"] in ("已作废", "已退订") or not page["acts"]["签约"]:
        return None
    done = {e["system"] for e in (await services.signing_entries([deal["id"]])).get(deal["id"], [])}
    left = [s for s in services.SIGN_ENTRIES if s not in done]
    return {"left": left} if left else None


async def _card(user, deal: dict, page: dict) -> dict | None:
    """The 签约 record card, for everyone who sees the unit: the 审核单, the overseas filing (with its register link),
    the same-day entries and any outage that held the contract up."""
    sheet = await SignCheck.select(SignCheck.all_columns(), SignCheck.reviewer.name, SignCheck.submitted_by.name).where(SignCheck.deal == deal["id"]).first()
    filing = await services._overseas_gate(deal)
    entries = (await services.signing_entries([deal["id"]])).get(deal["id"], [])
    outages = await OutageDeal.select(OutageDeal.outage, OutageDeal.outage.started_at, OutageDeal.outage.cause).where(OutageDeal.deal == deal["id"]).order_by(
        OutageDeal.id).limit(20)
    if not (sheet or filing or entries or outages or deal["sign_status"] == "已签约"):
        return None
    signed_on = deal["signed_on"]
    for e in entries:
        e["same_day"] = bool(signed_on) and to_local(e["done_at"]).date() == signed_on
    return {"sheet": sheet, "filing": filing, "entries": entries, "outages": outages, "systems": services.SIGN_ENTRIES,
            "filing_url": f"/permits/overseas/{filing['id']}" if filing else ""}


PANELS = [DealPanel("sign", 20, "pipeline/panels/sign.html", _panel),
          DealPanel("sign-entries", 21, "pipeline/panels/sign_entries.html", _entries_panel),
          DealPanel("sign-card", 20, "pipeline/panels/sign_card.html", _card, place="card")]


# ---------------------------------------------------------------- actions


def _act(request: Request, deal_id: int, key: str, fn):
    from app.pipeline.routes import _act as act

    return act(request, deal_id, key, fn)


@post("/deals/{deal_id:int}/check-sheet", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_check_sheet(request: Request, deal_id: int) -> Response:
    """The 置业顾问 submits (or resubmits) the 购房审核单."""
    return await _act(request, deal_id, "check-sheet", lambda d: services.submit_check(request.user, deal_id, d))


@post("/deals/{deal_id:int}/draft", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_draft(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "draft", lambda d: services.draft(request.user, deal_id, d))


@post("/deals/{deal_id:int}/printed", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_printed(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "printed", lambda d: services.printed(request.user, deal_id, d))


@post("/deals/{deal_id:int}/entries", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_entry(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "entries", lambda d: services.record_entry(request.user, deal_id, d))


# ---------------------------------------------------------------- 联机备案故障记录


OUTAGES = Listing(
    table=Outage,
    select=[Outage.id, Outage.started_at, Outage.ended_at, Outage.cause, Outage.coordinated, Outage.recorded_by.name],
    columns=[
        Col("started_at", "故障开始", fmt="datetime", link="/pipeline/outages/{id}", testid="outage-link"),
        Col("ended_at", "恢复时间", fmt="datetime"),
        Col("cause", "故障原因"),
        Col("coordinated", "协调单位"),
        Col("recorded_by.name", "登记人"),
    ],
    filters=[Filter("q", "原因", "text", columns=[Outage.cause, Outage.action_taken], placeholder="故障原因或处理情况"),
             Filter("from", "开始自", "date_from", columns=[Outage.started_at]), Filter("to", "开始至", "date_to", columns=[Outage.started_at])],
    default_sort="started_at", default_desc=True, base_url="/pipeline/outages", target_id="outage-list",
)


def _may_log(user) -> bool:
    return services.may_act(user, "签约")


@get("/outages", guards=[requires(Perm.PIPELINE)])
async def outage_list(request: Request) -> Response:
    result = await OUTAGES.fetch(dict(request.query_params), request.user)
    return render(request, "pipeline/outages.html", {"result": result, "may": _may_log(request.user)}, fragment="_partials/listing_table.html")


def _moment(v: datetime | None) -> str:
    return to_local(v).strftime("%Y-%m-%dT%H:%M") if v else ""


async def _outage_form(request: Request, outage: dict | None, form: Form, status_code: int = 200) -> Response:
    deals = await services.outage_deal_choices(request.user)
    chosen = set(form.values.get("deal_ids") if isinstance(form.values.get("deal_ids"), list) else [form.values.get("deal_ids") or ""])
    if outage:  # the contracts already linked stay listed even when they are no longer being signed
        known = {d["id"] for d in deals}
        linked = await OutageDeal.select(OutageDeal.deal.as_alias("id"), OutageDeal.deal.number.as_alias("number"),
                                         OutageDeal.deal.contract_no.as_alias("contract_no"), OutageDeal.deal.sign_status.as_alias("sign_status"),
                                         OutageDeal.deal.unit.room_no.as_alias("unit.room_no"), OutageDeal.deal.unit.building.name.as_alias("unit.building.name"),
                                         OutageDeal.deal.buyer.name.as_alias("buyer.name")).where(
            (OutageDeal.outage == outage["id"]) & (project_clause(OutageDeal.deal.project, request.user) if not request.user.all_projects else (OutageDeal.id > 0)))
        deals = [*[d for d in linked if d["id"] not in known], *deals]
    return render(request, "pipeline/outage_form.html", {"outage": outage, "form": form, "deals": deals, "chosen": {str(c) for c in chosen},
                                                         "parties": services.OUTAGE_PARTIES, "may": _may_log(request.user)},
                  fragment="pipeline/outage_fields.html", status_code=status_code)


def _values(data) -> dict:
    out = {}
    for k in data.keys():
        vals = data.getall(k)
        out[k] = vals if len(vals) > 1 or k in ("deal_ids", "coordinated") else vals[0]
    return out


@get("/outages/new", guards=[requires(Perm.PIPELINE)])
async def outage_new(request: Request) -> Response:
    if not _may_log(request.user):
        raise PermissionDeniedException("只有合同专员可以登记联机备案故障")
    return await _outage_form(request, None, Form(values={"started_at": now().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")}))


@post("/outages/new", guards=[requires(Perm.PIPELINE)], status_code=200)
async def outage_create(request: Request) -> Response:
    if not _may_log(request.user):
        raise PermissionDeniedException("只有合同专员可以登记联机备案故障")
    data = await request.form()
    try:
        oid = await services.save_outage(request.user, None, data)
    except services.PipelineError as e:
        return await _outage_form(request, None, Form(values=_values(data), errors=e.errors), 400)
    return redirect_with_flash(f"/pipeline/outages/{oid}", "已登记联机备案故障", "success", request)


async def _outage_or_404(outage_id: int) -> dict:
    if not 0 < outage_id < 2**31:
        raise NotFoundException("故障记录不存在")
    row = await Outage.select(Outage.all_columns(), Outage.recorded_by.name).where(Outage.id == outage_id).first()
    if not row:
        raise NotFoundException("故障记录不存在")
    return row


@get("/outages/{outage_id:int}", guards=[requires(Perm.PIPELINE)])
async def outage_detail(request: Request, outage_id: int) -> Response:
    row = await _outage_or_404(outage_id)
    linked = [str(r["deal"]) for r in await OutageDeal.select(OutageDeal.deal).where(OutageDeal.outage == outage_id)]
    form = Form(values={"started_at": _moment(row["started_at"]), "ended_at": _moment(row["ended_at"]), "cause": row["cause"],
                        "action_taken": row["action_taken"], "coordinated": [x for x in services.OUTAGE_PARTIES if x in row["coordinated"]],
                        "deal_ids": linked})
    return await _outage_form(request, row, form)


@post("/outages/{outage_id:int}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def outage_update(request: Request, outage_id: int) -> Response:
    row = await _outage_or_404(outage_id)
    if not _may_log(request.user):
        raise PermissionDeniedException("只有合同专员可以修改联机备案故障")
    data = await request.form()
    try:
        await services.save_outage(request.user, outage_id, data)
    except services.PipelineError as e:
        return await _outage_form(request, row, Form(values=_values(data), errors=e.errors), 400)
    return redirect_with_flash(f"/pipeline/outages/{outage_id}", "已保存", "success", request)


ROUTES = [deal_check_sheet, deal_draft, deal_printed, deal_entry, outage_list, outage_new, outage_create, outage_detail, outage_update]


# ---------------------------------------------------------------- queue and reminders


def _missing_entry():
    """Deals with at least one same-day entry not recorded (one subquery per system, no query per row)."""
    clause = None
    for s in services.SIGN_ENTRIES:
        c = Deal.id.not_in(SigningEntry.select(SigningEntry.deal).where(SigningEntry.system == s))
        clause = c if clause is None else (clause | c)
    return clause


async def _queue(user, limits: dict) -> list[dict]:
    from app.pipeline.queries import QUEUE_LIMIT

    today = today_local()
    cols = [Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name]
    scope = project_clause(Deal.project, user)
    items: list[dict] = []
    states = [s for s, (stage, _) in SIGN_TASKS.items() if services.may_act(user, stage)]
    if states:
        q = Deal.select(*cols, Deal.sign_status, Deal.sign_deadline).where((Deal.stage == "已认购") & Deal.sign_status.is_in(states))
        if scope is not None:
            q = q.where(scope)
        for r in await q.order_by(Deal.sign_deadline).limit(QUEUE_LIMIT):
            due = r["sign_deadline"]
            items.append({**r, "stage": "签约", "task": SIGN_TASKS[r["sign_status"]][1], "due": due, "overdue": bool(due and due < today)})
    if services.may_act(user, "签约"):
        since = today - timedelta(days=int(limits["sign_entry_window_days"]))
        q = Deal.select(*cols, Deal.signed_on).where((Deal.sign_status == "已签约") & (Deal.stage == "已签约") & (Deal.signed_on >= since) & _missing_entry())
        if scope is not None:
            q = q.where(scope)
        for r in await q.order_by(Deal.signed_on).limit(QUEUE_LIMIT):
            items.append({**r, "stage": "签约", "task": "签约当日录入：合同台账、RIS、预警预报系统", "due": r["signed_on"], "overdue": r["signed_on"] < today})
    return items


QUEUE = [_queue]


async def _remind_entries(ctx) -> int:
    """At the end of the signing day (from the set hour), and on the following days within the window, the 合同专员 is
    reminded of a signed contract whose 合同台账/RIS/预警预报系统 entry is missing."""
    today = ctx.today
    hour = int(ctx.limits["sign_entry_remind_hour"])
    since = today - timedelta(days=int(ctx.limits["sign_entry_window_days"]))
    latest = today if now().astimezone(SHANGHAI).hour >= hour else today - timedelta(days=1)
    rows = await Deal.select(Deal.id, Deal.unit, Deal.project, Deal.number, Deal.signed_on).where(
        (Deal.sign_status == "已签约") & (Deal.stage == "已签约") & (Deal.signed_on >= since) & (Deal.signed_on <= latest) & _missing_entry()
    ).order_by(Deal.signed_on).limit(1000)
    if not rows:
        return 0
    done: dict[int, set[str]] = {}
    for e in await SigningEntry.select(SigningEntry.deal, SigningEntry.system).where(SigningEntry.deal.is_in([r["id"] for r in rows])):
        done.setdefault(e["deal"], set()).add(e["system"])
    sent = 0
    for r in rows:
        left = "、".join(s for s in services.SIGN_ENTRIES if s not in done.get(r["id"], set()))
        sent += await ctx.send("contract", r, f"{today} {r['number']} 签约当日录入未完成（{r['signed_on']} 签约）：尚缺{left}", "entries")
    return sent


REMINDERS = [_remind_entries]


def dashboard_counts(user, today, limits) -> list[tuple]:
    """The home page's queue counts (app/dashboard/figures.py), one per task of `_queue`, on the same conditions."""
    out = [(stage, task, (Deal.stage == "已认购") & (Deal.sign_status == state), Deal.sign_deadline < today)
           for state, (stage, task) in SIGN_TASKS.items() if services.may_act(user, stage)]
    if services.may_act(user, "签约"):
        since = today - timedelta(days=int(limits["sign_entry_window_days"]))
        out.append(("签约", "签约当日录入：合同台账、RIS、预警预报系统",
                    (Deal.sign_status == "已签约") & (Deal.stage == "已签约") & (Deal.signed_on >= since) & _missing_entry(), Deal.signed_on < today))
    return out
