"""晋升与调动 pages (SPEC §E9, §E10): /hr/moves — HR's list of promotions and transfers with their state (公示中 until
the date, 已任命, 待生效, 已生效); /hr/moves/{request id} — one of them, where HR ticks a transfer's handover checklist;
/hr/moves/{request id}/notice — the printable 任命通知 once the appointment is in effect. Opening a promotion after its
publication completes it (as the reminder job does)."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import audit
from app.core.guards import requires
from app.core.pagination import clamp_page, paginate
from app.core.permissions import Perm
from app.core.printing import print_context
from app.core.timeutil import today_local
from app.core.web import redirect_with_flash, render
from app.hr_move import rules, services
from app.hr_move.tables import Promotion as P, Transfer as T

PROMO_CLAUSE = ("kf-71p", "toc", "第十五章 客服部员工晋升流程")
TRANSFER_CLAUSE = ("kf-71p", "toc", "第十六章 客服部员工跨公司调动流程")


@get("/", guards=[requires(Perm.HR_MANAGE)])
async def move_list(request: Request) -> Response:
    """HR's list, one tab at a time (晋升 / 跨公司调动), paged in SQL."""
    today = today_local()
    kind = "transfer" if request.query_params.get("kind") == "transfer" else "promotion"
    table, cols = (T, services.TRANSFER_COLUMNS) if kind == "transfer" else (P, services.PROMOTION_COLUMNS)
    page = await paginate(table.select(*cols).order_by(table.id, ascending=False), table.count(),
                          page=clamp_page(request.query_params.get("page")), per_page=20, params={"kind": kind})
    for r in page.rows:
        r["state"] = services.transfer_state(r) if kind == "transfer" else services.promotion_state(r, today)
    return render(request, "hr_move/list.html", {"kind": kind, "page": page, "promo_clause": PROMO_CLAUSE, "transfer_clause": TRANSFER_CLAUSE,
                                                 "result": {"page": page, "base_url": "/hr/moves", "target_id": "move-list"}},
                  fragment="hr_move/_rows.html")


async def _load(request: Request, request_id: int) -> tuple[str, dict]:
    p = await services.promotion_of(request_id)
    if p:
        if not await services.may_see(request.user, p):
            raise PermissionDeniedException("无权查看这份晋升申请")
        if await services.complete_promotion(p, today_local()):  # due: the system appoints (as the worker would), not the viewer
            p = await services.promotion_of(request_id)
        return "promotion", p
    t = await services.transfer_of(request_id)
    if t:
        if not await services.may_see(request.user, t):
            raise PermissionDeniedException("无权查看这份调动申请")
        if await services.complete_transfer(t, today_local()):  # due on the effective date: the system, not the viewer
            t = await services.transfer_of(request_id)
        return "transfer", t
    raise NotFoundException("没有这份晋升或调动申请")


@get("/{request_id:int}", guards=[requires(Perm.REQUEST)])
async def move_page(request: Request, request_id: int) -> Response:
    kind, row = await _load(request, request_id)
    state = services.promotion_state(row, today_local()) if kind == "promotion" else services.transfer_state(row)
    holdings = None
    if kind == "transfer" and request.user.can(Perm.HR_MANAGE):  # the E5 sweep's list (without its exit steps), for the ticks
        from app.hr_exit import holdings as registry

        holdings = registry.open_holdings(await registry.holdings_of(row["employee"]))
    return render(request, "hr_move/move.html", {"holdings": holdings,
        "kind": kind, "r": row, "state": state, "clause": PROMO_CLAUSE if kind == "promotion" else TRANSFER_CLAUSE,
        "CONTINUOUS_TEXT": rules.CONTINUOUS_TEXT, "tenure": rules.tenure_text(row.get("tenure_months", 0)),
        "may_tick": kind == "transfer" and request.user.can(Perm.HR_MANAGE) and not row["applied_at"]
        and row["request_status"] in ("审批中", "已退回")})


@post("/{request_id:int}/items/{item_id:int}", guards=[requires(Perm.HR_MANAGE)], status_code=200)
async def move_tick(request: Request, request_id: int, item_id: int) -> Response:
    data = await request.form()
    done = (data.get("done") or "") == "1"
    try:
        name = await services.tick(request.user, request_id, item_id, done)
    except services.Refused as e:
        return redirect_with_flash(f"/hr/moves/{request_id}", e.message, "danger", request)
    return redirect_with_flash(f"/hr/moves/{request_id}", f"「{name}」{'已完成' if done else '改为未完成'}", "success", request)


@get("/{request_id:int}/notice", guards=[requires(Perm.REQUEST)])
async def move_notice(request: Request, request_id: int) -> Response:
    kind, row = await _load(request, request_id)
    if kind != "promotion" or not row["applied_at"]:
        raise NotFoundException("任命尚未生效（公示期满后可打印任命通知）")
    await audit.record(actor=request.user, action="hr_move.print", entity="hr_promotion", entity_id=row["id"],
                       summary=f"{row['request_number']} 打印任命通知", ip=getattr(request.user, "ip", ""))
    return render(request, "hr_move/notice.html", {"p": row, **print_context(request, f"/hr/moves/{request_id}")})


router = Router(path="/hr/moves", route_handlers=[move_list, move_page, move_tick, move_notice])
