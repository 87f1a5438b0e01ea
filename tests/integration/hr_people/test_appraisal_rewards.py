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
