"""Survey figures for other pages (the KPI board shows this one): computed in SQL."""
from __future__ import annotations

from datetime import date, datetime, time

from app.core.timeutil import SHANGHAI
from app.surveys.tables import Answer


async def satisfaction(month_start: date, month_end: date, project_ids: list[int] | None = None) -> tuple[int, int]:
    """(satisfied, valid): scale answers of 4–5 and all scale answers, of surveys answered in [month_start, month_end)
    (local dates), in the given projects (None: all). 满意率 = satisfied ÷ valid (app/care/rules decides the rest)."""
    start = datetime.combine(month_start, time.min, tzinfo=SHANGHAI)
    end = datetime.combine(month_end, time.min, tzinfo=SHANGHAI)
    where = (Answer.question.kind == "scale") & Answer.score.is_not_null() & (Answer.invitation.answered_at >= start) & (
        Answer.invitation.answered_at < end)
    if project_ids is not None:
        where = where & Answer.invitation.project.is_in(list(project_ids) or [0])
    valid = await Answer.count().where(where)
    satisfied = await Answer.count().where(where & (Answer.score >= 4)) if valid else 0
    return satisfied, valid
