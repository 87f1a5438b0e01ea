"""The engine's pages: inbox, new request (any type), request page with its actions, print, delegation, overdue.
Request types add no routes here: they are declarations (app/<domain>/flows.py)."""
from __future__ import annotations

from datetime import date

from litestar import Request as HttpRequest
from litestar import Response, Router, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from markupsafe import Markup

from app.core import attachments
from app.core.db import write_transaction
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.timeutil import now, parse_date, today_local
from app.core.printing import qr_svg
from app.core.web import Form, is_fragment_request, redirect_with_flash, render
from app.workflow import engine, services
from app.workflow.definitions import FlowDef, get_flow, startable
from app.workflow.tables import Request


def _ids(values, name: str) -> list[int]:
    out = []
    for v in values.getall(name, []) if hasattr(values, "getall") else []:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            out.append(0)  # not an id: refused by _check_people like an unknown one
    return out


async def _check_people(form: Form, name: str, ids: list[int], label: str) -> None:
    """Users named on a form (抄送, 转交, 加签) must be active colleagues: an unknown id is a field message, not a 500."""
    bad = await services.unknown_users(ids)
    if bad:
        form.error(name, f"{label}中有不存在或已停用的人员，请重新选择")


@get("/", guards=[requires(Perm.WORKFLOW)])
async def inbox(request: HttpRequest) -> Response:
    tab = request.query_params.get("tab", "todo")
    tab = tab if tab in services.INBOX_TABS else "todo"
    listing = services.inbox_listing(tab, request.user)
    result = await listing.fetch(dict(request.query_params), request.user)
    services.decorate(result.page.rows)
    result.page.params["tab"] = tab
    bulk = tab == "todo" and any(get_flow(r["flow"]) and get_flow(r["flow"]).bulk_approve for r in result.page.rows)
    if bulk:
        result.select_name, result.select_form = "request_ids", "bulk-form"
    # the 待办 tab's own total is the pending count when nothing narrows it (one pending task per request and person)
    unfiltered = tab == "todo" and not any(result.values.values())
    counts = {"todo": result.page.total if unfiltered else await services.pending_count(request.user.user_id)}
    empty = services.INBOX_EMPTY[tab]
    can_start = bool(startable(request.user))
    return render(request, "workflow/inbox.html", {"result": result, "tab": tab, "tabs": services.INBOX_TABS, "counts": counts,
                                                   "bulk": bulk, "extra_hidden": {"tab": tab}, "empty_title": empty[0], "empty_hint": empty[1],
                                                   "empty_action": ("/workflow/new", "发起申请") if can_start and tab in ("todo", "mine") else None},
                  fragment="_partials/listing_table.html")


@get("/all", guards=[requires(Perm.WORKFLOW_ALL)])
async def all_requests(request: HttpRequest) -> Response:
    result = await services.all_requests_listing().fetch(dict(request.query_params), request.user)
    services.decorate(result.page.rows)
    return render(request, "workflow/all.html", {"result": result}, fragment="_partials/listing_table.html")


@get("/new", guards=[requires(Perm.WORKFLOW)])
async def new_index(request: HttpRequest) -> Response:
    groups: dict[str, list] = {}
    for f in startable(request.user):
        groups.setdefault(f.group, []).append(f)
    return render(request, "workflow/new_index.html", {"groups": groups})


PICKER_LIMIT = 50


async def _form_page(request: HttpRequest, flow: FlowDef, form: Form, *, request_id: int | None = None, status_code: int = 200,
                     files: dict | None = None) -> Response:
    ctx = await flow.form.context(request.user)
    files = files or await attachments.form_context(request.user, [])
    existing = await attachments.list_for(ATTACH_OWNER, request_id) if request_id else []
    colleagues = await services.colleague_choices(request.user)
    record_options = await flow.record.search(request.user, "", PICKER_LIMIT) if flow.record else []
    return render(request, "workflow/form.html", {"flow": flow, "form": form, "ctx": ctx, "colleagues": colleagues, "request_id": request_id,
                                                  "record_options": record_options, "files": files, "existing_files": existing},
                  status_code=status_code)


def _flow_or_404(code: str) -> FlowDef:
    flow = get_flow(code)
    if not flow:
        raise NotFoundException("没有这种审批类型")
    return flow


