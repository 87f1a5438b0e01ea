"""A6 交房: the notice (≥ N days before the handover day, EMS/挂号信 + SMS), the appointment, the identity check, the
handover day (maintenance fund paid, area settlement, keys, 已交付 or 有条件交付, the late-delivery penalty), 拒收 and the
re-booking, 视同交付; the 整改单 card; the printed 交房通知书, 面积补差通知书 and 交付确认书; the reminders and queue rows."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import audit
from app.core.guards import requires
from app.core.permissions import Perm
from app.pipeline.steps import DealPanel

SETTINGS = {
    "notice_min_days": ("交房通知书须在交房日前至少多少天发出（天，合同另有约定的按合同）", Decimal("15")),
    "late_penalty_daily_pct": ("逾期交付违约金：每日按已付房款的百分比（%）", Decimal("0.05")),
    "fund_remind_days": ("交房日前多少天提醒未缴维修资金的房源", Decimal("30")),
}

CLOSES = {"handover.notice": ("handover_notice",), "handover": ("handover_notice", "appointment", "fund")}


async def _panel(user, deal: dict, page: dict) -> dict | None:
    from app.pipeline import services

    if deal["stage"] not in ("已签约", "已备案") or not page["acts"]["交房"]:
        return None
    from app.pipeline.tables import DealParty, Instalment
    from app.permits.services import fund_for_project

    limits = page["limits"]
    day = services.handover_day(deal)
    dues = await Instalment.select(Instalment.amount_due, Instalment.received).where(Instalment.deal == deal["id"])
    unpaid = sum((Decimal(d["amount_due"]) - Decimal(d["received"]) for d in dues), Decimal("0.00"))
    fund = await fund_for_project(deal["project"])
    from app.pipeline import rules

    return {"day": day, "last": rules.notice_deadline(day, int(limits["notice_min_days"])) if day else None, "fund": await services.fund_paid(deal["unit"]), "fund_id": fund["id"] if fund else None,
            "issues": await services.open_issues(deal["unit"]), "unpaid": unpaid,
            "confirmed": await services.surveyed_of(deal["unit"]),
            "has_agent": await DealParty.exists().where((DealParty.deal == deal["id"]) & (DealParty.role == "代理人")),
            "min_days": int(limits["notice_min_days"]), "methods": [(m, m) for m in services.NOTICE_METHODS],
            "identity": [(m, m) for m in services.IDENTITY_BY]}


async def _defects(user, deal: dict, page: dict) -> dict | None:
    defects = page["current"]["defects"]
    return {"defects": defects} if defects else None


async def _papers(user, deal: dict, page: dict) -> dict | None:
    """The printable papers of the handover, once they exist."""
    if not deal["notice_sent_on"]:
        return None
    return {}


PANELS = [DealPanel("handover", 50, "pipeline/panels/handover.html", _panel),
          DealPanel("defects", 50, "pipeline/panels/defects.html", _defects, place="card"),
          DealPanel("handover-papers", 51, "pipeline/panels/handover_papers.html", _papers, place="card")]


# ---------------------------------------------------------------- actions


def _act(request: Request, deal_id: int, key: str, fn):
    from app.pipeline import routes

    return routes._act(request, deal_id, key, fn)


@post("/deals/{deal_id:int}/handover-book", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_handover_book(request: Request, deal_id: int) -> Response:
    from app.pipeline import services

    return await _act(request, deal_id, "handover-book", lambda d: services.handover_book(request.user, deal_id, d))


@post("/deals/{deal_id:int}/handover-identify", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_handover_identify(request: Request, deal_id: int) -> Response:
    from app.pipeline import services

    return await _act(request, deal_id, "handover-identify", lambda d: services.handover_identify(request.user, deal_id, d))


@post("/deals/{deal_id:int}/handover-refuse", guards=[requires(Perm.PIPELINE)], status_code=200)
async def deal_handover_refuse(request: Request, deal_id: int) -> Response:
    from app.pipeline import services

    return await _act(request, deal_id, "handover-refuse", lambda d: services.handover_refuse(request.user, deal_id, d))


# ---------------------------------------------------------------- printed papers (A4)

PAPERS = {"notice": "交房通知书", "area": "面积补差通知书", "confirmation": "交付确认书"}


async def _paper_deal(request: Request, deal_id: int) -> dict:
    from app.pipeline.tables import Deal

    d = await Deal.select(Deal.all_columns(), Deal.buyer.name, Deal.buyer.id_number, Deal.buyer.address, Deal.project.name,
                          Deal.project.company_name, Deal.project.address, Deal.unit.room_no, Deal.unit.building.name,
                          Deal.unit.area_build, Deal.unit.area_inner).where(Deal.id == deal_id).first()
    if not d:
        raise NotFoundException("记录不存在")
    if not request.user.sees_project(d["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    return d


@get("/deals/{deal_id:int}/print/{paper:str}", guards=[requires(Perm.PIPELINE)])
async def handover_paper(request: Request, deal_id: int, paper: str) -> Response:
    """The 交房通知书 (once sent), the 面积补差通知书 (after a settlement with an amount) and the 交付确认书 (after the
    handover). Papers for the customer: the ID number stays masked; every print is audited."""
    from app.core.printing import print_context
    from app.core.web import render
    from app.pipeline import services
    from app.pipeline.tables import Defect

    if paper not in PAPERS:
        raise NotFoundException("没有这种单据")
    d = await _paper_deal(request, deal_id)
    if paper == "notice" and not d["notice_sent_on"]:
        raise NotFoundException("交房通知尚未发出")
    if paper == "area" and not d["area_amount"]:
        raise NotFoundException("该房源没有面积差款项")
    if paper == "confirmation" and d["handover_status"] not in ("已交付", "有条件交付", "整改闭环"):
        raise NotFoundException("尚未办理交付")
    await audit.record(actor=request.user, action="pipeline.print", entity="pl_deal", entity_id=deal_id, summary=f"{d['number']} 打印{PAPERS[paper]}")
    limits = await services.all_settings()
    defects = await Defect.select().where(Defect.deal == deal_id).order_by(Defect.id) if paper == "confirmation" else []
    amount = Decimal(d["area_amount"] or 0)
    ctx = {"d": d, "paper": paper, "title": PAPERS[paper], "day": services.handover_day(d), "defects": defects, "amount_abs": abs(amount),
           "refund": amount < 0, "area_due": (d["handed_over_on"] + timedelta(days=int(limits["area_due_days"]))) if d["handed_over_on"] else None,
           "fund": await services.fund_paid(d["unit"]), "deemed_days": int(limits["deemed_delivery_days"]), "tolerance": f'{limits["area_tolerance_pct"].normalize():f}',
           **print_context(request, f"/pipeline/units/{d['unit']}")}
    return render(request, "pipeline/handover_print.html", ctx)


ROUTES = [deal_handover_book, deal_handover_identify, deal_handover_refuse, handover_paper]


# ---------------------------------------------------------------- queue and reminders


async def _queue(user, limits) -> list[dict]:
    """交房 rows, one per state, with the timeline's due (the notice's last day, the handover day, the appointment)."""
    from app.core.scope import scoped
    from app.core.timeutil import today_local
    from app.pipeline import services
    from app.pipeline.queries import QUEUE_LIMIT
    from app.pipeline.tables import Deal

    if not services.may_act(user, "交房"):
        return []
    today = today_local()
    horizon = today + timedelta(days=int(limits["handover_queue_days"]))
    q = Deal.select(Deal.id, Deal.number, Deal.unit, Deal.unit.room_no, Deal.unit.building.name, Deal.project.name, Deal.buyer.name,
                    Deal.handover_status, Deal.handover_date, Deal.delivery_due, Deal.appointment_on).where(
        Deal.handover_status.is_in(["待通知", "已通知", "已预约", "办理中", "拒收"]) & Deal.stage.is_in(["已签约", "已备案"])
        & ((Deal.handover_status != "待通知") | (Deal.delivery_due <= horizon)))
    q = scoped(q, Deal.project, user)
    n = int(limits["notice_min_days"])
    tasks = {"待通知": "发出交房通知书", "已通知": "预约交房", "已预约": "按预约办理交房", "办理中": "交房办理中：结清款项、交付钥匙",
             "拒收": "拒收整改后重新预约"}
    out = []
    for r in await q.order_by(Deal.delivery_due).limit(QUEUE_LIMIT):
        hs, day = r["handover_status"], r["handover_date"] or r["delivery_due"]
        due = {"待通知": day - timedelta(days=n) if day else None, "已通知": day, "已预约": r["appointment_on"], "办理中": today}.get(hs)
        out.append({**r, "stage": "交房", "task": tasks[hs], "due": due, "overdue": bool(due and due < today)})
    return out


QUEUE = [_queue]


async def _remind(ctx) -> int:
    """The notice's last day (3 days ahead and on the day), today's appointments, the unpaid maintenance fund N days
    before the handover day (to the 房管局专员 who keeps the register), and open 问题单/整改单 past their promised date
    (to the 项目部)."""
    from app.permits.tables import FundPayment
    from app.pipeline.tables import Deal, Defect
    from app.pipeline.tables_handover import InspectionDefect

    sent = 0
    today, n = ctx.today, int(ctx.limits["notice_min_days"])
    cols = (Deal.id, Deal.unit, Deal.project, Deal.number, Deal.handover_date, Deal.delivery_due, Deal.handover_status, Deal.appointment_on,
            Deal.appointment_time)
    live = Deal.stage.is_in(["已签约", "已备案"])
    for d in await Deal.select(*cols).where((Deal.handover_status == "待通知") & live & (Deal.delivery_due <= today + timedelta(days=n + 3))):
        last = d["delivery_due"] - timedelta(days=n)
        word = "已过最晚发出日" if last < today else f"最晚 {last} 发出"
        sent += await ctx.send("supervisor", d, f"{today} {d['number']} 交房通知书{word}（交房日 {d['delivery_due']} 前 {n} 天）", "handover_notice")
    for d in await Deal.select(*cols).where((Deal.handover_status == "已预约") & (Deal.appointment_on == today) & live):
        sent += await ctx.send("supervisor", d, f"{today} {d['number']} 今日 {d['appointment_time']} 预约交房", "appointment")
    fund_days = int(ctx.limits["fund_remind_days"])
    for d in await Deal.select(*cols).where(
            Deal.handover_status.is_in(["待通知", "已通知", "已预约", "办理中", "拒收"]) & live
            & (((Deal.handover_date.is_not_null()) & (Deal.handover_date <= today + timedelta(days=fund_days)))
               | (Deal.handover_date.is_null() & (Deal.delivery_due <= today + timedelta(days=fund_days))))
            & Deal.unit.not_in(FundPayment.select(FundPayment.unit))):
        day = d["handover_date"] or d["delivery_due"]
        sent += await ctx.send("bureau", d, f"{today} {d['number']} 维修资金未缴，交房日 {day}，须在交付前缴清", "fund")
    for r in await InspectionDefect.select(InspectionDefect.id, InspectionDefect.unit, InspectionDefect.unit.project.as_alias("project"),
                                           InspectionDefect.unit.room_no, InspectionDefect.location, InspectionDefect.due_on).where(
            (InspectionDefect.status != "已通过") & (InspectionDefect.due_on < today)).limit(500):
        row = {"id": r["unit"], "unit": r["unit"], "project": r["project"], "number": f"问题单 {r['id']}"}
        sent += await ctx.send("project_engineer", row, f"{today} 房屋验收问题单（{r['unit.room_no']} {r['location']}）已过整改期限 {r['due_on']}",
                               f"issue{r['id']}")
    for r in await Defect.select(Defect.deal.as_alias("id"), Defect.deal.unit.as_alias("unit"), Defect.deal.project.as_alias("project"),
                                 Defect.deal.number.as_alias("number"), Defect.location, Defect.due_on).where(
            (Defect.status != "已通过") & (Defect.due_on < today)).limit(500):
        sent += await ctx.send("project_engineer", r, f"{today} {r['number']} 交房整改单（{r['location']}）已过整改期限 {r['due_on']}", "defects")
    return sent


REMINDERS = [_remind]
