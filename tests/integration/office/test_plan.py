"""E1 monthly supplies plan: the plan month and its deadline (plan_deadline_day, a setting), a late plan flagged,
the budget line from the admin's monthly budget (over what is left: the 分管副总 approves too), the reminder before
the deadline to whoever files the plan, requisitions shown against the month's approved plan."""
import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.tables import Notification
from app.core.timeutil import today_local
from app.office import remind, rules
from app.office.tables import Purchase, SuppliesBudget
from app.workflow.tables import FlowSetting, Request
from tests.conftest import sign_in
from tests.integration.office.helpers import issue_form, make_item, purchase_form
from tests.integration.workflow.helpers import approve_as, chain, submit

pytestmark = pytest.mark.integration

_seq = itertools.count(1)
NEXT = rules.month_text(rules.add_months(today_local(), 1))
THIS = rules.month_text(today_local())


def field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-testid="error-([a-z_0-9]+)">([^<]+)<', html))


async def budget(amount: str, month: str = NEXT) -> str:
    line = f"测试科目{next(_seq):03d}"
    await SuppliesBudget.insert(SuppliesBudget(month=month, line=line, amount=Decimal(amount)))
    return line


async def test_plan_within_and_over_the_months_budget(new_client):
    item = await make_item(100)
    line = await budget("1000.00")
    c = await sign_in(await new_client(), "supervisor")
    form = await c.get("/workflow/new/supplies_purchase")
    assert 'data-testid="plan-deadline"' in form.text and line in form.text and f'value="{NEXT}"' in form.text
    rid, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "6", "price": "100.00"}], budget_line=line, plan_month=NEXT))
    assert rid, r.text[-2000:]
    assert await chain(rid) == ["dept_head", "admin_staff"]
    p = await Purchase.select().where(Purchase.request == rid).first()
    assert p["plan_month"] == NEXT and p["budget"] and not p["over_budget"]
    page = await c.get(f"/workflow/requests/{rid}")
    assert 'data-testid="budget-left"' in page.text and "剩余 ¥400.00" in page.text
    # 400.00 left: 500.00 is over the budget → 分管副总 (SPEC E1), the plan is not refused
    rid2, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "5", "price": "100.00"}], budget_line=line, plan_month=NEXT))
    assert rid2, r.text[-2000:]
    assert await chain(rid2) == ["dept_head", "vp", "admin_staff"]
    assert (await Purchase.select(Purchase.over_budget).where(Purchase.request == rid2).first())["over_budget"]
    assert 'data-testid="over-budget"' in (await c.get(f"/workflow/requests/{rid2}")).text


async def test_budget_line_and_month_bad_input_keeps_values(new_client):
    item = await make_item(10)
    c = await sign_in(await new_client(), "supervisor")
    before = await Request.count()
    rid, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "2", "price": "3.00"}], budget_line="没有的科目", plan_month=NEXT))
    assert rid == 0 and r.status_code == 400
    assert field_errors(r.text)["budget_line"].startswith(f"{NEXT} 没有预算科目「没有的科目」")
    assert 'value="没有的科目"' in r.text
    last = rules.month_text(rules.add_months(today_local(), -1))
    rid, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "2", "price": "3.00"}], plan_month=last))
    assert rid == 0 and field_errors(r.text)["plan_month"] == "不能为已过去的月份提交计划" and f'value="{last}"' in r.text
    rid, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "2", "price": "3.00"}], plan_month="2027/1"))
    assert rid == 0 and field_errors(r.text)["plan_month"].startswith("计划月份格式应为 YYYY-MM")
    far = rules.month_text(rules.add_months(today_local(), 2))
    rid, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "2", "price": "3.00"}], plan_month=far))
    assert rid == 0 and "只能提交本月（补报）或下月" in field_errors(r.text)["plan_month"]
    assert await Request.count() == before


