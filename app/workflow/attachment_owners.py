"""Approval requests carry attachments: seen by whoever may see the request, added by its applicant and approvers;
an uploader may take a file back while the request is still 审批中 or 已退回."""
from __future__ import annotations

from app.core.attachments import OwnerKind, register_owner
from app.core.fields import parse_id
from app.core.permissions import Perm
from app.workflow.tables import Request, Task

OWNER = "wf_request"


async def _request(owner_id: str) -> dict | None:
    rid = parse_id(owner_id)
    if rid is None:
        return None
    return await Request.select(Request.id, Request.applicant_user, Request.number, Request.status).where(Request.id == rid).first()


async def can_see(user, owner_id: str) -> bool:
    from app.workflow.services import can_view

    req = await _request(owner_id)
    return bool(req) and user.can(Perm.WORKFLOW) and await can_view(user, req)


async def can_attach(user, owner_id: str) -> bool:
    req = await _request(owner_id)
    if not req or not user.can(Perm.WORKFLOW):
        return False
    if req["applicant_user"] == user.user_id:
        return True
    return await Task.exists().where((Task.request == req["id"]) & ((Task.assignee == user.user_id) | (Task.on_behalf_of == user.user_id)))


async def can_delete(user, owner_id: str) -> bool:
    """A file may be taken back only while the request is still being decided: what was approved stays as it was."""
    from app.workflow.engine import OPEN, RETURNED

    req = await _request(owner_id)
    return bool(req) and req["status"] in (OPEN, RETURNED) and await can_attach(user, owner_id)


async def describe(owner_id: str) -> str:
    req = await _request(owner_id)
    return req["number"] if req else owner_id


register_owner(OwnerKind(code=OWNER, label="审批单", can_see=can_see, can_attach=can_attach,
                         url=lambda owner_id: f"/workflow/requests/{owner_id}", describe=describe, can_delete=can_delete))
