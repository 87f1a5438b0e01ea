"""In-portal notifications (the reminder worker, 催办, 抄送 and results write them; the home page reads them)."""
from __future__ import annotations

from app.core.tables import Notification
from app.core.timeutil import now


async def notify(user_id: int, text: str, url: str = "", kind: str = "info") -> None:
    await Notification.insert(Notification(user=user_id, at=now(), kind=kind, text=text, url=url))


async def unread_for(user_id: int, limit: int = 10) -> list[dict]:
    return await Notification.select().where((Notification.user == user_id) & (Notification.read_at.is_null())).order_by(
        Notification.at, ascending=False).limit(limit)


async def unread_count(user_id: int) -> int:
    return await Notification.count().where((Notification.user == user_id) & (Notification.read_at.is_null()))


async def mark_read(user_id: int, notification_id: int | None = None) -> None:
    q = Notification.update({Notification.read_at: now()}).where((Notification.user == user_id) & (Notification.read_at.is_null()))
    if notification_id is not None:
        q = q.where(Notification.id == notification_id)
    await q
