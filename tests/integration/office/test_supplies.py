"""E1 办公用品申购/领用 through the real routes: chains, stock in on purchase approval, stock out on requisition
approval (never below zero, even when two approvals race), durable items on the holder's name, bad input."""
import asyncio
import re
from decimal import Decimal

import pytest

from app.core.tables import AuditLog
from app.office.tables import DurableHolding, IssueLine, PurchaseLine, StockEntry, StockItem
from app.workflow.tables import Request
from tests.conftest import csrf_token, sign_in
from tests.integration.office.helpers import issue_form, make_item, purchase_form, quantity
from tests.integration.workflow.helpers import act, approve_as, chain, pending_task, status, submit

pytestmark = pytest.mark.integration


async def test_purchase_approval_stocks_in_existing_and_new_items(new_client):
    item = await make_item(10)
    applicant = await sign_in(await new_client(), "data")
    data = purchase_form([
        {"item": item["id"], "qty": "5", "price": "12.50"},
        {"name": "测试新物品·标签机", "spec": "PT-18", "unit": "台", "durable": "1", "qty": "2", "price": "199.99"},
    ])
    rid, r = await submit(applicant, "supplies_purchase", data)
    assert rid, r.text[-3000:]
    assert await chain(rid) == ["dept_head", "admin_staff"]
    req = await Request.select(Request.amount, Request.number).where(Request.id == rid).first()
    assert req["amount"] == Decimal("462.48") and req["number"].startswith("SG-")
    lines = await PurchaseLine.select(PurchaseLine.amount, PurchaseLine.item).where(PurchaseLine.request == rid).order_by(PurchaseLine.line_no)
    assert [ln["amount"] for ln in lines] == [Decimal("62.50"), Decimal("399.98")] and lines[1]["item"] is None
    page = await applicant.get(f"/workflow/requests/{rid}")
    assert "新物品" in page.text and "¥462.48" in page.text
    printed = await applicant.get(f"/workflow/requests/{rid}/print")
    assert printed.status_code == 200 and "肆佰陆拾贰元肆角捌分" in printed.text
    assert (await approve_as(new_client, rid, "dept_head")).status_code == 303
    assert await quantity(item["id"]) == 10  # nothing moves before the last approval
    assert (await approve_as(new_client, rid, "admin_staff")).status_code == 303
    assert await status(rid) == "已通过"
    assert await quantity(item["id"]) == 15
    new = await StockItem.select().where(StockItem.name == "测试新物品·标签机").first()
    assert new and new["quantity"] == 2 and new["durable"] and new["unit"] == "台"
    assert (await PurchaseLine.select(PurchaseLine.item).where((PurchaseLine.request == rid) & (PurchaseLine.line_no == 2)).first())["item"] == new["id"]
    entries = await StockEntry.select().where(StockEntry.request == rid).order_by(StockEntry.id)
    assert [(e["kind"], e["qty_in"], e["balance"]) for e in entries] == [("申购入库", 5, 15), ("申购入库", 2, 2)]
    assert await AuditLog.count().where((AuditLog.action == "office.stock_in") & (AuditLog.summary.like(f"%{req['number']}%"))) == 2
    assert await AuditLog.exists().where((AuditLog.action == "office.item_create") & (AuditLog.entity_id == str(new["id"])))
    ledger = await applicant.get(f"/office/items/{item['id']}")
    assert ledger.status_code == 200 and req["number"] in ledger.text and "申购入库" in ledger.text


async def test_purchase_threshold_and_over_budget_add_the_vp(new_client):
    applicant = await sign_in(await new_client(), "title")
    item = await make_item(0)
    rid, r = await submit(applicant, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "1", "price": "1999.99"}]))
    assert rid, r.text[-2000:]
    assert await chain(rid) == ["dept_head", "admin_staff"]
    rid, _ = await submit(applicant, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "4", "price": "500.00"}]))
    assert await chain(rid) == ["dept_head", "vp", "admin_staff"]  # 2,000.00 exactly: "X以上" includes X
    rid, _ = await submit(applicant, "supplies_purchase", purchase_form([{"item": item["id"], "qty": "1", "price": "10.00"}], over_budget="1"))
    assert await chain(rid) == ["dept_head", "vp", "admin_staff"]


