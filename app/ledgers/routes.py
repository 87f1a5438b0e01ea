"""The ledgers' pages: each ledger (page + HTMX fragment), its .xlsx export, the 合同台账 import, and the daily report
with its weekly and monthly roll-ups."""
from __future__ import annotations

import os
from datetime import date
from urllib.parse import urlencode

from litestar import Request, Response, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import File

from app.core.fields import parse_id
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, redirect_with_flash, render
from app.ledgers import importer, report, rules, schedule
from app.ledgers.base import ExportError, Ledger, can_unmask, clean_params, export_query_string, export_xlsx, present, project_choices, valid_id
from app.ledgers.flows import SUBMIT_ROLES
from app.ledgers.ledgers import LEDGERS, all_ledgers
from app.ledgers.tables import DailyReport
from app.pipeline.services import all_settings, filing_overdue_cutoff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def tabs() -> list[tuple[str, str, str]]:
    out = [(lg.code, lg.title, f"/ledgers/{lg.code}") for lg in LEDGERS.values()]
    out.append(("loans", "资料借阅登记", "/archive/loans"))
    return out


async def ledger_page(request: Request, ledger: Ledger, template: str = "ledgers/ledger.html", extra: dict | None = None) -> Response:
    """A ledger's page, or only its table (plus the export link, swapped out-of-band) for an HTMX request."""
    params = clean_params(ledger.listing, dict(request.query_params))
    limits = await all_settings()  # the pipeline limits (filing days, 催缴 steps) for this request's filters and columns: one query
    await filing_overdue_cutoff(today_local(), int(limits["filing_days"]))
    result = await ledger.listing.fetch(params, request.user)
    await present(ledger, result.page.rows, request.user)
    export_url = f"/ledgers/{ledger.code}/export?{export_query_string(ledger, params, request.user)}"
    result.export_url = export_url  # print and export are placed by the list's shared toolbar (_partials/listing_actions.html)
    if can_unmask(request.user) and bool(ledger.sensitive):
        result.export_full_url = export_url + "&full=1"
    if not ledger.sensitive:
        result.export_note = "导出当前筛选条件下的全部记录（所有页、全部列，不受列设置影响）"
    ctx = {"ledger": ledger, "result": result, "tabs": tabs(), "masked": bool(ledger.sensitive),
           "export_url": export_url, "may_export_full": bool(result.export_full_url),
           "can_import": ledger.code == "contracts" and importer.may_import(request.user), **(extra or {})}
    return render(request, template, ctx, fragment="ledgers/_fragment.html")


@get("/", guards=[requires(Perm.PIPELINE)])
async def index(request: Request) -> Response:
    return render(request, "ledgers/index.html", {"ledgers": list(all_ledgers().values()), "tabs": tabs()})


@get("/{code:str}", guards=[requires(Perm.PIPELINE)])
async def ledger(request: Request, code: str) -> Response:
    lg = LEDGERS.get(code)
    if not lg:
        raise NotFoundException("没有这个台账")
    return await ledger_page(request, lg)


@get("/{code:str}/export", guards=[requires(Perm.PIPELINE)])
async def export(request: Request, code: str) -> Response:
    lg = all_ledgers().get(code)
    if not lg:
        raise NotFoundException("没有这个台账")
    params = dict(request.query_params)
    limits = await all_settings()
    await filing_overdue_cutoff(today_local(), int(limits["filing_days"]))
    try:
        full = params.pop("full", "") == "1"  # the 含完整证件号 tick: honoured only for those who may unmask
        path, _count, filename = await export_xlsx(lg, params, request.user, ip=request.client.host if request.client else "", full=full)
    except ExportError as e:
        back = lg.listing.base_url + ("?" + urlencode(clean_params(lg.listing, params)) if params else "")
        return redirect_with_flash(back, e.message, "error")
    return File(path=path, filename=filename, media_type=XLSX, background=BackgroundTask(os.unlink, path))


# ---------------------------------------------------------------- import


