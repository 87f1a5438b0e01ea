"""Attachments for records of every domain (SPEC §0.2): one table keyed by (owner kind, owner id), one storage
interface whose default keeps the bytes in the database (every process on every host sees them), and a registry
where each domain declares its owner kinds with who may see and who may attach (app/<domain>/attachment_owners.py).

The type of a file is decided by its content (magic bytes), never by its name. Images are re-encoded on the server:
turned upright, longest side limited, EXIF (GPS location, camera, time) dropped; HEIC from iPhones and iPads becomes
JPEG. Limits (allowed kinds, MB per kind, image size, files per record, how long an unsaved upload is kept) are the
reference tables attachment_type and attachment_setting, edited in the admin panel and seeded from the defaults below.

A form that fails validation keeps its files: they are stored as pending uploads (no owner yet, owned by the uploader,
expiring), their ids ride along in the re-rendered form, and `bind()` gives them to the record in the submitting
action's own transaction. Nobody can bind another user's pending upload."""
from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any, Awaitable, Callable, Iterable, Protocol
from urllib.parse import quote

from app.core import audit
from app.core.tables import Attachment, AttachmentBlob, AttachmentSetting, AttachmentType
from app.core.timeutil import now

# ------------------------------------------------------------------ kinds and limits (defaults; the tables win)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    mime: str
    ext: str
    accept: str  # for <input accept=...>
    image: bool = False


KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("pdf", "PDF 文件", "application/pdf", ".pdf", ".pdf,application/pdf"),
    Kind("jpeg", "JPG 图片", "image/jpeg", ".jpg", ".jpg,.jpeg,image/jpeg", image=True),
    Kind("png", "PNG 图片", "image/png", ".png", ".png,image/png", image=True),
    Kind("heic", "HEIC 图片（苹果手机/平板）", "image/heic", ".heic", ".heic,.heif,image/heic,image/heif", image=True),
    Kind("docx", "Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", ".docx"),
    Kind("xlsx", "Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", ".xlsx"),
    Kind("pptx", "PowerPoint 演示文稿", "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx", ".pptx"),
    Kind("doc", "Word 97-2003 文档", "application/msword", ".doc", ".doc"),
    Kind("xls", "Excel 97-2003 表格", "application/vnd.ms-excel", ".xls", ".xls"),
)}

DEFAULT_MAX_MB = 20
DEFAULT_SETTINGS: dict[str, tuple[str, int]] = {
    "image_max_side": ("图片最长边（像素），超过则缩小", 2560),
    "max_files": ("每条记录最多附件数", 30),
    "pending_hours": ("未提交表单中已上传文件的保留时间（小时）", 24),
}
HARD_MAX_MB = 100  # the request-body ceiling of the upload routes; the table's limits apply below it
REQUEST_MAX_BODY = HARD_MAX_MB * 1024 * 1024 + 1024 * 1024


