"""The sales office's monthly report for the 客服主管 (SPEC §F, issue 13 §9): on screen with a chart of the cleaning
scores, and as an A4 print."""
from __future__ import annotations

from litestar import Request, Response, Router, get

from app.core import audit
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import now
from app.core.web import render
from app.site_reports import services


@get("/", guards=[requires(Perm.SITE_VIEW)])
async def report(request: Request) -> Response:
    ctx = await services.month_report(request.user, request.query_params.get("month"))
    return render(request, "site_reports/report.html", ctx, fragment="site_reports/_report.html")


@get("/print", guards=[requires(Perm.SITE_VIEW)])
async def report_print(request: Request) -> Response:
    ctx = await services.month_report(request.user, request.query_params.get("month"))
    await audit.record(actor=request.user, action="site_report.print", entity="site_report", entity_id=ctx["month"],
                       summary=f"打印售楼处月报 {ctx['label']}")
    return render(request, "site_reports/print.html", {**ctx, "printed_at": now()})


router = Router(path="/site/reports", route_handlers=[report, report_print])
