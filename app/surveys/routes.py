"""满意度调查 pages: the 主管's questionnaire designer (/surveys), the officers' invitations with link, QR code and text
to paste (/surveys/invitations), the results (/surveys/results), and the customer's public answer page (/s/{token})."""
from __future__ import annotations

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from markupsafe import Markup

from app.core.fields import parse_id
from app.core.guards import public, requires
from app.core.listing import Col, Filter, Listing
from app.core.pagination import clamp_page
from app.core.permissions import Perm
from app.core.timeutil import to_local, today_local
from app.core.validators import mask_phone
from app.core.web import Form, form_data, is_fragment_request, redirect_with_flash, render
from app.surveys import links, services
from app.surveys.tables import Invitation, Questionnaire

QUESTIONNAIRES = Listing(
    table=Questionnaire,
    select=[Questionnaire.id, Questionnaire.title, Questionnaire.trigger, Questionnaire.offset_days, Questionnaire.reminder_days,
            Questionnaire.status, Questionnaire.created_at],
    columns=[
        Col("title", "问卷", link="/surveys/{id}", testid="questionnaire-open", hideable=False),
        Col("trigger_text", "发送时机", sort=Questionnaire.trigger),
        Col("offset_days", "延后天数"),
        Col("reminder_days", "未回复提醒（天）"),
        Col("status", "状态", fmt="badge"),
        Col("created_at", "创建时间", fmt="datetime"),
    ],
    filters=[Filter("status", "状态", "select", columns=[Questionnaire.status], choices=[(s, s) for s in services.STATUSES]),
             Filter("q", "问卷标题", "text", columns=[Questionnaire.title], placeholder="问卷标题")],
    default_sort="created_at", default_desc=True, base_url="/surveys", target_id="questionnaire-list",
)

STATES = {"todo": "待发送", "sent": "已发送未回复", "answered": "已回复"}


class StateFilter(Filter):
    """待发送 / 已发送未回复 / 已回复: a filter on two columns (sent_at, answered_at)."""

    def clause(self, raw: str):
        v = (raw or "").strip()
        if v == "todo":
            return Invitation.sent_at.is_null() & Invitation.answered_at.is_null()
        if v == "sent":
            return Invitation.sent_at.is_not_null() & Invitation.answered_at.is_null()
        if v == "answered":
            return Invitation.answered_at.is_not_null()
        return None


def invitation_listing() -> Listing:
    """The invitations that have come due (due_on ≤ today), in the officer's project scope."""
    return Listing(
        table=Invitation,
        select=[Invitation.id, Invitation.buyer.name, Invitation.buyer.mobile, Invitation.project.name, Invitation.questionnaire.title,
                Invitation.due_on, Invitation.sent_at, Invitation.sent_via, Invitation.answered_at, Invitation.reminders],
        columns=[
            Col("buyer.name", "客户", hideable=False),
            Col("phone", "手机"),
            Col("project.name", "项目"),
            Col("questionnaire.title", "问卷"),
            Col("due_on", "应发日期", fmt="date"),
            Col("state", "状态", fmt="badge"),
            Col("sent_text", "发送"),
            Col("action", "操作", link="/surveys/invitations/{id}", testid="invitation-open", hideable=False),
        ],
        filters=[StateFilter("state", "状态", "select", choices=list(STATES.items())),
                 Filter("questionnaire", "问卷", "select", columns=[Invitation.questionnaire], choices=services.questionnaire_choices),
                 Filter("project", "项目", "select", columns=[Invitation.project], choices=services.project_choices),
                 Filter("q", "客户", "text", columns=[Invitation.buyer.name], placeholder="客户姓名")],
        default_sort="due_on", default_desc=False, base_url="/surveys/invitations", target_id="invitation-list",
        scope=services.invitation_scope, extra_where=(Invitation.due_on <= today_local(),),
    )


def _decorate_questionnaires(rows: list[dict]) -> None:
    for r in rows:
        r["trigger_text"] = services.TRIGGERS.get(r["trigger"], r["trigger"])


