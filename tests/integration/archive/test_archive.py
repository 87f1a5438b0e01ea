"""资料保管: completeness per deal, the location of the originals, and the lending rules (an original is lent once
until returned; overdue loans listed; a reminder once per day per loan)."""
import asyncio
from datetime import timedelta

import pytest

from app.archive import remind, services
from app.archive.tables import ArchiveFile, ArchiveOriginal, DocumentLoan
from app.core.auth import load_user
from app.core.tables import AuditLog, Notification
from app.core.timeutil import today_local
from app.org.tables import Employee, EmployeeProject
from app.pipeline.tables import Deal, DealDocument
from tests.conftest import csrf_token, sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project

pytestmark = pytest.mark.integration


async def _emp(username: str) -> int:
    return (await Employee.select(Employee.id).where(Employee.user.username == username).first())["id"]


async def _user(username: str):
    return await load_user((await Employee.select(Employee.user).where(Employee.user.username == username).first())["user"])


async def _file(prefix: str = "TAR") -> dict:
    """A signed deal in a project of its own, visible to the archive keeper."""
    p = await make_project(prefix, units=1)
    buyer = await make_buyer("档案测试", 31)
    deal = await make_deal(p, p["units"][0], buyer, stage="已签约", signed_on=today_local() - timedelta(days=5), contract_no=f"{p['code']}-HT")
    await EmployeeProject.insert(EmployeeProject(employee=await _emp("archive"), project=p["id"]))
    return {**p, "deal": deal}


async def _post(client, path: str, data: dict, page: str):
    token = await csrf_token(client, page)
    return await client.post(path, data={**data, "_csrf_token": token})


def _lend_form(item: str, kind: str = "原件", borrower: int | None = None, approver: int | None = None, due=None, reason: str = "银行核对") -> dict:
    return {"item": item, "kind": kind, "borrower": str(borrower or ""), "approver": str(approver or ""), "reason": reason,
            "due_on": (due or today_local() + timedelta(days=7)).isoformat()}


async def test_pages_roles_and_scope(new_client):
    f = await _file()
    keeper = await sign_in(await new_client(), "archive")
    for path in ("/archive", "/archive/loans", f"/archive/deals/{f['deal']}", "/archive?state=不全", "/archive?state=无位置",
                 "/archive/loans?status=逾期"):
        r = await keeper.get(path)
        assert r.status_code == 200, path
    page = await keeper.get(f"/archive/deals/{f['deal']}")
    assert 'data-testid="lend-form"' in page.text and 'data-testid="location-form"' in page.text
    guard = await sign_in(await new_client(), "guard")
    for path in ("/archive", "/archive/loans", f"/archive/deals/{f['deal']}"):
        assert (await guard.get(path)).status_code == 403
    contract = await sign_in(await new_client(), "contract")  # JC01 only
    assert (await contract.get(f"/archive/deals/{f['deal']}")).status_code == 403
    r = await _post(contract, f"/archive/deals/{f['deal']}/location", {"cabinet": "X1"}, "/archive")
    assert r.status_code == 403
    jc02_deal = await Deal.select(Deal.id).where((Deal.project.code == "JC02") & Deal.signed_on.is_not_null()).first()
    assert (await contract.get(f"/archive/deals/{jc02_deal['id']}")).status_code == 403
    r = await contract.get("/archive?per_page=100")
    assert f["code"] not in r.text and "锦程·云栖苑" not in r.text.split('data-testid="list"')[1]


