"""An incident on the sales-office tablet (800×1280, touch): the 保安队长 reports a 聚集维权 with a photo from the
camera input; the incident's page shows who was told and the P1 customer-care case it opened; the 客服主管 follows
the link to the case, whose page links back to the incident. Screenshots of the form, the list and the incident in
portrait and landscape."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from e2e.conftest import LoginPage
from e2e.screens import shoot

PORTRAIT = {"width": 800, "height": 1280}
LANDSCAPE = {"width": 1280, "height": 800}


@pytest.fixture
def tablet(browser):
    context = browser.new_context(viewport=PORTRAIT, has_touch=True, is_mobile=False, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    yield page
    context.close()
    assert not blocked, "blocked by the Content-Security-Policy: " + " | ".join(blocked[:5])


def _png(path) -> str:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 40, 40)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return str(path)


def test_captain_reports_a_group_protest_that_opens_a_p1_case(tablet, server_url, tmp_path):
    page = tablet
    login = LoginPage(page, server_url)
    login.sign_in("security_captain")
    page.goto(server_url + "/site")
    page.get_by_test_id("tile-nav-site-incidents").tap()
    expect(page.get_by_test_id("page-title")).to_contain_text("事件报告")
    page.get_by_test_id("incident-new").tap()
    form = page.get_by_test_id("incident-form")
    shoot(page, "800-site-incident-form")

    # a first try without the required fields keeps what was typed and says what is missing
    form.get_by_test_id("field-people").fill("业主约 30 人")
    page.get_by_test_id("incident-submit").tap()
    expect(page.get_by_test_id("error-place")).to_be_visible()
    expect(page.get_by_test_id("field-people")).to_have_value("业主约 30 人")

    form = page.get_by_test_id("incident-form")
    form.get_by_test_id("field-kind").select_option("聚集维权")
    form.get_by_test_id("field-place").fill("售楼处正门广场")
    form.get_by_test_id("field-account").fill("一期业主在正门拉横幅，要求就交付延期给出说法")
    form.get_by_test_id("field-actions").fill("疏导至洽谈区，保持通道畅通，报告客服主管")
    form.get_by_test_id("field-contact_phone").fill("13800138000")
    form.get_by_test_id("field-called_110").check()
    form.get_by_test_id("attachment-camera").set_input_files(_png(tmp_path / "现场.png"))
    page.get_by_test_id("incident-submit").tap()

    expect(page.get_by_test_id("flash")).to_contain_text("P1 客服案件")
    expect(page.get_by_test_id("incident-kind")).to_have_text("聚集维权")
    expect(page.get_by_test_id("incident-case")).to_contain_text("P1")
    notices = page.get_by_test_id("incident-notices")
    for role in ("客服主管", "客服副经理", "总经理"):
        expect(notices).to_contain_text(role)
    expect(page.get_by_test_id("attachments-card")).to_contain_text("现场")
    incident_url = page.url
    shoot(page, "800-site-incident-detail", full_page=True)
    page.set_viewport_size(LANDSCAPE)
    shoot(page, "1280-site-incident-detail")
    page.goto(server_url + "/site/incidents")
    expect(page.get_by_test_id("incident-row").first).to_contain_text("聚集维权")
    shoot(page, "1280-site-incident-list")
    page.set_viewport_size(PORTRAIT)
    shoot(page, "800-site-incident-list")
    page.goto(server_url + "/site/incidents/new")
    page.set_viewport_size(LANDSCAPE)
    shoot(page, "1280-site-incident-form")
    page.set_viewport_size(PORTRAIT)

    # the 客服主管: from the incident to its case, and back
    login.sign_out()
    login.sign_in("supervisor")
    page.goto(incident_url)
    page.get_by_test_id("incident-case-link").tap()
    page.wait_for_url("**/care/cases/*")
    panel = page.get_by_test_id("site-incident-panel")
    expect(panel).to_contain_text("聚集维权")
    panel.get_by_test_id("site-incident-link").tap()
    page.wait_for_url(incident_url)
    expect(page.get_by_test_id("incident-detail")).to_be_visible()
