"""The KPI board (/care/kpi) and its drill-downs on fixed, hand-counted data in a fresh project: each figure, an empty
month (—), the records behind each figure (ids equal), per handler, HTMX fragment, denied roles, project scope, export."""
from __future__ import annotations

import io
import re

import pytest

from app.core.tables import AuditLog
from tests.conftest import sign_in
from tests.integration.care.kpi_data import drop, fixed_data

pytestmark = pytest.mark.integration

EXPECTED = {  # (numerator, denominator, text) — counted by hand from kpi_data.fixed_data
    "on_time_rate": (2, 4, "50.00%"),  # c1 on time, c2 late, c3 open past due, c4 P1 within its plan clock; c5 咨询, c6 不予受理, c7 next month out
    "complaint_satisfaction_rate": (1, 2, "50.00%"),  # cb1 5 分, cb2 3 分; cb4 is a 咨询's callback
    "follow_up_rate": (3, 4, "75.00%"),  # cb3 never made
    "answer_rate": (3, 4, "75.00%"),  # k3 abandoned within 5 s leaves the denominator; k5 is outbound
    "satisfaction_rate": (2, 3, "66.67%"),  # ratings 5, 4, 2
    "record_accuracy": (17, 18, "94.44%"),  # (10 − 1 + 8 − 0) ÷ 18 fields
}


@pytest.fixture
async def data():
    d = await fixed_data()
    yield d
    await drop(d)


def fig(html: str, key: str) -> tuple[str, str, str]:
    """The first figure of a KPI on the page (the card): rate, numerator, denominator."""
    rate = re.search(rf'data-testid="fig-{key}">([^<]*)<', html).group(1)
    num = re.search(rf'data-testid="num-{key}">([^<]*)<', html).group(1)
    den = re.search(rf'data-testid="den-{key}">([^<]*)<', html).group(1)
    return rate, num, den


def linked_ids(html: str, pattern: str) -> list[int]:
    return sorted(int(x) for x in re.findall(pattern, html))


async def test_board_figures_match_hand_counts(new_client, data):
    gm = await sign_in(await new_client(), "gm")
    p = data["project"]["id"]
    r = await gm.get(f"/care/kpi?month={data['month']}&project={p}")
    assert r.status_code == 200
    for key, (num, den, text) in EXPECTED.items():
        assert fig(r.text, key) == (text, str(num), str(den)), key
    assert 'data-testid="fig-renovation_efficiency">—<' in r.text and "物业公司" in r.text
    for key in EXPECTED:  # every KPI has its trend chart with the target
        assert f'data-testid="chart-{key}"' in r.text
    assert "目标 ≥ 95.00%" in r.text  # satisfaction target from the admin settings
    # per handler (the case's handler): complaint_officer c1 ✓ c2 ✗; cr_officer c3 ✗ c4 ✓
    rows = {m.group(1): m.group(2) for m in re.finditer(r'data-testid="handler-row" data-handler="(\w+)">(.*?)</tr>', r.text, re.S)}
    a, b = str(data["a"]), str(data["b"])
    assert re.search(r'fig-on_time_rate">50.00%<', rows[a]) and re.search(r'fig-on_time_rate">50.00%<', rows[b])
    assert re.search(r'fig-follow_up_rate">100.00%<', rows[a]) and re.search(r'fig-follow_up_rate">0.00%<', rows[b])
    assert re.search(r'data-testid="handled">3<', rows[a])  # c1 c2 c5 closed in the month (c7 closed next month)
    # the call QA monthly score per agent: AVG(80, 65) for complaint_officer's two reviewed calls
    assert re.search(r'data-testid="qa-score">72.5 分', r.text)


async def test_empty_month_shows_dash(new_client, data):
    gm = await sign_in(await new_client(), "gm")
    r = await gm.get(f"/care/kpi?month={data['empty_month']}&project={data['project']['id']}")
    assert r.status_code == 200
    for key in [*EXPECTED, "survey_satisfaction"]:  # 问卷满意度: no answers in the test's project either
        assert fig(r.text, key) == ("—", "0", "0"), key
    assert r.text.count("本月无数据") == len(EXPECTED) + 1


