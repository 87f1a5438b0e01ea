"""保安/保洁月排班 (SPEC §F2) as a declaration on the one engine: the team's lead submits the month's roster, the 客服主管
approves it. The form names the roster (only the drafts of the teams the user leads); a roster with a hard problem
(two places at once, more than 12 hours at a stretch, a post in a slot it is not staffed in) cannot be submitted,
one with gaps (coverage, a week without a rest day, a special day short of extra staff) needs an explanation, which
the approver reads with the list of problems. Approval makes it 已批准; 驳回 or 撤回 give the draft back."""
from __future__ import annotations

from typing import Any

from app.core.fields import Parser, parse_id
from app.core.permissions import Perm
from app.site_roster import services
from app.site_roster.tables import DRAFT, SiteRoster
from app.workflow.definitions import Approvers, ChainContext, FlowDef, FormResult, RecordPicker, StepSpec, positions, register

SUPERVISOR = StepSpec("supervisor", "客服主管审批", Approvers.of_role("supervisor"))


async def _search(user, q: str, limit: int) -> list[tuple[str, str]]:
    rows = await SiteRoster.select(SiteRoster.id, SiteRoster.month, SiteRoster.team.name, SiteRoster.problems).where(
        await services.submittable(user)).order_by(SiteRoster.month).limit(limit)
    return [(str(r["id"]), f"{r['team.name']} {r['month']}（{r['problems']} 处待说明）" if r["problems"] else f"{r['team.name']} {r['month']}")
            for r in rows if not q or q in r["team.name"] or q in r["month"]]


async def _reaches(user, value: str) -> bool:
    rid = parse_id(value)
    return rid is not None and await SiteRoster.exists().where(await services.submittable(user) & (SiteRoster.id == rid))


ROSTER_PICKER = RecordPicker(field="roster", label="排班表", search=_search, reaches=_reaches, placeholder="选择您负责的班组的排班草稿")


class RosterForm:
    fields_template = "site_roster/_flow_fields.html"
    detail_template = "site_roster/_flow_detail.html"

    async def context(self, user) -> dict[str, Any]:
        return {}

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        rid = parse_id(p.raw("roster"))
        note = p.text("note", "情况说明", required=False, max_len=1000)
        roster = await services.get(user, rid) if rid else None
        if not p.raw("roster"):
            p.fail("roster", "请选择排班表")
        elif roster is None or not services.may_lead(user, roster):
            p.fail("roster", "没有找到您负责的班组的该排班表")
        elif roster["status"] != DRAFT and not (request_id and roster["request"] == request_id):
            p.fail("roster", f"该排班表当前为「{roster['status']}」，草稿才能提交审批")
        problems = []
        if roster is not None and "roster" not in p.errors:
            problems = services.problems_of(await services.month_of(roster))
            hard = [x for x in problems if x.kind in services.HARD]
            if hard:
                p.fail("roster", f"排班有 {len(hard)} 处必须修改的问题（如：{hard[0].text}），请先在排班表中修改")
            elif problems and not note:
                p.fail("note", f"排班还有 {len(problems)} 处未满足（如：{problems[0].text}），请说明原因，或先修改排班")
        title = f"{roster['team.name']} {services.month_label(services.parse_month(roster['month']))} 排班" if roster else "月排班"
        return FormResult(errors=p.errors, cleaned={"roster": roster["id"] if roster else None, "note": note,
                                                    "problems": len(problems)}, title=title[:200])

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await services.mark_submitted(cleaned["roster"], request_id, user, cleaned["note"])

    async def load(self, request_id: int) -> dict:
        roster = await SiteRoster.select(SiteRoster.id).where(SiteRoster.request == request_id).first()
        if not roster:
            return {"form_values": {}}
        full = await SiteRoster.select(*services.ROSTER_COLUMNS).where(SiteRoster.id == roster["id"]).first()
        m = await services.month_of(full)
        problems = services.problems_of(m)
        return {"roster": full, "problems": problems, "summary": services.rules.summary(m.first, m.entries, m.slots, m.workers),
                "note": full["note"], "form_values": {"roster": str(full["id"]), "note": full["note"]}}


def roster_chain(c: ChainContext) -> list[StepSpec]:
    """申（班组负责人） → 客服主管."""
    return [SUPERVISOR]


async def roster_approved(req: dict, actor) -> None:
    await services.mark_decided(req["id"], True, actor)


async def roster_closed(req: dict, actor) -> None:
    await services.mark_decided(req["id"], False, actor)


async def roster_prefill(user, params) -> dict[str, str]:
    rid = parse_id(params.get("roster"))
    return {"roster": str(rid)} if rid is not None and await _reaches(user, str(rid)) else {}


SITE_ROSTER = register(FlowDef(
    code="site_roster", name="售楼处月排班", prefix="PB", group="售楼处",
    description="保安队长、保洁领班每月编排本班组的排班表，提交客服主管审批。系统检查：每个岗位每个班次有人、每人每周至少休息一天、"
                "连续工作不超过 12 小时、开盘/集中签约/交房日加派人员；有未满足之处须说明原因。批准后如需换班，在排班表中申请。",
    chain=roster_chain, form=RosterForm(), record=ROSTER_PICKER, has_amount=False,
    starters=positions("security_captain", "cleaning_lead", perms=(Perm.SITE_LEAD,)),
    clause=("kf-71p", "toc", "第二十四章 售楼部保安保洁的管理"),
    on_approved=roster_approved, on_closed=roster_closed, prefill=roster_prefill,
))