@dataclass(frozen=True)
class Limits:
    allowed: dict[str, int]  # kind -> max bytes, allowed kinds only
    image_max_side: int
    max_files: int
    pending_hours: int

    @property
    def accept(self) -> str:
        return ",".join(KINDS[k].accept for k in KINDS if k in self.allowed)

    @property
    def text(self) -> str:
        by_mb: dict[int, list[str]] = {}
        for k in KINDS:
            if k in self.allowed:
                by_mb.setdefault(self.allowed[k] // (1024 * 1024), []).append(KINDS[k].ext.lstrip(".").upper())
        return "；".join(f"{'、'.join(names)} 每个不超过 {mb} MB" for mb, names in by_mb.items())


async def limits() -> Limits:
    """The kinds allowed and their sizes: kept while the data version is unchanged (app/core/memo.py `kept`)."""
    from app.core import memo

    return await memo.kept("attachments.limits", _read_limits)


async def _read_limits() -> Limits:
    types = {r["kind"]: r for r in await AttachmentType.select(AttachmentType.kind, AttachmentType.allowed, AttachmentType.max_mb)}
    allowed = {}
    for code in KINDS:
        row = types.get(code)
        if row is None:
            allowed[code] = DEFAULT_MAX_MB * 1024 * 1024
        elif row["allowed"] and row["max_mb"] > 0:
            allowed[code] = min(int(row["max_mb"]), HARD_MAX_MB) * 1024 * 1024
    from app.core import keyvalues

    return Limits(allowed=allowed, **await keyvalues.read(AttachmentSetting, DEFAULT_SETTINGS))


async def seed_defaults() -> int:
    """Add the kinds and settings that have no row yet (an administrator's edits are kept)."""
    added = 0
    have = {r["kind"] for r in await AttachmentType.select(AttachmentType.kind)}
    for k in KINDS.values():
        if k.code not in have:
            await AttachmentType.insert(AttachmentType(kind=k.code, label=k.label, allowed=True, max_mb=DEFAULT_MAX_MB))
            added += 1
    from app.core import keyvalues

    return added + await keyvalues.seed(AttachmentSetting, DEFAULT_SETTINGS)


# ------------------------------------------------------------------ sniffing: the type by content

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(data: bytes) -> str | None:
    """The kind of `data` by its magic bytes (and, for Office files, by their inner structure), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heic"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(n.startswith(prefix) for n in names):
                return kind
        return None
    if data.startswith(_OLE):
        if "WordDocument".encode("utf-16-le") in data:
            return "doc"
        if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
            return "xls"
        return None
    return None


# ------------------------------------------------------------------ images: upright, smaller, no metadata


class FileRejected(ValueError):
    """A file that cannot be accepted; the message is Chinese and names the file."""


def _clean_image(data: bytes, kind: str, max_side: int) -> tuple[bytes, str, list[str]]:
    """Re-encode an image without EXIF/XMP/GPS, upright, longest side ≤ max_side. HEIC becomes JPEG."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if kind == "heic":
        try:
            from pi_heif import register_heif_opener

            register_heif_opener()
        except ImportError as e:  # pragma: no cover - pi-heif is a pinned dependency
            raise FileRejected("服务器暂不能处理 HEIC 图片，请在设备上改为“兼容性最佳”（JPG）后再上传") from e
    notes = []
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            had_meta = bool(im.getexif()) or any(k in im.info for k in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile"))
            im = ImageOps.exif_transpose(im)
            if max(im.size) > max_side:
                im.thumbnail((max_side, max_side), Image.LANCZOS)
                notes.append(f"已缩小至最长边 {max_side} 像素")
            out = io.BytesIO()
            if kind == "png":
                if im.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                    im = im.convert("RGBA")
                im.save(out, format="PNG", optimize=True)  # no pnginfo/exif: text chunks and EXIF are not written
                out_kind = "png"
            else:
                if im.mode not in ("RGB", "L"):
                    im = im.convert("RGB")
                im.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: no metadata written
                out_kind = "jpeg"
                if kind == "heic":
                    notes.append("HEIC 已转为 JPG")
    except Image.DecompressionBombError as e:
        raise FileRejected("图片像素过多，无法处理") from e
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise FileRejected("图片文件已损坏或无法识别") from e
    if had_meta:
        notes.append("已去除拍摄信息（含位置）")
    return out.getvalue(), out_kind, notes


def _safe_name(raw: str, kind: str) -> str:
    """The user's file name without a path or control characters, with the extension of what the file really is."""
    name = PurePath((raw or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?/\\').strip(" .") or "附件"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if "." + ext.lower() not in {KINDS[kind].ext} | ({".jpeg"} if kind == "jpeg" else set()):
        ext = KINDS[kind].ext.lstrip(".")  # a wrong or missing extension: the one of what the file really is
    stem = stem[: 190 - len(ext)]
    return f"{stem}.{ext}"


@dataclass
class Prepared:
    filename: str
    kind: str
    content_type: str
    data: bytes
    note: str


def prepare(filename: str, data: bytes, lim: Limits) -> Prepared:
    """Check one upload against the limits and clean it. Raises FileRejected with a Chinese message."""
    label = PurePath((filename or "").replace("\\", "/")).name or "文件"
    if not data:
        raise FileRejected(f"「{label}」是空文件")
    kind = sniff(data)
    if kind is None:
        raise FileRejected(f"「{label}」的文件类型不允许（可上传：{'、'.join(KINDS[k].label for k in KINDS if k in lim.allowed)}）")
    if kind not in lim.allowed:
        raise FileRejected(f"「{label}」是{KINDS[kind].label}，当前不允许上传此类文件")
    if len(data) > lim.allowed[kind]:
        raise FileRejected(f"「{label}」超过大小限制（{KINDS[kind].label}每个不超过 {lim.allowed[kind] // (1024 * 1024)} MB）")
    notes: list[str] = []
    if KINDS[kind].image:
        try:
            data, kind, notes = _clean_image(data, kind, lim.image_max_side)
        except FileRejected as e:
            raise FileRejected(f"「{label}」：{e}") from e
    return Prepared(filename=_safe_name(filename, kind), kind=kind, content_type=KINDS[kind].mime, data=data, note="，".join(notes))


# ------------------------------------------------------------------ storage backends


class Storage(Protocol):
    name: str

    async def put(self, data: bytes) -> str: ...  # inside the caller's transaction; returns the key

    async def get(self, key: str) -> bytes | None: ...

    async def delete(self, key: str) -> None: ...


class DatabaseStorage:
    """The default: the bytes in table attachment_blob (SQLite BLOB, PostgreSQL bytea)."""

    name = "db"

    async def put(self, data: bytes) -> str:
        row = AttachmentBlob(data=data)
        await row.save()
        return str(row.id)

    async def get(self, key: str) -> bytes | None:
        row = await AttachmentBlob.select(AttachmentBlob.data).where(AttachmentBlob.id == int(key)).first()
        if row is None:
            return None
        value = row["data"]
        return bytes(value) if value is not None else None

    async def delete(self, key: str) -> None:
        await AttachmentBlob.delete().where(AttachmentBlob.id == int(key))


STORAGES: dict[str, Storage] = {"db": DatabaseStorage()}
DEFAULT_STORAGE = "db"


def storage(name: str = DEFAULT_STORAGE) -> Storage:
    return STORAGES[name]


# ------------------------------------------------------------------ owner kinds (declared by the domains)

Check = Callable[[Any, str], Awaitable[bool]]


@dataclass(frozen=True)
class OwnerKind:
    code: str  # stored in attachment.owner_kind, e.g. "wf_request"
    label: str  # 审批单
    can_see: Check  # may this user see the record (and so its files)?
    can_attach: Check  # may this user add files to it?
    url: Callable[[str], str]  # the record's page
    describe: Callable[[str], Awaitable[str]] | None = None  # e.g. the request number, for the audit log
    can_delete: Check | None = None  # may the uploader still remove their file? (default: while they may attach)


OWNERS: dict[str, OwnerKind] = {}
_loaded = False


def register_owner(kind: OwnerKind) -> OwnerKind:
    OWNERS[kind.code] = kind
    return kind


def owner_kind(code: str) -> OwnerKind | None:
    global _loaded
    if not _loaded:
        from app.core.discovery import domain_modules

        domain_modules("attachment_owners")  # each domain's module registers its kinds on import
        _loaded = True
    return OWNERS.get(code)


# ------------------------------------------------------------------ writing

_LIST_COLUMNS = (Attachment.id, Attachment.owner_kind, Attachment.owner_id, Attachment.filename, Attachment.content_type, Attachment.kind,
                 Attachment.size, Attachment.note, Attachment.uploaded_by, Attachment.uploaded_by_name, Attachment.uploaded_at,
                 Attachment.expires_at)


def _pending_where(user):
    return (Attachment.owner_kind == "") & (Attachment.uploaded_by == user.user_id) & (Attachment.expires_at > now())


async def _store(user, p: Prepared, *, owner: OwnerKind | None, owner_id: str, lim: Limits) -> dict:
    backend = storage()
    key = await backend.put(p.data)
    row = Attachment(owner_kind=owner.code if owner else "", owner_id=owner_id if owner else "", filename=p.filename, content_type=p.content_type,
                     kind=p.kind, size=len(p.data), sha256=hashlib.sha256(p.data).hexdigest(), storage=backend.name, storage_key=key,
                     note=p.note, uploaded_by=user.user_id, uploaded_by_name=getattr(user, "display_name", "") or "", uploaded_at=now(),
                     expires_at=None if owner else now() + timedelta(hours=lim.pending_hours))
    await row.save()
    where = f"{owner.label} {await owner.describe(owner_id) if owner.describe else owner_id}" if owner else "待提交的表单"
    await audit.record(actor=user, action="attachment.upload", entity="attachment", entity_id=row.id,
                       summary=f"上传附件「{p.filename}」（{size_text(len(p.data))}）到{where}",
                       after={"owner_kind": row.owner_kind, "owner_id": row.owner_id, "filename": p.filename, "kind": p.kind, "size": len(p.data),
                              "sha256": row.sha256, "note": p.note})
    return {"id": row.id, "filename": p.filename, "size": len(p.data), "kind": p.kind, "note": p.note}


async def _purge_expired() -> None:
    rows = await Attachment.select(Attachment.id, Attachment.storage, Attachment.storage_key).where(
        (Attachment.owner_kind == "") & (Attachment.expires_at < now())).limit(200)
    for r in rows:
        await storage(r["storage"]).delete(r["storage_key"])
    if rows:
        await Attachment.delete().where(Attachment.id.is_in([r["id"] for r in rows]))


@dataclass
class UploadResult:
    stored: list[dict]
    errors: list[str]

    @property
    def error(self) -> str:
        return "；".join(self.errors)


def files_of(form) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every non-empty file input in a parsed multipart form (Litestar UploadFile values).
    A file input left empty arrives as an UploadFile with no name and no bytes: ignored."""
    out = []
    for name in ("files", "camera"):
        for v in form.getall(name, []) if hasattr(form, "getall") else []:
            if isinstance(v, str) or not hasattr(v, "file"):
                continue
            v.file.seek(0)
            data = v.file.read()
            if not data and not (v.filename or "").strip():
                continue
            out.append((v.filename or "", data))
    return out


async def upload(user, files: Iterable[tuple[str, bytes]], *, owner_code: str | None = None, owner_id: str = "",
                 existing: int = 0) -> UploadResult:
    """Store files for a record (owner_code given: the caller has checked can_attach) or as pending uploads.
    Each accepted file is stored with its audit row; a refused one becomes a message. One transaction."""
    from app.core.db import write_transaction

    lim = await limits()
    owner = owner_kind(owner_code) if owner_code else None
    if owner_code and owner is None:
        raise LookupError(owner_code)
    prepared, errors = [], []
    for filename, data in files:
        try:
            prepared.append(prepare(filename, data, lim))
        except FileRejected as e:
            errors.append(str(e))
    stored = []
    if prepared:
        # a pending upload is part of filling in a form that may still be refused: it does not use up the request's
        # idempotency key (the action's own transaction takes it); an upload to a record is the action itself
        async with write_transaction(claim=owner is not None):
            if owner is not None:  # counted inside the write, so two uploads at once cannot both pass the limit on SQLite
                existing = await Attachment.count().where((Attachment.owner_kind == owner.code) & (Attachment.owner_id == str(owner_id)))
            if existing + len(prepared) > lim.max_files:
                errors.append(f"每条记录最多 {lim.max_files} 个附件")
                prepared = prepared[: max(0, lim.max_files - existing)]
            if owner is None:
                await _purge_expired()
            for p in prepared:
                stored.append(await _store(user, p, owner=owner, owner_id=str(owner_id), lim=lim))
    return UploadResult(stored=stored, errors=errors)


def parse_ids(values: Iterable[Any]) -> list[int]:
    out = []
    from app.core.fields import parse_id

    for v in values:
        i = parse_id(v)
        if i is not None and i not in out:
            out.append(i)
    return out


async def pending(user, ids: Iterable[int]) -> list[dict]:
    """This user's own unexpired pending uploads among `ids` (anything else is silently left out)."""
    ids = list(ids)
    if not ids:
        return []
    return await Attachment.select(*_LIST_COLUMNS).where(_pending_where(user) & Attachment.id.is_in(ids)).order_by(Attachment.id)


async def bind(user, ids: Iterable[int], owner_code: str, owner_id: Any) -> int:
    """Give this user's pending uploads to a record. Call inside the action's transaction. Another user's pending
    upload, an expired one or one already bound is not touched. Returns how many were bound."""
    ids = list(ids)
    if not ids:
        return 0
    owner = owner_kind(owner_code)
    if owner is None:
        raise LookupError(owner_code)
    rows = await Attachment.update({Attachment.owner_kind: owner.code, Attachment.owner_id: str(owner_id), Attachment.expires_at: None}).where(
        _pending_where(user) & Attachment.id.is_in(ids)).returning(Attachment.id, Attachment.filename)
    if rows:
        what = await owner.describe(str(owner_id)) if owner.describe else str(owner_id)
        await audit.record(actor=user, action="attachment.attach", entity="attachment", entity_id=",".join(str(r["id"]) for r in rows)[:60],
                           summary=f"附件{'、'.join('「' + r['filename'] + '」' for r in rows)}归入{owner.label} {what}",
                           after={"owner_kind": owner.code, "owner_id": str(owner_id), "ids": [r["id"] for r in rows]})
    return len(rows)


async def discard_pending(user, attachment_id: int) -> bool:
    """Remove one of this user's own pending uploads (the chip's remove button on a re-rendered form)."""
    from app.core.db import write_transaction

    async with write_transaction(claim=False):  # still filling in the form: the key stays for its submit
        row = await Attachment.select(Attachment.id, Attachment.storage, Attachment.storage_key, Attachment.filename).where(
            _pending_where(user) & (Attachment.id == attachment_id)).first()
        if not row:
            return False
        await storage(row["storage"]).delete(row["storage_key"])
        await Attachment.delete().where(Attachment.id == attachment_id)
        await audit.record(actor=user, action="attachment.discard", entity="attachment", entity_id=attachment_id,
                           summary=f"移除未提交的附件「{row['filename']}」")
    return True


# ------------------------------------------------------------------ reading


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _decorate(rows: list[dict]) -> list[dict]:
    for r in rows:
        r["size_text"] = size_text(r["size"])
        r["url"] = f"/attachments/{r['id']}"
        r["kind_label"] = KINDS[r["kind"]].label if r["kind"] in KINDS else r["kind"]
    return rows


async def delete(user, row: dict) -> None:
    """Remove a file from its record (the caller has checked may_delete); audited, in one transaction."""
    from app.core.db import write_transaction

    async with write_transaction():
        gone = await Attachment.delete().where((Attachment.id == row["id"]) & (Attachment.owner_kind == row["owner_kind"])).returning(Attachment.id)
        if not gone:
            return
        await storage(row["storage"]).delete(row["storage_key"])
        await audit.record(actor=user, action="attachment.delete", entity="attachment", entity_id=row["id"],
                           summary=f"删除附件「{row['filename']}」（{await where_attached(row)}）",
                           before={"owner_kind": row["owner_kind"], "owner_id": row["owner_id"], "filename": row["filename"], "size": row["size"]})


async def may_delete(user, row: dict) -> bool:
    """Only the uploader, and only while the owning record still accepts files from them."""
    if not row["owner_kind"] or row["uploaded_by"] != user.user_id:
        return False
    owner = owner_kind(row["owner_kind"])
    return bool(owner) and await (owner.can_delete or owner.can_attach)(user, row["owner_id"])


async def list_for(owner_code: str, owner_id: Any) -> list[dict]:
    rows = await Attachment.select(*_LIST_COLUMNS).where((Attachment.owner_kind == owner_code) & (Attachment.owner_id == str(owner_id))).order_by(
        Attachment.uploaded_at).order_by(Attachment.id)
    return _decorate(rows)


async def panel(user, owner_code: str, owner_id: Any, *, error: str = "") -> dict:
    """What the attachments card shows: the files, and the upload control if this user may attach.
    The caller has already checked that the user may see the record."""
    owner = owner_kind(owner_code)
    lim = await limits()
    may = bool(owner) and await owner.can_attach(user, str(owner_id))
    items = await list_for(owner_code, owner_id)
    deletable = bool(owner) and any(r["uploaded_by"] == user.user_id for r in items) and await (owner.can_delete or owner.can_attach)(user, str(owner_id))
    for r in items:
        r["can_delete"] = deletable and r["uploaded_by"] == user.user_id
    return {"items": items, "can_attach": may, "owner_kind": owner_code, "owner_id": str(owner_id),
            "upload_url": f"/attachments/{owner_code}/{owner_id}", "accept": lim.accept, "limits_text": lim.text, "error": error}


async def form_context(user, ids: Iterable[int], *, error: str = "") -> dict:
    """The file control of a create/edit form: this user's pending uploads as chips, the limits, a field message."""
    lim = await limits()
    return {"pending": _decorate(await pending(user, ids)), "accept": lim.accept, "limits_text": lim.text, "error": error}


async def get(attachment_id: int) -> dict | None:
    from app.core.fields import parse_id

    if parse_id(attachment_id) is None:
        return None  # beyond the id column's range: no such file (and no database error)
    row = await Attachment.select(*_LIST_COLUMNS, Attachment.storage, Attachment.storage_key).where(Attachment.id == attachment_id).first()
    return _decorate([row])[0] if row else None


async def where_attached(row: dict) -> str:
    """The record a file belongs to, as people read it (审批单 BX-…, 房源 …), for the audit log."""
    owner = owner_kind(row["owner_kind"])
    if owner is None:
        return f"{row['owner_kind']} {row['owner_id']}"
    return f"{owner.label} {await owner.describe(row['owner_id']) if owner.describe else row['owner_id']}"


async def may_see(user, row: dict) -> bool:
    if not row["owner_kind"]:
        return row["uploaded_by"] == user.user_id and row["expires_at"] is not None and row["expires_at"] > now()
    owner = owner_kind(row["owner_kind"])
    return bool(owner) and await owner.can_see(user, row["owner_id"])


async def read(user, row: dict) -> bytes | None:
    """The bytes of a file the caller has allowed this user to see; the download is audited."""
    data = await storage(row["storage"]).get(row["storage_key"])
    if data is not None:
        await audit.record(actor=user, action="attachment.download", entity="attachment", entity_id=row["id"],
                           summary=f"下载附件「{row['filename']}」" + (f"（{await where_attached(row)}）" if row["owner_kind"] else ""))
    return data


def content_disposition(filename: str) -> str:
    """attachment; an ASCII fallback name and the real (e.g. Chinese) name in RFC 5987 form."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in filename) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


async def form_files(user, data, form) -> tuple[list[int], dict, bool]:
    """Files on a create/edit form: new ones are stored at once as this user's pending uploads, so a form that fails
    validation keeps them (their ids come back as hidden inputs). A chip's remove button re-shows the form without it.
    `form` (app.core.web.Form) gets the upload's error on "attachments". Returns (pending ids, the file control's
    context, whether the post was only a removal)."""
    ids = parse_ids(data.getall("attachment_ids", []))
    removed = parse_ids([data.get("remove_attachment")]) if data.get("remove_attachment") else []
    for rid in removed:
        await discard_pending(user, rid)
    ids = [i for i in ids if i not in removed]
    up = await upload(user, files_of(data))
    ids += [f["id"] for f in up.stored]
    if up.errors:
        form.error("attachments", up.error)
    files = await form_context(user, ids, error=form.errors.get("attachments", ""))
    return [a["id"] for a in files["pending"]], files, bool(removed)
