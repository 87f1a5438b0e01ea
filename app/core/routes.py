"""Core routes: sign-in, sign-out, password, audit log, working-day calendar, health check."""
from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta
from typing import Annotated

from litestar import Request, Response, Router, get, post
from litestar.params import Parameter
from litestar.response import Redirect

from app.core import audit_names, auth
from app.core.gating import first_pending
from app.core.guards import public, requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.tables import AuditLog
from app.core.timeutil import today_local
from app.core.views import ROUTES as list_view_routes
from app.core.web import Form, form_data, redirect_with_flash, render
from app.settings import get_settings
from app.core.workdays import builtin_covers, builtin_years, calendar_for, missing_schedule_years


def safe_next(raw: str | None) -> str:
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/"


@get("/login", guards=[public], exclude_from_auth=True, name="login")
async def login_page(request: Request, next_url: Annotated[str | None, Parameter(query="next")] = None) -> Response:
    if request.cookies.get(auth.SESSION_COOKIE):
        from piccolo_api.session_auth.tables import SessionsBase

        uid = await SessionsBase.get_user_id(request.cookies[auth.SESSION_COOKIE])
        if uid and await auth.load_user(uid):  # a session of a disabled account is no sign-in (no loop with /)
            return Redirect(path=safe_next(next_url))
    return render(request, "core/login.html", {"form": Form(), "next": safe_next(next_url), "user": None})


@post("/login", guards=[public], exclude_from_auth=True, status_code=200)
async def login_submit(request: Request) -> Response:
    data = await form_data(request)
    form = Form(values={"username": data.get("username", "")})
    nxt = safe_next(data.get("next"))
    try:
        token = await auth.sign_in(data.get("username", ""), data.get("password", ""), ip=auth.client_ip(request))
    except auth.LoginError as e:
        form.error(e.field, e.message)
        return render(request, "core/login.html", {"form": form, "next": nxt, "user": None}, status_code=400)
    from piccolo_api.session_auth.tables import SessionsBase

    user = await auth.load_user(await SessionsBase.get_user_id(token))
    resp = Redirect(path=(await first_pending(user) if user else None) or nxt, status_code=303)
    resp.set_cookie(auth.SESSION_COOKIE, token, path="/", httponly=True, samesite="lax", secure=get_settings().production)
    return resp


@post("/logout", guards=[requires(Perm.HOME)], status_code=303)
async def logout(request: Request) -> Response:
    await auth.sign_out(request.cookies.get(auth.SESSION_COOKIE, ""), request.user)
    resp = redirect_with_flash("/login", "您已安全退出", "info", request)
    resp.delete_cookie(auth.SESSION_COOKIE, path="/")
    return resp


@get("/account/password", guards=[requires(Perm.HOME)])
async def password_page(request: Request) -> Response:
    return render(request, "core/password.html", {"form": Form()})


@post("/account/password", guards=[requires(Perm.HOME)], status_code=200)
async def password_submit(request: Request) -> Response:
    data = await form_data(request)
    errors = await auth.change_password(
        request.user, data.get("old_password", ""), data.get("new_password", ""), data.get("confirm_password", ""),
        keep_token=request.cookies.get(auth.SESSION_COOKIE, ""),
    )
    if errors:
        return render(request, "core/password.html", {"form": Form(errors=errors)}, fragment="core/_password_form.html", status_code=400)
    return redirect_with_flash("/", "密码已修改", "success", request)


async def _audit_people(user) -> list[tuple[str, str]]:
    """Everyone who can sign in, by name and position (the 操作人 filter); ~40 people, one query."""
    from app.org.tables import Employee

    rows = await Employee.select(Employee.user, Employee.name, Employee.position.name).where(
        Employee.user.is_not_null()).order_by(Employee.name)
    return [(str(r["user"]), f"{r['name']}（{r['position.name']}）") for r in rows]


async def _audit_actions(user) -> list[tuple[str, str]]:
    return audit_names.action_choices()


async def _audit_entities(user) -> list[tuple[str, str]]:
    return audit_names.entity_choices()


