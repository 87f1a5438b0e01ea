"""A user's own way of looking at a list: which columns it shows, and named views (filter + sort + columns) kept as
links above it. Stored per user and list key in `ListPreference` (app/core/tables.py), read with one indexed query
when the list renders (Listing.fetch), written by three small POST routes. Personal preferences: no audit row.

Exports do not follow the column choice: an export always holds the list's full set of export columns (the button's
title and the export's 导出说明 sheet say so), so a file never silently lacks a column someone hid on screen."""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException

from app.core.db import write_transaction
from app.core.guards import requires
from app.core.listing import LISTINGS, Listing
from app.core.permissions import Perm
from app.core.tables import ListPreference
from app.core.timeutil import now
from app.core.web import form_data, redirect_with_flash

NAME_MAX = 30
QUERY_MAX = 1000
KIND_COLUMNS, KIND_VIEW = "columns", "view"


def _unique(user_id: int, list_key: str, kind: str, name: str) -> str:
    return f"{user_id}|{list_key}|{kind}|{name}"


def _is_unique_violation(e: Exception) -> bool:
    return type(e).__name__ in ("IntegrityError", "UniqueViolationError") or "unique" in str(e).lower()


def _hidden(raw: Any) -> list[str]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "[]")
        except ValueError:
            return []
    return [str(x) for x in raw] if isinstance(raw, list) else []


async def load_preferences(user_id: int, listing: Listing) -> dict[str, Any]:
    rows = await ListPreference.select(ListPreference.id, ListPreference.kind, ListPreference.name, ListPreference.query,
                                       ListPreference.hidden).where(
        (ListPreference.user == user_id) & (ListPreference.list_key == listing.key)).order_by(ListPreference.name)
    out: dict[str, Any] = {"hidden": [], "views": [], "views_by_id": {}}
    for r in rows:
        hidden = _hidden(r["hidden"])
        if r["kind"] == KIND_COLUMNS:
            out["hidden"] = hidden
        else:
            q = r["query"] or ""
            url = listing.base_url + "?" + (q + "&" if q else "") + urlencode({"view": r["id"]})
            view = {"id": r["id"], "name": r["name"], "url": url, "hidden": hidden}
            out["views"].append(view)
            out["views_by_id"][r["id"]] = view
    return out


def _listing(key: str) -> Listing:
    listing = LISTINGS.get((key or "").strip())
    if listing is None or len(listing.key) > 120:  # (list_key is 120 characters)
        raise NotFoundException("没有这个列表")
    return listing


def _back(listing: Listing, raw: str | None) -> str:
    """Where a form returns to: the list's own page (with its query), never another site or another page."""
    raw = (raw or "").replace("\x00", "")
    if raw == listing.base_url or raw.startswith(listing.base_url + "?"):
        return raw
    return listing.base_url


def clean_query(listing: Listing, raw: str) -> str:
    """A saved view's query: only this list's filter names, sort, dir and per_page (at most QUERY_MAX characters)."""
    allowed = {f.name for f in listing.filters} | {"sort", "dir", "per_page"}
    pairs = [(k, v.replace("\x00", "")) for k, v in parse_qsl(raw or "", keep_blank_values=False) if k in allowed and v]
    out = urlencode(pairs)
    return out if len(out) <= QUERY_MAX else ""


@post("/lists/columns", guards=[requires(Perm.HOME)])
async def save_columns(request: Request) -> Response:
    """The column chooser: the ticked columns are shown, the others hidden, for this user on this list."""
    data = await form_data(request)
    listing = _listing(data.get("list"))
    back = _back(listing, data.get("next"))
    hideable = [c.key for c in listing.columns if c.hideable]
    if data.get("reset") == "1":
        hidden: list[str] = []
    else:
        hidden = [k for k in hideable if data.get("col:" + k) != "1"]
        if len(hidden) == len(listing.columns):
            return redirect_with_flash(back, "请至少选择一列", "error", request)
    uid = request.user.user_id
    key = _unique(uid, listing.key, KIND_COLUMNS, "")
    for _attempt in range(2):  # a concurrent first save of the same list's columns: the unique index refuses one, which then updates
        try:
            async with write_transaction():
                existing = await ListPreference.select(ListPreference.id).where(ListPreference.unique_key == key).first()
                if existing:
                    await ListPreference.update({ListPreference.hidden: json.dumps(hidden)}).where(ListPreference.id == existing["id"])
                else:
                    await ListPreference.insert(ListPreference(user=uid, list_key=listing.key, kind=KIND_COLUMNS, name="", query="",
                                                               hidden=json.dumps(hidden), unique_key=key, created_at=now()))
            break
        except Exception as e:
            if not _is_unique_violation(e) or _attempt:
                raise
    return redirect_with_flash(back, "已恢复显示全部列" if not hidden else f"已保存列设置（隐藏 {len(hidden)} 列）", "success", request)


