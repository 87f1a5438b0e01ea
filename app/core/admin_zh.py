"""The admin panel in Chinese.

piccolo-admin 1.14 translates its own buttons (a `Translation`, chosen by the front end from localStorage or the
server's default), but it shows a table by its `tablename` ("holiday override" in the menu and as the page title) and a
column by the title pydantic derives from the column name ("Is Workday"); Piccolo 1.38 has no `verbose_name`. So each
domain's admin.py declares its tables as `AdminTable(table, "中文表名", "菜单分组", {"column": "中文列名"})`, and
`ChineseAdmin` (an ASGI wrapper around the admin app) puts those names where the front end reads them:

- `/api/tables/grouped/` (the menu): Chinese names, grouped by the portal's chapter names in the portal's order;
- `/api/tables/<name>/schema/` (column headers, form labels, filters) : each column's Chinese title, and foreign
  keys pointing at the Chinese name of their table; `/references/` likewise (and only the tables the admin shows);
- `/api/tables/<中文表名>/…` is routed to the real table, so the front end's URLs (`/admin/#/节假日调整`) work;
  the real names keep working too (scripts, tests: `/admin/api/tables/` still lists the real table names);
- `/api/user/`: the signed-in person's name and position instead of the login name.

Only presentation changes: the real table handles every request, with admin_guard's validation and audit hooks."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import quote

from piccolo.table import Table
from piccolo_admin.translations.data import SIMPLIFIED_CHINESE
from piccolo_admin.translations.models import Translation


@dataclass(frozen=True)
class AdminTable:
    """A reference table handed to the admin panel, with the names the admin shows for it."""

    table: type[Table]
    name: str  # the table's name in the menu and on its page
    group: str  # the menu group: the portal's chapter
    labels: dict[str, str] = field(default_factory=dict)  # column name → the column's Chinese name
    listed: tuple[str, ...] = ()  # the columns of the list view when not all fit a tablet (the form shows all)

    @property
    def tablename(self) -> str:
        return self.table._meta.tablename

    @property
    def url(self) -> str:
        """The admin page of this table, as linked from the portal."""
        return "/admin/#/" + quote(self.name)

    @property
    def menu_path(self) -> str:
        """How a link names it: 管理后台 › menu group › table, exactly as the admin shows them."""
        return f"管理后台 › {self.group} › {self.name}"


# Corrections to the shipped Simplified Chinese (kept word for word otherwise): the words our users know from
# Ant Design-style systems (筛选, 新增, 退出登录), and phrases the shipped file renders word by word.
_BETTER = {
    "Add Row": "新增",
    "Add": "新增",
    "Clear filters": "清除筛选",
    "Create": "新建",
    "Dark Mode": "深色模式",
    "Filter": "筛选",
    "Form submitted": "表单已提交",
    "Hide Filters": "隐藏筛选",
    "Home": "首页",
    "Light Mode": "浅色模式",
    "Log Out": "退出登录",
    "MFA Code": "动态验证码",
    "MFA Setup": "动态验证码设置",
    "New value": "新值",
    "Select a Column": "选择字段",
    "Select a column to update": "选择要修改的字段",
    "Select a table in the sidebar to get started.": "请在左侧菜单中选择一张表。",
    "Show Filters": "显示筛选",
    "Showing": "显示",
    "Sort by": "排序方式",
    "Tables": "数据表",
    "Thanks for using Piccolo Admin.": "管理后台基于开源的 Piccolo Admin。",
    "Welcome to": "欢迎使用",
    "of": "/",
    "result(s)": "条",
    "selected result(s) on": "条已选，共",
    "with a matching": "匹配",
}

CHINESE = Translation(
    language_name="简体中文",
    language_code="zh-CN",
    translations={**SIMPLIFIED_CHINESE.translations, **_BETTER},
)
# The only language offered: a choice left in a browser's localStorage from an earlier visit ("en") is not in the
# list, so the front end falls back to the server's default — every user sees Chinese without choosing.
TRANSLATIONS = [CHINESE]
DEFAULT_LANGUAGE = CHINESE.language_code


def _tables_segment(path: str) -> tuple[str, str, str] | None:
    """'/api/tables/<name>/<rest>' → ('/api/tables/', name, '/<rest>')."""
    prefix = "/api/tables/"
    if not path.startswith(prefix):
        return None
    name, sep, rest = path[len(prefix):].partition("/")
    return prefix, name, sep + rest


class ChineseAdmin:
    """ASGI wrapper: routes Chinese table names to the real tables and puts Chinese names into the admin's JSON."""

    def __init__(self, app, tables: list[AdminTable], group_order: list[str], display_name=None, prefix: str = "/admin"):
        self.app = app
        self.prefix = prefix
        self.tables = {t.tablename: t for t in tables}
        self.by_name = {t.name: t.tablename for t in tables}
        if len(self.by_name) != len(tables):
            raise RuntimeError("two admin tables share one Chinese name")
        self.group_order = group_order
        self.display_name = display_name  # scope → the name shown for the signed-in user, or None

    def __getattr__(self, name):  # the wrapped admin's attributes (routes, table_configs) stay reachable
        return getattr(self.app, name)

    def zh(self, tablename: str) -> str:
        t = self.tables.get(tablename)
        return t.name if t else tablename

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        seg = _tables_segment(path)
        if seg and seg[1] in self.by_name:
            real = self.by_name[seg[1]]
            new_path = seg[0] + real + seg[2]
            scope = {**scope, "path": new_path, "raw_path": (self.prefix + quote(new_path)).encode()}
            path = new_path
            seg = _tables_segment(path)
        rewrite = None
        if scope.get("method") == "GET":
            if path == "/api/tables/grouped/":
                rewrite = self._grouped
            elif seg and seg[1] in self.tables and seg[2] == "/schema/":
                rewrite = lambda data, t=seg[1]: self._schema(t, data)  # noqa: E731
            elif seg and seg[1] in self.tables and seg[2] == "/references/":
                rewrite = self._references
            elif path == "/api/user/" and self.display_name is not None:
                # read now: the admin's own auth middleware replaces scope["user"] with piccolo's user
                rewrite = lambda data, name=self.display_name(scope): self._user(name, data)  # noqa: E731
        if rewrite is None:
            await self.app(scope, receive, send)
            return
        await self._rewritten(scope, receive, send, rewrite)

    async def _rewritten(self, scope, receive, send, rewrite):
        start: dict = {}
        body = bytearray()

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if message.get("more_body"):
                    return
                out = bytes(body)
                if start.get("status") == 200:
                    try:
                        out = json.dumps(rewrite(json.loads(out)), ensure_ascii=False).encode()
                    except (ValueError, TypeError, KeyError, AttributeError):
                        out = bytes(body)  # not the JSON we know: pass it through untouched
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(out)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": out})
                return
            await send(message)

        await self.app(scope, receive, capture)

    def _grouped(self, data: dict) -> dict:
        """The menu: the portal's chapters in the portal's order, each table where its admin.py declares it."""
        shown = [n for names in data.get("grouped", {}).values() for n in names] + list(data.get("ungrouped", []))
        order = {name: i for i, name in enumerate(self.tables)}
        grouped: dict[str, list[str]] = {g: [] for g in self.group_order}
        ungrouped = []
        for n in sorted(shown, key=lambda n: order.get(n, len(order))):
            t = self.tables.get(n)
            (grouped.setdefault(t.group, []) if t else ungrouped).append(self.zh(n))
        return {"grouped": {g: names for g, names in grouped.items() if names}, "ungrouped": ungrouped}

    def _schema(self, tablename: str, data: dict) -> dict:
        labels = self.tables[tablename].labels
        for name, prop in (data.get("properties") or {}).items():
            if name in labels:
                prop["title"] = labels[name]
            fk = (prop.get("extra") or {}).get("foreign_key")
            if fk and fk.get("to"):
                fk["to"] = self.zh(fk["to"])
        return data

    def _references(self, data: dict) -> dict:
        """The tables pointing at this one, as the edit page lists them: only those the admin shows (a link to any
        other would open an empty page), by their Chinese names."""
        refs = [r for r in data.get("references", []) if r.get("tableName") in self.tables]
        data["references"] = [{**r, "tableName": self.zh(r["tableName"])} for r in refs]
        return data

    def _user(self, name: str, data: dict) -> dict:
        if name:
            data["username"] = name
        return data
