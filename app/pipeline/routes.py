"""The pipeline's pages: the unit board, the unit timeline where each officer acts on their step, the work queue."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import attachments, audit
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, redirect_with_flash, render
from app.pipeline import queries, receipts, rules, services, steps
from app.pipeline.tables import Buyer, Deal


def _values(data) -> dict:
    out = {}
    for k in data.keys():
        vals = data.getall(k)
        out[k] = vals if len(vals) > 1 else vals[0]
    return out


@get("/", guards=[requires(Perm.PIPELINE)])
async def unit_board(request: Request) -> Response:
    result = await queries.UNITS.fetch(dict(request.query_params), request.user)
    return render(request, "pipeline/units.html", {"result": result}, fragment="_partials/listing_table.html")


async def _unit_or_404(request: Request, unit_id: int) -> dict:
    page = await queries.unit_page(unit_id)
    if not page:
        raise NotFoundException("房源不存在")
    if not request.user.sees_project(page["unit"]["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    return page


async def _timeline(request: Request, unit_id: int, forms: dict | None = None, status_code: int = 200) -> Response:
    page = await _unit_or_404(request, unit_id)
    user = request.user
    acts = {stage: services.may_act(user, stage) for stage in services.STAGE_OWNER}
    panels, cards = ([], [])
    if page.get("current"):
        panels, cards = await steps.panels_for(user, page["current"]["deal"], {**page, "acts": acts, "forms": forms or {}})
    if page.get("voiding"):
        for st in page["voiding"]["steps"]:
            st["may"] = st["done_on"] is None and receipts.may_cancel(user, st["step"])
    return render(request, "pipeline/unit.html", {**page, "acts": acts, "panels": panels, "cards": cards, "forms": forms or {}, "empty_form": Form(), "today": today_local(),
                                                  "unmask": services.can_unmask(user), "services": services,
                                                  "deemed_days": int(page["limits"]["deemed_delivery_days"]),
                                                  "home_counts": [(h, h) for h in rules.HOME_COUNTS],
                                                  "area_tolerance": f'{page["limits"]["area_tolerance_pct"].normalize():f}',
                                                  "attachments": await attachments.panel(user, "pl_unit", unit_id)}, status_code=status_code)


@get("/units/{unit_id:int}", guards=[requires(Perm.PIPELINE)])
async def unit_timeline(request: Request, unit_id: int) -> Response:
    return await _timeline(request, unit_id)


@get("/units/{unit_id:int}/subscribe", guards=[requires(Perm.PIPELINE)])
async def subscribe_form(request: Request, unit_id: int) -> Response:
    page = await _unit_or_404(request, unit_id)
    if not services.may_act(request.user, "认购"):
        raise PermissionDeniedException("只有置业顾问、销售经理可以办理认购")
    u = page["unit"]
    form = Form(values={"unit_price": f"{u['unit_price']:.2f}", "total_price": f"{u['total_price']:.2f}", "co_ownership": "单独所有",
                        "down_payment": f"{u['total_price']:.2f}",
                        "id_type": "居民身份证", "payment_method": "一次性"})
    limits = page["limits"]
    return render(request, "pipeline/subscribe.html", {**page, "form": form, "services": services,
                                                       "manager_max_pct": limits["discount_manager_max_pct"], "sign_days": int(limits["sign_days"])})


@post("/units/{unit_id:int}/subscribe", guards=[requires(Perm.PIPELINE)], status_code=200)
async def subscribe_submit(request: Request, unit_id: int) -> Response:
    page = await _unit_or_404(request, unit_id)
    data = await request.form()
    try:
        deal = await services.subscribe(request.user, unit_id, data)
    except services.PipelineError as e:
        return render(request, "pipeline/subscribe.html", {**page, "form": Form(values=_values(data), errors=e.errors), "services": services,
                                                           "manager_max_pct": page["limits"]["discount_manager_max_pct"],
                                                           "sign_days": int(page["limits"]["sign_days"])}, status_code=400)
    done = {"草稿": "认购书已保存为草稿", "优惠待批": "认购书已提交，优惠送审批", "待收定金": "认购书已提交，待财务收取定金"}
    return redirect_with_flash(f"/pipeline/units/{unit_id}", f"{done.get(deal['subscription_status'], '认购已登记')}：{deal['number']}", "success", request)


async def _deal_unit(deal_id: int) -> int:
    d = await Deal.select(Deal.unit).where(Deal.id == deal_id).first()
    if not d:
        raise NotFoundException("记录不存在")
    return d["unit"]


async def _act(request: Request, deal_id: int, key: str, coro_factory) -> Response:
    unit_id = await _deal_unit(deal_id)
    await _unit_or_404(request, unit_id)
    data = await request.form()
    try:
        await coro_factory(data)
    except services.PipelineError as e:
        return await _timeline(request, unit_id, {key: Form(values=_values(data), errors=e.errors)}, 400)
    return redirect_with_flash(f"/pipeline/units/{unit_id}", "已办理", "success", request)


@post("/deals/{deal_id:int}/check", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_check(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "check", lambda d: services.check(request.user, deal_id, d))


@post("/deals/{deal_id:int}/overseas", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_overseas(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "overseas", lambda d: services.approve_overseas(request.user, deal_id, d))


@post("/deals/{deal_id:int}/sign", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_sign(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "sign", lambda d: services.sign(request.user, deal_id, d))


@post("/deals/{deal_id:int}/mortgage/{action:str}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_mortgage(request: Request, deal_id: int, action: str) -> Response:
    return await _act(request, deal_id, f"mortgage.{action}", lambda d: services.mortgage_step(request.user, deal_id, action, d))


@post("/deals/{deal_id:int}/filing/{action:str}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_filing(request: Request, deal_id: int, action: str) -> Response:
    return await _act(request, deal_id, f"filing.{action}", lambda d: services.filing_step(request.user, deal_id, action, d))


@post("/deals/{deal_id:int}/handover-notice", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_handover_notice(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "handover-notice", lambda d: services.handover_notice(request.user, deal_id, d))


@post("/deals/{deal_id:int}/handover", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_handover(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "handover", lambda d: services.handover(request.user, deal_id, d))


@post("/deals/{deal_id:int}/deemed", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_deemed(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "deemed", lambda d: services.deemed_delivery(request.user, deal_id))


@post("/deals/{deal_id:int}/title/{action:str}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_title(request: Request, deal_id: int, action: str) -> Response:
    return await _act(request, deal_id, f"title.{action}", lambda d: services.title_step(request.user, deal_id, action, d))


@post("/deals/{deal_id:int}/documents/{doc_id:int}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_document(request: Request, deal_id: int, doc_id: int) -> Response:
    return await _act(request, deal_id, "documents", lambda d: services.receive_document(request.user, deal_id, doc_id, d.get("received") == "1"))


@post("/buyers/{buyer_id:int}/unmask", guards=[requires(Perm.CUSTOMER_UNMASK)], status_code=200)
async def buyer_unmask(request: Request, buyer_id: int) -> Response:
    """Show a buyer's ID number and phone in full: a permission, and every time in the audit log."""
    b = await Buyer.select(Buyer.id, Buyer.name, Buyer.id_number, Buyer.mobile).where(Buyer.id == buyer_id).first()
    if not b:
        raise NotFoundException("买受人不存在")
    if not await services.reaches_person(request.user, buyer_id):
        raise PermissionDeniedException("该客户不在您的数据范围内")
    await audit.record(actor=request.user, action="customer.unmask", entity="pl_buyer", entity_id=buyer_id, summary=f"查看 {b['name']} 的完整证件号和手机号")
    return render(request, "pipeline/_buyer_full.html", {"b": b})