@post("/lists/views", guards=[requires(Perm.HOME)])
async def save_view(request: Request) -> Response:
    """Save the current filter, sort and shown columns under a name (required, ≤ 30 characters, unique per user and list)."""
    data = await form_data(request)
    listing = _listing(data.get("list"))
    back = _back(listing, data.get("next"))
    name = " ".join((data.get("name") or "").replace("\x00", "").split())
    if not name:
        return redirect_with_flash(back, "视图名称：请填写", "error", request)
    if len(name) > NAME_MAX:
        return redirect_with_flash(back, f"视图名称：不能超过 {NAME_MAX} 个字（现在 {len(name)} 个）", "error", request)
    query = clean_query(listing, data.get("query") or "")
    valid = {c.key for c in listing.columns if c.hideable}
    hidden = [k for k in (data.get("hidden") or "").split(",") if k in valid]
    uid = request.user.user_id
    key = _unique(uid, listing.key, KIND_VIEW, name)
    taken = f"视图名称：“{name}”已存在，请换一个名称或先删除原视图"
    row = ListPreference(user=uid, list_key=listing.key, kind=KIND_VIEW, name=name, query=query, hidden=json.dumps(hidden),
                         unique_key=key, created_at=now())
    try:
        async with write_transaction():
            if await ListPreference.exists().where(ListPreference.unique_key == key):
                return redirect_with_flash(back, taken, "error", request)
            await row.save()
    except Exception as e:  # the same name saved at the same moment by another request: the unique index refused it
        if _is_unique_violation(e):
            return redirect_with_flash(back, taken, "error", request)
        raise
    url = listing.base_url + "?" + (query + "&" if query else "") + urlencode({"view": row.id})
    return redirect_with_flash(url, f"已保存视图“{name}”", "success", request)


@post("/lists/views/{view_id:int}/delete", guards=[requires(Perm.HOME)])
async def delete_view(request: Request, view_id: int) -> Response:
    """Delete one of the user's own views; another user's view (or none) is 404."""
    if not 0 < view_id < 2**31:
        raise NotFoundException("没有这个视图")
    async with write_transaction():
        row = await ListPreference.select(ListPreference.id, ListPreference.list_key, ListPreference.name).where(
            (ListPreference.id == view_id) & (ListPreference.user == request.user.user_id) & (ListPreference.kind == KIND_VIEW)).first()
        if row is None:
            raise NotFoundException("没有这个视图")
        await ListPreference.delete().where(ListPreference.id == view_id)
    listing = LISTINGS.get(row["list_key"])
    data = await form_data(request)
    back = _back(listing, data.get("next")) if listing else "/"
    return redirect_with_flash(back, f"已删除视图“{row['name']}”", "success", request)


ROUTES = [save_columns, save_view, delete_view]


# ---------------------------------------------------------------- export of a register's current filter


def wants_export(request: Request) -> bool:
    return request.query_params.get("export") == "xlsx"


async def export_response(request: Request, listing: Listing, params: dict[str, str], title: str, decorate=None) -> Response:
    """The register's current filter as .xlsx (app/core/listing.export_listing), or back to the list with the reason.
    The route calls this after its own guard and checks, with the same params it gives Listing.fetch."""
    import os

    from litestar.background_tasks import BackgroundTask
    from litestar.response import File

    from app.core.listing import XLSX, ExportError, export_listing

    params = {k: v.replace("\x00", "") for k, v in params.items() if isinstance(v, str) and k not in ("export", "print", "view", "page")}
    try:
        path, _n, filename = await export_listing(listing, params, request.user, title=title, decorate=decorate,
                                                  ip=request.client.host if request.client else "")
    except ExportError as e:
        return redirect_with_flash(listing.base_url, e.message, "error", request)
    return File(path=path, filename=filename, media_type=XLSX, background=BackgroundTask(os.unlink, path))
