"""资料保管 pages: file completeness per deal, one deal's file (location, originals, loans), and the loan register."""
from __future__ import annotations

from datetime import timedelta

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.archive import services
from app.pipeline import services as pipeline_services
from app.archive.ledger import FILES, LOANS
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import today_local
from app.core.web import Form, form_data, redirect_with_flash, render
from app.ledgers.base import valid_id
from app.ledgers.routes import ledger_page


@get("/", guards=[requires(Perm.PIPELINE)])
async def files(request: Request) -> Response:
    return await ledger_page(request, FILES, "archive/files.html")


@get("/loans", guards=[requires(Perm.PIPELINE)])
async def loans(request: Request) -> Response:
    overdue = await services.overdue_loans(request.user)
    return await ledger_page(request, LOANS, "archive/loans.html", {"overdue": overdue, "keeper": services.may_keep(request.user)})


def _id(n: int) -> int:
    if valid_id(n) is None:
        raise NotFoundException("记录不存在")
    return n


async def _values(request: Request) -> dict[str, str]:
    return {k: v.replace("\x00", "") for k, v in (await form_data(request)).items()}


async def _file_page(request: Request, deal_id: int, forms: dict | None = None, status_code: int = 200) -> Response:
    page = await services.deal_file(_id(deal_id))
    if not page:
        raise NotFoundException("记录不存在")
    if not request.user.sees_project(page["deal"]["project"]):
        raise PermissionDeniedException("该项目不在您的数据范围内")
    forms = forms or {}
    loc = page["location"] or {}
    forms.setdefault("location", Form(values={k: loc.get(k, "") for k in ("cabinet", "shelf", "box", "note")}))
    limits = await pipeline_services.all_settings()
    forms.setdefault("lend", Form(values={"kind": "原件", "due_on": (today_local() + timedelta(days=int(limits["loan_default_days"]))).isoformat()}))
    ctx = {**page, "forms": forms, "keeper": services.may_keep(request.user), "originals_names": [o["name"] for o in page["originals"]],
           "approvers": await services.approver_choices(), "borrowers": await services.borrower_choices(), "today": today_local(),
           "max_days": int(limits["loan_max_days"])}
    return render(request, "archive/deal.html", ctx, status_code=status_code)


@get("/deals/{deal_id:int}", guards=[requires(Perm.PIPELINE)])
async def deal_file(request: Request, deal_id: int) -> Response:
    return await _file_page(request, deal_id)


async def _act(request: Request, deal_id: int, key: str, action, message: str) -> Response:
    _id(deal_id)
    data = await _values(request)
    try:
        await action(data)
    except services.ArchiveError as e:
        return await _file_page(request, deal_id, {key: Form(values=data, errors=e.errors)}, 400)
    return redirect_with_flash(f"/archive/deals/{deal_id}", message, "success", request)


@post("/deals/{deal_id:int}/location", guards=[requires(Perm.PIPELINE)], status_code=200)
async def set_location(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "location", lambda d: services.set_location(request.user, deal_id, d), "存放位置已保存")


@post("/deals/{deal_id:int}/originals", guards=[requires(Perm.PIPELINE)], status_code=200)
async def file_original(request: Request, deal_id: int) -> Response:
    return await _act(request, deal_id, "originals", lambda d: services.file_original(request.user, deal_id, d.get("name", ""), d.get("filed") == "1"),
                      "已更新原件归档")


@post("/deals/{deal_id:int}/lend", guards=[requires(Perm.PIPELINE)], status_code=200)
async def lend(request: Request, deal_id: int) -> Response:
    holder: dict = {}

    async def run(d):
        holder["loan"] = await services.lend(request.user, deal_id, d)

    resp = await _act(request, deal_id, "lend", run, "已登记借出")
    if "loan" in holder:
        return redirect_with_flash(f"/archive/deals/{deal_id}", f"已登记借出：{holder['loan']['number']}", "success", request)
    return resp


@post("/loans/{loan_id:int}/return", guards=[requires(Perm.PIPELINE)], status_code=200)
async def give_back(request: Request, loan_id: int) -> Response:
    _id(loan_id)
    data = await _values(request)
    back = data.get("next") if (data.get("next") or "").startswith("/archive") else "/archive/loans"
    try:
        row = await services.give_back(request.user, loan_id)
    except services.ArchiveError as e:
        return redirect_with_flash(back, e.message, "error", request)
    return redirect_with_flash(back, f"已归还：{row['number']}「{row['item']}」", "success", request)


router = Router(path="/archive", route_handlers=[files, loans, deal_file, set_location, file_original, lend, give_back])
