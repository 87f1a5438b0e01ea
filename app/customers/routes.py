"""The customer file (客户档案) and the 档案准确率 audit, under /care (the care navigation links them)."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException

from app.core.guards import requires
from app.core.pagination import clamp_page
from app.core.permissions import Perm
from app.core.web import Form, form_data, redirect_with_flash, render
from app.customers import services
from app.estate.tables import Project


async def _buyer_or_404(request: Request, buyer_id: int) -> dict:
    buyer = await services.reachable(request.user, buyer_id)
    if not buyer:
        raise NotFoundException("客户不存在或不在您的数据范围内")
    return buyer


@get("/customers", guards=[requires(Perm.CARE)])
async def customer_search(request: Request) -> Response:
    listing = services.customer_listing(request.user)
    result = await listing.fetch(dict(request.query_params), request.user)
    await services.decorate_customers(request.user, result.page.rows)
    return render(request, "customers/search.html", {"result": result}, fragment="_partials/listing_table.html")


@get("/customers/{buyer_id:int}", guards=[requires(Perm.CARE)])
async def customer_file(request: Request, buyer_id: int) -> Response:
    user = request.user
    buyer = await _buyer_or_404(request, buyer_id)
    page = await services.file_page(user, buyer)
    return render(request, "customers/file.html", {
        "buyer": buyer, **page, "may_unmask": user.can(Perm.CUSTOMER_UNMASK), "may_audit": user.can(Perm.CARE_MANAGE),
        "access_log": await services.access_log(buyer_id) if user.can(Perm.AUDIT_VIEW) else None,
    })


@get("/customers/{buyer_id:int}/{section:str}", guards=[requires(Perm.CARE)])
async def customer_section(request: Request, buyer_id: int, section: str) -> Response:
    if section not in services.SECTION_BY_KEY:
        raise NotFoundException("没有这一栏")
    buyer = await _buyer_or_404(request, buyer_id)
    data = await services.section_page(request.user, buyer, section, clamp_page(request.query_params.get("page")))
    return render(request, "customers/section.html", {"buyer": buyer, **data}, fragment="customers/_section_rows.html")


@post("/customers/{buyer_id:int}/unmask", guards=[requires(Perm.CUSTOMER_UNMASK)], status_code=200)
async def customer_unmask(request: Request, buyer_id: int) -> Response:
    """The full ID number and phone: a permission, the file's scope, and an audit row every time."""
    buyer = await _buyer_or_404(request, buyer_id)
    await services.reveal(request.user, buyer)
    return render(request, "customers/_reveal.html", {"b": buyer}, fragment="customers/_reveal.html")


# ---------------------------------------------------------------- 档案准确率 audit

async def _projects(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.name).order_by(Project.code)
    if not user.all_projects:
        q = q.where(Project.id.is_in(list(user.project_ids) or [0]))
    return [(str(r["id"]), r["name"]) for r in await q]


@get("/record-audits", guards=[requires(Perm.CARE_MANAGE)])
async def record_audits(request: Request) -> Response:
    user = request.user
    result = await services.RECORD_AUDITS.fetch(dict(request.query_params), user)
    services.decorate_audits(result.page.rows)
    return render(request, "customers/audits.html", {
        "result": result, "monthly": await services.monthly_accuracy(user), "projects": await _projects(user),
        "form": Form(values={"n": "5"}), "picked": None,
    }, fragment="_partials/listing_table.html")


@get("/record-audits/sample", guards=[requires(Perm.CARE_MANAGE)])
async def record_audit_sample(request: Request) -> Response:
    """随机抽取 N 份档案: picked in SQL; nothing is stored until an audit is saved."""
    user = request.user
    raw_p, raw_n = (request.query_params.get("project") or "").strip(), (request.query_params.get("n") or "").strip()
    form = Form(values={"project": raw_p, "n": raw_n})
    picked = None
    if not (raw_p.isascii() and raw_p.isdigit()) or len(raw_p) > 9:
        form.error("project", "请选择项目")
    if not (raw_n.isascii() and raw_n.isdigit()) or not 1 <= int(raw_n) <= 50:
        form.error("n", "抽取份数请填 1 到 50")
    if form.ok:
        try:
            picked = await services.sample(user, int(raw_p), int(raw_n))
        except services.CustomerError as e:
            form.error(e.field, e.message)
    result = await services.RECORD_AUDITS.fetch({}, user)
    services.decorate_audits(result.page.rows)
    return render(request, "customers/audits.html", {
        "result": result, "monthly": await services.monthly_accuracy(user), "projects": await _projects(user), "form": form, "picked": picked,
    }, fragment="customers/_sample.html", status_code=200 if form.ok else 400)


async def _audit_form(request: Request, buyer: dict, form: Form, status: int = 200) -> Response:
    subject = await services.audit_subject(request.user, buyer)
    return render(request, "customers/audit_form.html", {"buyer": buyer, "subject": subject, "fields": services.AUDIT_FIELDS, "form": form,
                                                          "may_unmask": request.user.can(Perm.CUSTOMER_UNMASK)}, status_code=status)


def _buyer_param(raw) -> int | None:
    raw = str(raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


@get("/record-audits/new", guards=[requires(Perm.CARE_MANAGE)])
async def record_audit_new(request: Request) -> Response:
    bid = _buyer_param(request.query_params.get("buyer"))
    if bid is None:
        raise NotFoundException("请先选择要抽查的客户档案")
    return await _audit_form(request, await _buyer_or_404(request, bid), Form())


@post("/record-audits/new", guards=[requires(Perm.CARE_MANAGE)], status_code=200)
async def record_audit_save(request: Request) -> Response:
    data = await form_data(request)
    bid = _buyer_param(data.get("buyer"))
    if bid is None:
        raise NotFoundException("请先选择要抽查的客户档案")
    buyer = await _buyer_or_404(request, bid)
    items, note, errors = services.parse_audit(data)
    if errors:
        return await _audit_form(request, buyer, Form(values=data, errors=errors), 400)
    subject = await services.audit_subject(request.user, buyer)
    audit_id = await services.save_audit(request.user, buyer, subject["project"], items, note)
    wrong = sum(1 for i in items if not i["ok"])
    return redirect_with_flash(f"/care/record-audits/{audit_id}", f"已保存抽查结果：{len(items)} 项，错误 {wrong} 项", "success", request)


@get("/record-audits/{audit_id:int}", guards=[requires(Perm.CARE_MANAGE)])
async def record_audit_detail(request: Request, audit_id: int) -> Response:
    row = await services.get_audit(request.user, audit_id)
    if not row:
        raise NotFoundException("抽查记录不存在或不在您的数据范围内")
    return render(request, "customers/audit_detail.html", {"a": row})


router = Router(path="/care", route_handlers=[customer_search, customer_file, customer_section, customer_unmask, record_audits,
                                              record_audit_sample, record_audit_new, record_audit_save, record_audit_detail])