def _startable_or_403(request: HttpRequest, code: str) -> FlowDef:
    """The type's declaration decides who may start it; the server refuses everyone else."""
    flow = _flow_or_404(code)
    if not flow.starters.allows(request.user):
        raise PermissionDeniedException(f"您的岗位不能发起「{flow.name}」" + (f"（由{flow.starters.label}发起）" if flow.starters.label else ""))
    return flow


async def _check_record(request: HttpRequest, flow: FlowDef, data, form: Form) -> None:
    """A type about a record: the record named on the form must be one this user's role and project scope reach."""
    if flow.record and flow.record.field not in form.errors:
        value = data.get(flow.record.field) or ""
        if value and not await flow.record.reaches(request.user, value):
            form.error(flow.record.field, f"该{flow.record.label}不在您的数据范围内，或当前状态不能办理此申请")


@get("/people", guards=[requires(Perm.WORKFLOW)])
async def people_options(request: HttpRequest) -> Response:
    """The people picker's search (抄送, 转交, 加签): matching active colleagues as rows to tick (HTMX). The posted ids
    are checked again on submit (_check_people, the engine)."""
    q = request.query_params
    name = q.get("name") or "people"
    name = name if name.replace("_", "").isalnum() and len(name) <= 30 else "people"
    options = await services.search_colleagues(request.user, (q.get("q") or "")[:50])
    return render(request, "_partials/people_options.html", {"options": options, "name": name, "multiple": q.get("multiple") == "1",
                                                             "chosen": []})


@get("/new/{code:str}", guards=[requires(Perm.WORKFLOW)])
async def new_form(request: HttpRequest, code: str) -> Response:
    flow = _startable_or_403(request, code)
    values = await flow.prefill(request.user, request.query_params) if flow.prefill else {}
    return await _form_page(request, flow, Form(values=values))


@get("/new/{code:str}/records", guards=[requires(Perm.WORKFLOW)])
async def record_options(request: HttpRequest, code: str) -> Response:
    """The record picker's options as the user types (HTMX): only records the user reaches."""
    flow = _startable_or_403(request, code)
    if not flow.record:
        raise NotFoundException("该审批类型不关联记录")
    q = request.query_params.get(flow.record.field) or request.query_params.get("q") or ""
    options = await flow.record.search(request.user, q[:50], PICKER_LIMIT)
    return render(request, "_partials/record_options.html", {"options": options})


ATTACH_OWNER = "wf_request"  # app/workflow/attachment_owners.py


def _form_values(data) -> dict:
    out = {}
    for k in data.keys():
        if k in ("files", "camera", "attachment_ids", "remove_attachment"):
            continue
        vals = data.getall(k)
        out[k] = vals if len(vals) > 1 else vals[0]
    return out