async def test_purchase_bad_input_is_refused_per_line_with_values_kept(new_client):
    item = await make_item(3)
    applicant = await sign_in(await new_client(), "archive")
    before = await Request.count()
    data = purchase_form([
        {"item": item["id"], "qty": "abc", "price": "1.234"},
        {"item": "999999", "qty": "-1", "price": "5"},
        {"name": "测试无单位物品", "qty": "0", "price": "0"},
        {"item": item["id"], "qty": "1.5", "price": "-3"},
        {"qty": "2", "price": "1"},
    ], budget_line="", purpose="")
    token = await csrf_token(applicant, "/workflow/new/supplies_purchase")
    r = await applicant.post("/workflow/new/supplies_purchase", data={**data, "_csrf_token": token})
    assert r.status_code == 400
    errors = dict(re.findall(r'data-testid="error-([a-z_0-9]+)">([^<]+)<', r.text))
    assert errors["purpose"] == "请填写申购用途" and errors["budget_line"] == "请填写预算科目"
    assert errors["line_qty_0"] == "数量应为整数" and errors["line_price_0"] == "最多保留两位小数"
    assert errors["line_item_1"] == "所选物品不存在或已停用，请重新选择" and errors["line_qty_1"] == "数量不能小于 1"
    assert errors["line_unit_2"] == "请填写单位" and errors["line_qty_2"] == "数量不能小于 1" and errors["line_price_2"] == "必须大于 0"
    assert errors["line_item_3"] == "与第 1 行物品重复，请合并数量" and errors["line_qty_3"] == "数量应为整数"
    assert errors["line_price_3"] == "不能为负数"
    assert errors["line_item_4"] == "请选择库存物品，或填写新物品名称"
    assert 'value="abc"' in r.text and 'value="1.234"' in r.text and 'value="测试无单位物品"' in r.text  # what was typed is kept
    assert f'<option value="{item["id"]}" selected' in r.text
    assert await Request.count() == before
    # an existing item typed as new is pointed to the list; nothing at all is refused
    existing = await StockItem.select(StockItem.name, StockItem.spec).where(StockItem.id == item["id"]).first()
    r = await applicant.post("/workflow/new/supplies_purchase", data={**purchase_form(
        [{"name": existing["name"], "spec": existing["spec"], "unit": "个", "qty": "1", "price": "1"}]), "_csrf_token": token})
    assert r.status_code == 400 and "已在库存物品中，请直接从下拉列表选择" in r.text
    r = await applicant.post("/workflow/new/supplies_purchase", data={**purchase_form([{}]), "_csrf_token": token})
    assert r.status_code == 400 and "请至少填写一行申购物品" in r.text
    assert await Request.count() == before


async def test_requisition_above_stock_is_refused_with_form_kept_and_nothing_written(new_client):
    item = await make_item(4)
    applicant = await sign_in(await new_client(), "clerk")
    before_requests, before_lines = await Request.count(), await IssueLine.count()
    token = await csrf_token(applicant, "/workflow/new/supplies_issue")
    r = await applicant.post("/workflow/new/supplies_issue", data={**issue_form([(item["id"], 5)], purpose="前台接待用"), "_csrf_token": token})
    assert r.status_code == 400
    assert 'data-testid="error-line_qty_0">超出库存：' in r.text and "当前库存 4 个" in r.text
    assert 'value="5"' in r.text and f'<option value="{item["id"]}" selected' in r.text and "前台接待用" in r.text
    assert await Request.count() == before_requests and await IssueLine.count() == before_lines
    assert await quantity(item["id"]) == 4
    for qty, message in (("x", "数量应为整数"), ("0", "数量不能小于 1"), ("", "请填写数量")):
        r = await applicant.post("/workflow/new/supplies_issue", data={**issue_form([(item["id"], qty)]), "_csrf_token": token})
        assert r.status_code == 400 and f'data-testid="error-line_qty_0">{message}<' in r.text
    r = await applicant.post("/workflow/new/supplies_issue", data={"purpose": "x", "line_item": ["abc"], "line_qty": ["1"], "_csrf_token": token})
    assert r.status_code == 400 and "所选物品不存在或已停用" in r.text
    assert await Request.count() == before_requests


