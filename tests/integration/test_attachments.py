"""Attachments (issue 8 §1): type by content, limits from the settings table, images cleaned, download headers and
visibility, audit rows, files kept across a failed form, and nobody binds another user's pending upload."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from app.core.tables import Attachment, AttachmentBlob, AttachmentType, AuditLog
from app.estate.tables import Unit
from tests import samples
from tests.conftest import HX_CSRF_RE, csrf_token, sign_in
from tests.integration.workflow.helpers import expense_form, submit

pytestmark = pytest.mark.integration

JPEG, PDF = "image/jpeg", "application/pdf"


async def _token(client, path: str = "/") -> str:
    return HX_CSRF_RE.search((await client.get(path)).text).group(1)


async def _jc01_unit() -> int:
    return (await Unit.select(Unit.id).where(Unit.project.code == "JC01").order_by(Unit.id).first())["id"]


async def _upload(client, owner: str, owner_id: int, files: list[tuple[str, bytes, str]], htmx: bool = True):
    token = await _token(client)
    headers = {"HX-Request": "true", "x-csrftoken": token} if htmx else {"x-csrftoken": token}
    return await client.post(f"/attachments/{owner}/{owner_id}", files=[("files", f) for f in files], headers=headers)


async def _new_request(client, files=(), data=None) -> tuple[int, object]:
    token = await csrf_token(client, "/workflow/new/expense")
    return await _submit_multipart(client, "/workflow/new/expense", {**(data or expense_form("120.00")), "_csrf_token": token}, files)


async def _submit_multipart(client, url, data, files):
    r = await client.post(url, data=data, files=[("files", f) for f in files] or [("files", ("", b"", "application/octet-stream"))])
    m = re.search(r"/workflow/requests/(\d+)", r.headers.get("location", "")) if r.status_code == 303 else None
    return (int(m.group(1)) if m else 0), r


async def _blob(attachment_id: int) -> bytes:
    a = await Attachment.select(Attachment.storage_key).where(Attachment.id == attachment_id).first()
    return (await AttachmentBlob.select(AttachmentBlob.data).where(AttachmentBlob.id == int(a["storage_key"])).first())["data"]


async def test_type_is_decided_by_content_not_name(new_client):
    c = await sign_in(await new_client(), "contract")
    unit = await _jc01_unit()
    for name, data in (("合同.pdf", samples.exe()), ("扫描件.pdf", samples.html()), ("x.jpg", b"")):
        r = await _upload(c, "pl_unit", unit, [(name, data, PDF)])
        assert r.status_code == 400, (name, r.status_code)
        assert 'data-testid="error-attachments"' in r.text and ("类型不允许" in r.text or "空文件" in r.text), r.text[:500]
        assert "<html" not in r.text  # the card fragment, not a page
    assert not await Attachment.exists().where(Attachment.filename.is_in(["合同.pdf", "扫描件.pdf"]))
    r = await _upload(c, "pl_unit", unit, [("购房合同扫描.pdf", samples.pdf(), PDF), ("说明.docx", samples.docx(), "application/octet-stream")])
    assert r.status_code == 200 and "购房合同扫描.pdf" in r.text and "说明.docx" in r.text
    row = await Attachment.select().where(Attachment.filename == "说明.docx").first()
    assert row["kind"] == "docx" and row["content_type"].endswith("wordprocessingml.document") and row["owner_kind"] == "pl_unit"
    # a JPEG sent as "photo.png" is stored as what it is
    r = await _upload(c, "pl_unit", unit, [("现场.png", samples.jpeg_with_gps((200, 100)), "image/png")])
    assert r.status_code == 200 and "现场.jpg" in r.text


async def test_size_limit_comes_from_the_settings_table(new_client):
    c = await sign_in(await new_client(), "contract")
    unit = await _jc01_unit()
    big = samples.pdf() + b"%" + b"0" * (1024 * 1024 + 10)  # a little over 1 MB
    await AttachmentType.update({AttachmentType.max_mb: 1}).where(AttachmentType.kind == "pdf")
    try:
        r = await _upload(c, "pl_unit", unit, [("大文件.pdf", big, PDF)])
        assert r.status_code == 400 and "超过大小限制" in r.text and "1 MB" in r.text
        await AttachmentType.update({AttachmentType.allowed: False}).where(AttachmentType.kind == "docx")
        r = await _upload(c, "pl_unit", unit, [("a.docx", samples.docx(), "application/octet-stream")])
        assert r.status_code == 400 and "当前不允许上传" in r.text
    finally:
        await AttachmentType.update({AttachmentType.max_mb: 20}).where(AttachmentType.kind == "pdf")
        await AttachmentType.update({AttachmentType.allowed: True}).where(AttachmentType.kind == "docx")
    r = await _upload(c, "pl_unit", unit, [("大文件.pdf", big, PDF)])
    assert r.status_code == 200


async def test_photo_is_resized_and_loses_its_exif_and_location(new_client):
    c = await sign_in(await new_client(), "data")
    photo = samples.jpeg_with_gps((3200, 2400))
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the sample really carries a GPS position
    rid, r = await _new_request(c, [("发票照片.jpg", photo, JPEG)])
    assert rid, r.text[:1500]
    row = await Attachment.select().where((Attachment.owner_kind == "wf_request") & (Attachment.owner_id == str(rid))).first()
    stored = await _blob(row["id"])
    im = Image.open(io.BytesIO(stored))
    assert im.format == "JPEG" and max(im.size) == 2560 and im.size == (2560, 1920)
    assert not dict(im.getexif()) and not im.getexif().get_ifd(0x8825) and "exif" not in im.info
    assert row["size"] == len(stored) and "位置" in row["note"]


async def test_download_headers_visibility_and_audit(new_client):
    owner = await sign_in(await new_client(), "data")
    rid, r = await _new_request(owner, [("报销说明（补充）.pdf", samples.pdf(), PDF)])
    assert rid, r.text[:1500]
    att = await Attachment.select(Attachment.id).where((Attachment.owner_kind == "wf_request") & (Attachment.owner_id == str(rid))).first()
    assert await AuditLog.exists().where((AuditLog.action == "attachment.upload") & (AuditLog.entity_id == str(att["id"])))
    assert await AuditLog.exists().where((AuditLog.action == "attachment.attach") & AuditLog.summary.like("%报销说明（补充）.pdf%"))
    r = await owner.get(f"/attachments/{att['id']}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert r.headers["content-type"].startswith(PDF)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "private" in r.headers["cache-control"]
    cd = r.headers["content-disposition"]
    assert cd.startswith("attachment;") and "filename*=UTF-8''%E6%8A%A5%E9%94%80" in cd
    assert await AuditLog.exists().where((AuditLog.action == "attachment.download") & (AuditLog.entity_id == str(att["id"])) &
                                         (AuditLog.actor_name != ""))
    # the approver sees it; a colleague who is not part of the request does not; an unknown id is a 404
    head = await sign_in(await new_client(), "dept_head")
    assert (await head.get(f"/attachments/{att['id']}")).status_code == 200
    stranger = await sign_in(await new_client(), "legal")
    assert (await stranger.get(f"/workflow/requests/{rid}")).status_code == 403
    assert (await stranger.get(f"/attachments/{att['id']}")).status_code == 403
    assert (await stranger.get("/attachments/987654321")).status_code == 404
    r = await _upload(stranger, "wf_request", rid, [("x.pdf", samples.pdf(), PDF)])
    assert r.status_code == 403
    assert (await _upload(stranger, "nonsense", 1, [("x.pdf", samples.pdf(), PDF)])).status_code == 404


async def test_unit_files_follow_the_project_scope(new_client):
    c1 = await sign_in(await new_client(), "contract")  # JC01
    unit = await _jc01_unit()
    r = await _upload(c1, "pl_unit", unit, [("签约扫描.pdf", samples.pdf("scan"), PDF)], htmx=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"/pipeline/units/{unit}#attachments")
    page = await c1.get(f"/pipeline/units/{unit}")
    assert 'data-testid="attachments-card"' in page.text and "签约扫描.pdf" in page.text
    att = await Attachment.select(Attachment.id).where(Attachment.filename == "签约扫描.pdf").first()
    c2 = await sign_in(await new_client(), "contract2")  # JC02
    assert (await c2.get(f"/attachments/{att['id']}")).status_code == 403
    assert (await _upload(c2, "pl_unit", unit, [("x.pdf", samples.pdf(), PDF)])).status_code == 403
    cashier = await sign_in(await new_client(), "cashier")  # no pipeline permission
    assert (await cashier.get(f"/attachments/{att['id']}")).status_code == 403


async def test_failed_validation_keeps_the_files_then_binds_them(new_client):
    c = await sign_in(await new_client(), "data")
    bad = expense_form("abc")  # not an amount
    token = await csrf_token(c, "/workflow/new/expense")
    _, r = await _submit_multipart(c, "/workflow/new/expense", {**bad, "_csrf_token": token},
                                   [("现场照片.jpg", samples.jpeg_with_gps((400, 300)), JPEG), ("清单.pdf", samples.pdf(), PDF)])
    assert r.status_code == 400
    ids = re.findall(r'name="attachment_ids" value="(\d+)"', r.text)
    assert len(ids) == 2 and "现场照片.jpg" in r.text and 'data-testid="attachment-chip"' in r.text
    assert 'value="客户接待用餐"' in r.text or "客户接待用餐" in r.text  # the other values are kept
    pending = await Attachment.select(Attachment.owner_kind, Attachment.expires_at).where(Attachment.id.is_in([int(i) for i in ids]))
    assert all(p["owner_kind"] == "" and p["expires_at"] is not None for p in pending)
    # an invalid file on the same form: a field message, the kept files and values stay
    token = await csrf_token(c, "/workflow/new/expense")
    _, r = await _submit_multipart(c, "/workflow/new/expense", {**bad, "attachment_ids": ids, "_csrf_token": token}, [("病毒.pdf", samples.exe(), PDF)])
    assert r.status_code == 400 and "「病毒.pdf」的文件类型不允许" in r.text and len(re.findall(r'name="attachment_ids"', r.text)) == 2
    # remove one chip: the form comes back without it, nothing submitted
    token = await csrf_token(c, "/workflow/new/expense")
    _, r = await _submit_multipart(c, "/workflow/new/expense", {**bad, "attachment_ids": ids, "remove_attachment": ids[1], "_csrf_token": token}, [])
    assert r.status_code == 200 and re.findall(r'name="attachment_ids" value="(\d+)"', r.text) == [ids[0]]
    assert not await Attachment.exists().where(Attachment.id == int(ids[1]))
    # corrected and submitted: the kept file belongs to the new request
    token = await csrf_token(c, "/workflow/new/expense")
    rid, r = await _submit_multipart(c, "/workflow/new/expense", {**expense_form("88.00"), "attachment_ids": [ids[0]], "_csrf_token": token}, [])
    assert rid, r.text[:1500]
    row = await Attachment.select().where(Attachment.id == int(ids[0])).first()
    assert row["owner_kind"] == "wf_request" and row["owner_id"] == str(rid) and row["expires_at"] is None
    detail = await c.get(f"/workflow/requests/{rid}")
    assert "现场照片.jpg" in detail.text and 'data-testid="attachments-card"' in detail.text
    printed = await c.get(f"/workflow/requests/{rid}/print")
    assert 'data-testid="print-attachments"' in printed.text and "现场照片.jpg" in printed.text


async def test_pending_files_of_another_user_cannot_be_bound(new_client):
    a = await sign_in(await new_client(), "data")
    token = await csrf_token(a, "/workflow/new/expense")
    _, r = await _submit_multipart(a, "/workflow/new/expense", {**expense_form("abc"), "_csrf_token": token}, [("私人.pdf", samples.pdf(), PDF)])
    (theirs,) = re.findall(r'name="attachment_ids" value="(\d+)"', r.text)
    b = await sign_in(await new_client(), "title")
    assert (await b.get(f"/attachments/{theirs}")).status_code == 403  # someone else's pending upload is not readable
    token = await csrf_token(b, "/workflow/new/expense")
    rid, r = await _submit_multipart(b, "/workflow/new/expense", {**expense_form("66.00"), "attachment_ids": [theirs], "_csrf_token": token}, [])
    assert rid, r.text[:1500]
    row = await Attachment.select(Attachment.owner_kind, Attachment.uploaded_by.username).where(Attachment.id == int(theirs)).first()
    assert row["owner_kind"] == "" and row["uploaded_by.username"] == "data"
    assert not await Attachment.exists().where((Attachment.owner_kind == "wf_request") & (Attachment.owner_id == str(rid)))
    assert (await a.get(f"/attachments/{theirs}")).status_code == 200  # still the uploader's


async def test_detail_upload_by_applicant_and_approver_and_the_print_sheet(new_client):
    c = await sign_in(await new_client(), "archive")
    rid, r = await submit(c, "expense", expense_form("300.00"))
    assert rid, r.text[:1500]
    page = await c.get(f"/workflow/requests/{rid}")
    assert 'data-testid="attachment-form"' in page.text and 'capture="environment"' in page.text and 'accept=".pdf' in page.text
    r = await _upload(c, "wf_request", rid, [("补充发票.png", samples.png(), "image/png")])
    assert r.status_code == 200 and "补充发票.png" in r.text and "已上传 1 个附件" in r.text
    head = await sign_in(await new_client(), "dept_head")
    r = await _upload(head, "wf_request", rid, [("审核意见.pdf", samples.pdf(), PDF)], htmx=False)
    assert r.status_code == 303
    printed = await c.get(f"/workflow/requests/{rid}/print")
    text = printed.text
    assert printed.status_code == 200 and "补充发票.png" in text and "审核意见.pdf" in text
    assert 'data-testid="print-qr"' in text and "<svg" in text and f"/workflow/requests/{rid}" in text
    assert re.search(r'data-testid="print-time">\d{4}-\d{2}-\d{2} \d{2}:\d{2}<', text)
    assert "锦程" in text and 'data-testid="print-number"' in text
    assert text.count('class="print-box"') >= 2 and 'data-testid="print-step"' in text
    assert "portal-sidebar" not in text and "<nav" not in text


async def test_resubmit_keeps_old_files_and_binds_new_ones(new_client):
    from tests.integration.workflow.helpers import act, pending_task, status

    c = await sign_in(await new_client(), "clerk")
    rid, r = await _new_request(c, [("原始发票.pdf", samples.pdf(), PDF)])
    assert rid, r.text[:1500]
    head = await sign_in(await new_client(), "dept_head")
    r = await act(head, await pending_task(rid, "dept_head"), "退回修改", "请补充付款截图")
    assert r.status_code == 303 and await status(rid) == "已退回"
    edit = await c.get(f"/workflow/requests/{rid}/edit")
    assert edit.status_code == 200 and 'data-testid="existing-attachments"' in edit.text and "原始发票.pdf" in edit.text
    token = await csrf_token(c, f"/workflow/requests/{rid}/edit")
    _, r = await _submit_multipart(c, f"/workflow/requests/{rid}/edit", {**expense_form("120.00"), "_csrf_token": token},
                                   [("付款截图.png", samples.png(), "image/png")])
    assert r.status_code == 303 and await status(rid) == "审批中"
    names = {a["filename"] for a in await Attachment.select(Attachment.filename).where(
        (Attachment.owner_kind == "wf_request") & (Attachment.owner_id == str(rid)))}
    assert names == {"原始发票.pdf", "付款截图.png"}


async def test_uploader_deletes_own_file_while_open_only(new_client):
    from tests.integration.workflow.helpers import status

    c = await sign_in(await new_client(), "reception")
    rid, r = await _new_request(c, [("错传.pdf", samples.pdf(), PDF)])
    assert rid, r.text[:1500]
    att = (await Attachment.select(Attachment.id).where((Attachment.owner_kind == "wf_request") & (Attachment.owner_id == str(rid))).first())["id"]
    head = await sign_in(await new_client(), "dept_head")
    token = await _token(head)
    assert (await head.post(f"/attachments/{att}/delete", headers={"x-csrftoken": token})).status_code == 403  # not the uploader
    page = await c.get(f"/workflow/requests/{rid}")
    assert 'data-testid="attachment-delete"' in page.text and 'hx-confirm="确定删除附件「错传.pdf」？"' in page.text
    token = await _token(c)
    r = await c.post(f"/attachments/{att}/delete", headers={"x-csrftoken": token, "HX-Request": "true"})
    assert r.status_code == 200 and "已删除附件「错传.pdf」" in r.text and "<html" not in r.text
    assert not await Attachment.exists().where(Attachment.id == att)
    assert await AuditLog.exists().where((AuditLog.action == "attachment.delete") & (AuditLog.entity_id == str(att)))
    assert (await c.get(f"/attachments/{att}")).status_code == 404
    # once the request is closed (here withdrawn), the files stay as they were
    r = await _upload(c, "wf_request", rid, [("保留.pdf", samples.pdf(), PDF)])
    assert r.status_code == 200
    kept = (await Attachment.select(Attachment.id).where(Attachment.filename == "保留.pdf").first())["id"]
    token = await _token(c)
    assert (await c.post(f"/workflow/requests/{rid}/withdraw", data={"_csrf_token": token})).status_code == 303
    assert await status(rid) == "已撤回"
    page = await c.get(f"/workflow/requests/{rid}")
    assert "保留.pdf" in page.text and 'data-testid="attachment-delete"' not in page.text
    assert (await c.post(f"/attachments/{kept}/delete", headers={"x-csrftoken": await _token(c)})).status_code == 403
    assert await Attachment.exists().where(Attachment.id == kept)


async def test_files_per_record_limit(new_client):
    from app.core.tables import AttachmentSetting

    c = await sign_in(await new_client(), "contract")
    unit = (await Unit.select(Unit.id).where(Unit.project.code == "JC01").order_by(Unit.id).offset(5).first())["id"]
    await AttachmentSetting.update({AttachmentSetting.value: 2}).where(AttachmentSetting.key == "max_files")
    try:
        r = await _upload(c, "pl_unit", unit, [(f"{i}.pdf", samples.pdf(str(i)), PDF) for i in range(3)])
        assert r.status_code == 400 and "每条记录最多 2 个附件" in r.text
        assert await Attachment.count().where((Attachment.owner_kind == "pl_unit") & (Attachment.owner_id == str(unit))) == 2
    finally:
        await AttachmentSetting.update({AttachmentSetting.value: 30}).where(AttachmentSetting.key == "max_files")


async def test_heic_from_an_iphone_becomes_a_clean_jpeg(new_client):
    from pathlib import Path

    from pi_heif import register_heif_opener

    register_heif_opener()
    heic = (Path(__file__).resolve().parent.parent / "data" / "exif_xmp_iptc.heic").read_bytes()
    assert Image.open(io.BytesIO(heic)).getexif()  # the sample really carries EXIF
    c = await sign_in(await new_client(), "contract")
    unit = await _jc01_unit()
    r = await _upload(c, "pl_unit", unit, [("IMG_0042.HEIC", heic, "image/heic")])
    assert r.status_code == 200 and "IMG_0042.jpg" in r.text
    row = await Attachment.select().where(Attachment.filename == "IMG_0042.jpg").first()
    assert row["kind"] == "jpeg" and row["content_type"] == "image/jpeg" and "HEIC 已转为 JPG" in row["note"]
    im = Image.open(io.BytesIO(await _blob(row["id"])))
    assert im.format == "JPEG" and not dict(im.getexif()) and "xmp" not in im.info and "exif" not in im.info


async def test_ids_out_of_range_or_not_ascii_are_not_found(new_client):
    """An id the database cannot hold, or digits that are not ASCII, answer 404 — never a 500."""
    user = await sign_in(await new_client(), "data")
    token = await _token(user)
    assert (await user.get("/attachments/99999999999")).status_code == 404
    for owner_id in ("99999999999", "²", "１２"):
        r = await user.post(f"/attachments/wf_request/{owner_id}", data={"_csrf_token": token},
                            files={"files": ("a.pdf", samples.pdf(), PDF)})
        assert r.status_code == 404, owner_id
    r = await user.post("/attachments/99999999999/delete", data={"_csrf_token": token})
    assert r.status_code == 404
