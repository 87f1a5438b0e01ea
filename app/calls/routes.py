"""Calls: the list (filters, masked numbers, export), one call (its customer, 立案, link to a case), the import from the
phone system, and call QA (SPEC §G 服务用语)."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException

from app.calls import importer, rules, services
from app.core.attachments import REQUEST_MAX_BODY
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.views import export_response, wants_export
from app.core.web import Form, form_data, is_fragment_request, redirect_with_flash, render

QA_CLAUSE = ("doc-09", "art5-2", "第五条 服务用语规范")


@get("/", guards=[requires(Perm.CARE_VIEW)])
async def call_list(request: Request) -> Response:
    params = dict(request.query_params)
    if wants_export(request):
        return await export_response(request, services.CALLS, params, "通话记录", services.decorate_calls)
    result = await services.CALLS.fetch(params, request.user)
    services.decorate_calls(result.page.rows)
    result.offer_export("导出当前筛选条件下的全部通话（号码已打码），导出记入审计日志")
    return render(request, "calls/list.html", {"result": result}, fragment="_partials/listing_table.html")


# ---------------------------------------------------------------- import

async def _import_page(request: Request, form: Form, result=None, headers: list[str] | None = None, status: int = 200) -> Response:
    return render(request, "calls/import.html", {
        "form": form, "result": result, "fields": rules.CALL_FIELDS, "headers": headers or [], "behaviour": importer.BEHAVIOUR,
        "max_mb": (await importer.file_limit()) // (1024 * 1024), "has_saved": bool(await importer.saved_mapping()),
    }, status_code=status)


@get("/import", guards=[requires(Perm.CARE_MANAGE)])
async def import_form(request: Request) -> Response:
    saved = await importer.saved_mapping()
    mapping = saved or rules.default_mapping()
    return await _import_page(request, Form(values={f"map_{k}": v for k, v in mapping.items()}))


@post("/import", guards=[requires(Perm.CARE_MANAGE)], status_code=200, request_max_body_size=REQUEST_MAX_BODY)
async def import_submit(request: Request) -> Response:
    try:
        data = await request.form()
    except Exception:
        data = None
    values: dict[str, str] = {}
    upload = None
    if data is not None:
        upload = data.get("file")
        for k in data.keys():
            v = data.get(k)
            if isinstance(v, str) and k.startswith("map_"):
                values[k] = v.strip()[:60]
    saved = await importer.saved_mapping()
    mapping = {k: values.get(f"map_{k}", saved.get(k, "")) for k in rules.FIELD_KEYS}
    form = Form(values={f"map_{k}": v for k, v in mapping.items()})
    if not isinstance(upload, UploadFile) or not upload.filename:
        form.error("file", "请选择要导入的 .xlsx 或 .csv 文件")
        return await _import_page(request, form, status=400)
    content = await upload.read()
    filename = upload.filename.replace("\x00", "")[:200]
    err = importer.check_file(filename, content, await importer.file_limit())
    if err:
        form.error("file", err)
        return await _import_page(request, form, status=400)
    result, map_errors = await importer.import_calls(request.user, filename, content, mapping)
    headers: list[str] = []
    if map_errors:
        try:
            headers = importer.read_rows(filename, content)[0]
        except ValueError:
            headers = []
        guessed = rules.guess_mapping(headers, mapping)
        for k, msg in map_errors.items():
            form.error(f"map_{k}", msg)
            if guessed.get(k):
                form.values[f"map_{k}"] = guessed[k]
    return await _import_page(request, form, result, headers, status=200 if result.ok else 400)


@get("/import/template", guards=[requires(Perm.CARE_MANAGE)])
async def import_template(request: Request) -> Response:
    return Response(content=importer.template_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=\"calls-template.csv\"; "
                                                    "filename*=UTF-8''%E9%80%9A%E8%AF%9D%E8%AE%B0%E5%BD%95%E6%A8%A1%E6%9D%BF.csv"})


# ---------------------------------------------------------------- one call

async def _call_or_404(request: Request, call_id: int) -> dict:
    call = await services.get_call(request.user, call_id)
    if not call:
        raise NotFoundException("通话记录不存在或不在您的数据范围内")
    return call


async def _call_page(request: Request, call: dict, form: Form | None = None, status: int = 200) -> Response:
    user = request.user
    return render(request, "calls/call.html", {
        "call": call, "form": form or Form(), "cases": await services.buyer_cases(user, call.get("buyer")),
        "qas": await services.call_qas(call["id"]), "items": rules.QA_ITEMS, "may_qa": user.can(Perm.CARE_MANAGE),
        "may_link": user.can(Perm.CARE), "may_intake": user.can(Perm.CARE),
    }, fragment="calls/_case_link.html" if form is not None else None, status_code=status)


@get("/{call_id:int}", guards=[requires(Perm.CARE_VIEW)])
async def call_page(request: Request, call_id: int) -> Response:
    return await _call_page(request, await _call_or_404(request, call_id))


@post("/{call_id:int}/case", guards=[requires(Perm.CARE)], status_code=200)
async def call_link_case(request: Request, call_id: int) -> Response:
    call = await _call_or_404(request, call_id)
    data = await form_data(request)
    try:
        case = await services.link_case(request.user, call, data.get("case", ""))
    except services.CallError as e:
        return await _call_page(request, call, Form(values=data, errors={e.field or "case": e.message}), 400)
    message = f"已关联案件 {case['number']}"
    if is_fragment_request(request):
        return await _call_page(request, await _call_or_404(request, call_id), Form())
    return redirect_with_flash(f"/calls/{call_id}", message, "success", request)


# ---------------------------------------------------------------- QA

def _qa_ctx(call: dict, form: Form) -> dict:
    return {"call": call, "form": form, "items": rules.QA_ITEMS, "groups": rules.QA_GROUPS, "card": rules.RULE_CARD, "clause": QA_CLAUSE,
            "per_item": rules.qa_score(rules.QA_KEYS[:1])}


@get("/{call_id:int}/qa", guards=[requires(Perm.CARE_MANAGE)])
async def qa_form(request: Request, call_id: int) -> Response:
    call = await _call_or_404(request, call_id)
    form = Form(values={f"item_{k}": "1" for k in rules.QA_KEYS})
    return render(request, "calls/qa_form.html", {**_qa_ctx(call, form), "qas": await services.call_qas(call_id)},
                  fragment="calls/_qa_form.html")


@post("/{call_id:int}/qa", guards=[requires(Perm.CARE_MANAGE)], status_code=200)
async def qa_submit(request: Request, call_id: int) -> Response:
    call = await _call_or_404(request, call_id)
    data = await form_data(request)
    met, note, errors = services.parse_qa(data)
    if not errors:
        try:
            saved = await services.save_qa(request.user, call, met, note)
        except services.CallError as e:
            errors = {"note": e.message}
    if errors:
        return render(request, "calls/qa_form.html", {**_qa_ctx(call, Form(values=data, errors=errors)), "qas": await services.call_qas(call_id)},
                      fragment="calls/_qa_form.html", status_code=400)
    return redirect_with_flash(f"/calls/qa?agent={call['agent'] or ''}", f"已保存质检评分：{saved['score']} 分", "success", request)


@get("/qa", guards=[requires(Perm.CARE_MANAGE)])
async def qa_board(request: Request) -> Response:
    user = request.user
    raw = (request.query_params.get("agent") or "").strip()
    agent = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    board = await services.monthly_by_agent(user)
    agent_name = next((a["name"] for a in board["agents"] if a["id"] == agent), "")
    return render(request, "calls/qa.html", {
        "board": board, "agent": agent, "agent_name": agent_name,
        "agent_qas": await services.agent_qas(user, agent) if agent else [],
        "queue": await services.to_review(user), "card": rules.RULE_CARD, "clause": QA_CLAUSE,
    }, fragment="calls/_qa_agent.html")


router = Router(path="/calls", route_handlers=[call_list, import_form, import_submit, import_template, call_page, call_link_case,
                                               qa_form, qa_submit, qa_board])
