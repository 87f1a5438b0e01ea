"""Record pickers over the estate (projects): the choices a user's project scope reaches. Request types about a
project (the daily report, construction-mortgage release) declare them on their FlowDef."""
from __future__ import annotations

from app.core.scope import scoped
from app.estate.tables import Project
from app.workflow.definitions import RecordPicker


async def _read_projects() -> tuple[dict, ...]:
    return tuple(await Project.select(Project.id, Project.code, Project.name, Project.active).order_by(Project.code).order_by(Project.id))


async def projects_seen(user) -> list[dict]:
    """The projects the user's scope reaches, in code order ({id, code, name, active}, copies): every project is read in
    one statement kept while the data version is unchanged (app/core/memo.py `kept`; a company has tens of them)."""
    from app.core import memo

    rows = await memo.kept("estate.projects", _read_projects)
    return [dict(r) for r in rows if user.all_projects or r["id"] in user.project_ids]


async def project_choices(user) -> list[tuple[str, str]]:
    """(id, "name（code）") of the projects the user's scope reaches: a filter's or a form's choices."""
    return [(str(r["id"]), f'{r["name"]}（{r["code"]}）') for r in await projects_seen(user)]


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
