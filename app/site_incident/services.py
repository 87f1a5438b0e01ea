"""Incident reports (SPEC §F4 事件报告): the form's parse (Chinese field errors), the report written in one transaction
with its notices (the 客服主管 of the team's project at once; for 聚集维权 and 媒体 also the 客服副经理 and the
总经理, and a P1 customer-care case opened through app.care.services.intake, linked both ways), the list paged in
SQL, the record scope (the teams the user reaches, app.site.services.team_clause) and the follow-up/close action."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from app.care import rules as care_rules
from app.care.core import holders
from app.core import attachments, audit, notify
from app.core.db import write_transaction
from app.core.fields import FormValues, Parser, parse_id, pick_id
from app.core.months import add_months, parse_month
from app.core.numbering import next_number
from app.core.pagination import Page, clamp_page, paginate
from app.core.permissions import Perm
from app.core.timeutil import SHANGHAI, now, to_local
from app.core.validators import validate_phone
from app.org.tables import Employee
from app.site import services as site
from app.site.tables import SECURITY, SiteTeam
from app.site_incident.tables import CLOSED, ESCALATED, KINDS, OPEN, Incident, IncidentNotice

OWNER = "site_incident"  # the attachments' owner kind (app/site_incident/attachment_owners.py)
PREFIX = "SJ"
PER_PAGE = 20
NOTICE_ROLES = ((care_rules.ROLE_SUPERVISOR, "客服主管"),)
ESCALATION_ROLES = ((care_rules.ROLE_DEPT_MANAGER, "客服副经理"), (care_rules.ROLE_GM, "总经理"))
LABELS = {"team": "班组", "kind": "事件类型", "occurred_at": "事发时间", "place": "地点", "people": "涉及人员", "account": "经过",
          "actions": "处置", "contact_phone": "现场联系电话", "follow_up": "后续跟进", "attachments": "照片"}


class IncidentError(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values()), "提交的内容有误"))
        self.errors = errors


def url(incident_id: int) -> str:
    return f"/site/incidents/{incident_id}"


# ---------------------------------------------------------------- who reads and writes


def may_read(user: Any) -> bool:
    """The security team's people and those who oversee the sales office (the cleaning team has no incidents)."""
    return user.can(Perm.SITE_SECURITY) or site.oversees(user)


def may_report(user: Any) -> bool:
    return user.can(Perm.SITE_SECURITY)


def scope_clause(user: Any):
    """The incidents of the teams the user reaches."""
    return Incident.team.is_in(SiteTeam.select(SiteTeam.id).where(site.team_clause(user)))


async def team_choices(user: Any) -> list[dict]:
    return await site.teams_for(user, SECURITY)


DETAIL_COLUMNS = (Incident.all_columns(), Incident.team.name, Incident.project.name, Incident.reported_by.name,
                  Incident.closed_by.name, Incident.care_case.number, Incident.care_case.level, Incident.care_case.status)


async def get(user: Any, raw_id: Any) -> dict | None:
    """One incident if the user reaches its team, else None (404)."""
    iid = parse_id(raw_id)
    if iid is None or not may_read(user):
        return None
    return await Incident.select(*DETAIL_COLUMNS).where((Incident.id == iid) & scope_clause(user)).first()


async def notices(incident_id: int) -> list[dict]:
    return await IncidentNotice.select(IncidentNotice.name, IncidentNotice.role, IncidentNotice.at).where(
        IncidentNotice.incident == incident_id).order_by(IncidentNotice.at).order_by(IncidentNotice.id)


# ---------------------------------------------------------------- the list


def month_range(raw: str) -> tuple[datetime, datetime] | None:
    """'YYYY-MM' → [first moment, first moment of the next month) in Asia/Shanghai; None for anything else."""
    text = (raw or "").strip()
    first = parse_month(text) if len(text) == 7 else None  # the month filter's own form: two-digit months
    if first is None:
        return None
    return datetime.combine(first, time(0), SHANGHAI), datetime.combine(add_months(first, 1), time(0), SHANGHAI)


async def page(user: Any, params: dict[str, str]) -> tuple[Page, dict[str, str]]:
    """The user's incidents, newest first, filtered by kind and month, counted and paged in SQL."""
    kind = params.get("kind", "") if params.get("kind", "") in KINDS else ""
    month = (params.get("month") or "").strip()
    span = month_range(month)
    where = scope_clause(user)
    if kind:
        where &= Incident.kind == kind
    if span:
        where &= (Incident.occurred_at >= span[0]) & (Incident.occurred_at < span[1])
    else:
        month = ""
    cols = (Incident.id, Incident.number, Incident.kind, Incident.occurred_at, Incident.place, Incident.status, Incident.team.name,
            Incident.care_case, Incident.care_case.number)
    q = Incident.select(*cols).where(where).order_by(Incident.occurred_at, ascending=False).order_by(Incident.id, ascending=False)
    shown = {"kind": kind, "month": month}
    result = await paginate(q, Incident.count().where(where), page=clamp_page(params.get("page")), per_page=PER_PAGE, params=shown)
    return result, shown


