"""Acceptance (issue 9 item 7): a customer answers a survey through the personal link on a phone-sized screen without
signing in (a new browser context, 390×844), and the 客户关系主管 sees the new answer counted on /surveys/results and on the KPI board (问卷满意度).
Screenshots of the designer, the invitations, the public page at 390×844 and the results at 1366×900 and 800×1280."""
import re

from e2e.nav import nav
from e2e.screens import shoot
from e2e.waits import settle


def _answered(page) -> int:
    return int(page.get_by_test_id("total-answered").inner_text().strip())


def _board_survey(page, server_url) -> tuple[int, int]:
    """问卷满意度 on the KPI board this month: (satisfied, valid answers)."""
    page.goto(server_url + "/care/kpi")
    card = page.get_by_test_id("kpi-card-survey_satisfaction")
    return int(card.get_by_test_id("num-survey_satisfaction").inner_text()), int(card.get_by_test_id("den-survey_satisfaction").inner_text())


def test_customer_answers_on_a_phone_and_the_result_counts(page, browser, login_page, server_url):
    # the 主管's designer and the results before
    login_page.sign_in("cr_supervisor")
    nav(page, "nav-surveys")
    page.wait_for_url("**/surveys")
    shoot(page, "surveys-design-list")
    page.get_by_test_id("questionnaire-open").first.click()
    settle(page)
    shoot(page, "surveys-design", full_page=True)
    # a published questionnaire is frozen: a new version is a draft with the same questions, editable and reorderable
    page.get_by_test_id("survey-copy").click()
    page.get_by_test_id("questionnaire-form").wait_for()
    n = page.get_by_test_id("question").count()
    assert n >= 3
    second = page.get_by_test_id("question").nth(1).inner_text().split("\n")[0].split(". ", 1)[1]
    page.get_by_test_id("question-up").nth(1).click()
    settle(page)
    assert second in page.get_by_test_id("question").first.inner_text()
    shoot(page, "surveys-design-draft-1366", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "surveys-design-draft-800", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    # the officer opens a due invitation: link, QR code, text to paste; marks it sent
    page.get_by_test_id("logout").click()
    login_page.sign_in("cr_officer")
    nav(page, "nav-survey-invitations")
    page.wait_for_url("**/surveys/invitations*")
    page.get_by_test_id("filter-state").select_option("todo")
    settle(page)
    shoot(page, "surveys-invitations")
    page.get_by_test_id("invitation-open").first.click()
    settle(page)
    link = page.get_by_test_id("invitation-link").input_value()
    assert re.search(r"/s/[A-Za-z0-9_-]{22}$", link), link
    assert link in page.get_by_test_id("invitation-text").input_value()
    assert page.locator('[data-testid="invitation-qr"] svg').count() == 1
    title = page.locator('[data-testid="invitation"] dd').nth(3).inner_text().split()[0]
    page.get_by_test_id("via-微信").check()
    page.get_by_test_id("mark-sent").click()
    page.get_by_test_id("send-state").wait_for()
    assert "通过微信发送" in page.get_by_test_id("send-state").inner_text()
    shoot(page, "surveys-invitation", full_page=True)

    page.get_by_test_id("logout").click()
    login_page.sign_in("cr_supervisor")
    page.goto(server_url + "/surveys/results")
    page.get_by_test_id("results-questionnaire").select_option(label=f"{title}（已发布）")
    settle(page)
    before = _answered(page)
    board_before = _board_survey(page, server_url)
    page.goto(server_url + "/surveys/results")
    page.get_by_test_id("results-questionnaire").select_option(label=f"{title}（已发布）")
    settle(page)

    # the customer: a new browser context, no sign-in, a phone-sized screen
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True)
    csp: list[str] = []
    try:
        p = phone.new_page()
        p.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
        p.goto(link)
        assert p.get_by_test_id("public-title").inner_text().strip() == title
        assert p.locator('[data-testid="nav"]').count() == 0  # no sidebar
        shoot(p, "surveys-public-390", full_page=True)
        # submitting without the required answers: Chinese messages on the questions
        p.get_by_test_id("answer-submit").click()
        p.get_by_test_id("answer-errors").wait_for()
        assert "必答题" in p.locator('[data-testid="public-question"]').first.inner_text()
        shoot(p, "surveys-public-390-errors")
        questions = p.locator('[data-testid="public-question"]')
        scales = 0
        for i in range(questions.count()):
            q = questions.nth(i)
            qid = q.get_attribute("data-question")
            if q.locator(f'[data-testid="scale-{qid}-5"]').count():
                q.locator(f'[data-testid="scale-{qid}-5"]').check()
                scales += 1
            elif q.locator(f'[data-testid="option-{qid}-1"]').count():
                q.locator(f'[data-testid="option-{qid}-1"]').check()
            elif q.locator(f'[data-testid="text-{qid}"]').count():
                q.locator(f'[data-testid="text-{qid}"]').fill("交付很顺利，感谢客服中心。")
        box = p.get_by_test_id("answer-submit").bounding_box()
        assert box and box["height"] >= 44  # a thumb-sized button
        p.get_by_test_id("answer-submit").click()
        p.get_by_test_id("public-heading").wait_for()
        assert "提交成功" in p.get_by_test_id("public-heading").inner_text()
        shoot(p, "surveys-public-390-done")
        p.goto(link)  # a second visit: answered once
        assert "您已提交过，感谢" in p.get_by_test_id("public-heading").inner_text()
    finally:
        phone.close()
    assert not csp, csp

    # the 主管 sees the new answer counted
    page.reload()
    settle(page)
    assert _answered(page) == before + 1
    assert page.locator('[data-testid="chart-question"] svg').count() >= 1  # the charts drew
    # … and on the KPI board: 问卷满意度 counts the new 1–5 answers (all 5 = 满意)
    satisfied, valid = _board_survey(page, server_url)
    assert scales >= 1 and (satisfied, valid) == (board_before[0] + scales, board_before[1] + scales)
    page.goto(server_url + "/surveys/results")
    page.get_by_test_id("results-questionnaire").select_option(label=f"{title}（已发布）")
    settle(page)
    shoot(page, "surveys-results-1366", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})
    page.reload()
    settle(page)
    shoot(page, "surveys-results-800", full_page=True)
