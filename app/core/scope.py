"""The project-scope clause: a user sees the records of the projects their employee record reaches (Employee.all_projects
or EmployeeProject). One function for every table with a project column."""
from __future__ import annotations

from typing import Any


def project_clause(column: Any, user: Any):
    """`column.is_in(the user's projects)`, or None when the user sees every project (add no WHERE then)."""
    if user.all_projects:
        return None
    return column.is_in(list(user.project_ids) or [0])


def scoped(query: Any, column: Any, user: Any):
    """The query limited to the user's projects."""
    clause = project_clause(column, user)
    return query if clause is None else query.where(clause)
