"""资质升级 as a project with its checklist (SPEC §C 5.9) and 前期物业招标's twelve steps with 协议选聘 (SPEC §C2)."""
import itertools
from datetime import timedelta

import pytest

from app.core.tables import AuditLog
from app.core.timeutil import now, today_local
from app.org.tables import Company
from app.permits import rules
from app.permits.tables import Deadline, PropertyTender, Qualification, QualificationUpgrade, TenderStep, UpgradeItem
from tests.conftest import sign_in
from tests.integration.permits.helpers import HX, employee_id, make_project, post

pytestmark = pytest.mark.integration
_n = itertools.count(1)


def _id(response, kind: str) -> int:
    assert response.status_code == 303, response.text[-2500:]
    return int(response.headers["location"].rsplit("/", 1)[1])


async def _qualification(grade: str = "二级") -> int:
    company = (await Company.select(Company.id).first())["id"]
    today = today_local()
    row = Qualification(company=company, cert_no=f"TEST-ZZ-{next(_n):04d}", grade=grade, regime="延续制", issued_on=today - timedelta(days=700),
                        expires_on=today + timedelta(days=200), owner=await employee_id("bureau"), created_at=now(), updated_at=now())
    await row.save()
    return row.id


async def test_upgrade_runs_as_a_project_with_its_checklist(new_client):
    qid = await _qualification("二级")
    bureau = await sign_in(await new_client(), "bureau")
    today = today_local()
    assert (await bureau.get("/permits/upgrades")).status_code == 200
    assert "<html" not in (await bureau.get("/permits/upgrades", headers=HX)).text
    form = {"qualification": str(qid), "target_grade": "三级", "due_on": (today + timedelta(days=20)).isoformat(), "owner": str(await employee_id("bureau"))}
    r = await post(bureau, "/permits/upgrades/new", form)
    assert r.status_code == 400 and "目标等级应高于现有等级" in r.text and 'value="' in r.text
    uid = _id(await post(bureau, "/permits/upgrades/new", {**form, "target_grade": "一级"}), "upgrades")
    items = await UpgradeItem.select().where(UpgradeItem.upgrade == uid).order_by(UpgradeItem.sort)
    assert len(items) == len(rules.UPGRADE_CHECKLIST) and items[0]["name"] == rules.UPGRADE_CHECKLIST[0]
    assert await Deadline.exists().where((Deadline.kind == "upgrades") & (Deadline.record_id == uid) & (Deadline.done == False))  # noqa: E712
    overview = await bureau.get("/permits?kind=upgrades", headers=HX)  # the reminder is on 证件到期提醒, named in Chinese, linking here
    assert f'href="/permits/upgrades/{uid}"' in overview.text and "资质升级" in overview.text
    page = await bureau.get(f"/permits/upgrades/{uid}")
    assert page.status_code == 200 and f"已收 0 / {len(items)} 项" in page.text and 'data-testid="action-form-submit"' in page.text
    # submitting before every material is in is refused with the missing ones
    r = await post(bureau, f"/permits/upgrades/{uid}/act/submit", {"submitted_on": today.isoformat()})
    assert r.status_code == 400 and "申报材料尚缺" in r.text and items[0]["name"] in r.text
    r = await post(bureau, f"/permits/upgrades/{uid}/items/{items[0]['id']}", {"received_on": (today + timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "不能晚于今天" in r.text
    holder = str(await employee_id("bureau"))
    for i in items:
        r = await post(bureau, f"/permits/upgrades/{uid}/items/{i['id']}", {"received_on": today.isoformat(), "holder": holder, "document": f"{i['name']}扫描件"})
        assert r.status_code == 303, r.text[-1500:]
    assert not await UpgradeItem.exists().where((UpgradeItem.upgrade == uid) & UpgradeItem.received_on.is_null())
    # another position may read but not run it
    sales = await sign_in(await new_client(), "sales")
    assert (await sales.get(f"/permits/upgrades/{uid}")).status_code == 200
    assert (await post(sales, f"/permits/upgrades/{uid}/act/submit", {"submitted_on": today.isoformat()})).status_code == 403
    assert (await sales.get("/permits/upgrades/new")).status_code == 403
    # 准备中 → 已申报 → 审核中 → 已批准: the certificate's grade and expiry follow
    assert (await post(bureau, f"/permits/upgrades/{uid}/act/submit", {"submitted_on": today.isoformat()})).status_code == 303
    assert (await post(bureau, f"/permits/upgrades/{uid}/act/submit", {"submitted_on": today.isoformat()})).status_code == 409  # twice: refused
    assert (await post(bureau, f"/permits/upgrades/{uid}/act/review", {})).status_code == 303
    r = await post(bureau, f"/permits/upgrades/{uid}/act/approve", {"approved_on": today.isoformat(), "new_expires_on": today.isoformat()})
    assert r.status_code == 400 and "有效期应晚于批准日期" in r.text
    expires = today + timedelta(days=5 * 365)
    r = await post(bureau, f"/permits/upgrades/{uid}/act/approve", {"approved_on": today.isoformat(), "new_expires_on": expires.isoformat(),
                                                                     "new_cert_no": "TEST-ZZ-NEW"})
    assert r.status_code == 303, r.text[-1500:]
    up = await QualificationUpgrade.select().where(QualificationUpgrade.id == uid).first()
    assert up["status"] == "已批准"
    q = await Qualification.select().where(Qualification.id == qid).first()
    assert (q["grade"], q["expires_on"], q["cert_no"], q["issued_on"]) == ("一级", expires, "TEST-ZZ-NEW", today)
    expiry = await Deadline.select().where((Deadline.kind == "qualification") & (Deadline.record_id == qid) & (Deadline.item == "expiry")).first()
    assert expiry and expiry["due_on"] == expires
    assert await Deadline.exists().where((Deadline.kind == "upgrades") & (Deadline.record_id == uid) & (Deadline.done == True))  # noqa: E712
    assert await AuditLog.exists().where((AuditLog.action == "permits.upgrade_cert") & (AuditLog.entity_id == str(qid)))


async def _tender(client, area: str = "80000.00") -> int:
    p = await make_project({"A栋": ["可售"]}, scope_for=("supervisor",))
    r = await post(client, "/permits/tenders/new", {"project": str(p["project"]), "total_area": area,
                                                    "due_on": (today_local() + timedelta(days=90)).isoformat(), "owner": str(await employee_id("supervisor"))})
    return _id(r, "tenders")


async def test_the_twelve_steps_in_order(new_client):
    sup = await sign_in(await new_client(), "supervisor")
    tid = await _tender(sup)
    listing = await sup.get("/permits/tenders")
    assert listing.status_code == 200 and f'href="/permits/tenders/{tid}"' in listing.text
    frag = await sup.get("/permits/tenders?mode=公开招标", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and f'href="/permits/tenders/{tid}"' in frag.text
    other = await sign_in(await new_client(), "contract")  # 合同专员 of JC01: the test project is outside the scope
    assert f'href="/permits/tenders/{tid}"' not in (await other.get("/permits/tenders")).text
    assert (await other.get(f"/permits/tenders/{tid}")).status_code == 404
    steps = await TenderStep.select().where(TenderStep.tender == tid).order_by(TenderStep.seq)
    assert [s["step"] for s in steps] == list(rules.TENDER_STEPS) and len(steps) == 12
    page = await sup.get(f"/permits/tenders/{tid}")
    assert page.status_code == 200 and 'data-testid="step-form"' in page.text and "登记：资料接收" in page.text
    # a step other than the one in hand is refused; a date before the previous step's is refused; values are kept
    r = await post(sup, f"/permits/tenders/{tid}/step", {"step": "标书编制", "done_on": today_local().isoformat(), "party": "客服中心", "document": "标书"})
    assert r.status_code == 409 and "当前环节是「资料接收」" in r.text
    start = today_local() - timedelta(days=30)
    for i, step in enumerate(rules.TENDER_STEPS):
        data = {"step": step, "done_on": (start + timedelta(days=i)).isoformat(), "party": rules.TENDER_PARTY[step], "document": rules.TENDER_DOCUMENT[step]}
        if step == "中标备案":
            r = await post(sup, f"/permits/tenders/{tid}/step", data)
            assert r.status_code == 400 and "请填写中标物业公司" in r.text
            data["winner"] = "苏州某物业服务有限公司"
        if i == 3:
            r = await post(sup, f"/permits/tenders/{tid}/step", {**data, "done_on": (start - timedelta(days=1)).isoformat()})
            assert r.status_code == 400 and "不能早于上一环节的完成日期" in r.text and rules.TENDER_DOCUMENT[step] in r.text
        r = await post(sup, f"/permits/tenders/{tid}/step", data)
        assert r.status_code == 303, (step, r.text[-1500:])
        t = await PropertyTender.select(PropertyTender.status).where(PropertyTender.id == tid).first()
        assert t["status"] == (rules.TENDER_STEPS[i + 1] if i + 1 < 12 else rules.DONE)
    done = await TenderStep.select().where(TenderStep.tender == tid).order_by(TenderStep.seq)
    assert all(s["done_on"] and s["party"] and s["document"] for s in done)
    assert [s["done_on"] for s in done] == sorted(s["done_on"] for s in done)
    t = await PropertyTender.select().where(PropertyTender.id == tid).first()
    assert t["winner"] == "苏州某物业服务有限公司" and t["mode"] == "公开招标"
    assert await Deadline.exists().where((Deadline.kind == "tenders") & (Deadline.record_id == tid) & (Deadline.done == True))  # noqa: E712
    assert await AuditLog.count().where((AuditLog.action == "permits.tender_step") & (AuditLog.entity_id == str(tid))) == 12
    # only the 客服中心 runs it
    bureau = await sign_in(await new_client(), "bureau")
    assert (await bureau.get("/permits/tenders/new")).status_code == 403
    assert (await post(bureau, f"/permits/tenders/{tid}/step", {"step": "物业进驻"})).status_code == 403


async def test_direct_appointment_needs_few_bidders_or_a_small_estate_and_the_authority_approval(new_client):
    sup = await sign_in(await new_client(), "supervisor")
    tid = await _tender(sup, area="80000.00")
    approval = {"direct_authority": "苏州市姑苏区住房和建设局", "direct_approval_no": "姑住建〔2026〕88号", "direct_approved_on": today_local().isoformat()}
    r = await post(sup, f"/permits/tenders/{tid}/direct", {"direct_reason": "投标人不足", "bidders": "3", **approval})
    assert r.status_code == 400 and "不少于 3 个，应公开招标" in r.text
    r = await post(sup, f"/permits/tenders/{tid}/direct", {"direct_reason": "规模较小", **approval})
    assert r.status_code == 400 and "超过规模较小的标准" in r.text
    r = await post(sup, f"/permits/tenders/{tid}/direct", {"direct_reason": "投标人不足", "bidders": "2", "direct_authority": "", "direct_approval_no": "",
                                                           "direct_approved_on": ""})
    assert r.status_code == 400 and "请填写批准机关" in r.text and "请填写批准文号" in r.text and "请填写批准日期" in r.text
    r = await post(sup, f"/permits/tenders/{tid}/direct", {"direct_reason": "投标人不足", "bidders": "2", **approval, "direct_authority": "苏州市住房和建设局"})
    assert r.status_code == 400 and "区、县" in r.text  # a city bureau is not the district/county authority
    assert (await PropertyTender.select(PropertyTender.mode).where(PropertyTender.id == tid).first())["mode"] == "公开招标"
    # the first three steps, then 协议选聘 with two bidders and the district's approval: 招标公告 … 评标 are skipped
    start = today_local() - timedelta(days=10)
    for i, step in enumerate(rules.TENDER_STEPS[:3]):
        assert (await post(sup, f"/permits/tenders/{tid}/step", {"step": step, "done_on": (start + timedelta(days=i)).isoformat(), "party": "客服中心",
                                                                 "document": "文件"})).status_code == 303
    r = await post(sup, f"/permits/tenders/{tid}/direct", {"direct_reason": "投标人不足", "bidders": "2", **approval})
    assert r.status_code == 303, r.text[-1500:]
    t = await PropertyTender.select().where(PropertyTender.id == tid).first()
    assert (t["mode"], t["status"], t["bidders"], t["direct_approval_no"]) == ("协议选聘", "中标备案", 2, "姑住建〔2026〕88号")
    skipped = {s["step"] for s in await TenderStep.select(TenderStep.step).where((TenderStep.tender == tid) & (TenderStep.skipped == True))}  # noqa: E712
    assert skipped == set(rules.DIRECT_SKIPS)
    page = await sup.get(f"/permits/tenders/{tid}")
    assert "协议选聘·跳过" in page.text and 'data-testid="direct-approval"' in page.text and "登记：中标备案" in page.text
    assert 'data-testid="direct-form"' not in page.text  # chosen once
    r = await post(sup, f"/permits/tenders/{tid}/step", {"step": "招标公告", "done_on": today_local().isoformat(), "party": "品牌公关部", "document": "公告"})
    assert r.status_code == 409  # a skipped step cannot be registered
    r = await post(sup, f"/permits/tenders/{tid}/direct", {"direct_reason": "投标人不足", "bidders": "1", **approval})
    assert r.status_code == 409 and "已改为协议选聘" in r.text
    # a small estate (within the admin's limit) may go direct too, before the tender notice is out
    small = await _tender(sup, area="20000.00")
    r = await post(sup, f"/permits/tenders/{small}/direct", {"direct_reason": "规模较小", **approval})
    assert r.status_code == 303, r.text[-1500:]
    assert (await PropertyTender.select(PropertyTender.status).where(PropertyTender.id == small).first())["status"] == "资料接收"


async def test_bad_ids_are_field_messages_not_errors(new_client):
    sup = await sign_in(await new_client(), "supervisor")
    r = await post(sup, "/permits/tenders/new", {"project": "99999999999", "owner": "99999999999", "total_area": "abc"})
    assert r.status_code == 400 and 'data-testid="error-project"' in r.text and 'data-testid="error-owner"' in r.text
    r = await post(sup, "/permits/tenders/new", {"project": "", "owner": "2147483000"})
    assert r.status_code == 400 and "请选择在职员工" in r.text
    bureau = await sign_in(await new_client(), "bureau")
    r = await post(bureau, "/permits/upgrades/new", {"qualification": "99999999999", "target_grade": "一级", "owner": "1"})
    assert r.status_code == 400 and 'data-testid="error-qualification"' in r.text
    assert (await bureau.get("/permits/upgrades/2147483000")).status_code == 404
    assert (await sup.get("/permits/tenders/2147483000")).status_code == 404
    assert (await sup.get("/permits/tenders/99999999999")).status_code == 404
    assert (await bureau.get("/permits/upgrades/99999999999")).status_code == 404