async def test_requisition_approval_stocks_out_and_durables_go_on_the_holders_name(new_client):
    paper = await make_item(20)
    calc = await make_item(3, durable=True, name="测试计算器")
    applicant = await sign_in(await new_client(), "contract2")
    rid, r = await submit(applicant, "supplies_issue", issue_form([(paper["id"], 6), (calc["id"], 1)]))
    assert rid, r.text[-2000:]
    assert await chain(rid) == ["supervisor", "admin_staff"]
    printed = await applicant.get(f"/workflow/requests/{rid}/print")
    assert printed.status_code == 200 and paper["name"] in printed.text
    assert (await approve_as(new_client, rid, "supervisor")).status_code == 303
    assert (await approve_as(new_client, rid, "admin_staff")).status_code == 303
    assert await status(rid) == "已通过"
    assert await quantity(paper["id"]) == 14 and await quantity(calc["id"]) == 2
    out = await StockEntry.select(StockEntry.kind, StockEntry.qty_out, StockEntry.balance, StockEntry.person.name, StockEntry.actor_name).where(
        StockEntry.request == rid).order_by(StockEntry.id)
    assert [(e["kind"], e["qty_out"], e["balance"]) for e in out] == [("领用出库", 6, 14), ("领用出库", 1, 2)]
    holding = await DurableHolding.select().where(DurableHolding.request == rid)
    assert len(holding) == 1 and holding[0]["item"] == calc["id"] and holding[0]["qty"] == 1 and not holding[0]["returned"]
    mine = await applicant.get("/office/my-durables")
    assert mine.status_code == 200 and calc["name"] in mine.text and paper["name"] not in mine.text
    other = await sign_in(await new_client(), "data")
    assert calc["name"] not in (await other.get("/office/my-durables")).text
    # 行政 takes it back: stock in again, the holding closed
    staff = await sign_in(await new_client(), "admin_staff")
    token = await csrf_token(staff, f"/office/durables/{holding[0]['id']}")
    r = await staff.post(f"/office/durables/{holding[0]['id']}/return", data={"_csrf_token": token})
    assert r.status_code == 303
    assert await quantity(calc["id"]) == 3
    assert (await DurableHolding.select(DurableHolding.returned).where(DurableHolding.id == holding[0]["id"]).first())["returned"]
    r = await staff.post(f"/office/durables/{holding[0]['id']}/return", data={"_csrf_token": token})
    assert r.status_code == 303 and await quantity(calc["id"]) == 3  # a second click changes nothing
    assert await AuditLog.exists().where((AuditLog.action == "office.durable_return") & (AuditLog.entity_id == str(holding[0]["id"])))


async def test_stock_never_negative_when_two_approvals_race(new_client):
    item = await make_item(5)
    a = await sign_in(await new_client(), "reception")
    b = await sign_in(await new_client(), "reception2")
    r1, _ = await submit(a, "supplies_issue", issue_form([(item["id"], 3)]))
    r2, _ = await submit(b, "supplies_issue", issue_form([(item["id"], 3)]))
    assert r1 and r2
    for rid in (r1, r2):
        assert (await approve_as(new_client, rid, "supervisor")).status_code == 303
    c1 = await sign_in(await new_client(), "admin_staff")
    c2 = await sign_in(await new_client(), "admin_staff2")
    t1, t2 = await pending_task(r1, "admin_staff"), await pending_task(r2, "admin_staff2")
    tok1, tok2 = await csrf_token(c1, "/workflow"), await csrf_token(c2, "/workflow")
    res = await asyncio.gather(
        c1.post(f"/workflow/tasks/{t1}/act", data={"action": "同意", "comment": "", "_csrf_token": tok1}),
        c2.post(f"/workflow/tasks/{t2}/act", data={"action": "同意", "comment": "", "_csrf_token": tok2}),
    )
    codes = sorted(r.status_code for r in res)
    assert codes == [303, 400], codes
    refused = next(r for r in res if r.status_code == 400)
    assert "库存不足" in refused.text and "当前库存 2 个" in refused.text
    assert await quantity(item["id"]) == 2
    assert sorted([await status(r1), await status(r2)]) == ["审批中", "已通过"]
    assert await StockEntry.count().where((StockEntry.item == item["id"]) & (StockEntry.kind == "领用出库")) == 1
    # the refused one can still be rejected by 行政 (nothing half-written)
    loser = r1 if await status(r1) == "审批中" else r2
    who = "admin_staff" if loser == r1 else "admin_staff2"
    tid = await pending_task(loser, who)
    r = await act(c1 if loser == r1 else c2, tid, "驳回", "库存不足，下月再领")
    assert r.status_code == 303 and await status(loser) == "已驳回"


async def test_issue_chain_for_the_supervisor_goes_to_the_head(new_client):
    item = await make_item(2)
    sup = await sign_in(await new_client(), "supervisor")
    rid, r = await submit(sup, "supplies_issue", issue_form([(item["id"], 1)]))
    assert rid, r.text[-2000:]
    steps = await chain(rid)
    assert steps == ["supervisor", "admin_staff"] and await pending_task(rid, "dept_head")  # self-approval guard: up one level


async def test_the_database_refuses_a_negative_stock_whatever_the_code_path():
    item = await make_item(1)
    with pytest.raises(Exception):
        await StockItem.update({StockItem.quantity: StockItem.quantity - 2}).where(StockItem.id == item["id"])
    assert await quantity(item["id"]) == 1
