"""Garbage on every form of the part (the fuzzer's kinds of input): never a 500, refused with field errors or a 4xx."""
import random
from urllib.parse import quote

import pytest

from tests.conftest import sign_in
from tests.integration.site_shift.helpers import form_tokens, team, workers

pytestmark = pytest.mark.integration

JUNK = ["", "0", "-1", "9" * 400, "2026-02-30", "99999-01-01", "\x00", "é" * 3000, "1e9", "１２", "²", "null", "<script>", "1,2,x", "NaN",
        "2147483648", " ", "正常", "缺勤", "不合格"]


async def test_garbage_never_500(new_client):
    rnd = random.Random(13)
    sec = await team("保安队")
    ws = await workers(sec["id"])
    c = await sign_in(await new_client(), "security_captain")
    names = {"/site/shifts/new": ["team", "day", "slot", "note", "add", "p_post", "p_result", "p_note", "c_item", "c_qty", "d_item",
                                  "d_note", "attachment_ids", "remove_attachment", f"att_{ws[0]['id']}", f"uni_{ws[0]['id']}"],
             "/site/handovers/new": ["team", "post", "day", "slot", "outgoing", "incoming", "radios", "keys", "umbrellas", "shoe_covers",
                                     "fire_status", "fire_note", "note", "resolved", "issues", "out_badge"]}
    for path, fields in names.items():
        csrf, _idem, _ = await form_tokens(c, path.replace("/new", "/new?team=%d" % sec["id"]))
        for _ in range(40):
            data = {n: ([rnd.choice(JUNK), rnd.choice(JUNK)] if rnd.random() < 0.2 else rnd.choice(JUNK)) for n in fields if rnd.random() < 0.8}
            if rnd.random() < 0.7:
                data["team"] = str(sec["id"])
            r = await c.post(path, data={**data, "_csrf_token": csrf})
            assert r.status_code < 500, (path, data, r.text[:500])
    for junk in JUNK:
        r = await c.post("/site/handovers/1/sign", data={"in_badge": junk, "_csrf_token": csrf})
        assert r.status_code < 500, junk
        if junk == "\x00":
            continue
        for url in (f"/site/shifts?page={junk}&team={junk}", f"/site/handovers?page={junk}&status={junk}&team={junk}",
                    f"/site/handovers/new?team={sec['id']}&post={junk}", f"/site/shifts/new?team={sec['id']}&day={junk}&slot={junk}"):
            assert (await c.get(quote(url, safe="/?&=%"))).status_code < 500, url