def _require_import(request: Request) -> None:
    if not importer.may_import(request.user):
        raise PermissionDeniedException("只有合同专员、数据专员或客服主管可以导入合同台账")


@get("/contracts/import", guards=[requires(Perm.PIPELINE)])
async def import_form(request: Request) -> Response:
    _require_import(request)
    return render(request, "ledgers/import.html", {"result": None, "form": Form(), "behaviour": importer.BEHAVIOUR, "max_rows": importer.MAX_ROWS})


@post("/contracts/import", guards=[requires(Perm.PIPELINE)], status_code=200, request_max_body_size=20 * 1024 * 1024)
async def import_submit(request: Request) -> Response:
    _require_import(request)
    form = Form()
    result = None
    try:
        data = await request.form()
        upload = data.get("file")
    except Exception:
        upload = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.error("file", "请选择要导入的 .xlsx 文件")
    else:
        content = await upload.read()
        filename = upload.filename.replace("\x00", "")[:200]
        err = importer.check_file(filename, content)
        if err:
            form.error("file", err)
        else:
            result = await importer.import_contracts(request.user, content, filename)
    status = 200 if (result and result.ok) else 400
    return render(request, "ledgers/import.html", {"result": result, "form": form, "behaviour": importer.BEHAVIOUR, "max_rows": importer.MAX_ROWS},
                  status_code=status)


@get("/contracts/import/template", guards=[requires(Perm.PIPELINE)])
async def import_template(request: Request) -> Response:
    return Response(content=importer.template_bytes(), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename=\"contract-ledger-template.xlsx\"; "
                                                    "filename*=UTF-8''%E5%90%88%E5%90%8C%E5%8F%B0%E8%B4%A6%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"})


# ---------------------------------------------------------------- daily report and roll-ups


def _day(raw: str | None) -> date:
    try:
        d = date.fromisoformat((raw or "").strip())
    except ValueError:
        return today_local()
    return min(d, today_local()) if d.year >= 2000 else today_local()


async def _scoped_projects(request: Request, raw: str | None) -> tuple[list[int], list[tuple[str, str]], str]:
    choices = await project_choices(request.user)
    ids = [int(v) for v, _ in choices]
    chosen = parse_id(raw)
    if chosen is not None and chosen in ids:
        return [chosen], choices, str(chosen)
    return ids, choices, ""


async def _report_for(request: Request):
    """The report the query asks for (period, day, project within the user's scope): the page and its export agree."""
    q = request.query_params
    period = q.get("period") if q.get("period") in rules.PERIODS else "day"
    day = _day(q.get("date"))
    ids, choices, chosen = await _scoped_projects(request, q.get("project"))
    start, end = rules.period_bounds(period, day)
    return period, day, ids, choices, chosen, start, end, await report.generate(ids, start, end)


@get("/report", guards=[requires(Perm.PIPELINE)])
async def report_page(request: Request) -> Response:
    period, day, ids, choices, chosen, start, end, data = await _report_for(request)
    recent = DailyReport.select(DailyReport.id, DailyReport.request, DailyReport.request.number, DailyReport.request.status,
                                DailyReport.project.name, DailyReport.report_date, DailyReport.request.applicant.name).where(
        DailyReport.project.is_in(ids or [0])).order_by(DailyReport.report_date, ascending=False).order_by(DailyReport.id, ascending=False).limit(20)
    ctx = {"data": data, "period": period, "periods": rules.PERIODS, "day": day, "start": start, "end": end,
           "label": rules.period_label(period, start, end), "projects": choices, "chosen": chosen, "figures": report.FIGURES,
           "groups": report.GROUPS, "recent": await recent, "can_submit": request.user.role in SUBMIT_ROLES, "tabs": tabs(),
           "schedule": await schedule.load_config(),
           "export_url": "/ledgers/report/export?" + urlencode({"period": period, "date": day.isoformat(), **({"project": chosen} if chosen else {})})}
    return render(request, "ledgers/report.html", ctx, fragment="ledgers/_report_table.html")


