"""The sales office's monthly report (issue 13 §9): who may read and print it (the print is audited), its HTMX month
navigation, and that each part's figures per team (one grouped query per figure) agree with the part's own figures
for that team alone."""
import importlib
from datetime import timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import now, today_local
from app.site.tables import SiteTeam
from app.site_reports import services
from tests.conftest import sign_in

pytestmark = pytest.mark.integration


async def test_who_reads_the_report_and_the_print_is_audited(new_client):
    sup = await sign_in(await new_client(), "supervisor")
    r = await sup.get("/site/reports")
    assert r.status_code == 200 and 'data-testid="report-teams"' in r.text and "锦城一期售楼处保安队" in r.text and "锦城一期售楼处保洁组" in r.text
    assert "洁美保洁服务有限公司" in r.text and 'data-testid="report-contractors"' in r.text
    month = f"{today_local():%Y-%m}"
    frag = await sup.get(f"/site/reports?month={month}", headers={"HX-Request": "true"})
    assert frag.status_code == 200 and 'id="site-report"' in frag.text and "<html" not in frag.text
    bad = await sup.get("/site/reports?month=%E4%B8%AD-99")
    assert bad.status_code == 200  # an unreadable month shows this month
    before = await AuditLog.count().where(AuditLog.action == "site_report.print")
    p = await sup.get(f"/site/reports/print?month={month}")
    assert p.status_code == 200 and 'data-testid="print-sheet"' in p.text
    assert await AuditLog.count().where(AuditLog.action == "site_report.print") == before + 1
    gm = await sign_in(await new_client(), "gm")
    assert (await gm.get("/site/reports")).status_code == 200
    for username in ("security_captain", "guard", "cleaner", "contract", "hr"):
        assert (await (await sign_in(await new_client(), username)).get("/site/reports")).status_code == 403, username


async def test_each_parts_figures_per_team_agree_with_its_own(running_app):
    teams = [r["id"] for r in await SiteTeam.select(SiteTeam.id).order_by(SiteTeam.id)]
    first = today_local().replace(day=1) - timedelta(days=1)
    first = first.replace(day=1)
    last = today_local()
    at = now()  # the patrol figures count the rounds ended by a moment: the same one for both
    for part in services.PARTS:
        module = importlib.import_module(f"app.{part}.report")
        kw = {"at": at} if part == "site_patrol" else {}
        grouped = await module.team_figures(teams, first, last, **kw)
        for t in teams:
            alone = await module.month_figures([t], first, last, **kw)
            mine = grouped[t]
            for key, value in alone.items():
                if key == "by_kind":
                    assert {k: v for k, v in value.items() if v} == {k: v for k, v in mine[key].items() if v}, (part, t)
                else:
                    assert mine[key] == value, (part, t, key)