async def test_drilldown_lists_exactly_the_counted_records(new_client, data):
    gm = await sign_in(await new_client(), "gm")
    p, m = data["project"]["id"], data["month"]
    c, cb, k, a = data["cases"], data["callbacks"], data["calls"], data["audits"]
    expect = {
        ("on_time_rate", "numerator"): sorted([c["C1"], c["C4"]]),
        ("on_time_rate", "denominator"): sorted([c["C1"], c["C2"], c["C3"], c["C4"]]),
        ("complaint_satisfaction_rate", "numerator"): sorted([c["C1"]]),
        ("complaint_satisfaction_rate", "denominator"): sorted([c["C1"], c["C2"]]),
        ("follow_up_rate", "numerator"): sorted([c["C1"], c["C2"], c["C5"]]),
        ("follow_up_rate", "denominator"): sorted([c["C1"], c["C2"], c["C4"], c["C5"]]),
    }
    for (key, part), ids in expect.items():
        r = await gm.get(f"/care/kpi/{key}?month={m}&project={p}&part={part}")
        assert r.status_code == 200, (key, part)
        link = r"/care/cases/(\d+)\""
        assert linked_ids(r.text, link) == ids, (key, part)
        assert f"共 {len(ids)} 条" in r.text
        n, d, _t = EXPECTED[key]
        assert re.search(rf'data-testid="drill-num">{n}<', r.text) and re.search(rf'data-testid="drill-den">{d}<', r.text)
    calls = {"numerator": ["K1", "K2", "K6"], "denominator": ["K1", "K2", "K4", "K6"]}
    code = data["project"]["code"]
    for part, names in calls.items():
        r = await gm.get(f"/care/kpi/answer_rate?month={m}&project={p}&part={part}")
        assert sorted(re.findall(rf">{code}-(K\d)<", r.text)) == names, part
    r = await gm.get(f"/care/kpi/satisfaction_rate?month={m}&project={p}&part=numerator")
    assert sorted(re.findall(rf">{code}-(K\d)<", r.text)) == ["K1", "K2"]
    r = await gm.get(f"/care/kpi/record_accuracy?month={m}&project={p}&part=denominator")
    assert r.text.count('data-testid="row"') == len(a) == 2
    # per handler: cr_officer's on-time denominator is c3 and c4
    r = await gm.get(f"/care/kpi/on_time_rate?month={m}&project={p}&part=denominator&handler={data['b']}")
    assert linked_ids(r.text, r"/care/cases/(\d+)\"") == sorted([c["C3"], c["C4"]])
    # the figure's links on the board lead to these lists
    board = await gm.get(f"/care/kpi?month={m}&project={p}")
    assert f'/care/kpi/on_time_rate?month={m}&amp;part=numerator&amp;project={p}' in board.text
    # unknown KPI → 404; bad parameters never 500
    assert (await gm.get("/care/kpi/nope")).status_code == 404
    r = await gm.get("/care/kpi/on_time_rate?month=abc&project=x&handler=%27&part=zzz&page=-1")
    assert r.status_code == 200


async def test_fragment_and_denied_roles(new_client, data):
    gm = await sign_in(await new_client(), "gm")
    r = await gm.get(f"/care/kpi?month={data['month']}", headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="kpi-board"' in r.text and "<html" not in r.text
    r = await gm.get(f"/care/kpi/on_time_rate?month={data['month']}&part=numerator", headers={"HX-Request": "true"})
    assert r.status_code == 200 and 'id="kpi-list"' in r.text and "<html" not in r.text
    for role in ("sales", "guard"):
        c = await sign_in(await new_client(), role)
        assert (await c.get("/care/kpi")).status_code == 403, role
        assert (await c.get(f"/care/kpi/on_time_rate?month={data['month']}")).status_code == 403, role
        assert (await c.get("/care/kpi", headers={"HX-Request": "true"})).status_code == 403, role
    for role in ("quality", "clerk", "cr_officer", "president"):
        c = await sign_in(await new_client(), role)
        assert (await c.get("/care/kpi")).status_code == 200, role


async def test_project_scope(new_client, data):
    """complaint_officer2 sees JC02 only: its totals are gm's JC02 figures, JC01 and the test project are not shown."""
    from app.estate.tables import Project

    jc = {r["code"]: r["id"] for r in await Project.select(Project.id, Project.code).where(Project.code.is_in(["JC01", "JC02"]))}
    gm = await sign_in(await new_client(), "gm")
    officer = await sign_in(await new_client(), "complaint_officer2")
    for month in (data["month"], ""):
        mine = await officer.get(f"/care/kpi?month={month}")
        jc02 = await gm.get(f"/care/kpi?month={month}&project={jc['JC02']}")
        assert mine.status_code == 200
        for key in EXPECTED:
            assert fig(mine.text, key) == fig(jc02.text, key), key
        assert f'data-project="{jc["JC02"]}"' in mine.text
        assert f'data-project="{jc["JC01"]}"' not in mine.text and f'data-project="{data["project"]["id"]}"' not in mine.text
    # asking for another project's figures or records gives nothing of it
    r = await officer.get(f"/care/kpi/on_time_rate?month={data['month']}&project={data['project']['id']}&part=denominator")
    assert r.status_code == 200 and 'data-testid="row"' not in r.text
    r = await officer.get(f"/care/kpi?month={data['month']}&project={data['project']['id']}")
    assert fig(r.text, "on_time_rate") == ("—", "0", "0")


async def test_export_board_and_drilldown(new_client, data):
    from openpyxl import load_workbook

    gm = await sign_in(await new_client(), "gm")
    p, m = data["project"]["id"], data["month"]
    r = await gm.get(f"/care/kpi?month={m}&project={p}&export=xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    total = [row for row in rows if row[0] == "合计" and row[2] == "投诉处理及时率"][0]
    assert total[3:6] == [2, 4, 50]
    assert await AuditLog.exists().where((AuditLog.action == "export") & (AuditLog.entity_id == "/care/kpi"))
    r = await gm.get(f"/care/kpi/on_time_rate?month={m}&project={p}&part=denominator&export=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    numbers = sorted(row[0].value for row in ws.iter_rows(min_row=2))
    code = data["project"]["code"]
    assert numbers == [f"{code}-C1", f"{code}-C2", f"{code}-C3", f"{code}-C4"]
