"""A6 交房 through its routes: each state only by its owner (客服主管; the 问题单's rectification by the 项目部), the notice
deadline, the maintenance fund before the keys, 拒收 → re-booking, 有条件交付 → 整改闭环, the late-delivery penalty, the
房屋验收 问题单 with photos through 整改 and 复验, the printed papers guarded by role and project."""
from datetime import timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.pipeline.tables import Deal, Defect, Instalment
from app.pipeline.tables_handover import InspectionDefect, InspectionPlan, KeyReceipt
from tests import samples
from tests.conftest import sign_in
from tests.integration.pipeline.test_pipeline import check_and_sign, post, subscribed

pytestmark = pytest.mark.integration
TODAY = today_local()


async def _signed(new_client, tag: str):
    unit, deal = await subscribed(new_client)
    page = await check_and_sign(new_client, unit, deal, f"{tag}-{deal['id']}")
    return unit, deal, page


async def _deal(deal_id: int) -> dict:
    return await Deal.select().where(Deal.id == deal_id).first()


async def _pay_fund(new_client, unit: dict) -> None:
    from app.permits.tables import MaintenanceFund

    fund = await MaintenanceFund.select(MaintenanceFund.id).where(MaintenanceFund.project == unit["project"]).first()
    bureau = await sign_in(await new_client(), "bureau")
    r = await post(bureau, f"/permits/fund/{fund['id']}/act/pay", {"unit": str(unit["id"]), "paid_on": TODAY.isoformat(), "receipt_no": f"HV-{unit['id']}"},
                   f"/permits/fund/{fund['id']}")
    assert r.status_code == 303, r.text[:1500]


async def _to_in_progress(sup, deal: dict, page: str) -> None:
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": TODAY.isoformat(), "handover_date": (TODAY + timedelta(days=20)).isoformat(),
                                                                              "tracking": "EMS1"}, page)).status_code == 303
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-book", {"appointment_on": TODAY.isoformat(), "appointment_time": "10:00"}, page)).status_code == 303
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-identify", {"identity_by": "本人", "checked": "1"}, page)).status_code == 303


async def test_states_by_their_owner_notice_deadline_and_fund_before_keys(new_client):
    unit, deal, page = await _signed(new_client, "HV1")
    sup = await sign_in(await new_client(), "supervisor")
    contract = await sign_in(await new_client(), "contract")
    # another position is refused, nothing written
    r = await post(contract, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": TODAY.isoformat()}, page)
    assert r.status_code == 400 and "您的岗位不能办理「交房」环节" in r.text
    assert (await _deal(deal["id"]))["handover_status"] == "待通知"
    # a notice too late for the chosen handover day (15 days by default): refused on the field, the values kept
    late_day = (TODAY + timedelta(days=10)).isoformat()
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": TODAY.isoformat(), "handover_date": late_day, "tracking": "EMS-9"}, page)
    assert r.status_code == 400 and "交房通知书须在交房日 15 天前发出" in r.text and 'data-testid="error-handover_date"' in r.text
    assert f'value="{late_day}"' in r.text and 'value="EMS-9"' in r.text
    assert (await _deal(deal["id"]))["handover_status"] == "待通知"
    day = TODAY + timedelta(days=15)  # exactly 15 days before: allowed
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": TODAY.isoformat(), "handover_date": day.isoformat(), "method": "EMS",
                                                                          "tracking": "EMS-1001", "sms": "1"}, page)
    assert r.status_code == 303, r.text[:1500]
    d = await _deal(deal["id"])
    assert (d["handover_status"], d["handover_date"], d["notice_tracking"], d["notice_sms"]) == ("已通知", day, "EMS-1001", True)
    # the queue shows the next state's task
    queue = await sup.get("/pipeline/queue")
    assert "预约交房" in queue.text
    # appointment: bad time keeps the values; then booked
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-book", {"appointment_on": TODAY.isoformat(), "appointment_time": "25:00"}, page)
    assert r.status_code == 400 and "请填写预约时间" in r.text
    assert (await post(contract, f"/pipeline/deals/{deal['id']}/handover-book", {"appointment_on": TODAY.isoformat(), "appointment_time": "10:00"},
                       page)).status_code == 400
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-book", {"appointment_on": TODAY.isoformat(), "appointment_time": "10:00",
                                                                        "notice_received_on": TODAY.isoformat()}, page)
    assert r.status_code == 303
    # the keys are refused before the identity check
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": TODAY.isoformat(), "surveyed_area": f"{unit['area_build']:.2f}", "keys_count": "2"}, page)
    assert r.status_code == 400 and "核验到场人身份" in r.text
    # identity: an agent needs a power of attorney on the deal; the documents must be checked
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-identify", {"identity_by": "代理人", "checked": "1"}, page)
    assert r.status_code == 400 and "没有登记代理人及委托书" in r.text
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-identify", {"identity_by": "本人"}, page)
    assert r.status_code == 400 and "请核对证件原件后勾选" in r.text
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-identify", {"identity_by": "本人", "checked": "1"}, page)).status_code == 303
    assert (await _deal(deal["id"]))["handover_status"] == "办理中"
    # the maintenance fund unpaid: no keys, nothing written
    form = await sup.get(page)
    assert "维修资金未缴" in form.text
    data = {"on": TODAY.isoformat(), "surveyed_area": f"{unit['area_build']:.2f}", "surveyed_inner_area": f"{unit['area_inner']:.2f}", "keys_count": "2"}
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", data, page)
    assert r.status_code == 400 and "维修资金尚未缴存" in r.text and f'value="{unit["area_build"]:.2f}"' in r.text
    assert (await _deal(deal["id"]))["handover_status"] == "办理中"
    await _pay_fund(new_client, unit)
    assert "维修资金已缴" in (await sup.get(page)).text
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", data, page)
    assert r.status_code == 303, r.text[:1500]
    d = await _deal(deal["id"])
    assert (d["handover_status"], d["stage"], d["handed_over_on"], d["late_days"]) == ("已交付", "已交付", TODAY, 0)
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.handover") & (AuditLog.entity_id == str(deal["id"])))
    timeline = (await sup.get(page)).text
    assert "EMS-1001" in timeline and "预约" in timeline and "本人到场" in timeline


