"""Surveys (SPEC D4): the questionnaire designer's rules, the officers' invitations, the customer's answer, the results.
The only module that writes survey records; every change writes the audit log in the same transaction.

Versioning: a published questionnaire is frozen (its questions, its trigger and offsets), because its answers are
counted against exactly those questions. Editing it is refused with a message; “复制为新版本” makes a new draft with
the same questions, which the 主管 edits, publishes, and then stops the old one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.query.functions.aggregate import Count

from app.core import audit, notify
from app.core.fields import Parser
from app.core.scope import project_clause
from app.core.timeutil import now
from app.surveys import links
from app.surveys.tables import Answer, Invitation, Question, Questionnaire

TRIGGERS = {"after_signing": "签约后", "after_handover": "交房后", "after_move_in": "入住 1 年（以交房日为入住日）", "manual": "手动（不自动生成）"}
DEFAULT_OFFSETS = {"after_signing": 7, "after_handover": 90, "after_move_in": 365, "manual": 0}
KINDS = {"single": "单选", "multiple": "多选", "scale": "1–5 分评分", "text": "文字"}
SCALE_LABELS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}  # SPEC D4's 5-point scale
STATUSES = ("草稿", "已发布", "已停用")
TEXT_MAX = 500  # the longest text answer kept (a storage bound of the answer form, like a column's length)
OPTION_MAX = 50
OPTIONS_MAX = 20
FROZEN = "问卷已发布，题目和发送规则不能再修改（已有答卷按原题统计）。如需调整，请“复制为新版本”后修改并发布新版本。"


class SurveyError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


@dataclass
class Parsed:
    values: dict[str, Any]
    errors: dict[str, str]


# ---------------------------------------------------------------- design


def parse_questionnaire(data: dict[str, str]) -> Parsed:
    p = Parser(data)
    title = p.text("title", "问卷标题", max_len=100)
    intro = p.text("intro", "开头语", required=False, max_len=1000)
    trigger = p.choice("trigger", "发送时机", list(TRIGGERS))
    raw_offset = p.raw("offset_days")
    offset = p.integer("offset_days", "延后天数", minimum=0, maximum=3650, required=False)
    if offset is None and not raw_offset and trigger:
        offset = DEFAULT_OFFSETS[trigger]
    reminder = p.integer("reminder_days", "提醒天数", minimum=0, maximum=365)
    values = {"title": title, "intro": intro, "trigger": trigger, "offset_days": offset, "reminder_days": reminder}
    return Parsed(values, p.errors)


def parse_question(data: dict[str, str]) -> Parsed:
    p = Parser(data)
    kind = p.choice("kind", "题型", list(KINDS))
    text = p.text("text", "题目", max_len=200)
    options: list[str] = []
    if kind in ("single", "multiple"):
        lines = [ln.strip() for ln in (data.get("options") or "").replace("\r", "").split("\n")]
        options = list(dict.fromkeys(ln for ln in lines if ln))
        if len(options) < 2:
            p.fail("options", "单选题和多选题至少需要 2 个选项（每行一个）")
        elif len(options) > OPTIONS_MAX:
            p.fail("options", f"选项最多 {OPTIONS_MAX} 个")
        elif any(len(o) > OPTION_MAX for o in options):
            p.fail("options", f"每个选项最多 {OPTION_MAX} 个字")
    values = {"kind": kind, "text": text, "options": "\n".join(options), "required": p.flag("required")}
    return Parsed(values, p.errors)


async def questionnaire(qid: int) -> dict | None:
    return await Questionnaire.select(Questionnaire.all_columns(), Questionnaire.created_by.name).where(Questionnaire.id == qid).first()


async def questions(qid: int) -> list[dict]:
    rows = await Question.select().where(Question.questionnaire == qid).order_by(Question.sort).order_by(Question.id)
    for r in rows:
        r["option_list"] = [o for o in (r["options"] or "").split("\n") if o]
        r["kind_name"] = KINDS.get(r["kind"], r["kind"])
    return rows


def _editable(q: dict | None) -> dict:
    if q is None:
        raise SurveyError("问卷不存在")
    if q["status"] != "草稿":
        raise SurveyError(FROZEN, "status")
    return q


async def create_questionnaire(user, data: dict[str, str]) -> int:
    parsed = parse_questionnaire(data)
    if parsed.errors:
        raise _form_error(parsed)
    v = parsed.values
    async with Questionnaire._meta.db.transaction():
        row = (await Questionnaire.insert(Questionnaire(title=v["title"], intro=v["intro"], trigger=v["trigger"], offset_days=v["offset_days"],
                                                        reminder_days=v["reminder_days"], status="草稿", created_by=user.employee_id,
                                                        created_at=now())).returning(Questionnaire.id))[0]
        await audit.record(actor=user, action="survey.create", entity="sv_questionnaire", entity_id=row["id"], summary=f"新建问卷：{v['title']}", after=v)
    return row["id"]


class FormError(SurveyError):
    def __init__(self, errors: dict[str, str]):
        first = next(iter(errors.items()))
        super().__init__(first[1], first[0])
        self.errors = errors


def _form_error(parsed: Parsed) -> FormError:
    return FormError(parsed.errors)


async def update_questionnaire(user, qid: int, data: dict[str, str]) -> None:
    q = _editable(await questionnaire(qid))
    parsed = parse_questionnaire(data)
    if parsed.errors:
        raise _form_error(parsed)
    v = parsed.values
    async with Questionnaire._meta.db.transaction():
        done = await Questionnaire.update({Questionnaire.title: v["title"], Questionnaire.intro: v["intro"], Questionnaire.trigger: v["trigger"],
                                           Questionnaire.offset_days: v["offset_days"], Questionnaire.reminder_days: v["reminder_days"]}).where(
            (Questionnaire.id == qid) & (Questionnaire.status == "草稿")).returning(Questionnaire.id)
        if not done:
            raise SurveyError(FROZEN, "status")
        await audit.record(actor=user, action="survey.update", entity="sv_questionnaire", entity_id=qid, summary=f"修改问卷：{v['title']}",
                           before={k: q[k] for k in v}, after=v)


async def _lock_draft(qid: int) -> None:
    """Inside a transaction: the questionnaire is still a draft (a conditional no-op UPDATE, so a publish at the same
    moment cannot slip between the check and the question's change)."""
    done = await Questionnaire.update({Questionnaire.status: "草稿"}).where((Questionnaire.id == qid) & (Questionnaire.status == "草稿")).returning(
        Questionnaire.id)
    if not done:
        raise SurveyError(FROZEN, "status")


async def add_question(user, qid: int, data: dict[str, str]) -> int:
    _editable(await questionnaire(qid))
    parsed = parse_question(data)
    if parsed.errors:
        raise _form_error(parsed)
    v = parsed.values
    async with Question._meta.db.transaction():
        await _lock_draft(qid)
        last = await Question.select(Question.sort).where(Question.questionnaire == qid).order_by(Question.sort, ascending=False).first()
        row = (await Question.insert(Question(questionnaire=qid, sort=(last["sort"] + 1) if last else 1, **v)).returning(Question.id))[0]
        await audit.record(actor=user, action="survey.question_add", entity="sv_questionnaire", entity_id=qid, summary=f"添加题目：{v['text']}", after=v)
    return row["id"]


async def question(qid: int, question_id: int) -> dict | None:
    return await Question.select().where((Question.id == question_id) & (Question.questionnaire == qid)).first()


async def update_question(user, qid: int, question_id: int, data: dict[str, str]) -> None:
    _editable(await questionnaire(qid))
    before = await question(qid, question_id)
    if before is None:
        raise SurveyError("题目不存在")
    parsed = parse_question(data)
    if parsed.errors:
        raise _form_error(parsed)
    v = parsed.values
    async with Question._meta.db.transaction():
        await _lock_draft(qid)
        await Question.update({getattr(Question, k): val for k, val in v.items()}).where(Question.id == question_id)
        await audit.record(actor=user, action="survey.question_update", entity="sv_questionnaire", entity_id=qid, summary=f"修改题目：{v['text']}",
                           before={k: before[k] for k in v}, after=v)


async def move_question(user, qid: int, question_id: int, direction: str) -> None:
    _editable(await questionnaire(qid))
    rows = await Question.select(Question.id, Question.sort, Question.text).where(Question.questionnaire == qid).order_by(Question.sort).order_by(Question.id)
    ids = [r["id"] for r in rows]
    if question_id not in ids:
        raise SurveyError("题目不存在")
    i = ids.index(question_id)
    j = i - 1 if direction == "up" else i + 1
    if not 0 <= j < len(ids):
        return
    ids[i], ids[j] = ids[j], ids[i]
    async with Question._meta.db.transaction():
        await _lock_draft(qid)
        for n, rid in enumerate(ids, start=1):  # renumber (a questionnaire has a handful of questions)
            await Question.update({Question.sort: n}).where(Question.id == rid)
        await audit.record(actor=user, action="survey.question_move", entity="sv_questionnaire", entity_id=qid,
                           summary=f"调整题目顺序：{rows[i]['text']}（{'上移' if direction == 'up' else '下移'}）")


async def delete_question(user, qid: int, question_id: int) -> None:
    _editable(await questionnaire(qid))
    before = await question(qid, question_id)
    if before is None:
        raise SurveyError("题目不存在")
    async with Question._meta.db.transaction():
        await _lock_draft(qid)
        await Question.delete().where(Question.id == question_id)
        await audit.record(actor=user, action="survey.question_delete", entity="sv_questionnaire", entity_id=qid, summary=f"删除题目：{before['text']}",
                           before={"text": before["text"], "kind": before["kind"]})


async def publish(user, qid: int) -> None:
    q = await questionnaire(qid)
    if q is None:
        raise SurveyError("问卷不存在")
    if q["status"] != "草稿":
        raise SurveyError("只有草稿状态的问卷可以发布", "status")
    if not await Question.exists().where(Question.questionnaire == qid):
        raise SurveyError("问卷还没有题目，请先添加题目再发布", "status")
    await _set_status(user, q, "草稿", "已发布", "survey.publish", "发布问卷")


async def stop(user, qid: int) -> None:
    q = await questionnaire(qid)
    if q is None:
        raise SurveyError("问卷不存在")
    if q["status"] != "已发布":
        raise SurveyError("只有已发布的问卷可以停用", "status")
    await _set_status(user, q, "已发布", "已停用", "survey.stop", "停用问卷")


async def _set_status(user, q: dict, old: str, new: str, action: str, verb: str) -> None:
    async with Questionnaire._meta.db.transaction():
        done = await Questionnaire.update({Questionnaire.status: new}).where((Questionnaire.id == q["id"]) & (Questionnaire.status == old)).returning(
            Questionnaire.id)
        if not done:
            raise SurveyError("问卷状态已被他人更改，请刷新页面后重试", "status")
        await audit.record(actor=user, action=action, entity="sv_questionnaire", entity_id=q["id"], summary=f"{verb}：{q['title']}",
                           before={"status": old}, after={"status": new})


async def copy(user, qid: int) -> int:
    q = await questionnaire(qid)
    if q is None:
        raise SurveyError("问卷不存在")
    qs = await questions(qid)
    title = (q["title"] + "（新版本）")[:100]
    async with Questionnaire._meta.db.transaction():
        row = (await Questionnaire.insert(Questionnaire(title=title, intro=q["intro"], trigger=q["trigger"], offset_days=q["offset_days"],
                                                        reminder_days=q["reminder_days"], status="草稿", created_by=user.employee_id,
                                                        created_at=now())).returning(Questionnaire.id))[0]
        if qs:
            await Question.insert(*[Question(questionnaire=row["id"], sort=x["sort"], kind=x["kind"], text=x["text"], options=x["options"],
                                             required=x["required"]) for x in qs])
        await audit.record(actor=user, action="survey.copy", entity="sv_questionnaire", entity_id=row["id"], summary=f"复制问卷为新版本：{q['title']}",
                           after={"from": qid})
    return row["id"]


async def run_schedule(user) -> int:
    from app.surveys.schedule import schedule_once

    async with Invitation._meta.db.transaction():
        n = await schedule_once()
        await audit.record(actor=user, action="survey.schedule", entity="sv_invitation", summary=f"生成待发送的调查邀请 {n} 份", after={"created": n})
    return n


async def invite_project(user, qid: int, raw_project: str) -> int:
    """A published manual questionnaire: invitations for every signed customer of one project in the user's scope."""
    from app.core.fields import parse_id
    from app.surveys.schedule import invite_project as insert

    q = await questionnaire(qid)
    if q is None:
        raise SurveyError("问卷不存在")
    if q["status"] != "已发布" or q["trigger"] != "manual":
        raise SurveyError("只有已发布的“手动”问卷可以按项目发起调查", "project")
    pid = parse_id(raw_project)
    if pid is None or str(pid) not in {v for v, _ in await project_choices(user)}:
        raise SurveyError("请选择项目", "project")
    async with Invitation._meta.db.transaction():
        n = await insert(qid, pid)
        await audit.record(actor=user, action="survey.schedule", entity="sv_questionnaire", entity_id=qid,
                           summary=f"按项目发起调查：{q['title']}，生成邀请 {n} 份", after={"project": pid, "created": n})
    return n


# ---------------------------------------------------------------- invitations (the officers)


def invitation_scope(user):
    return project_clause(Invitation.project, user)


async def invitation(user, inv_id: int) -> dict | None:
    """One invitation within the user's project scope (None: not found or out of scope → 404)."""
    q = Invitation.select(Invitation.all_columns(), Invitation.buyer.name, Invitation.buyer.mobile, Invitation.project.name,
                          Invitation.questionnaire.title, Invitation.questionnaire.status, Invitation.deal.unit.room_no,
                          Invitation.deal.unit.building.name, Invitation.sent_by.name).where(Invitation.id == inv_id)
    clause = invitation_scope(user)
    if clause is not None:
        q = q.where(clause)
    return await q.first()


def message_text(inv: dict, url: str) -> str:
    """The text the officer pastes into WeChat or an SMS."""
    return (f"{inv['buyer.name']}您好！感谢您对{inv['project.name']}的信任。诚邀您花 2 分钟填写《{inv['questionnaire.title']}》，"
            f"您的意见将帮助我们改进服务：{url} （每个链接仅可提交一次）客户服务中心")


async def mark_sent(user, inv_id: int, via: str) -> None:
    if via not in ("微信", "短信"):
        raise SurveyError("请选择发送方式（微信或短信）", "via")
    inv = await invitation(user, inv_id)
    if inv is None:
        raise SurveyError("调查邀请不存在")
    async with Invitation._meta.db.transaction():
        done = await Invitation.update({Invitation.sent_at: now(), Invitation.sent_via: via, Invitation.sent_by: user.employee_id}).where(
            (Invitation.id == inv_id) & Invitation.sent_at.is_null() & Invitation.answered_at.is_null()).returning(Invitation.id)
        if not done:
            raise SurveyError("该邀请已标记为已发送或客户已填写，请刷新页面查看", "via")
        await audit.record(actor=user, action="survey.send", entity="sv_invitation", entity_id=inv_id,
                           summary=f"调查邀请已通过{via}发送：{inv['questionnaire.title']} · {inv['buyer.name']}", after={"via": via})


# ---------------------------------------------------------------- the customer's answer (public)


async def by_token(token: str) -> dict | None:
    """The invitation of a link token, or None for an unknown, malformed or tampered token (no detail given)."""
    if not links.well_formed(token):
        return None
    inv = await Invitation.select(Invitation.id, Invitation.key, Invitation.questionnaire, Invitation.answered_at, Invitation.project,
                                  Invitation.questionnaire.title, Invitation.questionnaire.intro, Invitation.questionnaire.status,
                                  Invitation.project.name).where(Invitation.token_hash == links.token_hash(token)).first()
    if inv is None or not links.matches(token, inv["key"]):
        return None
    return inv


def parse_answers(qs: list[dict], data: Any) -> tuple[dict[str, Any], dict[str, str], list[tuple[int, str, int | None]]]:
    """Validate the customer's answers: (values kept for the form, errors by field, rows (question, value, score))."""
    p = Parser(data)
    values: dict[str, Any] = {}
    rows: list[tuple[int, str, int | None]] = []
    for q in qs:
        name = f"q{q['id']}"
        options = q["option_list"]
        if q["kind"] == "multiple":
            chosen = list(dict.fromkeys(v for v in p.getall(name) if v))
            values[name] = chosen
            if not chosen:
                if q["required"]:
                    p.fail(name, "此题为必答题，请至少选择一项")
            elif any(c not in options for c in chosen):
                p.fail(name, "所选选项无效，请从列表中选择")
            else:
                rows.extend((q["id"], c, None) for c in chosen)  # one row per chosen option: counted with GROUP BY
            continue
        v = p.raw(name)
        values[name] = v
        if not v:
            if q["required"]:
                p.fail(name, {"single": "此题为必答题，请选择一项", "scale": "此题为必答题，请选择 1–5 分"}.get(q["kind"], "此题为必答题，请填写"))
            continue
        if q["kind"] == "single":
            if v not in options:
                p.fail(name, "所选选项无效，请从列表中选择")
            else:
                rows.append((q["id"], v, None))
        elif q["kind"] == "scale":
            if v not in ("1", "2", "3", "4", "5"):
                p.fail(name, "评分应为 1–5 分的整数")
            else:
                rows.append((q["id"], SCALE_LABELS[int(v)], int(v)))
        else:
            if len(v) > TEXT_MAX:
                p.fail(name, f"最多填写 {TEXT_MAX} 个字（当前 {len(v)} 个字）")
            else:
                rows.append((q["id"], v, None))
    return values, p.errors, rows


async def submit_answers(inv: dict, qs: list[dict], data: Any, ip: str = "") -> tuple[str, dict[str, Any], dict[str, str]]:
    """Record the answers once. Returns ("saved" | "already" | "invalid", values, errors). The invitation is claimed by a
    conditional UPDATE (answered_at IS NULL) in the same transaction as the answers: a second submit writes nothing."""
    values, errors, rows = parse_answers(qs, data)
    if errors:
        return "invalid", values, errors
    at = now()
    async with Invitation._meta.db.transaction():
        claimed = await Invitation.update({Invitation.answered_at: at}).where(
            (Invitation.id == inv["id"]) & Invitation.answered_at.is_null()).returning(Invitation.id)
        if not claimed:
            return "already", values, {}
        if rows:
            await Answer.insert(*[Answer(invitation=inv["id"], question=qid, value=v, score=s) for qid, v, s in rows])
        from app.surveys.remind import reminder_ref

        await notify.close([reminder_ref(inv["id"])])
        await audit.record(actor=None, action="survey.answer", entity="sv_invitation", entity_id=inv["id"],
                           summary=f"客户提交满意度调查：{inv['questionnaire.title']}（{len(rows)} 项答案）", ip=ip)
    return "saved", values, {}


# ---------------------------------------------------------------- results


async def result_questionnaires() -> list[dict]:
    return await Questionnaire.select(Questionnaire.id, Questionnaire.title, Questionnaire.status).where(Questionnaire.status != "草稿").order_by(
        Questionnaire.id)


def _answer_where(user, qid: int, project_id: int | None):
    w = Answer.invitation.questionnaire == qid
    clause = project_clause(Answer.invitation.project, user)
    if clause is not None:
        w = w & clause
    if project_id:
        w = w & (Answer.invitation.project == project_id)
    return w


def _invitation_where(user, qid: int, project_id: int | None):
    w = Invitation.questionnaire == qid
    clause = invitation_scope(user)
    if clause is not None:
        w = w & clause
    if project_id:
        w = w & (Invitation.project == project_id)
    return w


def _pct(n: int, d: int) -> float | None:
    return round(n * 100.0 / d, 1) if d else None


async def results(user, qid: int, project_id: int | None) -> dict:
    """Every figure of one questionnaire's results, aggregated in SQL (GROUP BY): response per project, per question the
    choice counts, the scale distribution and average, and the number of text answers."""
    qs = await questions(qid)
    by_project = await Invitation.select(Invitation.project, Invitation.project.name, Count(alias="invited"), Count(Invitation.sent_at, alias="sent"),
                                         Count(Invitation.answered_at, alias="answered")).where(_invitation_where(user, qid, project_id)).group_by(
        Invitation.project, Invitation.project.name).order_by(Invitation.project.name)
    aw = _answer_where(user, qid, project_id)
    counts = await Answer.select(Answer.question, Answer.value, Answer.score, Count(alias="n")).where(aw & (Answer.question.kind != "text")).group_by(
        Answer.question, Answer.value, Answer.score)
    respondents = {r["question"]: r["n"] for r in await Answer.select(Answer.question, Count(distinct=[Answer.invitation], alias="n")).where(aw).group_by(
        Answer.question)}
    project_scores = await Answer.select(Answer.invitation.project.name, Count(alias="n"), Count(distinct=[Answer.invitation], alias="people")).where(
        aw & (Answer.question.kind == "scale") & (Answer.score >= 4)).group_by(Answer.invitation.project.name)
    project_valid = await Answer.select(Answer.invitation.project.name, Count(alias="n")).where(aw & (Answer.question.kind == "scale")).group_by(
        Answer.invitation.project.name)
    sat = {r["invitation.project.name"]: r["n"] for r in project_scores}
    for p in by_project:
        p["rate"] = _pct(p["answered"], p["invited"])
        valid = next((v["n"] for v in project_valid if v["invitation.project.name"] == p["project.name"]), 0)
        p["satisfied"], p["valid"] = sat.get(p["project.name"], 0), valid
        p["satisfaction"] = _pct(p["satisfied"], valid)
    per_q: dict[int, list[dict]] = {}
    for c in counts:
        per_q.setdefault(c["question"], []).append(c)
    out = []
    for q in qs:
        n = respondents.get(q["id"], 0)
        item = {**q, "respondents": n, "rows": [], "chart": None, "average": None}
        got = per_q.get(q["id"], [])
        if q["kind"] in ("single", "multiple"):
            by_value = {c["value"]: c["n"] for c in got}
            labels = q["option_list"] + [v for v in by_value if v not in q["option_list"]]
            item["rows"] = [{"label": o, "n": by_value.get(o, 0), "pct": _pct(by_value.get(o, 0), n)} for o in labels]
        elif q["kind"] == "scale":
            by_score = {c["score"]: c["n"] for c in got if c["score"] is not None}
            total = sum(by_score.values())
            item["rows"] = [{"label": f"{s} 分 · {SCALE_LABELS[s]}", "n": by_score.get(s, 0), "pct": _pct(by_score.get(s, 0), total)} for s in (5, 4, 3, 2, 1)]
            item["average"] = round(sum(s * k for s, k in by_score.items()) / total, 2) if total else None
            item["satisfied_pct"] = _pct(by_score.get(4, 0) + by_score.get(5, 0), total)
        if item["rows"] and n:
            item["chart"] = {"type": "hbar", "labels": [r["label"] for r in item["rows"]], "series": [{"name": "人数", "kind": "bar",
                                                                                                         "data": [r["n"] for r in item["rows"]]}]}
        out.append(item)
    totals = {"invited": sum(p["invited"] for p in by_project), "sent": sum(p["sent"] for p in by_project),
              "answered": sum(p["answered"] for p in by_project)}
    totals["rate"] = _pct(totals["answered"], totals["invited"])
    sat_n, valid_n = sum(p["satisfied"] for p in by_project), sum(p["valid"] for p in by_project)
    totals["satisfaction"] = _pct(sat_n, valid_n)
    chart = None
    if by_project:
        chart = {"type": "hbar", "labels": [p["project.name"] for p in by_project], "series": [
            {"name": "邀请数", "kind": "bar", "data": [p["invited"] for p in by_project]},
            {"name": "已回复", "kind": "bar", "data": [p["answered"] for p in by_project]}]}
    return {"questions": out, "projects": by_project, "totals": totals, "project_chart": chart}


async def text_answers(user, qid: int, question_id: int, project_id: int | None, page: int):
    from app.core.pagination import paginate

    w = _answer_where(user, qid, project_id) & (Answer.question == question_id) & (Answer.question.kind == "text") & (Answer.value != "")
    q = Answer.select(Answer.id, Answer.value, Answer.invitation.answered_at, Answer.invitation.project.name).where(w).order_by(
        Answer.id, ascending=False)
    params = {"project": str(project_id)} if project_id else {}
    return await paginate(q, Answer.count().where(w), page=page, per_page=10, params=params)


async def project_choices(user) -> list[tuple[str, str]]:
    from app.estate.pickers import project_choices as choices

    return await choices(user)


async def questionnaire_choices(_user=None) -> list[tuple[str, str]]:
    return [(str(r["id"]), r["title"]) for r in await Questionnaire.select(Questionnaire.id, Questionnaire.title).where(
        Questionnaire.status != "草稿").order_by(Questionnaire.id)]