AUDIT_LIST = Listing(
    table=AuditLog,
    select=[AuditLog.id, AuditLog.at, AuditLog.actor_name, AuditLog.action, AuditLog.entity, AuditLog.entity_id, AuditLog.summary,
            AuditLog.before, AuditLog.after],
    columns=[
        Col("id", "编号", sort=AuditLog.id, link="/audit/{id}", testid="audit-link"),
        Col("at", "时间", sort=AuditLog.at, fmt="datetime"),
        Col("actor_name", "操作人", sort=AuditLog.actor_name),
        Col("action_name", "动作"),
        Col("entity_name", "对象"),
        Col("summary", "摘要"),
        Col("changes", "变更"),
    ],
    filters=[
        Filter("q", "关键字", "text", columns=[AuditLog.summary, AuditLog.actor_name, AuditLog.entity_id], placeholder="摘要、操作人或编号"),
        Filter("actor", "操作人", "select", columns=[AuditLog.actor], choices=_audit_people),
        Filter("entity", "对象", "select", columns=[AuditLog.entity], choices=_audit_entities),
        Filter("action", "动作", "select", columns=[AuditLog.action], choices=_audit_actions),
        Filter("from", "起始日期", "date_from", columns=[AuditLog.at]),
        Filter("to", "截止日期", "date_to", columns=[AuditLog.at]),
    ],
    default_sort="at",
    default_desc=True,
    base_url="/audit",
    target_id="audit-list",
)


def _audit_row(row: dict) -> dict:
    """A row as the log shows it: actions and objects by their Chinese names, the change in one line."""
    entity = row["entity"]
    row["action_name"] = audit_names.action_name(row["action"])
    row["entity_name"] = audit_names.entity_name(entity) + (f" #{row['entity_id']}" if row.get("entity_id") else "")
    row["changes"] = audit_names.diff_summary(entity, row.pop("before", None), row.pop("after", None))
    return row


@get("/audit", guards=[requires(Perm.AUDIT_VIEW)])
async def audit_list(request: Request) -> Response:
    result = await AUDIT_LIST.fetch(dict(request.query_params), request.user)
    result.page.rows = [_audit_row(r) for r in result.page.rows]
    return render(request, "core/audit.html", {"result": result}, fragment="_partials/listing_table.html")


@get("/audit/{entry_id:int}", guards=[requires(Perm.AUDIT_VIEW)])
async def audit_detail(request: Request, entry_id: int) -> Response:
    from litestar.exceptions import NotFoundException

    row = await AuditLog.select().where(AuditLog.id == entry_id).first()
    if not row:
        raise NotFoundException("没有这条审计记录")
    return render(request, "core/audit_detail.html", {
        "e": row,
        "action_name": audit_names.action_name(row["action"]),
        "entity_name": audit_names.entity_name(row["entity"]),
        "diff": audit_names.diff(row["entity"], row["before"], row["after"]),
    })


@get("/calendar", guards=[requires(Perm.CALENDAR_VIEW)])
async def calendar_page(request: Request, month: str | None = None) -> Response:
    today = today_local()
    try:
        y, m = (int(x) for x in (month or "").split("-"))
        first = date(y, m, 1)
    except ValueError:
        first = today.replace(day=1)
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    cal = await calendar_for(first, last)
    from app.core.tables import HolidayOverride

    names = {r["day"]: r["name"] for r in await HolidayOverride.select(HolidayOverride.day, HolidayOverride.name).where(
        (HolidayOverride.day >= first) & (HolidayOverride.day <= last))}
    weeks = []
    for week in pycal.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        row = []
        for d in week:
            workday = cal.is_workday(d)
            weekend = d.weekday() >= 5
            kind = "调休上班" if (workday and weekend) else ("放假" if (not workday and not weekend) else ("上班" if workday else "休息"))
            row.append({"day": d, "in_month": d.month == first.month, "workday": workday, "kind": kind, "name": names.get(d, ""), "today": d == today})
        weeks.append(row)
    prev_m = (first - timedelta(days=1)).replace(day=1)
    next_m = last + timedelta(days=1)
    ctx = {
        "first": first, "weeks": weeks, "prev": prev_m.strftime("%Y-%m"), "next": next_m.strftime("%Y-%m"),
        "covered": cal.covers(first.year), "years": builtin_years(),
        "missing": await missing_schedule_years(today),
        "workdays_in_month": sum(1 for w in weeks for c in w if c["in_month"] and c["workday"]),
        "calc": None, "form": Form(values={"start": today.isoformat(), "days": "5"}),
    }
    return render(request, "core/calendar.html", ctx, fragment="core/_calendar_month.html")


