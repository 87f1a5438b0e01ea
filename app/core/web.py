"""Page-or-fragment rendering, flash messages, form errors and the Jinja environment."""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response
from litestar.response import Redirect, Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from app.core.money import amount_in_words, format_money
from app.core.numbers import format_area, format_pct
from app.core.nav import nav_for
from app.core.timeutil import fmt_date, fmt_datetime
from app.core.validators import mask_id_number, mask_phone
from app.settings import BASE_DIR

FLASH_COOKIE = "portal_flash"
TEMPLATE_DIR = BASE_DIR / "templates"

STATUS_COLOURS = {
    # approval states (DingTalk habits): amber pending, green passed, red rejected, grey withdrawn
    "待审批": "yellow", "审批中": "yellow", "待处理": "yellow", "已通过": "green", "已同意": "green",
    "已驳回": "red", "已撤回": "secondary", "逾期": "red", "已读": "green", "未读": "yellow",
    "可售": "green", "不可售": "secondary", "保留": "orange", "已认购": "cyan", "已签约": "blue",
    "已备案": "indigo", "已交付": "purple", "已办证": "teal", "在职": "green", "停用": "secondary",
    "上班": "blue", "放假": "red", "调休上班": "orange",
    "在用": "green", "已报废": "secondary", "报废审批中": "yellow", "未结清": "orange", "已结清": "green", "已作废": "secondary",
    "未收": "yellow", "已收": "green", "借出": "orange", "已归还": "green", "齐全": "green", "不全": "orange", "未到期": "blue", "审核通过": "green", "退回补正": "orange", "待审": "yellow",
    "待退款": "orange", "撤销中": "yellow", "已撤销": "secondary", "待办理": "yellow", "已办理": "green",
}


def status_badge(text: str, outline: bool = False) -> Markup:
    colour = STATUS_COLOURS.get(str(text), "secondary")
    cls = f"badge bg-{colour}-lt" if not outline else f"badge badge-outline text-{colour}"
    return Markup('<span class="{}" data-status="{}">{}</span>').format(cls, text, text)


_CELL_FORMAT = {"datetime": fmt_datetime, "date": fmt_date, "money": format_money, "badge": status_badge,
                "bool": lambda v: "是" if v else ""}
_NOWRAP = frozenset({"date", "datetime", "money"})


def list_cells(columns, row: dict) -> Markup:
    """A list row's cells as HTML (`<td>…</td>` each, every value escaped): the shared list table's body
    (_partials/listing_table.html) built in Python, one pass per row, rather than a template block per cell — the
    table is most of a list page's rendering. Plain strings joined once (Markup's own + and format escape again at
    every step: five times slower)."""
    out = []
    for c in columns:
        v = row.get(c.key)
        f = _CELL_FORMAT.get(c.fmt)
        shown = str(escape(blank(f(v) if f else v)))
        if c.link:
            testid = f' data-testid="{escape(c.testid)}"' if c.testid else " "
            shown = f'<a href="{escape(c.link.format(**row))}"{testid}>{shown}</a>'
        out.append(f'<td class="text-nowrap">{shown}</td>' if c.fmt in _NOWRAP else f"<td>{shown}</td>")
    return Markup("".join(out))


def blank(value: Any) -> Any:
    """None shows as empty, never as the text "None"."""
    return "" if value is None else value


def with_prefix(form: Any, prefix: str) -> Any:
    """The same form (values shared) whose field ids carry `prefix`, for a page that shows several forms."""
    if isinstance(form, Form):
        return replace(form, prefix=prefix)
    if isinstance(form, dict):  # a plain dict of values
        return Form(values=form, prefix=prefix)
    values, errors = getattr(form, "values", None), getattr(form, "errors", None)
    return Form(values=values if isinstance(values, dict) else {}, errors=errors if isinstance(errors, dict) else {}, prefix=prefix)


_DICT_ATTRIBUTES = frozenset(dir(dict))