@post("/new/{code:str}", guards=[requires(Perm.WORKFLOW)], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def new_submit(request: HttpRequest, code: str) -> Response:
    flow = _startable_or_403(request, code)
    data = await request.form()
    form = Form(values=_form_values(data))
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed:
        return await _form_page(request, flow, form, files=files)
    result = await flow.form.parse(data, request.user, None)
    form.errors.update({k: v for k, v in result.errors.items() if k not in form.errors})
    await _check_record(request, flow, data, form)
    await _check_people(form, "cc_submit", _ids(data, "cc_submit"), "提交时抄送")
    await _check_people(form, "cc_finish", _ids(data, "cc_finish"), "审批通过后抄送")
    if form.ok:
        try:
            async with write_transaction():  # the request and its files together, or neither
                req = await engine.submit(request.user, flow, result, _ids(data, "cc_submit"), _ids(data, "cc_finish"))
                await attachments.bind(request.user, file_ids, ATTACH_OWNER, req["id"])
        except engine.WorkflowError as e:
            form.error(e.field or "__all__", e.message)
        else:
            return redirect_with_flash(f"/workflow/requests/{req['id']}", f"已提交：{req['number']}", "success", request)
    return await _form_page(request, flow, form, status_code=400, files=files)


async def _load_visible(request: HttpRequest, request_id: int) -> dict:
    page = await services.request_page(request_id)
    if not page:
        raise NotFoundException("审批单不存在")
    if not await services.can_view(request.user, page["req"]):
        raise PermissionDeniedException("无权查看该审批单")
    return page


async def _detail(request: HttpRequest, request_id: int, *, error: str = "", status_code: int = 200, fragment: str | None = "workflow/_panel.html",
                  done: dict | None = None, error_at: str = "", entered: str = "") -> Response:
    """The request page (or its panel). `done` = what the action just did: {"message", "task"}; the page then offers
    the next item pending on this user (下一条待办) or the way back to the inbox."""
    page = await _load_visible(request, request_id)
    actions = await services.available_actions(request.user, page)
    colleagues = await services.colleague_choices(request.user) if (actions["task"] or actions["cc"]) else []
    badge = await services.pending_count(request.user.user_id)
    if done is not None:
        done = {**done, "next": await services.next_pending(request.user.user_id, request_id) if badge and done["task"] else None}
    from app.core.workdays import note_uncovered

    await note_uncovered(s.get("due_on") for s in page["steps"])  # a due date in a year without its holidays: say so
    files = await attachments.panel(request.user, ATTACH_OWNER, request_id) if (fragment is None or not is_fragment_request(request)) else None
    return render(request, "workflow/detail.html", {**page, "actions": actions, "error": error, "colleagues": colleagues,
                                                    "badge_count": badge, "attachments": files, "done": done, "error_at": error_at, "entered": entered},
                  fragment=fragment, status_code=status_code)


@get("/requests/{request_id:int}", guards=[requires(Perm.WORKFLOW)])
async def request_detail(request: HttpRequest, request_id: int) -> Response:
    # ?done=task|other: the plain (no-JavaScript) post of an action redirected here; its message is the flash
    done = request.query_params.get("done")
    return await _detail(request, request_id, fragment=None, done={"message": "", "task": done == "task"} if done in ("task", "other") else None)


@get("/requests/{request_id:int}/print", guards=[requires(Perm.WORKFLOW)])
async def request_print(request: HttpRequest, request_id: int) -> Response:
    """The printed 审批单: company and number in the header, every step with who acted and when plus blank boxes
    for a wet signature and date, the attachments, the print time and a QR code back to the request."""
    page = await _load_visible(request, request_id)
    url = str(request.base_url).rstrip("/") + f"/workflow/requests/{request_id}"
    steps = [{**s, "tasks": [t for t in s["tasks"] if t["status"] != engine.T_CANCELLED or t["acted_at"]]} for s in page["steps"]
             if s["status"] != engine.S_CANCELLED or any(t["acted_at"] for t in s["tasks"])]
    return render(request, "workflow/print.html", {**page, "print_steps": steps, "attachment_items": await attachments.list_for(ATTACH_OWNER, request_id),
                                                   "printed_at": now(), "portal_url": url, "qr_svg": qr_svg(url, "扫码在门户中打开本审批单")})


@get("/requests/{request_id:int}/edit", guards=[requires(Perm.WORKFLOW)])
async def edit_form(request: HttpRequest, request_id: int) -> Response:
    page = await _load_visible(request, request_id)
    if page["req"]["applicant_user"] != request.user.user_id or page["req"]["status"] != engine.RETURNED:
        raise PermissionDeniedException("只有被退回的申请可以由申请人修改")
    return await _form_page(request, _startable_or_403(request, page["flow"].code), Form(values=page["payload"].get("form_values", {})), request_id=request_id)


@post("/requests/{request_id:int}/edit", guards=[requires(Perm.WORKFLOW)], status_code=200, request_max_body_size=attachments.REQUEST_MAX_BODY)
async def edit_submit(request: HttpRequest, request_id: int) -> Response:
    page = await _load_visible(request, request_id)
    flow = _startable_or_403(request, page["flow"].code)
    data = await request.form()
    form = Form(values=_form_values(data))
    file_ids, files, only_removed = await attachments.form_files(request.user, data, form)
    if only_removed:
        return await _form_page(request, flow, form, request_id=request_id, files=files)
    result = await flow.form.parse(data, request.user, request_id)
    form.errors.update({k: v for k, v in result.errors.items() if k not in form.errors})
    await _check_record(request, flow, data, form)
    if form.ok:
        try:
            async with write_transaction():  # the resubmission and its new files together, or neither
                await engine.resubmit(request.user, request_id, result)
                await attachments.bind(request.user, file_ids, ATTACH_OWNER, request_id)
        except engine.WorkflowError as e:
            form.error(e.field or "__all__", e.message)
        else:
            return redirect_with_flash(f"/workflow/requests/{request_id}", "已重新提交", "success", request)
    return await _form_page(request, flow, form, request_id=request_id, status_code=400, files=files)


async def _run(request: HttpRequest, request_id: int, coro, said, *, task: bool = False, form: str = "", entered: str = "") -> Response:
    """Run one action; say what happened. HTMX: the panel, and out of band the history, the status and a toast
    (workflow/_action_result.html). Plain post: redirect with a flash saying the same. A refused action marks the
    field it is about in the form it came from (`form`: "act" or "comment"), keeping what was typed."""
    try:
        outcome = await coro
    except engine.ConcurrencyError as e:
        return await _detail(request, request_id, error=e.message, status_code=409)
    except engine.WorkflowError as e:
        return await _detail(request, request_id, error=e.message, status_code=400, error_at=f"{form}:{e.field}" if e.field else "", entered=entered)
    message = said(outcome)
    if request.htmx:
        resp = await _detail(request, request_id, fragment="workflow/_action_result.html", done={"message": message, "task": task})
        resp.headers["HX-Trigger"] = "todo-changed"
        return resp
    return redirect_with_flash(f"/workflow/requests/{request_id}?done={'task' if task else 'other'}", message, "success", request)


_ACT_SAID = {
    engine.APPROVED: "已同意，审批单已全部审批通过，已通知申请人",
    engine.OPEN: "已同意，审批单转入后续审批",
    engine.REJECTED: "已驳回，审批单结束，已通知申请人",
    engine.RETURNED: "已退回修改，已通知申请人",
}


async def _task_request(task_id: int) -> int:
    from app.workflow.tables import Task

    t = await Task.select(Task.request).where(Task.id == task_id).first()
    if not t:
        raise NotFoundException("审批任务不存在")
    return t["request"]


@post("/tasks/{task_id:int}/act", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def task_act(request: HttpRequest, task_id: int) -> Response:
    data = await request.form()
    action = data.get("action", "")
    rid = await _task_request(task_id)
    if action not in ("同意", "驳回", "退回修改"):
        return await _detail(request, rid, error="未知的操作", status_code=400)
    return await _run(request, rid, engine.act(request.user, task_id, action, data.get("comment", "")),
                      lambda status: _ACT_SAID.get(status, f"已{action}"), task=True, form="act", entered=data.get("comment", ""))


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


@post("/tasks/{task_id:int}/transfer", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def task_transfer(request: HttpRequest, task_id: int) -> Response:
    data = await request.form()
    rid = await _task_request(task_id)
    target = _int(data.get("target"))
    if target is None or await services.unknown_users([target]):
        return await _detail(request, rid, error="请选择转交给谁（在职同事）", status_code=400)
    return await _run(request, rid, engine.transfer(request.user, task_id, target, data.get("comment", "")),
                      lambda name: f"已转交给 {name}，已通知对方", task=True)


@post("/tasks/{task_id:int}/addsign", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def task_addsign(request: HttpRequest, task_id: int) -> Response:
    data = await request.form()
    rid = await _task_request(task_id)
    target = _int(data.get("target"))
    if target is None or await services.unknown_users([target]):
        return await _detail(request, rid, error="请选择加签人（在职同事）", status_code=400)
    return await _run(request, rid, engine.add_signer(request.user, task_id, target, data.get("where", ""), data.get("comment", "")),
                      lambda text: f"已{text}", task=True)


@post("/requests/{request_id:int}/withdraw", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def request_withdraw(request: HttpRequest, request_id: int) -> Response:
    await _load_visible(request, request_id)
    data = await request.form()
    return await _run(request, request_id, engine.withdraw(request.user, request_id, data.get("comment", "")), lambda _: "申请已撤回，审批人的待办已关闭")


@post("/requests/{request_id:int}/urge", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def request_urge(request: HttpRequest, request_id: int) -> Response:
    await _load_visible(request, request_id)
    return await _run(request, request_id, engine.urge(request.user, request_id), lambda names: f"已催办：{'、'.join(names)}")


@post("/requests/{request_id:int}/comment", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def request_comment(request: HttpRequest, request_id: int) -> Response:
    await _load_visible(request, request_id)
    data = await request.form()
    return await _run(request, request_id, engine.add_comment(request.user, request_id, data.get("comment", "")), lambda _: "评论已发表",
                      form="comment", entered=data.get("comment", ""))


@post("/requests/{request_id:int}/cc", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def request_cc(request: HttpRequest, request_id: int) -> Response:
    await _load_visible(request, request_id)
    data = await request.form()
    ids = _ids(data, "cc")
    if not ids:
        return await _detail(request, request_id, error="请选择抄送人", status_code=400)
    if await services.unknown_users(ids):
        return await _detail(request, request_id, error="抄送人中有不存在或已停用的人员，请重新选择", status_code=400)
    return await _run(request, request_id, engine.cc_now(request.user, request_id, ids),
                      lambda names: f"已抄送给 {'、'.join(names)}" if names else "所选人员都已在抄送名单中")


@post("/bulk-approve", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def bulk_approve(request: HttpRequest) -> Response:
    """批量同意: only tasks of types that allow it; each is its own transaction, failures are reported."""
    from app.workflow.tables import Task

    data = await request.form()
    ids = _ids(data, "request_ids")
    ok, failed = 0, []
    for rid in ids:
        req = await Request.select(Request.flow, Request.number).where(Request.id == rid).first()
        flow = get_flow(req["flow"]) if req else None
        if not flow or not flow.bulk_approve:
            failed.append(f"{req['number'] if req else rid}（该类型不支持批量审批）")
            continue
        task = await Task.select(Task.id).where((Task.request == rid) & (Task.assignee == request.user.user_id) & (Task.status == engine.T_PENDING)).first()
        if not task:
            failed.append(f"{req['number']}（没有您的待办）")
            continue
        try:
            await engine.act(request.user, task["id"], "同意", "批量同意")
            ok += 1
        except engine.WorkflowError as e:
            failed.append(f"{req['number']}（{e.message}）")
    msg = f"已同意 {ok} 件" + (f"；未处理：{'、'.join(failed)}" if failed else "")
    return redirect_with_flash("/workflow?tab=todo", msg, "success" if not failed else "warning", request)


@get("/delegations", guards=[requires(Perm.WORKFLOW)])
async def delegations(request: HttpRequest) -> Response:
    today = today_local()
    form = Form(values={"start_on": today.isoformat(), "end_on": today.isoformat()})
    return await _delegation_page(request, form)


async def _delegation_page(request: HttpRequest, form: Form, status_code: int = 200) -> Response:
    return render(request, "workflow/delegations.html", {"form": form, "rows": await services.my_delegations(request.user.user_id),
                                                         "colleagues": await services.colleague_choices(request.user), "today": today_local()},
                  status_code=status_code)


@post("/delegations", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def delegation_create(request: HttpRequest) -> Response:
    data = await request.form()
    form = Form(values=_form_values(data))
    start = end = None
    try:
        start = parse_date(data.get("start_on"))
    except ValueError as e:
        form.error("start_on", str(e))
    try:
        end = parse_date(data.get("end_on"))
    except ValueError as e:
        form.error("end_on", str(e))
    deputy = _int(data.get("deputy"))
    if deputy is None:
        form.error("deputy", "请选择代理人")
    if form.ok:
        try:
            await engine.set_delegation(request.user, deputy, start, end)
        except engine.WorkflowError as e:
            form.error(e.field or "deputy", e.message)
    if not form.ok:
        return await _delegation_page(request, form, 400)
    return redirect_with_flash("/workflow/delegations", "已设置委托", "success", request)


@post("/delegations/{delegation_id:int}/end", guards=[requires(Perm.WORKFLOW)], status_code=200)
async def delegation_end(request: HttpRequest, delegation_id: int) -> Response:
    try:
        await engine.end_delegation(request.user, delegation_id)
    except engine.WorkflowError as e:
        return redirect_with_flash("/workflow/delegations", e.message, "error", request)
    return redirect_with_flash("/workflow/delegations", "已结束委托", "success", request)


@get("/overdue", guards=[requires(Perm.WORKFLOW_ALL)])
async def overdue(request: HttpRequest) -> Response:
    return render(request, "workflow/overdue.html", {"rows": await services.overdue_tasks()})


router = Router(path="/workflow", route_handlers=[
    inbox, all_requests, new_index, people_options, new_form, record_options, new_submit, request_detail, request_print, edit_form, edit_submit, task_act, task_transfer,
    task_addsign, request_withdraw, request_urge, request_comment, request_cc, bulk_approve, delegations, delegation_create, delegation_end, overdue,
])