# ---------------------------------------------------------------- the report form


def parse_moment(p: Parser, name: str, label: str) -> datetime | None:
    """A datetime-local value (YYYY-MM-DDTHH:MM, Asia/Shanghai), not in the future."""
    raw = p.raw(name).replace(" ", "T")
    if not raw:
        p.fail(name, f"请填写{label}")
        return None
    try:
        value = datetime.fromisoformat(raw) if len(raw) <= 32 else None
    except ValueError:
        value = None
    if value is None:
        p.fail(name, "时间格式应为 YYYY-MM-DD HH:MM，例如 2026-11-28 09:30")
        return None
    value = value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value
    if value.year < 2000:
        p.fail(name, f"{label}不能早于 2000 年")
        return None
    if value > now() + timedelta(minutes=5):
        p.fail(name, f"{label}不能晚于现在")
        return None
    return value


def parse_report(values: Any, teams: list[dict]) -> tuple[dict, dict[str, str]]:
    p = Parser(values)
    team_id = None
    if len(teams) == 1 and not p.raw("team"):
        team_id = teams[0]["id"]
    else:
        team_id = pick_id(p, "team", LABELS["team"])
        if team_id is not None and team_id not in {t["id"] for t in teams}:
            p.fail("team", "班组的选项无效")
            team_id = None
    kind = p.choice("kind", LABELS["kind"], KINDS)
    occurred = parse_moment(p, "occurred_at", LABELS["occurred_at"])
    place = p.text("place", LABELS["place"], max_len=100)
    people = p.text("people", LABELS["people"], required=False, max_len=1000)
    account = p.text("account", LABELS["account"], max_len=2000)
    actions = p.text("actions", LABELS["actions"], max_len=2000)
    phone = p.raw("contact_phone")
    if phone:
        err = validate_phone(phone) if len(phone) <= 20 else "电话号码格式不正确：手机为 11 位，固话为 区号-号码"
        if err:
            p.fail("contact_phone", err)
    elif kind in ESCALATED:
        p.fail("contact_phone", "聚集维权、媒体事件将转客服 P1 案件，请填写现场联系电话")
    team = next((t for t in teams if t["id"] == team_id), None)
    cleaned = {"team": team, "kind": kind, "occurred_at": occurred, "place": place, "people": people, "account": account,
               "actions": actions, "contact_phone": phone, "called_110": p.flag("called_110"), "called_119": p.flag("called_119"),
               "called_120": p.flag("called_120")}
    return cleaned, p.errors


async def _recipients(project_id: int, kind: str) -> list[tuple[dict, str]]:
    """(holder, role name) of everyone to tell, each person once: the 客服主管 of the project, and for 聚集维权/媒体
    the 客服副经理 and the 总经理 too."""
    roles = NOTICE_ROLES + (ESCALATION_ROLES if kind in ESCALATED else ())
    out: list[tuple[dict, str]] = []
    seen: set[int] = set()
    for role, name in roles:
        for h in await holders(role, project_id):
            if h["user"] not in seen:
                seen.add(h["user"])
                out.append((h, name))
    return out


async def _open_case(user: Any, c: dict, number: str, reporter: str) -> dict:
    """The P1 customer-care case of a 聚集维权/媒体 incident, opened by the care domain's own intake (its numbering,
    level, clocks, handler, notices and audit), inside the incident's transaction."""
    from app.care import services as care
    from app.care.settings import load_limits

    limits = await load_limits()
    content = (f"售楼处事件报告 {number}（{c['kind']}）\n事发时间：{to_local(c['occurred_at']):%Y-%m-%d %H:%M}\n地点：{c['place']}\n"
               f"涉及人员：{c['people'] or '—'}\n经过：{c['account']}\n处置：{c['actions']}")
    values = FormValues(kind="投诉", channel="来访", category="其他", project=str(c["team"]["project"]), caller_name=reporter[:50],
                        caller_phone=c["contact_phone"], title=f"售楼处{c['kind']}：{c['place']}"[:100], content=content[:2000])
    if c["kind"] == "聚集维权":  # a group protest: a group complaint (P1 from the care settings' household threshold)
        values.update(group_complaint="1", households=str(max(limits.group_min_households, 2)))
    else:  # 媒体
        values["media_risk"] = "1"
    return await care.intake(user, values, [])