async def test_printed_papers_are_guarded_and_audited(new_client):
    unit, deal, page = await _signed(new_client, "HV2")
    sup = await sign_in(await new_client(), "supervisor")
    assert (await sup.get(f"/pipeline/deals/{deal['id']}/print/notice")).status_code == 404  # not sent yet
    await _to_in_progress(sup, deal, page)
    await _pay_fund(new_client, unit)
    surveyed = (Decimal(unit["area_build"]) * Decimal("0.98")).quantize(Decimal("0.01"))
    inner = (Decimal(unit["area_inner"]) * Decimal("0.98")).quantize(Decimal("0.01"))
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": TODAY.isoformat(), "surveyed_area": f"{surveyed}", "surveyed_inner_area": f"{inner}",
                                                                   "keys_count": "2"}, page)
    assert r.status_code == 303, r.text[:1000]
    d = await _deal(deal["id"])
    for paper, text in (("notice", "交房通知书"), ("area", "面积补差通知书"), ("confirmation", "交付确认书")):
        r = await sup.get(f"/pipeline/deals/{deal['id']}/print/{paper}")
        assert r.status_code == 200 and text in r.text and 'data-testid="print-sheet"' in r.text, paper
        assert deal["buyer"] and "32050619850101" not in r.text  # the ID number masked
    area = (await sup.get(f"/pipeline/deals/{deal['id']}/print/area")).text
    assert "应退还您" in area and "元" in area and f"{abs(d['area_amount']):,.2f}" in area
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.print") & (AuditLog.entity_id == str(deal["id"])))
    # outside the project (JC02 only) and without the pipeline permission: refused
    other = await sign_in(await new_client(), "sales3")
    assert (await other.get(f"/pipeline/deals/{deal['id']}/print/notice")).status_code == 403
    hr = await sign_in(await new_client(), "hr")
    assert (await hr.get(f"/pipeline/deals/{deal['id']}/print/notice")).status_code == 403
    assert (await sup.get(f"/pipeline/deals/{deal['id']}/print/nothing")).status_code == 404


