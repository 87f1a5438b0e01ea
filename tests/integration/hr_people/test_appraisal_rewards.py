"""奖惩 shown to the 转正 approvers: the 转正申请's page lists the person's rewards and penalties (rewards_of)."""
from datetime import date
from types import SimpleNamespace

import pytest

from app.hr_people import services
from app.hr_people.tables import Reward
from tests.conftest import sign_in
from tests.integration.hr_probation.test_probation_flow import file, make_staff, staff  # noqa: F401

pytestmark = pytest.mark.integration


async def test_probation_approvers_see_the_rewards(new_client, staff):  # noqa: F811
    s = await staff()
    hr = SimpleNamespace(user_id=None, display_name="测试", employee_id=None, ip="")
    await services.create_reward(hr, s["id"], services.RewardInput("奖励", date(2026, 1, 5), "季度服务之星", "", None, None, "奖惩办法"))
    try:
        rid = await file(new_client, s)
        boss = await sign_in(await new_client(), s["manager"])
        page = (await boss.get(f"/workflow/requests/{rid}")).text
        block = page.split('data-testid="probation-rewards"', 1)[1][:1500]
        assert "奖惩记录" in block and "季度服务之星" in block and "奖惩办法" in block
    finally:
        await Reward.delete().where(Reward.employee == s["id"])


async def test_promotion_approvers_see_the_rewards(new_client):
    from tests.integration.hr_move.test_move_flows import ids, make_staff as make_move_staff, promo_form
    from tests.integration.workflow.helpers import submit

    from app.org.tables import Employee
    from app.workflow.tables import Request, Task

    s = await make_move_staff()
    rid = None
    hr = SimpleNamespace(user_id=None, display_name="测试", employee_id=None, ip="")
    await services.create_reward(hr, s["id"], services.RewardInput("处罚", date(2026, 2, 9), "迟到通报", "", None, None, "考勤制度"))
    try:
        pos, grade = await ids("supervisor", "M1")
        mgr = await sign_in(await new_client(), "supervisor")
        rid, r = await submit(mgr, "promotion", promo_form(s["id"], pos, grade))
        assert rid, r.text[:2000]
        page = (await (await sign_in(await new_client(), "hr")).get(f"/workflow/requests/{rid}")).text
        block = page.split('data-testid="promotion-rewards"', 1)[1][:1500]
        assert "奖惩记录" in block and "迟到通报" in block and "考勤制度" in block
        assert "1,500.00" in page  # HR reads the salary change
        # someone who may list every request (workflow.all) but is neither HR, the applicant nor an approver: masked
        other = (await (await sign_in(await new_client(), "dept_head")).get(f"/workflow/requests/{rid}"))
        assert other.status_code == 200 and "1,500.00" not in other.text and 'data-testid="confidential"' in other.text
    finally:
        await Reward.delete().where(Reward.employee == s["id"])
        if rid:  # close it, so no other test's inbox holds it
            await Task.update({Task.status: "已取消"}).where((Task.request == rid) & Task.status.is_in(["待处理", "等待", "未开始"]))
            await Request.update({Request.status: "已撤回"}).where(Request.id == rid)
        await Employee.update({Employee.active: False}).where(Employee.id == s["id"])
