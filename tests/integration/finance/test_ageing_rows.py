"""The advances page's ageing table lists the people owing most (AGEING_ROWS), in SQL with a LIMIT, and says when
there are more; every advance stays reachable in the paged ledger below."""
from datetime import timedelta
from decimal import Decimal

import pytest

from piccolo.apps.user.tables import BaseUser

from app.core.auth import load_user
from app.core.timeutil import today_local
from app.finance import services
from app.finance.tables import Advance
from app.workflow.engine import withdraw
from tests.conftest import sign_in
from tests.integration.workflow.helpers import submit

pytestmark = pytest.mark.integration


async def test_the_ageing_table_is_bounded(new_client, monkeypatch):
    made = []
    for who in ("reception2", "contract"):
        rid, r = await submit(await sign_in(await new_client(), who), "advance", {
            "kind": "备用金", "purpose": "账龄测试", "amount": "300.00", "due_on": (today_local() + timedelta(days=5)).isoformat()})
        assert rid, r.text[:1000]
        made.append(rid)
    await Advance.update({Advance.status: "未结清", Advance.balance: Decimal("300.00")}).where(Advance.request.is_in(made))
    try:
        people = int((await Advance.raw("SELECT COUNT(DISTINCT employee) AS n FROM fin_advance WHERE status = '未结清'"))[0]["n"])
        assert people >= 2
        fin = await sign_in(await new_client(), "finance_manager")
        monkeypatch.setattr(services, "AGEING_ROWS", people - 1)
        r = await fin.get("/finance/advances")
        assert r.status_code == 200
        assert r.text.count('data-testid="ageing-row"') == people - 1 and 'data-testid="ageing-more"' in r.text
        monkeypatch.setattr(services, "AGEING_ROWS", 10_000)
        r = await fin.get("/finance/advances")
        assert r.text.count('data-testid="ageing-row"') == people and 'data-testid="ageing-more"' not in r.text
    finally:  # back in approval, then withdrawn by the applicants (so that they may borrow again in later tests)
        await Advance.update({Advance.status: "审批中", Advance.balance: Decimal("0.00")}).where(Advance.request.is_in(made))
        for who, rid in zip(("reception2", "contract"), made):
            account = await BaseUser.select(BaseUser.id).where(BaseUser.username == who).first()
            await withdraw(await load_user(account["id"]), rid, "测试结束撤回")
        assert not await Advance.exists().where(Advance.request.is_in(made) & (Advance.status == "审批中"))