@get("/calendar/add", guards=[requires(Perm.CALENDAR_VIEW)])
async def calendar_add(request: Request, start: str = "", days: str = "") -> Response:
    """Add N working days to a date (inline tool; the HTMX fragment answers in place)."""
    from app.core.timeutil import parse_date
    from app.core.workdays import add_working_days

    form = Form(values={"start": start, "days": days})
    calc = None
    try:
        s = parse_date(start)
    except ValueError as e:
        form.error("start", str(e))
    try:
        n = int(days)
        if not -365 <= n <= 365:
            raise ValueError
    except ValueError:
        form.error("days", "请填写 -365 到 365 之间的整数")
    if form.ok:
        calc = {"start": s, "days": n, "result": await add_working_days(s, n)}
    return render(request, "core/calendar_add.html", {"form": form, "calc": calc}, fragment="core/_calendar_calc.html",
                  status_code=200 if form.ok else 400)


# ---------------------------------------------------------------- a whole year's holidays (administrator)


def _days_text(rows: list[dict]) -> str:
    return "\n".join(f"{r['day'].isoformat()} {r['name']}".strip() for r in rows)


@get("/holidays", guards=[requires(Perm.ADMIN)])
async def holidays_page(request: Request, year: int | None = None) -> Response:
    from app.core.workdays import entered_schedule, missing_schedule_years

    today = today_local()
    missing = await missing_schedule_years(today)
    year = year if year and 2000 <= year <= 2100 else (missing[0] if missing else today.year + 1)
    entered = await entered_schedule(year)
    values = {"year": str(year)}
    if entered:
        values |= {"holidays": _days_text(entered["holiday_days"]), "workdays": _days_text(entered["work_days"]), "source": entered["source"]}
    return render(request, "core/holidays.html", {"form": Form(values=values), "entered": entered, "year": year,
                                                 "covered_builtin": builtin_covers(year), "missing": missing})


@post("/holidays", guards=[requires(Perm.ADMIN)], status_code=200)
async def holidays_submit(request: Request) -> Response:
    from app.core.workdays import missing_schedule_years, save_schedule, validate_schedule

    data = await form_data(request)
    values = {k: data.get(k, "") for k in ("year", "holidays", "workdays", "source")}
    schedule, errors = validate_schedule(values["year"], values["holidays"], values["workdays"], values["source"])
    if errors:
        raw = values["year"].strip()
        year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else today_local().year + 1  # never int() of 5,000 digits
        return render(request, "core/holidays.html", {"form": Form(values=values, errors=errors), "entered": None, "year": year,
                                                     "covered_builtin": builtin_covers(year), "missing": await missing_schedule_years(today_local())},
                      fragment="core/_holidays_form.html", status_code=400)
    await save_schedule(request.user, schedule)
    return redirect_with_flash(f"/calendar?month={schedule.year}-01",
                               f"已录入 {schedule.year} 年节假日安排：放假 {len(schedule.holidays)} 天，调休上班 {len(schedule.workdays)} 天",
                               "success", request)


# ---------------------------------------------------------------- sign-in throttling (administrator)


@get("/security/logins", guards=[requires(Perm.ADMIN)])
async def logins_page(request: Request) -> Response:
    s = get_settings()
    return render(request, "core/logins.html", {"rows": await auth.throttled_logins(), "settings": s}, fragment="core/_logins_table.html")


@post("/security/logins/unlock", guards=[requires(Perm.ADMIN)], status_code=200)
async def logins_unlock(request: Request) -> Response:
    data = await form_data(request)
    username = data.get("username", "").strip()[:100]
    if not username:
        return redirect_with_flash("/security/logins", "请指定要解除限制的用户名", "danger", request)
    ip = data.get("ip") if data.get("scope") == "ip" else None
    n = await auth.unlock_login(request.user, username, ip)
    where = f"（IP {ip}）" if ip is not None else ""
    return redirect_with_flash("/security/logins", f"已解除 {username}{where} 的登录限制（清除 {n} 次失败记录）", "success", request)


@get("/healthz", guards=[public], exclude_from_auth=True)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


from app.core.attachments_routes import ROUTES as ATTACHMENT_ROUTES  # noqa: E402  (download, upload to a record)

router = Router(path="/", route_handlers=[*ATTACHMENT_ROUTES, login_page, login_submit, logout, password_page, password_submit, audit_list, audit_detail, calendar_page, calendar_add,
                                          holidays_page, holidays_submit, logins_page, logins_unlock, healthz, *list_view_routes])