@get("/report/export", guards=[requires(Perm.PIPELINE)])
async def report_export(request: Request) -> Response:
    """The report on screen (period, day, project) as .xlsx through the shared writer: one row per project and the total."""
    from app.core import audit
    from app.core.listing import XlsxExport
    from app.core.timeutil import now, to_local

    period, day, ids, choices, chosen, start, end, data = await _report_for(request)
    prefix = {"day": "当日", "week": "本周", "month": "本月"}[period]
    figs = list(report.FIGURES)
    x = XlsxExport("合同登记进度" + rules.PERIODS[period], [("项目", "text", 18)] + [(f"{f.group}·{prefix if f.flow else ''}{f.label}", f.kind, 13) for f in figs])
    lines = [[r["name"]] + [r["figures"][f.key] for f in figs] for r in data["rows"]]
    if len(data["rows"]) > 1:
        lines.append(["合计"] + [data["total"][f.key] for f in figs])
    x.append(lines)
    label = rules.period_label(period, start, end)
    project = dict(choices).get(chosen, "全部（数据范围内）")
    stamp = to_local(now())
    path = await x.save((("报表", f"{rules.PERIODS[period]}：{label}"), ("项目", project), ("导出人", f"{request.user.display_name}（{request.user.username}）"),
                         ("导出时间", stamp.strftime("%Y-%m-%d %H:%M:%S")), ("说明", f"“{prefix}”为期间内发生数；“累计”、待备案和按揭在办为截至 {end} 的数")))
    await audit.record(actor=request.user, action="export", entity="daily_report", entity_id=period,
                       summary=f"导出{rules.PERIODS[period]}（{label}，{project}）", after={"period": period, "start": start.isoformat(),
                                                                                     "end": end.isoformat(), "project": chosen, "rows": len(data["rows"])},
                       ip=request.client.host if request.client else "")
    return File(path=path, filename=f"合同登记进度{rules.PERIODS[period]}_{start:%Y%m%d}.xlsx", media_type=XLSX, background=BackgroundTask(os.unlink, path))


@get("/report/preview", guards=[requires(Perm.PIPELINE)])
async def report_preview(request: Request) -> Response:
    """The figures the daily report would hold for a project and day (shown on the submission form)."""
    q = request.query_params
    project_id = valid_id(q.get("project"))
    if project_id is None or not request.user.sees_project(project_id):
        return render(request, "ledgers/_report_preview.html", {"row": None})
    day = _day(q.get("report_date"))
    data = await report.generate([project_id], day, day)
    return render(request, "ledgers/_report_preview.html", {"row": data["rows"][0] if data["rows"] else None, "figures": report.FIGURES,
                                                              "groups": report.GROUPS, "day": day})


# ---------------------------------------------------------------- corrections (the value now, on the correction form)


@get("/corrections/current", guards=[requires(Perm.PIPELINE)])
async def correction_current(request: Request) -> Response:
    """The current value of the chosen field of the chosen contract (HTMX, on the 台账更正 form): only a contract in the
    user's project scope; the submit checks everything again."""
    from app.ledgers import corrections
    from app.workflow.definitions import get_flow

    if not get_flow(corrections.FLOW_CODE).starters.allows(request.user):
        raise PermissionDeniedException("只有经办专员可以提出台账更正")
    q = request.query_params
    deal = await corrections.deal_by_ref((q.get("deal_ref") or "")[:50])
    found = corrections.find(*corrections.split((q.get("field") or "")[:60]))
    value, known = "", False
    if deal and found and request.user.sees_project(deal["project"]):
        value, known = rules.shown_value(found[1].kind, await corrections.current(deal["id"], found[1].name)), True
    return render(request, "ledgers/_correction_current.html", {"value": value, "known": known})


router = Router(path="/ledgers", route_handlers=[correction_current, index, report_page, report_export, report_preview, import_form, import_submit, import_template, ledger, export])