async def test_a_late_plan_is_flagged(new_client):
    item = await make_item(10)
    line = await budget("5000.00", THIS)
    c = await sign_in(await new_client(), "data")
    # a supplementary plan for this month is always after its deadline (the 25th of last month)
    rid, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "1", "price": "8.00"}], budget_line=line, plan_month=THIS))
    assert rid, r.text[-2000:]
    assert (await Purchase.select(Purchase.late).where(Purchase.request == rid).first())["late"]
    title = (await Request.select(Request.title).where(Request.id == rid).first())["title"]
    assert title.startswith(f"办公用品申购计划（{THIS}，逾期提交）")
    assert 'data-testid="plan-late"' in (await c.get(f"/workflow/requests/{rid}")).text
    # next month's plan: late or not by the deadline-day setting
    line2 = await budget("5000.00")
    await FlowSetting.delete().where((FlowSetting.flow == "supplies_purchase") & (FlowSetting.key == "plan_deadline_day"))
    await FlowSetting.insert(FlowSetting(flow="supplies_purchase", key="plan_deadline_day", label="截止日", value=Decimal("31")))
    try:
        rid, _ = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "1", "price": "8.00"}], budget_line=line2, plan_month=NEXT))
        assert not (await Purchase.select(Purchase.late).where(Purchase.request == rid).first())["late"]  # by the last day of this month
    finally:
        await FlowSetting.delete().where((FlowSetting.flow == "supplies_purchase") & (FlowSetting.key == "plan_deadline_day"))


async def test_reminder_before_the_deadline_to_whoever_files_the_plan(new_client):
    item = await make_item(10)
    line = await budget("5000.00", THIS)
    c = await sign_in(await new_client(), "archive")
    rid, _ = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "1", "price": "8.00"}], budget_line=line, plan_month=THIS))
    assert rid
    user = (await Request.select(Request.applicant_user).where(Request.id == rid).first())["applicant_user"]
    deadline = rules.day_in_month(rules.month_start(today_local()), 25)
    ref = f"supplies_plan:{NEXT}:%"
    assert await remind.remind_once(deadline - timedelta(days=5)) == 0  # before the window: nothing
    n = await remind.remind_once(deadline - timedelta(days=2))
    assert n >= 1
    rows = await Notification.select(Notification.text).where((Notification.user == user) & (Notification.ref.like(ref)))
    assert len(rows) == 1 and f"提交 {NEXT} 办公用品申购计划" in rows[0]["text"]
    await remind.remind_once(deadline - timedelta(days=2))  # the same day again: not twice
    assert await Notification.count().where((Notification.user == user) & (Notification.ref.like(ref))) == 1
    await remind.remind_once(deadline - timedelta(days=1))  # the next day: again
    assert await Notification.count().where((Notification.user == user) & (Notification.ref.like(ref))) == 2
    # once next month's plan is filed, no more reminders to this person
    line2 = await budget("5000.00")
    assert (await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "1", "price": "8.00"}], budget_line=line2, plan_month=NEXT)))[0]
    await Notification.delete().where((Notification.user == user) & (Notification.ref.like(ref)))
    await remind.remind_once(deadline - timedelta(days=1))
    assert await Notification.count().where((Notification.user == user) & (Notification.ref.like(ref))) == 0


async def test_requisition_shows_the_months_plan_remaining(new_client):
    item = await make_item(50)
    line = await budget("5000.00", THIS)
    c = await sign_in(await new_client(), "contract")
    rid, r = await submit(c, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "10", "price": "2.00"}], budget_line=line, plan_month=THIS))
    assert rid, r.text[-2000:]
    for who in await chain(rid):
        await approve_as(new_client, rid, who)
    form = await c.get("/workflow/new/supplies_issue")
    row = form.text.split(f'data-testid="plan-row-{item["id"]}"')[1].split("</tr>")[0]
    assert ">10<" in row and "10 个" in row
    rid2, r = await submit(c, "supplies_issue", issue_form([(item["id"], "3")]))
    assert rid2, r.text[-2000:]
    row = (await c.get("/workflow/new/supplies_issue")).text.split(f'data-testid="plan-row-{item["id"]}"')[1].split("</tr>")[0]
    assert ">3<" in row and "7 个" in row
    detail = await c.get(f"/workflow/requests/{rid2}")
    assert "7（计划 10）" in detail.text
