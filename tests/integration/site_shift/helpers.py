from __future__ import annotations

import io
import re
from datetime import timedelta

from app.core.timeutil import today_local
from app.site.tables import ShiftPattern, SitePost, SiteTeam, SiteWorker
from tests.conftest import CSRF_RE

IDEM_RE = re.compile(r'name="_idem" value="([^"]+)"')


def png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 90, 160)).save(buf, "PNG")
    return buf.getvalue()


async def team(part: str) -> dict:
    return await SiteTeam.select(SiteTeam.id, SiteTeam.name).where(SiteTeam.name.like(f"%{part}%")).order_by(SiteTeam.id).first()


async def workers(team_id: int) -> list[dict]:
    return await SiteWorker.select(SiteWorker.id, SiteWorker.name, SiteWorker.badge).where(
        (SiteWorker.team == team_id) & (SiteWorker.active == True)).order_by(SiteWorker.id)  # noqa: E712


async def new_post(team_id: int, name: str) -> dict:
    pattern = await ShiftPattern.select(ShiftPattern.id).where(ShiftPattern.name == "两班").first()
    p = SitePost(team=team_id, name=name, duties="测试", pattern=pattern["id"], headcount=1, sort=99)
    await p.save()
    return {"id": p.id, "pattern": pattern["id"]}


def day(back: int) -> str:
    return (today_local() - timedelta(days=back)).isoformat()


async def form_tokens(client, path: str) -> tuple[str, str, str]:
    r = await client.get(path)
    assert r.status_code == 200, r.text[:300]
    return CSRF_RE.search(r.text).group(1), IDEM_RE.search(r.text).group(1), r.text
