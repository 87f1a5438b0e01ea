"""合同登记进度日报表: figures generated in SQL from the records, checked by hand on a small project of its own;
weekly and monthly roll-ups are sums of the days; confirmation (合同专员/数据专员) and approval (客服主管) on the
engine, with the figures snapshotted at submission."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.timeutil import today_local
from app.ledgers import report, rules
from app.ledgers.tables import DailyReport
from app.workflow.tables import Request
from tests.conftest import sign_in
from tests.integration.ledgers.data import make_buyer, make_deal, make_project, pay
from tests.integration.workflow.helpers import approve_as, chain, status, submit

pytestmark = pytest.mark.integration

M = Decimal


async def _hand_checked_project(day):
    """Six deals around `day` (see the expected figures below); every unit is 100.00 ㎡."""
    p = await make_project("TRB", units=6, area="100.00")
    u = p["units"]
    b = await make_buyer("日报测试", 21)
    D = day
    await make_deal(p, u[0], b, subscribed_on=D, total_price=M("1000000.00"))  # A: subscribed today
    bb = await make_deal(p, u[1], b, subscribed_on=D - timedelta(days=10), signed_on=D, stage="已签约", total_price=M("2000000.00"),
                         payment_method="一次性", filing_status="待备案")  # B: signed today, lump sum
    await pay(bb, "定金", "50000.00", D - timedelta(days=10), "50000.00", D - timedelta(days=10))
    await pay(bb, "首付款", "1950000.00", D, "1950000.00", D)
    c = await make_deal(p, u[2], b, subscribed_on=D - timedelta(days=40), signed_on=D - timedelta(days=35), stage="已备案",
                        total_price=M("1000000.00"), payment_method="商贷", loan_amount=M("700000.00"), down_payment=M("300000.00"),
                        bank_submitted_on=D - timedelta(days=30), bank_approved_on=D - timedelta(days=25), registered_on=D - timedelta(days=5),
                        released_on=D, released_amount=M("700000.00"), mortgage_status="已放款", filing_status="已备案", filed_on=D)
    await pay(c, "首付款", "300000.00", D - timedelta(days=35), "300000.00", D - timedelta(days=35))
    await pay(c, "贷款", "700000.00", D + timedelta(days=20), "700000.00", D)
    await make_deal(p, u[3], b, subscribed_on=D - timedelta(days=50), signed_on=D - timedelta(days=45), stage="已签约",
                    total_price=M("900000.00"), payment_method="商贷", loan_amount=M("600000.00"), mortgage_status="资料收集中",
                    filing_status="待备案")  # E: filing overdue, mortgage documents
    await make_deal(p, u[4], b, subscribed_on=D - timedelta(days=20), signed_on=D - timedelta(days=20), stage="已作废",
                    total_price=M("1500000.00"), payment_method="分期", voided_on=D, filing_status="待备案")  # F: voided today
    await make_deal(p, u[5], b, subscribed_on=D - timedelta(days=3), signed_on=D - timedelta(days=2), stage="已签约",
                    total_price=M("1100000.00"), payment_method="商贷", loan_amount=M("500000.00"), bank_submitted_on=D - timedelta(days=1),
                    mortgage_status="银行审批中", filing_status="待备案")  # G: at the bank, filing within 30 days
    return p


EXPECTED = {
    "sub_n": 1, "sub_area": M("100.00"), "sub_amount": M("1000000.00"),
    "sub_n_cum": 6, "sub_area_cum": M("600.00"), "sub_amount_cum": M("7500000.00"),
    "sign_n": 1, "sign_area": M("100.00"), "sign_amount": M("2000000.00"),
    "sign_n_cum": 5, "sign_area_cum": M("500.00"), "sign_amount_cum": M("6500000.00"),
    "filed_n": 1, "filed_n_cum": 1, "backlog_n": 3, "backlog_overdue_n": 1,
    "col_down": M("0.00"), "col_lump": M("1950000.00"), "col_loan": M("700000.00"), "col_total": M("2650000.00"),
    "col_down_cum": M("300000.00"), "col_lump_cum": M("2000000.00"), "col_loan_cum": M("700000.00"), "col_total_cum": M("3000000.00"),
    "m_docs_n": 1, "m_docs_amt": M("600000.00"), "m_bank_n": 1, "m_bank_amt": M("500000.00"), "m_reg_n": 0, "m_reg_amt": M("0.00"),
    "m_rel_n": 1, "m_rel_amt": M("700000.00"), "m_rel_n_cum": 1, "m_rel_amt_cum": M("700000.00"),
    "void_n": 1, "void_n_cum": 1,
}


async def test_figures_match_the_records_by_hand():
    day = today_local() - timedelta(days=1)
    p = await _hand_checked_project(day)
    data = await report.generate([p["id"]], day, day)
    assert len(data["rows"]) == 1
    assert data["rows"][0]["figures"] == EXPECTED
    assert data["total"] == EXPECTED
    # the day before: nothing happened that day, the cumulative figures are smaller
    before = (await report.generate([p["id"]], day - timedelta(days=1), day - timedelta(days=1)))["rows"][0]["figures"]
    assert before["sub_n"] == 0 and before["sub_n_cum"] == 5 and before["sign_n_cum"] == 4 and before["void_n_cum"] == 0
    assert before["m_reg_n"] == 1 and before["m_rel_n_cum"] == 0 and before["backlog_n"] == 4  # C not yet filed, F not yet voided, B not yet signed


async def test_week_and_month_are_sums_of_their_days():
    day = today_local() - timedelta(days=1)
    p = await _hand_checked_project(day)
    for kind in ("week", "month"):
        start, end = rules.period_bounds(kind, day)
        period = (await report.generate([p["id"]], start, end))["rows"][0]["figures"]
        days = [(await report.generate([p["id"]], start + timedelta(days=i), start + timedelta(days=i)))["rows"][0]["figures"]
                for i in range((end - start).days + 1)]
        last = days[-1]
        for f in report.FIGURES:
            if f.flow:
                assert period[f.key] == sum((d[f.key] for d in days), type(period[f.key])(0)), (kind, f.key)
            else:
                assert period[f.key] == last[f.key], (kind, f.key)  # stock figures: as of the period end


async def test_report_page_shows_the_period(new_client):
    day = today_local() - timedelta(days=1)
    p = await _hand_checked_project(day)
    c = await sign_in(await new_client(), "supervisor")
    r = await c.get(f"/ledgers/report?period=day&date={day.isoformat()}&project={p['id']}")
    assert r.status_code == 200 and f'data-project="{p["code"]}"' in r.text
    assert '<td class="text-end" data-key="col_lump">¥1,950,000.00</td>' in r.text
    assert '<td class="text-end" data-key="backlog_overdue_n">1</td>' in r.text
    r = await c.get(f"/ledgers/report?period=month&date={day.isoformat()}&project={p['id']}")
    assert "月报" in r.text and f"{day.year} 年 {day.month} 月" in r.text
    r = await c.get("/ledgers/report?period=century&date=garbage&project=abc")
    assert r.status_code == 200 and "日报" in r.text
    contract = await sign_in(await new_client(), "contract")  # the test project is not in contract's scope: not shown, not chosen
    r = await contract.get(f"/ledgers/report?project={p['id']}")
    assert p["code"] not in r.text and 'data-project="JC01"' in r.text and 'data-project="JC02"' not in r.text


async def test_confirmed_by_data_officer_approved_by_supervisor_with_snapshot(new_client):
    day = today_local() - timedelta(days=1)
    p = await _hand_checked_project(day)
    data_officer = await sign_in(await new_client(), "data")
    preview = await data_officer.get(f"/ledgers/report/preview?project={p['id']}&report_date={day.isoformat()}", headers={"HX-Request": "true"})
    assert "¥1,950,000.00" in preview.text
    rid, r = await submit(data_officer, "daily_report", {"project": str(p["id"]), "report_date": day.isoformat()})
    assert rid, r.text[-1500:]
    req = await Request.select().where(Request.id == rid).first()
    assert req["number"].startswith("RB-") and req["status"] == "审批中" and await chain(rid) == ["supervisor"]
    snap = await DailyReport.select().where(DailyReport.request == rid).first()
    assert snap["project"] == p["id"] and snap["report_date"] == day
    stored = report.from_json(snap["snapshot"])["rows"][0]["figures"]
    assert stored == EXPECTED
    # the same project and day cannot be submitted twice while live
    rid2, r2 = await submit(data_officer, "daily_report", {"project": str(p["id"]), "report_date": day.isoformat()})
    assert rid2 == 0 and "的日报表已提交" in r2.text and req["number"] in r2.text
    # the records change after submission: the live report moves, the submitted one does not
    from app.pipeline.tables import Deal

    deal = await Deal.select(Deal.id).where(Deal.project == p["id"]).first()
    await pay(deal["id"], "房款", "123456.78", day, "123456.78", day)
    live = (await report.generate([p["id"]], day, day))["rows"][0]["figures"]
    assert live["col_total"] == EXPECTED["col_total"] + M("123456.78")
    r = await approve_as(new_client, rid, "supervisor", "数据已核对")
    assert r.status_code in (200, 303)
    assert await status(rid) == "已通过"
    sup = await sign_in(await new_client(), "supervisor")
    page = await sup.get(f"/workflow/requests/{rid}")
    assert 'data-testid="report-detail"' in page.text
    assert '<td class="text-end" data-key="col_total">¥2,650,000.00</td>' in page.text  # the snapshot, not the live ¥2,773,456.78
    assert "2,773,456.78" not in page.text
    listing = await sup.get(f"/ledgers/report?project={p['id']}")
    assert req["number"] in listing.text
    # sent on approval to the 客服副经理, 销售部 and 财务, who may open it
    from app.core.tables import Notification

    for username in ("dept_head", "sales_manager", "finance_manager"):
        assert await Notification.exists().where((Notification.user.username == username) & Notification.text.like(f"%{req['number']}%已审批通过%"))
        reader = await sign_in(await new_client(), username)
        assert (await reader.get(f"/workflow/requests/{rid}")).status_code == 200, username


async def test_who_may_submit_and_field_messages(new_client):
    day = today_local()
    p = await make_project("TRC", units=1)
    contract = await sign_in(await new_client(), "contract")
    rid, r = await submit(contract, "daily_report", {"project": str(p["id"]), "report_date": day.isoformat()})
    assert rid == 0 and "不在您的数据范围内" in r.text
    rid, r = await submit(contract, "daily_report", {"project": "", "report_date": (day + timedelta(days=1)).isoformat()})
    assert rid == 0 and "请填写项目" in r.text and "不能晚于今天" in r.text
    rid, r = await submit(contract, "daily_report", {"project": "abc", "report_date": "2026-02-30"})
    assert rid == 0 and "项目应为整数" in r.text and "格式应为" in r.text
    sales = await sign_in(await new_client(), "sales")
    rid, r = await submit(sales, "daily_report", {"project": str(p["id"]), "report_date": day.isoformat()})
    assert rid == 0 and r.status_code == 403  # the declaration (starters) refuses other positions
    # the contract officer of JC01 submits JC01's report for today; the supervisor is the one approver
    from app.estate.tables import Project

    jc01 = (await Project.select(Project.id).where(Project.code == "JC01").first())["id"]
    await DailyReport.delete().where((DailyReport.project == jc01) & (DailyReport.report_date == day))
    rid, r = await submit(contract, "daily_report", {"project": str(jc01), "report_date": day.isoformat()})
    assert rid, r.text[-1500:]
    assert await chain(rid) == ["supervisor"]
    from tests.integration.workflow.helpers import act, pending_task

    sup = await sign_in(await new_client(), "supervisor")
    await act(sup, await pending_task(rid, "supervisor"), "驳回", "数据有误，请核对后重报")
    assert await status(rid) == "已驳回"
    rid3, r = await submit(contract, "daily_report", {"project": str(jc01), "report_date": day.isoformat()})
    assert rid3, "a rejected report may be submitted again"
    from tests.conftest import csrf_token

    token = await csrf_token(contract, f"/workflow/requests/{rid3}")
    await contract.post(f"/workflow/requests/{rid3}/withdraw", data={"_csrf_token": token, "comment": "测试结束撤回"})
    assert await status(rid3) == "已撤回"