async def test_completeness_counts_and_location(new_client):
    f = await _file("TAC")
    await DealDocument.insert(DealDocument(deal=f["deal"], stage="按揭", name="婚姻证明"),
                              DealDocument(deal=f["deal"], stage="按揭", name="收入证明", received_on=today_local()))
    keeper = await sign_in(await new_client(), "archive")
    r = await keeper.get(f"/archive?project={f['id']}")
    assert "1 / 2" in r.text and "0 / 5" in r.text and "不全" in r.text  # 1 of 2 checklist documents; no originals yet
    for i, name in enumerate(await services.originals(), start=1):
        r = await _post(keeper, f"/archive/deals/{f['deal']}/originals", {"name": name, "filed": "1"}, f"/archive/deals/{f['deal']}")
        assert r.status_code == 303, r.text[-800:]
    info = (await services.completeness([f["deal"]]))[f["deal"]]
    assert info["originals_filed"] == 5 and info["missing"] == 1 and info["complete"] == 6
    assert (await keeper.get(f"/archive?project={f['id']}&state=不全")).text.count('data-testid="row"') == 1
    await DealDocument.update({DealDocument.received_on: today_local()}).where(DealDocument.deal == f["deal"])
    assert (await keeper.get(f"/archive?project={f['id']}&state=齐全")).text.count('data-testid="row"') == 1
    assert (await keeper.get(f"/archive?project={f['id']}&state=无位置")).text.count('data-testid="row"') == 1
    # location: required cabinet, then saved and audited
    r = await _post(keeper, f"/archive/deals/{f['deal']}/location", {"cabinet": "", "shelf": "2"}, f"/archive/deals/{f['deal']}")
    assert r.status_code == 400 and "请填写档案柜" in r.text
    r = await _post(keeper, f"/archive/deals/{f['deal']}/location", {"cabinet": "C07", "shelf": "2", "box": "015"}, f"/archive/deals/{f['deal']}")
    assert r.status_code == 303
    assert (await ArchiveFile.select().where(ArchiveFile.deal == f["deal"]).first())["cabinet"] == "C07"
    assert "C07柜 2层 015盒" in (await keeper.get(f"/archive/deals/{f['deal']}")).text
    assert await AuditLog.exists().where((AuditLog.action == "archive.location") & (AuditLog.entity_id == str(f["deal"])))
    assert (await keeper.get(f"/archive?project={f['id']}&state=无位置")).text.count('data-testid="row"') == 0
    # someone with ledger access but not a keeper cannot change it
    sup = await sign_in(await new_client(), "supervisor")
    r = await _post(sup, f"/archive/deals/{f['deal']}/location", {"cabinet": "Z9"}, f"/archive/deals/{f['deal']}")
    assert r.status_code == 400 and "只有资料保管专员或合同专员可以办理" in r.text


async def test_an_original_is_lent_once_until_returned(new_client):
    f = await _file("TAL")
    keeper = await sign_in(await new_client(), "archive")
    page = f"/archive/deals/{f['deal']}"
    borrower, approver = await _emp("mortgage"), await _emp("supervisor")
    # not filed yet: cannot be lent
    r = await _post(keeper, f"{page}/lend", _lend_form("买卖合同原件", borrower=borrower, approver=approver), page)
    assert r.status_code == 400 and "原件尚未归档，不能借出" in r.text
    await _post(keeper, f"{page}/originals", {"name": "买卖合同原件", "filed": "1"}, page)
    r = await _post(keeper, f"{page}/lend", _lend_form("买卖合同原件", borrower=borrower, approver=approver), page)
    assert r.status_code == 303
    first = await DocumentLoan.select().where(DocumentLoan.deal == f["deal"]).first()
    assert first["status"] == "借出" and first["original"] is True and first["number"].startswith("JY-")
    held = await ArchiveOriginal.select().where((ArchiveOriginal.deal == f["deal"]) & (ArchiveOriginal.name == "买卖合同原件")).first()
    assert held["loan"] == first["id"]
    # lent again before return: refused, naming the open loan; nothing written
    r = await _post(keeper, f"{page}/lend", _lend_form("买卖合同原件", borrower=await _emp("bureau"), approver=approver), page)
    assert r.status_code == 400 and f"原件已借出（借阅单 {first['number']}" in r.text
    assert await DocumentLoan.count().where(DocumentLoan.deal == f["deal"]) == 1
    # a copy may be lent meanwhile
    r = await _post(keeper, f"{page}/lend", _lend_form("买卖合同原件", "复印件", borrower=await _emp("bureau"), approver=approver), page)
    assert r.status_code == 303
    # cannot take back the filing mark while lent
    r = await _post(keeper, f"{page}/originals", {"name": "买卖合同原件", "filed": "0"}, page)
    assert r.status_code == 400 and "正在借出" in r.text
    # return, then it may be lent again; a second return is refused
    r = await _post(keeper, f"/archive/loans/{first['id']}/return", {"next": page}, page)
    assert r.status_code == 303
    assert (await DocumentLoan.select().where(DocumentLoan.id == first["id"]).first())["status"] == "已归还"
    r = await _post(keeper, f"/archive/loans/{first['id']}/return", {"next": "https://evil.example/"}, page)
    assert r.status_code == 303 and r.headers["location"] == "/archive/loans"
    assert "该借阅已归还" in (await keeper.get("/archive/loans")).text
    r = await _post(keeper, f"{page}/lend", _lend_form("买卖合同原件", borrower=await _emp("title"), approver=await _emp("dept_head")), page)
    assert r.status_code == 303
    assert await AuditLog.count().where((AuditLog.action == "archive.lend") & (AuditLog.summary.like(f"%{f['code']}-HT%"))) == 3
    assert await AuditLog.exists().where((AuditLog.action == "archive.return") & (AuditLog.entity_id == str(first["id"])))