async def test_refusal_rebooking_conditional_handover_and_closure(new_client):
    unit, deal, page = await _signed(new_client, "HV3")
    sup = await sign_in(await new_client(), "supervisor")
    eng = await sign_in(await new_client(), "project_engineer")
    await _to_in_progress(sup, deal, page)
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-refuse", {"reason": ""}, page)
    assert r.status_code == 400 and "请填写拒收原因" in r.text
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-refuse", {"reason": "入户门变形", "defect": "入户门变形关不严"}, page)
    assert r.status_code == 303
    d = await _deal(deal["id"])
    assert d["handover_status"] == "拒收" and d["refusal_reason"] == "入户门变形"
    assert "业主拒收：入户门变形" in (await sup.get(page)).text
    # re-booked, identity checked again, fund paid; handed over with a rectification list → 有条件交付
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-book", {"appointment_on": TODAY.isoformat(), "appointment_time": "15:00"}, page)).status_code == 303
    assert (await _deal(deal["id"]))["handover_status"] == "已预约"
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-identify", {"identity_by": "本人", "checked": "1"}, page)).status_code == 303
    await _pay_fund(new_client, unit)
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": TODAY.isoformat(), "surveyed_area": f"{unit['area_build']:.2f}",
                                                                   "surveyed_inner_area": f"{unit['area_inner']:.2f}", "keys_count": "2",
                                                                   "defect": "厨房瓷砖空鼓"}, page)
    assert r.status_code == 303, r.text[:1000]
    d = await _deal(deal["id"])
    assert d["handover_status"] == "有条件交付" and d["stage"] == "已交付"
    defects = await Defect.select().where(Defect.deal == deal["id"]).order_by(Defect.id)
    assert [x["status"] for x in defects] == ["待整改", "待整改"]
    card = (await sup.get(page)).text
    assert 'data-testid="defects-card"' in card and "厨房瓷砖空鼓" in card
    for x in defects:
        url = f"/pipeline/defects/{x['id']}"
        assert (await post(sup, f"{url}/start", {}, url)).status_code == 403  # the 项目部 has it rectified
        assert (await post(eng, f"{url}/start", {"note": "施工单位进场"}, url)).status_code == 303
        assert (await post(eng, f"{url}/rectified", {"note": "已更换并验收"}, url)).status_code == 303
        assert (await post(eng, f"{url}/recheck", {"result": "通过"}, url)).status_code == 403  # the 复验 is the 客服中心's
        assert (await post(sup, f"{url}/recheck", {"result": "通过"}, url)).status_code == 303
        if x is not defects[-1]:
            assert (await _deal(deal["id"]))["handover_status"] == "有条件交付"
    assert (await _deal(deal["id"]))["handover_status"] == "整改闭环"
    assert await AuditLog.exists().where((AuditLog.action == "pipeline.handover.closed") & (AuditLog.entity_id == str(deal["id"])))


async def test_late_delivery_penalty_is_recorded_and_shown(new_client):
    unit, deal, page = await _signed(new_client, "HV4")
    sup = await sign_in(await new_client(), "supervisor")
    due = TODAY - timedelta(days=12)
    await Deal.update({Deal.delivery_due: due}).where(Deal.id == deal["id"])  # the contract's delivery date has passed
    await Instalment.update({Instalment.received: Instalment.amount_due}).where(Instalment.deal == deal["id"])  # what the buyer paid
    paid = sum(Decimal(i["amount_due"]) for i in await Instalment.select(Instalment.amount_due).where(Instalment.deal == deal["id"]))
    # the default handover day (the contract's, already past) leaves no notice period: refused
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": TODAY.isoformat()}, page)
    assert r.status_code == 400 and "15 天前发出" in r.text
    await _to_in_progress(sup, deal, page)
    await _pay_fund(new_client, unit)
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": TODAY.isoformat(), "surveyed_area": f"{unit['area_build']:.2f}",
                                                                   "surveyed_inner_area": f"{unit['area_inner']:.2f}", "keys_count": "2"}, page)
    assert r.status_code == 303, r.text[:1000]
    d = await _deal(deal["id"])
    expected = (paid * Decimal("0.05") / 100 * 12).quantize(Decimal("0.01"))
    assert d["late_days"] == 12 and d["late_penalty"] == expected and expected > 0
    text = (await sup.get(page)).text
    assert "逾期交付 12 天" in text and f"{expected:,.2f}" in text