async def create(user: Any, values: Any, file_ids: list[int]) -> dict:
    """Write the report: the incident, its notices (and who was told when), the P1 case for 聚集维权/媒体, its photos
    and the audit, in one transaction. Raises IncidentError with the field messages."""
    teams = await team_choices(user)
    c, errors = parse_report(values, teams)
    if not teams:
        errors.setdefault("team", "您没有可报告事件的保安班组")
    if errors:
        raise IncidentError(errors)
    team = c["team"]
    me = await Employee.select(Employee.name).where(Employee.id == (user.employee_id or 0)).first()
    reporter = me["name"] if me else getattr(user, "display_name", "")
    async with write_transaction():
        number = await next_number(PREFIX)
        at = now()
        row = Incident(number=number, team=team["id"], project=team["project"], kind=c["kind"], occurred_at=c["occurred_at"],
                       place=c["place"], people=c["people"], contact_phone=c["contact_phone"], account=c["account"], actions=c["actions"],
                       called_110=c["called_110"], called_119=c["called_119"], called_120=c["called_120"], follow_up="",
                       reported_by=user.employee_id, reported_at=at, status=OPEN, version=0)
        await row.save()
        iid = row.id
        case = None
        if c["kind"] in ESCALATED:
            from app.care.core import CareError

            try:
                case = await _open_case(user, c, number, reporter)
            except CareError as e:  # the care intake refused (rolls the whole report back): say why on the form
                field = "contact_phone" if "caller_phone" in e.errors else "__all__"
                raise IncidentError({field: f"无法立客服案件：{e.errors.get('caller_phone') or next(iter(e.errors.values()), str(e))}"}) from e
            await Incident.update({Incident.care_case: case["id"]}).where(Incident.id == iid)
        text = f"售楼处事件 {number}（{c['kind']}）：{team['name']}，{c['place']}" + (f"；已立 P1 客服案件 {case['number']}" if case else "")
        told = await _recipients(team["project"], c["kind"])
        for h, role_name in told:
            await notify.notify(h["user"], text, url(iid), "info", ref=f"site_incident:{iid}")
        if told:
            await IncidentNotice.insert(*[IncidentNotice(incident=iid, employee=h["id"], name=h["name"], role=role_name, at=at)
                                          for h, role_name in told])
        await attachments.bind(user, file_ids, OWNER, iid)
        await audit.record(actor=user, action="site_incident.report", entity="site_incident", entity_id=iid,
                           summary=f"{number} 报告{c['kind']}事件（{team['name']}，{c['place']}）",
                           after={"status": OPEN, "kind": c["kind"], "care_case": case["id"] if case else None,
                                  "notified": [h["name"] for h, _ in told]})
    return {"id": iid, "number": number, "case": case, "notified": len(told)}


# ---------------------------------------------------------------- follow-up and close


def may_follow_up(user: Any) -> bool:
    return user.can(Perm.SITE_MANAGE)


async def follow_up(user: Any, incident: dict, values: Any) -> str:
    """Add to the follow-up (and optionally close): the 客服主管. Returns the flash text; raises IncidentError."""
    p = Parser(values)
    note = p.text("follow_up", LABELS["follow_up"], max_len=2000)
    close = p.flag("close")
    version = p.raw("version")
    if incident["status"] == CLOSED:
        p.fail("follow_up", "该事件已结案")
    if p.errors:
        raise IncidentError(p.errors)
    if version != str(incident["version"]):
        raise IncidentError({"follow_up": "该事件刚被他人更新，请刷新页面后再提交"})
    stamp = f"{to_local(now()):%Y-%m-%d %H:%M} {getattr(user, 'display_name', '')}：{note}"
    text = (incident["follow_up"] + "\n" if incident["follow_up"] else "") + stamp
    if len(text) > 20000:
        raise IncidentError({"follow_up": "跟进记录已过长，请结案或联系管理员"})
    changes: dict = {Incident.follow_up: text, Incident.version: incident["version"] + 1}
    if close:
        changes.update({Incident.status: CLOSED, Incident.closed_at: now(), Incident.closed_by: user.employee_id})
    async with write_transaction():
        done = await Incident.update(changes).where((Incident.id == incident["id"]) & (Incident.version == incident["version"]) &
                                                    (Incident.status == OPEN)).returning(Incident.id)
        if not done:
            raise IncidentError({"follow_up": "该事件刚被他人更新，请刷新页面后再提交"})
        summary = f"{incident['number']} {'结案' if close else '跟进'}：{note[:100]}"
        if close:
            await audit.record(actor=user, action="site_incident.close", entity="site_incident", entity_id=incident["id"], summary=summary,
                               before={"status": incident["status"]}, after={"status": CLOSED})
        else:
            await audit.record(actor=user, action="site_incident.follow_up", entity="site_incident", entity_id=incident["id"],
                               summary=summary)
    return "已结案" if close else "已记录跟进"


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return datetime.combine(first, datetime.min.time(), SHANGHAI), datetime.combine(last + timedelta(days=1), datetime.min.time(), SHANGHAI)
