"""In-portal notifications (the reminder workers, 催办, 抄送 and results write them; the bell and /notifications read them).

A notification may name what it announces (`ref`, e.g. "task:123"): when that is done the caller closes every
notification with that ref in the same transaction (`close`), so nobody is told about a task that is already handled."""
from __future__ import annotations

from app.core.tables import Notification
from app.core.timeutil import now

# kind → what the user reads (the filter on /notifications); unknown kinds show as 消息
KIND_NAMES = {
    "task": "待审批",
    "urge": "催办",
    "overdue": "逾期提醒",
    "reminder": "到期提醒",
    "cc": "抄送",
    "result": "审批结果",
    "pipeline": "交易办理",
    "care": "客服案件",
    "duty": "值班",
    "survey": "满意度调查",
    "info": "消息",
}


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, "消息")


async def notify(user_id: int, text: str, url: str = "", kind: str = "info", ref: str = "") -> None:
    await Notification.insert(Notification(user=user_id, at=now(), kind=kind, text=text, url=url, ref=ref[:60]))


async def notify_many(user_id: int, items: list[tuple[str, str, str, str]]) -> None:
    """Several notifications to one user in one insert: (text, url, kind, ref) each."""
    if items:
        at = now()
        await Notification.insert(*[Notification(user=user_id, at=at, kind=kind, text=text, url=url, ref=ref[:60])
                                    for text, url, kind, ref in items])


async def close(refs: list[str]) -> int:
    """Close (and mark read) the open notifications announcing any of `refs`, for every recipient. Call it inside the
    transaction of the action that did the thing they announce. Returns how many closed."""
    refs = [r for r in dict.fromkeys(refs) if r]
    if not refs:
        return 0
    at = now()
    rows = await Notification.update({Notification.closed_at: at}).where(
        Notification.ref.is_in(refs) & Notification.closed_at.is_null()).returning(Notification.id)
    if rows:
        await Notification.update({Notification.read_at: at}).where(
            Notification.id.is_in([r["id"] for r in rows]) & Notification.read_at.is_null())
    return len(rows)


async def unread_for(user_id: int, limit: int = 10) -> list[dict]:
    return await Notification.select().where((Notification.user == user_id) & (Notification.read_at.is_null())).order_by(
        Notification.at, ascending=False).limit(limit)


async def unread_count(user_id: int) -> int:
    return await Notification.count().where((Notification.user == user_id) & (Notification.read_at.is_null()))


async def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or all) of the user's own notifications read. Returns how many changed."""
    q = Notification.update({Notification.read_at: now()}).where((Notification.user == user_id) & (Notification.read_at.is_null()))
    if notification_id is not None:
        q = q.where(Notification.id == notification_id)
    return len(await q.returning(Notification.id))


async def own(user_id: int, notification_id: int) -> dict | None:
    """One of the user's own notifications (None for anyone else's: the route answers 404)."""
    return await Notification.select().where((Notification.id == notification_id) & (Notification.user == user_id)).first()


async def page_for(user_id: int, *, tab: str = "all", kind: str = "", page: int = 1, per_page: int = 20):
    """The user's notifications, newest first, filtered, counted and paged in SQL (a core Page)."""
    from app.core.pagination import paginate

    where = Notification.user == user_id
    if tab == "unread":
        where = where & Notification.read_at.is_null()
    if kind:
        where = where & (Notification.kind == kind)
    q = Notification.select().where(where).order_by(Notification.at, ascending=False).order_by(Notification.id, ascending=False)
    result = await paginate(q, Notification.count().where(where), page=page, per_page=per_page,
                            params={"tab": tab if tab != "all" else "", "kind": kind})
    for r in result.rows:
        r["kind_name"] = kind_name(r["kind"])
    return result