def _decorate_invitations(rows: list[dict]) -> None:
    for r in rows:
        r["phone"] = mask_phone(r.pop("buyer.mobile") or "")
        r["state"] = "已回复" if r["answered_at"] else ("已提醒" if r["reminders"] else ("已发送" if r["sent_at"] else "待发送"))
        r["sent_text"] = f"{r['sent_via']} · {to_local(r['sent_at']):%m-%d}" if r["sent_at"] else ""
        r["action"] = "查看 / 发送" if not r["answered_at"] else "查看"


def _qid(raw) -> int:
    n = parse_id(raw)
    if n is None:
        raise NotFoundException("问卷不存在")
    return n


# ---------------------------------------------------------------- design (客户关系主管)


@get("/surveys", guards=[requires(Perm.SURVEY_DESIGN)])
async def questionnaire_list(request: Request) -> Response:
    result = await QUESTIONNAIRES.fetch(dict(request.query_params), request.user)
    _decorate_questionnaires(result.page.rows)
    return render(request, "surveys/list.html", {"result": result}, fragment="_partials/listing_table.html")


def _form_ctx(values: dict | None = None, errors: dict | None = None) -> dict:
    return {"form": Form(values=values or {"reminder_days": "7", "trigger": "after_handover"}, errors=errors or {}),
            "triggers": list(services.TRIGGERS.items()), "defaults": services.DEFAULT_OFFSETS}


@get("/surveys/new", guards=[requires(Perm.SURVEY_DESIGN)])
async def questionnaire_new(request: Request) -> Response:
    return render(request, "surveys/new.html", _form_ctx())