async def test_inspection_defect_with_photo_through_rectification_and_recheck(new_client):
    sup = await sign_in(await new_client(), "supervisor")
    eng = await sign_in(await new_client(), "project_engineer")
    unit, deal, page = await _signed(new_client, "HV5")
    building = (await Unit.select(Unit.building).where(Unit.id == unit["id"]).first())["building"]
    plan = {"building": str(building), "starts_on": TODAY.isoformat(), "ends_on": (TODAY - timedelta(days=1)).isoformat(), "units_note": "全部",
            "project_dept": "项目部 王工", "supervisor_co": "监理公司", "contractor": "施工一公司"}
    r = await post(sup, "/pipeline/inspections", plan, "/pipeline/inspections")
    assert r.status_code == 400 and "结束日期不能早于开始日期" in r.text and 'value="项目部 王工"' in r.text
    assert (await post(eng, "/pipeline/inspections", {**plan, "ends_on": TODAY.isoformat()}, "/pipeline/inspections")).status_code == 403
    r = await post(sup, "/pipeline/inspections", {**plan, "ends_on": TODAY.isoformat()}, "/pipeline/inspections")
    assert r.status_code == 303
    pid = (await InspectionPlan.select(InspectionPlan.id).order_by(InspectionPlan.id, ascending=False).first())["id"]
    purl = f"/pipeline/inspections/{pid}"
    assert "施工一公司" in (await eng.get(purl)).text and "施工一公司" in (await sup.get("/pipeline/inspections")).text
    issue = {"unit": str(unit["id"]), "location": "主卧窗台", "category": "门窗", "contractor": "施工一公司", "due_on": (TODAY + timedelta(days=7)).isoformat(),
             "description": "打胶开裂"}
    r = await post(sup, f"{purl}/issues", {**issue, "due_on": (TODAY - timedelta(days=1)).isoformat()}, purl)
    assert r.status_code == 400 and "整改期限不能早于今天" in r.text and 'value="主卧窗台"' in r.text
    assert (await post(sup, f"{purl}/issues", issue, purl)).status_code == 303
    iid = (await InspectionDefect.select(InspectionDefect.id).where(InspectionDefect.plan == pid).first())["id"]
    url = f"/pipeline/issues/{iid}"
    # a photo of the defect (attachments owner pl_issue)
    from tests.conftest import csrf_token

    token = await csrf_token(sup, url)
    r = await sup.post(f"/attachments/pl_issue/{iid}", data={"_csrf_token": token}, files=[("files", ("窗台.png", samples.png(), "image/png"))])
    assert r.status_code in (200, 303), r.text[:500]
    assert "窗台" in (await eng.get(url)).text
    # the keys from the contractor
    assert (await post(sup, f"{purl}/keys", {"unit": str(unit["id"]), "keys_count": "3", "received_on": TODAY.isoformat()}, purl)).status_code == 303
    assert await KeyReceipt.exists().where(KeyReceipt.unit == unit["id"])
    # while the 问题单 is open the unit is handed over only with a rectification list
    await _to_in_progress(sup, deal, page)
    await _pay_fund(new_client, unit)
    data = {"on": TODAY.isoformat(), "surveyed_area": f"{unit['area_build']:.2f}", "surveyed_inner_area": f"{unit['area_inner']:.2f}", "keys_count": "3"}
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", data, page)
    assert r.status_code == 400 and "1 张房屋验收问题单未通过复验" in r.text
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover", {**data, "defect": "主卧窗台打胶"}, page)).status_code == 303
    assert (await _deal(deal["id"]))["handover_status"] == "有条件交付"
    # 整改 by the 项目部, 复验 by the 客服中心: a failed 复验 goes back to 整改中
    assert (await post(sup, f"{url}/start", {}, url)).status_code == 403
    assert (await post(eng, f"{url}/start", {}, url)).status_code == 303
    r = await post(eng, f"{url}/rectified", {"note": ""}, url)
    assert r.status_code == 400 and "请填写整改情况及项目部/监理验收意见" in r.text
    assert (await post(eng, f"{url}/rectified", {"note": "重新打胶，监理已验收"}, url)).status_code == 303
    r = await post(sup, f"{url}/recheck", {"result": "不通过"}, url)
    assert r.status_code == 400 and "请填写复验意见" in r.text
    assert (await post(sup, f"{url}/recheck", {"result": "不通过", "note": "仍有缝隙"}, url)).status_code == 303
    assert (await InspectionDefect.select(InspectionDefect.status).where(InspectionDefect.id == iid).first())["status"] == "整改中"
    assert (await post(eng, f"{url}/rectified", {"note": "补胶"}, url)).status_code == 303
    assert (await post(sup, f"{url}/recheck", {"result": "通过"}, url)).status_code == 303
    assert (await InspectionDefect.select(InspectionDefect.status).where(InspectionDefect.id == iid).first())["status"] == "已通过"
    # the handover's 整改单 still open: not yet closed
    assert (await _deal(deal["id"]))["handover_status"] == "有条件交付"
    # someone outside the project sees neither the plan nor the 问题单
    other = await sign_in(await new_client(), "contract2")
    if unit["project"] != (await Unit.select(Unit.project).where(Unit.project.code == "JC02").first())["project"]:
        assert (await other.get(url)).status_code == 403 and (await other.get(purl)).status_code == 403