@get("/title-batch", guards=[requires(Perm.PIPELINE)])
async def title_batch_page(request: Request) -> Response:
    return await _batch_page(request, Form(values={"on": today_local().isoformat()}))


async def _batch_page(request: Request, form: Form, status_code: int = 200) -> Response:
    rows = await services.title_batch_candidates(request.user)
    return render(request, "pipeline/title_batch.html", {"rows": rows, "form": form, "may": services.may_act(request.user, "产权证")},
                  status_code=status_code)


@post("/title-batch", guards=[requires(Perm.PIPELINE)], status_code=200)
async def title_batch_submit(request: Request) -> Response:
    data = await request.form()
    try:
        n = await services.title_batch(request.user, data)
    except services.PipelineError as e:
        return await _batch_page(request, Form(values=_values(data), errors=e.errors), 400)
    return redirect_with_flash("/pipeline/title-batch", f"已批量递交 {n} 户", "success", request)


@post("/deals/{deal_id:int}/void-steps/{step_id:int}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_void_step(request: Request, deal_id: int, step_id: int) -> Response:
    """作废 close-out: the 房管局专员 records 网签/备案/预告登记注销, the 按揭专员 the 贷款注销, each with its 回执号."""
    return await _act(request, deal_id, f"void-step.{step_id}", lambda d: receipts.record_cancellation(request.user, deal_id, step_id, d))


# ---------------------------------------------------------------- 收款登记 (finance)


@get("/receipts", guards=[requires(Perm.FINANCE)])
async def receipt_deals(request: Request) -> Response:
    """Finance finds a deal by contract number, buyer or room (its projects only), paged in SQL."""
    result = await receipts.DEALS.fetch(dict(request.query_params), request.user)
    await receipts.decorate_deals(result.page.rows)
    return render(request, "pipeline/receipt_deals.html", {"result": result}, fragment="_partials/listing_table.html")


async def _money_deal_or_404(request: Request, deal_id: int) -> dict:
    deal = await Deal.select(Deal.all_columns(), Deal.project.name, Deal.unit.building.name, Deal.unit.room_no, Deal.buyer.name).where(
        Deal.id == deal_id).first()
    if not deal:
        raise NotFoundException("记录不存在")
    if not request.user.sees_project(deal["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    return deal


async def _receipt_page(request: Request, deal: dict, form: Form | None = None, status_code: int = 200) -> Response:
    money = await receipts.money_of(deal["id"])
    open_dues = [(str(i["id"]), f"{i['kind']}（应收 {i['amount_due']:,.2f}，未收 {i['left']:,.2f}）") for i in money["dues"] if i["left"] > 0]
    if form is None:
        form = Form(values={"received_on": today_local().isoformat(), "method": "转账",
                            "instalment": open_dues[0][0] if len(open_dues) == 1 else ""})
    ctx = {"deal": deal, "money": money, "form": form, "open_dues": open_dues, "methods": receipts.RECEIPT_METHODS,
           "may_record": receipts.may_record(request.user) and deal["stage"] not in receipts.CLOSED_STAGES,
           "void_refund": await receipts.void_refund_due(deal), "today": today_local()}
    return render(request, "pipeline/receipts.html", ctx, fragment="pipeline/_receipts_card.html", status_code=status_code)


@get("/receipts/{deal_id:int}", guards=[requires(Perm.FINANCE)])
async def receipt_deal(request: Request, deal_id: int) -> Response:
    return await _receipt_page(request, await _money_deal_or_404(request, deal_id))


@post("/receipts/{deal_id:int}", guards=[requires(Perm.FINANCE)], status_code=200)
async def receipt_submit(request: Request, deal_id: int) -> Response:
    deal = await _money_deal_or_404(request, deal_id)
    data = await request.form()
    try:
        done = await receipts.record_receipt(request.user, deal_id, data)
    except services.PipelineError as e:
        return await _receipt_page(request, deal, Form(values=_values(data), errors=e.errors), 400)
    left = done["left"]
    text = f"已登记收款，{done['instalment']['kind']}" + ("已结清" if left == 0 else f"尚欠 {left:,.2f} 元")
    return redirect_with_flash(f"/pipeline/receipts/{deal_id}", text, "success", request)


QUEUE_PER_PAGE = 50


@get("/queue", guards=[requires(Perm.PIPELINE)])
async def work_queue(request: Request) -> Response:
    """The queue, paged (50 a page) and filtered by task; each task contributes at most QUEUE_LIMIT rows, soonest due.
    The page's slice and the task counts are kept in the figure cache (one small value per task filter and page)."""
    from app.core.figcache import cached
    from app.core.pagination import Page, clamp_page

    task_raw = (request.query_params.get("task") or "").strip()
    page_raw = clamp_page(request.query_params.get("page"))
    _today, _limits, parts = await queries.queue_key(request.user)

    def task_of(i: dict) -> str:
        return f'{i["stage"]}：{i["task"]}'

    async def summary() -> dict:
        tasks: dict[str, int] = {}
        for i in await queries.queue(request.user):
            tasks[task_of(i)] = tasks.get(task_of(i), 0) + 1
        per_stage: dict[str, int] = {}
        for k, n in tasks.items():
            per_stage[k.split("：", 1)[0]] = per_stage.get(k.split("：", 1)[0], 0) + n
        return {"tasks": sorted(tasks.items()), "capped": sorted(k for k, n in per_stage.items() if n >= queries.QUEUE_LIMIT)}

    s = await cached("pipeline.queue_tasks", parts, summary)
    tasks = [tuple(t) for t in s["tasks"]]
    capped = s["capped"]  # a step's query reached its LIMIT
    counts = dict(tasks)
    task = task_raw if task_raw in counts else ""
    total = counts[task] if task else sum(counts.values())
    page = min(page_raw, max(1, -(-total // QUEUE_PER_PAGE)))

    async def rows() -> list:
        items = [i for i in await queries.queue(request.user) if not task or task_of(i) == task]
        return items[(page - 1) * QUEUE_PER_PAGE:page * QUEUE_PER_PAGE]

    p = Page(rows=await cached("pipeline.queue_page", [*parts, task, page], rows), total=total, page=page, per_page=QUEUE_PER_PAGE,
             params={"task": task})
    return render(request, "pipeline/queue.html", {
        "result": {"page": p, "base_url": "/pipeline/queue", "target_id": "queue-list"}, "items": p.rows, "tasks": tasks,
        "task": task, "capped": capped, "cap": queries.QUEUE_LIMIT, "today": today_local()}, fragment="pipeline/_queue_list.html")


router = Router(path="/pipeline", route_handlers=[
    unit_board, unit_timeline, subscribe_form, subscribe_submit, deal_check, deal_overseas, deal_sign, deal_mortgage, deal_filing,
    deal_handover_notice, deal_handover, deal_deemed, deal_title, deal_document, buyer_unmask, work_queue, title_batch_page, title_batch_submit,
    deal_void_step, receipt_deals, receipt_deal, receipt_submit,
    *steps.collect("ROUTES"),  # each step module's own routes (app/pipeline/steps)
])