async def test_concurrent_lending_of_one_original_gives_one_loan():
    f = await _file("TAK")
    keeper = await _user("archive")
    await services.file_original(keeper, f["deal"], "认购书", True)
    approver = await _emp("dept_head")
    results = await asyncio.gather(*[services.lend(keeper, f["deal"], _lend_form("认购书", borrower=b, approver=approver))
                                     for b in [await _emp(u) for u in ("mortgage", "bureau", "title", "clerk", "sales")]],
                                   return_exceptions=True)
    ok = [r for r in results if isinstance(r, dict)]
    refused = [r for r in results if isinstance(r, services.ArchiveError)]
    assert len(ok) == 1 and len(refused) == 4, results
    assert await DocumentLoan.count().where(DocumentLoan.deal == f["deal"]) == 1


async def test_lend_form_messages(new_client):
    f = await _file("TAM")
    keeper = await sign_in(await new_client(), "archive")
    page = f"/archive/deals/{f['deal']}"
    sup = await _emp("supervisor")
    r = await _post(keeper, f"{page}/lend", {"item": "房产证", "kind": "借走", "borrower": "x", "approver": "", "reason": "", "due_on": "明天"}, page)
    assert r.status_code == 400
    for text in ("借阅资料的选项无效", "原件或复印件的选项无效", "借阅人应为整数", "请填写批准人", "请填写借阅事由", "格式应为"):
        assert text in r.text, text
    r = await _post(keeper, f"{page}/lend", _lend_form("认购书", borrower=await _emp("mortgage"), approver=await _emp("mortgage"),
                                                       due=today_local() - timedelta(days=1)), page)
    assert "批准人须为客服主管或客服副经理" in r.text and "不能早于今天" in r.text
    r = await _post(keeper, f"{page}/lend", _lend_form("认购书", borrower=sup, approver=sup, due=today_local() + timedelta(days=45)), page)
    assert "借阅人不能批准自己的借阅" in r.text and "借阅期限最长 30 天" in r.text
    sales = await sign_in(await new_client(), "sales")
    r = await _post(sales, f"/archive/deals/{(await Deal.select(Deal.id).where(Deal.project.code == 'JC01').first())['id']}/lend",
                    _lend_form("认购书", borrower=sup, approver=sup), "/archive")
    assert r.status_code == 400 and "只有资料保管专员或合同专员可以办理" in r.text