async def test_handover_reminders_go_to_their_owners(running_app):
    from app.pipeline.remind import remind_once

    await remind_once()
    # the demo: a 问题单 past its promised date (项目部), an appointment booked with its fund unpaid (房管局专员)
    texts = [r["text"] for r in await Notification.select(Notification.text, Notification.user.username).where(
        Notification.kind == "pipeline") if r["user.username"] in ("project_engineer", "bureau")]
    assert any("房屋验收问题单" in t and "已过整改期限" in t for t in texts), texts[:5]
    assert any("维修资金未缴" in t for t in texts), texts[:5]


async def test_surveyed_areas_area_table_and_the_bulletin_approval_chain(new_client):
    from tests.integration.workflow.helpers import approve_as, chain, status, submit

    unit, deal, page = await _signed(new_client, "HV6")
    building = (await Unit.select(Unit.building).where(Unit.id == unit["id"]).first())["building"]
    url = f"/pipeline/buildings/{building}/areas"
    sup = await sign_in(await new_client(), "supervisor")
    eng = await sign_in(await new_client(), "project_engineer")
    assert (await sup.get(url)).status_code == 200 and (await eng.get(url)).status_code == 200
    ub, ui = f"area_build_{unit['id']}", f"area_inner_{unit['id']}"
    r = await post(sup, url, {ub: "abc"}, url)
    assert r.status_code == 400 and "确权建筑面积应为大于 0 的数字" in r.text and 'value="abc"' in r.text
    assert (await post(eng, url, {ub: "90"}, url)).status_code == 403  # the 项目部 provides the report, the 客服中心 enters it
    build = (Decimal(unit["area_build"]) * Decimal("1.02")).quantize(Decimal("0.01"))
    inner = (Decimal(unit["area_inner"]) * Decimal("1.02")).quantize(Decimal("0.01"))
    assert (await post(sup, url, {ub: f"{build}", ui: f"{inner}"}, url)).status_code == 303
    table = (await sup.get(url)).text
    assert f'value="{build}"' in table and f'value="{inner}"' in table and "¥" in table  # the ratio and amount computed
    # the 交房公告 with the table: started only by the 客服主管, approved by 客服副经理 → 总经理
    day = TODAY + timedelta(days=40)
    data = {"building": str(building), "handover_on": day.isoformat(), "text": "各位业主：本楼栋定于公告日期起交房。"}
    contract = await sign_in(await new_client(), "contract")
    assert (await contract.get("/workflow/new/handover_bulletin")).status_code == 403
    rid, r = await submit(sup, "handover_bulletin", {**data, "handover_on": TODAY.isoformat()})
    assert rid == 0 and "交房日期应晚于今天" in r.text
    rid, r = await submit(sup, "handover_bulletin", data)
    assert rid, r.text[:1500]
    assert await chain(rid) == ["dept_head", "gm"]
    req_page = await sup.get(f"/workflow/requests/{rid}")
    assert 'data-testid="area-table"' in req_page.text and f"{build}" in req_page.text
    assert (await approve_as(new_client, rid, "dept_head")).status_code in (200, 303)
    assert await status(rid) == "审批中"
    assert (await Deal.select(Deal.handover_date).where(Deal.id == deal["id"]).first())["handover_date"] is None
    assert (await approve_as(new_client, rid, "gm")).status_code in (200, 303)
    assert await status(rid) == "已通过"
    assert (await Deal.select(Deal.handover_date).where(Deal.id == deal["id"]).first())["handover_date"] == day
    # the notice defaults to the bulletin's day; the handover day uses the 确权面积 when the fields are left blank
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-notice", {"on": TODAY.isoformat()}, page)).status_code == 303
    assert (await _deal(deal["id"]))["handover_date"] == day
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-book", {"appointment_on": TODAY.isoformat(), "appointment_time": "10:00"}, page)).status_code == 303
    assert (await post(sup, f"/pipeline/deals/{deal['id']}/handover-identify", {"identity_by": "本人", "checked": "1"}, page)).status_code == 303
    await _pay_fund(new_client, unit)
    assert "已录入确权面积" in (await sup.get(page)).text
    r = await post(sup, f"/pipeline/deals/{deal['id']}/handover", {"on": TODAY.isoformat(), "keys_count": "2"}, page)
    assert r.status_code == 303, r.text[:1500]
    d = await _deal(deal["id"])
    assert d["surveyed_area"] == build and d["area_amount"] > 0
