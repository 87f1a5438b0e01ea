"""Attachment rules without a database: the type by content, the stored name, the download header, image cleaning."""
import io

import pytest
from PIL import Image

from app.core.attachments import FileRejected, Limits, _safe_name, content_disposition, prepare, sniff
from tests import samples

pytestmark = pytest.mark.unit

LIMITS = Limits(allowed={k: 20 << 20 for k in ("pdf", "jpeg", "png", "heic", "docx", "xlsx", "pptx", "doc", "xls")},
                image_max_side=2560, max_files=30, pending_hours=24)


def test_sniff_by_magic_bytes_and_office_structure():
    assert sniff(samples.pdf()) == "pdf"
    assert sniff(samples.jpeg_with_gps((20, 10))) == "jpeg"
    assert sniff(samples.png()) == "png"
    assert sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") == "heic"
    assert sniff(samples.docx()) == "docx"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert sniff(ole + "WordDocument".encode("utf-16-le")) == "doc"
    assert sniff(ole + "Workbook".encode("utf-16-le")) == "xls"
    assert sniff(ole) is None  # another OLE file (e.g. an .msi)
    assert sniff(samples.exe()) is None and sniff(samples.html()) is None
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("payload.exe", b"MZ")
    assert sniff(buf.getvalue()) is None  # a plain zip is not an Office document


def test_refusals_name_the_file_in_chinese():
    with pytest.raises(FileRejected, match="「合同.pdf」的文件类型不允许"):
        prepare("合同.pdf", samples.exe(), LIMITS)
    with pytest.raises(FileRejected, match="空文件"):
        prepare("a.pdf", b"", LIMITS)
    small = Limits(allowed={"pdf": 1 << 20}, image_max_side=2560, max_files=30, pending_hours=24)
    with pytest.raises(FileRejected, match="超过大小限制"):
        prepare("big.pdf", samples.pdf() + b"0" * (2 << 20), small)
    with pytest.raises(FileRejected, match="当前不允许上传"):
        prepare("p.png", samples.png(), small)
    with pytest.raises(FileRejected, match="已损坏"):
        prepare("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, LIMITS)


def test_images_are_cleaned_and_small_ones_keep_their_size():
    p = prepare("IMG.JPG", samples.jpeg_with_gps((800, 600)), LIMITS)
    im = Image.open(io.BytesIO(p.data))
    assert im.size == (800, 600) and not dict(im.getexif()) and "位置" in p.note and "缩小" not in p.note
    p = prepare("tall.png", samples.png((1000, 4000)), LIMITS)
    assert Image.open(io.BytesIO(p.data)).size == (640, 2560) and p.kind == "png"


def test_stored_name_and_download_header():
    assert _safe_name("C:\\Users\\me\\合同扫描件.PDF", "pdf") == "合同扫描件.PDF"
    assert _safe_name("IMG_0001.HEIC", "jpeg") == "IMG_0001.jpg"
    assert _safe_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert _safe_name('a"<b>.jpeg', "jpeg") == "ab.jpeg"
    cd = content_disposition("购房合同 v2.pdf")
    assert cd == "attachment; filename=\"____ v2.pdf\"; filename*=UTF-8''%E8%B4%AD%E6%88%BF%E5%90%88%E5%90%8C%20v2.pdf"