async def test_overdue_list_and_reminder_once_per_day(new_client):
    f = await _file("TAO")
    keeper = await _user("archive")
    await services.file_original(keeper, f["deal"], "购房审核单", True)
    clerk = await _emp("clerk")
    clerk_user = (await Employee.select(Employee.user).where(Employee.id == clerk).first())["user"]
    loan = await services.lend(keeper, f["deal"], _lend_form("购房审核单", borrower=clerk, approver=await _emp("supervisor")))
    await DocumentLoan.update({DocumentLoan.out_on: today_local() - timedelta(days=12), DocumentLoan.due_on: today_local() - timedelta(days=3)}).where(
        DocumentLoan.id == loan["id"])
    c = await sign_in(await new_client(), "archive")
    r = await c.get("/archive/loans")
    assert 'data-testid="overdue-loans"' in r.text and loan["number"] in r.text.split('data-testid="overdue-loans"')[1].split("</table>")[0]
    r = await c.get(f"/archive/loans?status=逾期&project={f['id']}")
    assert r.text.count('data-testid="row"') == 1 and "逾期" in r.text
    assert r.text.count('data-testid="row"') == 1
    assert (await c.get(f"/archive/loans?status=已归还&project={f['id']}")).text.count('data-testid="row"') == 0

    def mine():
        return Notification.count().where((Notification.user == clerk_user) & Notification.text.like(f"%{loan['number']}%"))

    today = today_local()
    sent = await remind.remind_once(today)
    assert sent >= 1 and await mine() == 1
    note = await Notification.select().where((Notification.user == clerk_user) & Notification.text.like(f"%{loan['number']}%")).first()
    assert "已逾期 3 天" in note["text"] and note["url"] == f"/archive/deals/{f['deal']}"
    assert await remind.remind_once(today) == 0  # the same day: nothing again
    assert await mine() == 1
    await remind.remind_once(today + timedelta(days=1))  # the next day: once more
    assert await mine() == 2
    await services.give_back(keeper, loan["id"])
    await remind.remind_once(today + timedelta(days=2))  # returned: no more reminders
    assert await mine() == 2


async def test_remind_command_runs():
    import subprocess
    import sys

    from tests.conftest import ROOT

    out = subprocess.run([sys.executable, "-m", "app.archive.remind"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "archive loan reminders sent:" in out.stdout


async def test_seeded_loans():
    assert await DocumentLoan.count() >= 5
    seeded = await DocumentLoan.select().order_by(DocumentLoan.id).limit(5)  # the seed's five, written first
    overdue = [s for s in seeded if s["status"] == "借出" and s["due_on"] < today_local()]
    assert len(overdue) == 2
    assert await ArchiveFile.count() > 0


async def test_loan_period_and_originals_are_admin_settings(new_client):
    """The document-loan limit (30 days) and the originals checklist come from the admin (PipelineSetting, ChecklistItem)."""
    from decimal import Decimal

    from app.pipeline.tables import ChecklistItem, PipelineSetting

    f = await _file("TAS")
    keeper = await sign_in(await new_client(), "archive")
    page = f"/archive/deals/{f['deal']}"
    key = PipelineSetting.key == "loan_max_days"
    await PipelineSetting.update({PipelineSetting.value: Decimal("5")}).where(key)
    extra = await ChecklistItem.insert(ChecklistItem(checklist="归档原件", name="补充协议原件", sort=99, active=True)).returning(ChecklistItem.id)
    try:
        r = await _post(keeper, f"{page}/lend", _lend_form("认购书", borrower=await _emp("mortgage"), approver=await _emp("supervisor"),
                                                           due=today_local() + timedelta(days=7)), page)
        assert r.status_code == 400 and "借阅期限最长 5 天" in r.text
        assert "补充协议原件" in (await keeper.get(page)).text
        info = (await services.completeness([f["deal"]]))[f["deal"]]
        assert info["originals_total"] == 6
    finally:
        await PipelineSetting.update({PipelineSetting.value: Decimal("30")}).where(key)
        await ChecklistItem.delete().where(ChecklistItem.id == extra[0]["id"])
