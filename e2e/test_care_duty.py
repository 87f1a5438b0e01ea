"""The 24-hour duty as people click it: the 客服主管 plans the running shift and the next one on 值班表 (and removes a
wrong entry again), the 投诉主管 on duty writes the handover carrying an open case and signs, the 客户关系主管 on the next
shift confirms receipt; both signatures show on the record and on its print view. Screenshots of the roster, the
handover form and the print view at 1366×900 and 800×1280 (no sideways overflow)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from e2e.nav import nav
from e2e.screens import shoot

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY_START, NIGHT_START = time(8, 30), time(17, 30)  # the seeded 值班设置 defaults


def running_and_next():
    now = datetime.now(SHANGHAI)
    t, d = now.time(), now.date()
    cur = (d - timedelta(days=1), "夜班") if t < DAY_START else ((d, "白班") if t < NIGHT_START else (d, "夜班"))
    nxt = (cur[0], "夜班") if cur[1] == "白班" else (cur[0] + timedelta(days=1), "白班")
    return cur, nxt


def plan(page, day, shift, position: str) -> None:
    form = page.get_by_test_id("plan-form")
    form.get_by_test_id("field-day").fill(day.isoformat())
    form.get_by_test_id("field-shift").select_option(shift)
    sel = form.get_by_test_id("field-employee")
    value = sel.locator("option", has_text=f"（{position}）").first.get_attribute("value")
    sel.select_option(value)
    form.get_by_test_id("plan-submit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已排班")


def cell(page, day, shift):
    return page.locator(f'[data-testid="duty-day"][data-day="{day.isoformat()}"] [data-testid="duty-cell"][data-shift="{shift}"]')


def test_plan_handover_and_receive(page, login_page, server_url):
    (cday, cshift), (nday, nshift) = running_and_next()

    # the supervisor plans the running shift and the next one, and takes a wrong entry out again
    login_page.sign_in("supervisor")
    nav(page, "nav-duty")
    expect(page.get_by_test_id("duty-now")).to_contain_text("当前值班：")
    plan(page, cday, cshift, "投诉主管")
    plan(page, nday, nshift, "资料保管专员")
    page.goto(f"{server_url}/duty?month={nday:%Y-%m}")
    wrong = cell(page, nday, nshift).get_by_test_id("duty-person").filter(has=page.get_by_test_id("duty-remove")).last
    wrong_name = wrong.inner_text().split("移除")[0].strip()
    wrong.get_by_test_id("duty-remove").click()
    expect(page.get_by_test_id("flash")).to_contain_text("已移除")
    expect(cell(page, nday, nshift)).not_to_contain_text(wrong_name)
    plan(page, nday, nshift, "客户关系主管")
    page.goto(f"{server_url}/duty?month={cday:%Y-%m}")
    expect(cell(page, cday, cshift).get_by_test_id("duty-current")).to_be_visible()
    shoot(page, "duty-roster-1366")
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "duty-roster-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    login_page.sign_out()

    # the complaint supervisor on duty writes the handover, carrying an open case, and signs
    login_page.sign_in("complaint_supervisor")
    nav(page, "nav-duty-handovers")
    page.get_by_test_id("new-handover").click()
    form = page.get_by_test_id("handover-form")
    expect(form.get_by_test_id("field-day")).to_have_value(cday.isoformat())
    expect(form.get_by_test_id("field-shift")).to_have_value(cshift)
    form.get_by_test_id("field-summary").fill("来电 5 个：咨询交房 3 个已答复，投诉 1 个已登记，报修 1 个已转维修单位；来访 1 批。")
    form.get_by_test_id("field-equipment").fill("值班手机 1 部、前台钥匙 2 把")
    option = form.get_by_test_id("case-option").first
    number = option.locator("strong").inner_text()
    option.locator("input").check()
    shoot(page, "duty-handover-form-1366")
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "duty-handover-form-800")
    page.set_viewport_size({"width": 1366, "height": 900})
    form.get_by_test_id("handover-submit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("交班记录已签字提交")
    expect(page.get_by_test_id("handover-cases")).to_contain_text(number)
    expect(page.get_by_test_id("sign-handed")).to_contain_text("已签字")
    expect(page.get_by_test_id("sign-received")).to_contain_text("待确认")
    expect(page.get_by_test_id("receive-form")).to_have_count(0)  # the writer cannot confirm their own handover
    detail_url = page.url
    login_page.sign_out()

    # the next shift's person confirms receipt: the second signature
    login_page.sign_in("cr_supervisor")
    nav(page, "nav-duty-handovers")
    page.get_by_test_id("handover-link").first.click()
    assert page.url == detail_url
    page.get_by_test_id("field-note").fill("已核对钥匙和案件")
    page.get_by_test_id("receive-submit").click()
    expect(page.get_by_test_id("receive-done")).to_contain_text("已确认接班")
    expect(page.get_by_test_id("sign-handed")).to_contain_text("已签字")
    expect(page.get_by_test_id("sign-received")).to_contain_text("已确认接班")
    page.get_by_test_id("handover-print").click()
    expect(page.get_by_test_id("print-sheet")).to_contain_text("值班交接班记录")
    expect(page.get_by_test_id("print-handed")).not_to_be_empty()
    expect(page.get_by_test_id("print-received")).not_to_contain_text("待确认")
    expect(page.get_by_test_id("print-sheet")).to_contain_text(number)
    shoot(page, "duty-handover-print-1366", full_page=True)
    page.set_viewport_size({"width": 800, "height": 1280})
    shoot(page, "duty-handover-print-800", full_page=True)