class PortalEnvironment(Environment):
    """Jinja's environment with the same lookup rules and a faster path for `row.key` on a plain dict (most of what the
    pages print): Jinja tries the attribute first and takes the item only after an AttributeError is raised and caught
    — ~1 µs per cell, ~400 times on a supervisor's home. A dict's attributes are its methods (`items`, `get` …): only a
    key that is not one of those is read as an item first, which is exactly what Jinja's order gives."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def build_environment() -> Environment:
    # finalize: an empty value ({{ None }}) renders as empty, never as the text "None"
    from app.settings import get_settings

    # templates are re-read when they change on disk only in development (each check is a stat per template per page)
    env = PortalEnvironment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html"]), finalize=blank,
                      auto_reload=get_settings().env == "development")
    from app.core.idempotency import IdemTemplate, idem_input

    env.template_class = IdemTemplate  # every printed csrf_input carries a fresh idempotency key (_idem)
    env.globals.update(idem_input=idem_input)
    env.filters.update(
        money=format_money,
        daxie=amount_in_words,
        dt=fmt_datetime,
        d=fmt_date,
        mask_id=mask_id_number,
        mask_phone=mask_phone,
        badge=status_badge,
        area=format_area,
        pct=format_pct,
        blank=blank,
        prefixed=with_prefix,
        zip=lambda a, b: zip(a, b),
    )
    env.globals.update(nav_for=nav_for)
    from app.core.nav import sidebar_html

    env.globals.update(nav_sidebar_html=sidebar_html)  # the sidebar of base.html
    return env


def template_config() -> TemplateConfig:
    from litestar.plugins.jinja import JinjaTemplateEngine as Engine

    return TemplateConfig(instance=Engine.from_environment(build_environment()))


def is_fragment_request(request: Request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def read_flash(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        data = json.loads(unquote(raw))
        return [m for m in data if isinstance(m, dict)][:5]
    except (ValueError, TypeError):
        return []


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status_code: int = 200,
) -> Template:
    """Render the full page, or `fragment` when an HTMX (non-boosted) request asks for it.

    The full page includes the same fragment, so both always agree."""
    ctx = dict(context or {})
    user = request.scope.get("user")
    ctx.setdefault("user", user)
    ctx.setdefault("request", request)
    use_fragment = fragment is not None and is_fragment_request(request)
    # A flash is shown once, by the next full page the user navigates to. Background HTMX requests (the 待办 badge on
    # load or on its timer, lazy fragments) never read it: they used to consume it when they reached the server after
    # an HX-Redirect set the cookie and before the redirected page did, and the page then showed no message.
    name = (fragment if use_fragment else template).rsplit("/", 1)[-1]
    page_navigation = not is_fragment_request(request) and not name.startswith("_")
    flashes = read_flash(request) if page_navigation else []
    ctx.setdefault("flashes", flashes)
    from app.core.workdays import touched_uncovered_years

    ctx.setdefault("calendar_gaps", touched_uncovered_years())  # deadlines on this page crossed an uncovered year
    resp = Template(template_name=fragment if use_fragment else template, context=ctx, status_code=status_code)
    headers = {"Vary": "HX-Request"}
    resp.headers.update(headers)
    if flashes:
        resp.delete_cookie(FLASH_COOKIE, path="/")
    return resp


def flash_cookie_value(messages: list[dict[str, str]]) -> str:
    return quote(json.dumps(messages, ensure_ascii=False))


def redirect_with_flash(path: str, message: str, level: str = "success", request: Request | None = None) -> Response:
    """Post/redirect/get with a one-time message. For HTMX requests an HX-Redirect does the same. A path built from
    what the user typed is made header-safe here: characters beyond ASCII percent-encoded, control characters dropped
    (a header must be latin-1 and one line; the form fuzzer's 中文 and NUL made 500s)."""
    path = "".join(quote(c) if ord(c) > 127 else c for c in path if ord(c) >= 32 and ord(c) != 127)
    resp: Response
    if request is not None and is_fragment_request(request):
        resp = Response(content="", status_code=200, headers={"HX-Redirect": path})
    else:
        resp = Redirect(path=path, status_code=303)
    from app.settings import get_settings

    resp.set_cookie(FLASH_COOKIE, flash_cookie_value([{"level": level, "text": message}]), path="/", httponly=True, samesite="lax",
                    secure=get_settings().production)
    return resp


@dataclass
class Form:
    """Entered values and field errors, handed to the form macros so a failed post keeps what was typed."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    prefix: str = ""  # field ids become f-<prefix><name>: set it where a page shows several forms

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


async def form_data(request: Request) -> dict[str, str]:
    data = await request.form()
    out: dict[str, str] = {}
    for k, v in data.items():
        if isinstance(v, str):
            out[k] = v
    return out
