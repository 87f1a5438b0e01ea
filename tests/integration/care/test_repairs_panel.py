"""The repair panel as the case page (/care/cases/{id}, the cases part) shows it: found through app/care/panels.py,
rendered with the case page's context (case, user, csrf_input) and `panel`; nothing for other kinds. And a reopened
repair is worked again from the survey."""
from __future__ import annotations

import pytest

from app.care import core, states
from app.care.panels import panels_for
from app.care.tables import CareCase, CareRepair
from app.core.auth import load_user
from app.core.web import build_environment
from app.org.tables import Employee
from tests.integration.care.test_repairs_steps import _client, make_repair, post, status

pytestmark = pytest.mark.integration


async def _user(username: str):
    emp = await Employee.select(Employee.user).where(Employee.user.username == username).first()
    return await load_user(emp["user"])


async def test_panel_on_the_case_page_context(running_app):
    cid = await make_repair("JC01")
    user = await _user("cr_officer")
    case = await core.get_case(user, cid)
    found = await panels_for(user, case)
    templates = [t for t, _ in found]
    assert "repairs/_panel.html" in templates
    data = dict(found)["repairs/_panel.html"]
    html = build_environment().get_template("repairs/_panel.html").render(panel=data, case=case, user=user, csrf_input="<input name=x>")
    assert 'id="repair-panel"' in html and f'action="/care/cases/{cid}/repair/survey"' in html
    assert f'name="back" value="/care/cases/{cid}"' in html  # back to the case page it was shown on
    other = dict(case, kind="投诉")
    assert "repairs/_panel.html" not in [t for t, _ in await panels_for(user, other)]
    viewer = await _user("gm")
    data = dict(await panels_for(viewer, await core.get_case(viewer, cid)))["repairs/_panel.html"]
    assert data["steps"] == []  # leaders read, the 客服中心 works the repair


async def test_reopened_repair_starts_again_from_the_survey(new_client):
    cid = await make_repair("JC01")
    await CareCase.update({CareCase.status: states.REOPENED}).where(CareCase.id == cid)
    await CareRepair.update({CareRepair.check_materials: True, CareRepair.check_quality: True, CareRepair.check_safety: True,
                             CareRepair.signature: "x" * 64, CareRepair.signed_name: "旧签名"}).where(CareRepair.case == cid)
    officer = await _client(new_client, "cr_officer")
    assert (await post(officer, cid, "survey", {"note": "回访不满意，重新勘查"})).status_code == 303
    rep = await CareRepair.select().where(CareRepair.case == cid).first()
    assert await status(cid) == states.R_SURVEY and not rep["check_materials"] and rep["signature"] == "" and rep["signed_name"] == ""
