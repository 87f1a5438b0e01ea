"""The audit log. Services call `record()` inside the same transaction as the change they make."""
from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.core.tables import AuditLog
from app.core.timeutil import now


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def _default(o: Any) -> Any:
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    if isinstance(o, Decimal):
        return str(o)
    return str(o)


async def record(
    *,
    actor: Any | None,
    action: str,
    entity: str,
    entity_id: Any = "",
    summary: str = "",
    before: Any = None,
    after: Any = None,
    ip: str = "",
) -> None:
    """Write one audit row. `actor` is a CurrentUser (or None for the system)."""
    await AuditLog.insert(
        AuditLog(
            at=now(),
            actor=getattr(actor, "user_id", None),
            actor_name=getattr(actor, "display_name", "") or "系统",
            action=action,
            entity=entity,
            entity_id=str(entity_id or ""),
            summary=summary,
            before=_jsonable(before),
            after=_jsonable(after),
            ip=ip or getattr(actor, "ip", "") or "",
        )
    )