@post("/surveys/new", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def questionnaire_create(request: Request) -> Response:
    data = await form_data(request)
    try:
        qid = await services.create_questionnaire(request.user, data)
    except services.FormError as e:
        return render(request, "surveys/new.html", _form_ctx(data, e.errors), status_code=400)
    return redirect_with_flash(f"/surveys/{qid}", "问卷已创建，请添加题目", "success", request)


async def _design_page(request: Request, qid: int, *, form: Form | None = None, qform: Form | None = None, error: str = "",
                       status_code: int = 200) -> Response:
    q = await services.questionnaire(qid)
    if q is None:
        raise NotFoundException("问卷不存在")
    meta = {k: q[k] for k in ("title", "intro", "trigger", "offset_days", "reminder_days")}
    ctx = {**_form_ctx(), "q": q, "questions": await services.questions(qid), "form": form or Form(values=meta),
           "qform": qform or Form(values={"kind": "single", "required": "1"}), "kinds": list(services.KINDS.items()),
           "trigger_text": services.TRIGGERS.get(q["trigger"], q["trigger"]), "error": error, "editable": q["status"] == "草稿",
           "projects": await services.project_choices(request.user) if q["trigger"] == "manual" and q["status"] == "已发布" else []}
    return render(request, "surveys/design.html", ctx, fragment="surveys/_design.html", status_code=status_code)


@get("/surveys/{qid:int}", guards=[requires(Perm.SURVEY_DESIGN)])
async def questionnaire_page(request: Request, qid: int) -> Response:
    return await _design_page(request, _qid(qid))


async def _design_action(request: Request, qid: int, action, done: str, *, form_kind: str = "") -> Response:
    qid = _qid(qid)
    data = await form_data(request)
    try:
        result = await action(data)
    except services.FormError as e:
        form = Form(values=data, errors=e.errors)
        return await _design_page(request, qid, **({"qform": form} if form_kind == "question" else {"form": form}), status_code=400)
    except services.SurveyError as e:
        if await services.questionnaire(qid) is None:
            raise NotFoundException(e.message) from None
        return await _design_page(request, qid, error=e.message, status_code=400)
    target = f"/surveys/{result}" if isinstance(result, int) and result != qid else f"/surveys/{qid}"
    if is_fragment_request(request) and target == f"/surveys/{qid}":
        return await _design_page(request, qid, error="")
    return redirect_with_flash(target, done, "success", request)


@post("/surveys/{qid:int}", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def questionnaire_save(request: Request, qid: int) -> Response:
    return await _design_action(request, qid, lambda d: services.update_questionnaire(request.user, qid, d), "问卷已保存")


@post("/surveys/{qid:int}/questions", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def question_add(request: Request, qid: int) -> Response:
    return await _design_action(request, qid, lambda d: services.add_question(request.user, qid, d), "题目已添加", form_kind="question")


@get("/surveys/{qid:int}/questions/{question_id:int}", guards=[requires(Perm.SURVEY_DESIGN)])
async def question_page(request: Request, qid: int, question_id: int) -> Response:
    q = await services.questionnaire(_qid(qid))
    item = await services.question(qid, question_id) if q else None
    if item is None:
        raise NotFoundException("题目不存在")
    return render(request, "surveys/question.html", {"q": q, "item": item, "kinds": list(services.KINDS.items()),
                                                     "qform": Form(values={**item, "required": "1" if item["required"] else ""}),
                                                     "editable": q["status"] == "草稿"})


@post("/surveys/{qid:int}/questions/{question_id:int}", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def question_save(request: Request, qid: int, question_id: int) -> Response:
    data = await form_data(request)
    try:
        await services.update_question(request.user, qid, question_id, data)
    except services.FormError as e:
        q = await services.questionnaire(qid)
        item = await services.question(qid, question_id)
        return render(request, "surveys/question.html", {"q": q, "item": item, "kinds": list(services.KINDS.items()),
                                                         "qform": Form(values=data, errors=e.errors), "editable": True}, status_code=400)
    except services.SurveyError as e:
        if await services.question(qid, question_id) is None:
            raise NotFoundException(e.message) from None
        return redirect_with_flash(f"/surveys/{qid}", e.message, "error", request)
    return redirect_with_flash(f"/surveys/{qid}", "题目已保存", "success", request)


@post("/surveys/{qid:int}/questions/{question_id:int}/move", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def question_move(request: Request, qid: int, question_id: int) -> Response:
    return await _design_action(request, qid, lambda d: services.move_question(request.user, qid, question_id, d.get("dir", "")), "题目顺序已调整")


@post("/surveys/{qid:int}/questions/{question_id:int}/delete", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def question_delete(request: Request, qid: int, question_id: int) -> Response:
    return await _design_action(request, qid, lambda d: services.delete_question(request.user, qid, question_id), "题目已删除")


@post("/surveys/{qid:int}/publish", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def questionnaire_publish(request: Request, qid: int) -> Response:
    return await _design_action(request, qid, lambda d: services.publish(request.user, qid), "问卷已发布：到期的客户将自动生成调查邀请")


@post("/surveys/{qid:int}/stop", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def questionnaire_stop(request: Request, qid: int) -> Response:
    return await _design_action(request, qid, lambda d: services.stop(request.user, qid), "问卷已停用：不再生成新邀请，客户打开链接将看到已结束的提示")


@post("/surveys/{qid:int}/copy", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def questionnaire_copy(request: Request, qid: int) -> Response:
    return await _design_action(request, qid, lambda d: services.copy(request.user, qid), "已复制为新版本（草稿），修改后发布即可")


@post("/surveys/{qid:int}/invite", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def questionnaire_invite(request: Request, qid: int) -> Response:
    qid = _qid(qid)
    data = await form_data(request)
    try:
        n = await services.invite_project(request.user, qid, data.get("project", ""))
    except services.SurveyError as e:
        if await services.questionnaire(qid) is None:
            raise NotFoundException(e.message) from None
        return await _design_page(request, qid, error=e.message, status_code=400)
    return redirect_with_flash("/surveys/invitations", f"已生成 {n} 份调查邀请" if n else "该项目的已签约客户都已有本问卷的邀请", "success", request)


@post("/surveys/schedule", guards=[requires(Perm.SURVEY_DESIGN)], status_code=200)
async def schedule_now(request: Request) -> Response:
    n = await services.run_schedule(request.user)
    return redirect_with_flash("/surveys/invitations", f"已生成 {n} 份待发送的调查邀请" if n else "没有新到期的调查邀请", "success", request)


# ---------------------------------------------------------------- invitations (客户关系专员)


@get("/surveys/invitations", guards=[requires(Perm.CARE)])
async def invitation_list(request: Request) -> Response:
    params = dict(request.query_params)
    for name in ("questionnaire", "project"):
        if params.get(name) and parse_id(params[name]) is None:
            params.pop(name)
    result = await invitation_listing().fetch(params, request.user)
    _decorate_invitations(result.page.rows)
    return render(request, "surveys/invitations.html", {"result": result, "can_schedule": request.user.can(Perm.SURVEY_DESIGN)},
                  fragment="_partials/listing_table.html")


def _public_url(request: Request, key: str) -> str:
    return str(request.base_url).rstrip("/") + links.link_path(key)


async def _invitation_page(request: Request, inv_id: int, *, error: str = "", status_code: int = 200) -> Response:
    n = parse_id(inv_id)
    inv = await services.invitation(request.user, n) if n else None
    if inv is None:
        raise NotFoundException("调查邀请不存在")
    url = _public_url(request, inv["key"])
    ctx = {"inv": inv, "url": url, "qr": Markup(links.qr_svg(url)), "text": services.message_text(inv, url),
           "phone": mask_phone(inv["buyer.mobile"] or ""), "error": error, "form": Form(values={"via": "微信"})}
    return render(request, "surveys/invitation.html", ctx, fragment="surveys/_send_panel.html", status_code=status_code)


@get("/surveys/invitations/{inv_id:int}", guards=[requires(Perm.CARE)])
async def invitation_page(request: Request, inv_id: int) -> Response:
    return await _invitation_page(request, inv_id)


@post("/surveys/invitations/{inv_id:int}/sent", guards=[requires(Perm.CARE)], status_code=200)
async def invitation_sent(request: Request, inv_id: int) -> Response:
    n = parse_id(inv_id)
    if n is None or await services.invitation(request.user, n) is None:
        raise NotFoundException("调查邀请不存在")
    data = await form_data(request)
    try:
        await services.mark_sent(request.user, n, data.get("via", ""))
    except services.SurveyError as e:
        return await _invitation_page(request, n, error=e.message, status_code=400)
    if is_fragment_request(request):
        return await _invitation_page(request, n)
    return redirect_with_flash(f"/surveys/invitations/{n}", "已标记为已发送", "success", request)


# ---------------------------------------------------------------- results


async def _results_ctx(request: Request) -> dict:
    qs = await services.result_questionnaires()
    raw = request.query_params.get("questionnaire")
    qid = parse_id(raw) if raw else None
    if qid not in {q["id"] for q in qs}:
        qid = qs[0]["id"] if qs else None
    projects = await services.project_choices(request.user)
    pid = parse_id(request.query_params.get("project") or "")
    if pid is not None and str(pid) not in {p for p, _ in projects}:
        pid = None
    current = next((q for q in qs if q["id"] == qid), None)
    data = await services.results(request.user, qid, pid) if qid else None
    return {"questionnaires": qs, "current": current, "qid": qid, "pid": pid, "projects": projects, "data": data}


@get("/surveys/results", guards=[requires(Perm.CARE_VIEW)])
async def results_page(request: Request) -> Response:
    ctx = await _results_ctx(request)
    if request.query_params.get("export") == "xlsx":
        return await _export(request, ctx)
    return render(request, "surveys/results.html", ctx, fragment="surveys/_results.html")


@get("/surveys/results/{qid:int}/texts/{question_id:int}", guards=[requires(Perm.CARE_VIEW)])
async def results_texts(request: Request, qid: int, question_id: int) -> Response:
    q = await services.questionnaire(_qid(qid))
    item = await services.question(qid, question_id) if q and q["status"] != "草稿" else None
    if item is None or item["kind"] != "text":
        raise NotFoundException("题目不存在")
    pid = parse_id(request.query_params.get("project") or "")
    page = await services.text_answers(request.user, qid, question_id, pid, clamp_page(request.query_params.get("page")))
    ctx = {"q": q, "item": item, "page": page, "base": f"/surveys/results/{qid}/texts/{question_id}"}
    return render(request, "surveys/texts.html", ctx, fragment="surveys/_texts.html")


async def _export(request: Request, ctx: dict) -> Response:
    import os

    from litestar.background_tasks import BackgroundTask
    from litestar.response import File

    from app.core import audit
    from app.core.listing import XLSX, XlsxExport, safe_title
    from app.core.timeutil import now, to_local

    if not ctx["data"]:
        return redirect_with_flash("/surveys/results", "还没有可导出的问卷结果", "error", request)
    title = f"满意度调查结果-{ctx['current']['title']}"
    x = XlsxExport(title, [("类别", "text", 14), ("题目 / 项目", "text", 40), ("选项 / 指标", "text", 24), ("人数", "int", 10), ("占比（%）", "pct", 12)])
    rows = []
    for p in ctx["data"]["projects"]:
        rows.append(("回收率", p["project.name"], f"邀请 {p['invited']} · 已发送 {p['sent']}", p["answered"], p["rate"]))
    for q in ctx["data"]["questions"]:
        if q["kind"] == "text":
            rows.append((q["kind_name"], q["text"], "文字答案数", q["respondents"], None))
        for r in q["rows"]:
            rows.append((q["kind_name"], q["text"], r["label"], r["n"], r["pct"]))
        if q.get("average") is not None:
            rows.append((q["kind_name"], q["text"], "平均分", None, q["average"]))
    x.append(rows)
    stamp = to_local(now())
    project = dict(ctx["projects"]).get(str(ctx["pid"]), "全部（本人可见范围）") if ctx["pid"] else "全部（本人可见范围）"
    path = await x.save((("问卷", ctx["current"]["title"]), ("项目", project), ("导出人", request.user.display_name),
                         ("导出时间", stamp.strftime("%Y-%m-%d %H:%M:%S"))))
    await audit.record(actor=request.user, action="export", entity="sv_questionnaire", entity_id=ctx["qid"],
                       summary=f"导出满意度调查结果：{ctx['current']['title']}（{project}）", after={"rows": x.rows})
    return File(path=path, filename=f"{safe_title(title)}_{stamp:%Y%m%d_%H%M}.xlsx", media_type=XLSX, background=BackgroundTask(os.unlink, path))


# ---------------------------------------------------------------- the customer's page (public, no sign-in)


def _public(request: Request, template: str, ctx: dict, status_code: int = 200) -> Response:
    resp = render(request, f"surveys/public/{template}", {"user": None, **ctx}, status_code=status_code)
    resp.headers.update({"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"})
    return resp


async def _answer_page(request: Request, token: str, *, post_data=None) -> Response:
    inv = await services.by_token(token)
    if inv is None:
        return _public(request, "message.html", {"heading": "链接无效", "message": "您打开的调查链接不存在或已失效，请核对链接，或联系您的客户关系专员。",
                                                 "kind": "notfound"}, 404)
    if inv["answered_at"] is not None:
        return _public(request, "message.html", {"heading": "您已提交过，感谢", "message": "您已提交过本次调查，感谢您的宝贵意见！每个链接只能提交一次。",
                                                 "kind": "done"})
    if inv["questionnaire.status"] != "已发布":
        return _public(request, "message.html", {"heading": "调查已结束", "message": "本次调查已结束，感谢您的关注。如有意见或建议，欢迎致电客户服务中心。",
                                                 "kind": "closed"})
    qs = await services.questions(inv["questionnaire"])
    values: dict = {}
    errors: dict = {}
    if post_data is not None:
        outcome, values, errors = await services.submit_answers(inv, qs, post_data, ip=request.client.host if request.client else "")
        if outcome == "saved":
            return _public(request, "message.html", {"heading": "提交成功，感谢您的参与", "message": "您的意见已收到，我们会认真分析并持续改进服务。",
                                                     "kind": "thanks"})
        if outcome == "already":
            return _public(request, "message.html", {"heading": "您已提交过，感谢", "message": "您已提交过本次调查，感谢您的宝贵意见！每个链接只能提交一次。",
                                                     "kind": "done"})
    return _public(request, "answer.html", {"inv": inv, "questions": qs, "values": values, "errors": errors, "token": token,
                                            "scale": sorted(services.SCALE_LABELS.items())}, 400 if errors else 200)


@get("/s/{token:str}", guards=[public], exclude_from_auth=True)
async def answer_page(request: Request, token: str) -> Response:
    return await _answer_page(request, token)


@post("/s/{token:str}", guards=[public], exclude_from_auth=True, status_code=200)
async def answer_submit(request: Request, token: str) -> Response:
    return await _answer_page(request, token, post_data=await request.form())


router = Router(path="/", route_handlers=[
    questionnaire_list, questionnaire_new, questionnaire_create, schedule_now, invitation_list, invitation_page, invitation_sent,
    results_page, results_texts, questionnaire_page, questionnaire_save, question_add, question_page, question_save, question_move,
    question_delete, questionnaire_publish, questionnaire_stop, questionnaire_copy, questionnaire_invite, answer_page, answer_submit,
])
