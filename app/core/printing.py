"""What every printed A4 paper needs (templates/_print/sheet.html): a QR code back to the record, drawn on the server
(no script, no image request), and the print time in Asia/Shanghai."""
from __future__ import annotations

from markupsafe import Markup

from app.core.timeutil import now


def qr_svg(url: str, title: str = "扫码在门户中打开") -> Markup:
    import segno

    return Markup(segno.make(url, error="m", micro=False).svg_inline(scale=3, border=2, title=title))


def print_context(request, path: str, title: str = "扫码在门户中打开") -> dict:
    """`qr_svg` (to the portal page at `path`) and `printed_at` for a template extending _print/sheet.html."""
    url = str(request.base_url).rstrip("/") + path
    return {"qr_svg": qr_svg(url, title), "printed_at": now(), "portal_url": url}
