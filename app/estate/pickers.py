"""Record pickers over the estate (projects): the choices a user's project scope reaches. Request types about a
project (the daily report, construction-mortgage release) declare them on their FlowDef."""
from __future__ import annotations

from app.core.scope import scoped
from app.estate.tables import Project
from app.workflow.definitions import RecordPicker


def _scoped(user):
    q = Project.select(Project.id, Project.code, Project.name).order_by(Project.code)
    q = scoped(q, Project.id, user)
    return q


async def search_projects(user, q: str, limit: int) -> list[tuple[str, str]]:
    rows = await _scoped(user).limit(limit)
    q = (q or "").strip()
    return [(str(r["id"]), f'{r["name"]}（{r["code"]}）') for r in rows if not q or q in r["name"] or q in r["code"] or q == str(r["id"])]


async def reaches_project(user, value: str) -> bool:
    try:
        pid = int(value)
    except (TypeError, ValueError):
        return False
    return user.sees_project(pid) and await Project.exists().where(Project.id == pid)


def project_picker(label: str = "项目") -> RecordPicker:
    return RecordPicker(field="project", label=label, search=search_projects, reaches=reaches_project)
