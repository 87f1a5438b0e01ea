"""Download a file, add files to a record. Who may see or attach is decided by the owning domain's declaration
(app/core/attachments.py OWNERS); these routes only check it and answer 404 for unknown ids, 403 otherwise."""
from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from app.core import attachments
from app.core.fields import parse_id
from app.core.guards import requires
from app.core.permissions import Perm
from app.core.web import is_fragment_request, redirect_with_flash, render


@get("/attachments/{attachment_id:int}", guards=[requires(Perm.HOME)])
async def download(request: Request, attachment_id: int) -> Response:
    row = await attachments.get(attachment_id)
    if row is None:
        raise NotFoundException("附件不存在")
    if not await attachments.may_see(request.user, row):
        raise PermissionDeniedException("您无权查看该附件所属的记录")
    data = await attachments.read(request.user, row)
    if data is None:
        raise NotFoundException("附件内容已不存在")
    return Response(content=data, media_type=row["content_type"], headers={
        "Content-Disposition": attachments.content_disposition(row["filename"]),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-cache",
    })


@post("/attachments/{owner_code:str}/{owner_id:str}", guards=[requires(Perm.HOME)], status_code=200,
      request_max_body_size=attachments.REQUEST_MAX_BODY)
async def upload_to_record(request: Request, owner_code: str, owner_id: str) -> Response:
    owner = attachments.owner_kind(owner_code)
    if owner is None or parse_id(owner_id) is None:
        raise NotFoundException("记录不存在")
    if not await owner.can_see(request.user, owner_id):
        raise PermissionDeniedException(f"您无权查看该{owner.label}")
    if not await owner.can_attach(request.user, owner_id):
        raise PermissionDeniedException(f"您不能给该{owner.label}添加附件")
    data = await request.form()
    files = attachments.files_of(data)
    result = attachments.UploadResult(stored=[], errors=["请选择要上传的文件"]) if not files else await attachments.upload(
        request.user, files, owner_code=owner_code, owner_id=owner_id)
    ok = f"已上传 {len(result.stored)} 个附件" if result.stored else ""
    if is_fragment_request(request):
        ctx = {"attachments": await attachments.panel(request.user, owner_code, owner_id, error=result.error), "uploaded": ok}
        return render(request, "_partials/attachments_card.html", ctx, status_code=200 if not result.errors else 400)
    url = owner.url(owner_id) + "#attachments"
    if result.errors:
        return redirect_with_flash(url, (ok + "；" if ok else "") + result.error, "error", request)
    return redirect_with_flash(url, ok, "success", request)


@post("/attachments/{attachment_id:int}/delete", guards=[requires(Perm.HOME)], status_code=200)
async def delete_attachment(request: Request, attachment_id: int) -> Response:
    row = await attachments.get(attachment_id)
    if row is None or not row["owner_kind"]:
        raise NotFoundException("附件不存在")
    if not await attachments.may_see(request.user, row):
        raise PermissionDeniedException("您无权查看该附件所属的记录")
    if not await attachments.may_delete(request.user, row):
        raise PermissionDeniedException("只有上传人可以删除自己上传的附件")
    await attachments.delete(request.user, row)
    msg = f"已删除附件「{row['filename']}」"
    if is_fragment_request(request):
        ctx = {"attachments": await attachments.panel(request.user, row["owner_kind"], row["owner_id"]), "uploaded": msg}
        return render(request, "_partials/attachments_card.html", ctx)
    owner = attachments.owner_kind(row["owner_kind"])
    return redirect_with_flash(owner.url(row["owner_id"]) + "#attachments", msg, "success", request)


ROUTES = [download, upload_to_record, delete_attachment]
