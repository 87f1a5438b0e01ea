"""Real sample files for the attachment tests, built on the fly (no binary fixtures in the repository)."""
from __future__ import annotations

import io
import zipfile


def jpeg_with_gps(size: tuple[int, int] = (3200, 2400)) -> bytes:
    """A photo as a phone takes it: EXIF with the camera, the time and a GPS position (苏州)."""
    from PIL import Image

    im = Image.new("RGB", size, (90, 140, 200))
    for x in range(0, size[0], 97):  # some structure, so the JPEG is not trivially small
        im.paste((230, 200, 60), (x, 0, x + 20, size[1]))
    exif = Image.Exif()
    exif[0x010F] = "TestPhone"  # Make
    exif[0x0132] = "2026:11:30 10:15:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (31.0, 18.0, 0.0), 3: "E", 4: (120.0, 37.0, 0.0)})
    out = io.BytesIO()
    im.save(out, format="JPEG", exif=exif, quality=80)
    return out.getvalue()


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, format="PNG")
    return out.getvalue()


def pdf(text: str = "contract") -> bytes:
    """A minimal, valid one-page PDF."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>"]
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objs.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + o + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def html() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>"
