"""证件及手续 through the real routes on the real database: presale issuance releasing units, transitions refused,
reminders once per threshold, bad input refused with nothing written, pages and fragments, allowed and denied roles."""
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.tables import AuditLog, Notification
from app.core.timeutil import today_local
from app.estate.tables import Unit
from app.permits import remind, services
from app.permits.kinds import KINDS
from app.permits.tables import (
    Deadline,
    FundPayment,
    LoanAgreement,
    MaintenanceFund,
    OverseasFiling,
    PresaleBuilding,
    PresalePermit,
    Qualification,
    ReminderLog,
    ScaleApproval,
)
from tests.conftest import sign_in
from tests.integration.permits.helpers import HX, created_id, employee_id, make_project, post, presale_form, statuses

pytestmark = pytest.mark.integration

LIST_PAGES = ["presale", "scale", "qualification", "fund", "mortgage", "agreement", "overseas"]


async def first_id(table, **where) -> int:
    q = table.select(table.id)
    for k, v in where.items():
        q = q.where(getattr(table, k) == v)
    return (await q.order_by(table.id).first())["id"]


async def audit_rows(entity: str, record_id: int, action: str | None = None) -> list[dict]:
    q = AuditLog.select().where((AuditLog.entity == entity) & (AuditLog.entity_id == str(record_id)))
    if action:
        q = q.where(AuditLog.action == action)
    return await q


async def new_presale(client, units: dict[str, list[str]], cover: list[str]) -> tuple[int, dict]:
    p = await make_project(units)
    owner = await employee_id("bureau")
    r = await post(client, "/permits/presale/new", presale_form(p["project"], [p["buildings"][b] for b in cover], owner))
    return created_id(r, "presale"), p


# ------------------------------------------------------------------ pages and fragments


async def test_overview_lists_deadlines_soonest_first_with_fragment(new_client):
    c = await sign_in(await new_client(), "dept_head")
    r = await c.get("/permits")
    assert r.status_code == 200 and "证件到期提醒" in r.text and 'data-testid="deadline-link"' in r.text
    assert 'data-testid="units-saleable-JC01"' in r.text and 'data-testid="count-overdue"' in r.text
    # due dates ascending, straight from SQL
    frag = await c.get("/permits?per_page=100", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and 'id="deadline-list"' in frag.text
    rows = await Deadline.select(Deadline.due_on).where(Deadline.done == False).order_by(Deadline.due_on)  # noqa: E712
    shown = [d for d in frag.text.split('data-testid="row"')[1:]]
    assert len(shown) == min(100, len(rows))
    first_due = rows[0]["due_on"].isoformat()
    assert first_due in shown[0]
    # filters: kind and window
    only = await c.get("/permits?kind=qualification", headers=HX)
    assert "资质证书" in only.text and "公积金项目备案" not in only.text
    soon = await c.get("/permits?window=overdue", headers=HX)
    assert soon.status_code == 200


@pytest.mark.parametrize("kind", LIST_PAGES)
async def test_each_register_list_page_and_fragment(new_client, kind):
    c = await sign_in(await new_client(), "dept_head")
    r = await c.get(f"/permits/{kind}")
    assert r.status_code == 200 and KINDS[kind].name in r.text and 'data-testid="new-record"' in r.text
    assert 'data-testid="record-link"' in r.text, kind
    frag = await c.get(f"/permits/{kind}?sort=owner.name&page=3", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text
    first = await first_id(KINDS[kind].table)
    d = await c.get(f"/permits/{kind}/{first}")
    assert d.status_code == 200 and 'data-testid="record-detail"' in d.text and 'data-testid="history"' in d.text
    assert d.text.count('method="post"') == d.text.count('name="_csrf_token"')  # every form that posts carries the token
    dfrag = await c.get(f"/permits/{kind}/{first}", headers=HX)
    assert dfrag.status_code == 200 and "<html" not in dfrag.text
    assert ('id="fund-units"' if kind == "fund" else 'id="permit-panel"') in dfrag.text
    e = await c.get(f"/permits/{kind}/{first}/edit")
    assert e.status_code == 200 and 'data-testid="permit-form"' in e.text
    assert e.text.count('method="post"') == e.text.count('name="_csrf_token"') == 2
    n = await c.get(f"/permits/{kind}/new")
    assert n.status_code == 200 and 'data-testid="form-submit"' in n.text


async def test_unknown_kind_and_record_are_404_and_junk_params_are_harmless(new_client):
    c = await sign_in(await new_client(), "bureau")
    assert (await c.get("/permits/nothing")).status_code == 404
    assert (await c.get("/permits/presale/999999")).status_code == 404
    assert (await c.get("/permits/presale?page=abc&per_page=-4&sort=zzz&project=x&status=%27")).status_code == 200
    assert (await c.get("/permits?window=abc&mine=9&project=1%20OR%201")).status_code == 200
    assert (await c.get("/permits/options/buildings?kind=qualification")).status_code == 404
    # ids beyond the INTEGER range never reach the database (PostgreSQL would refuse them)
    huge = "99999999999999999999"
    assert (await c.get(f"/permits/presale/{huge}")).status_code == 404
    assert (await c.get(f"/permits/presale?project={huge}")).status_code == 200
    assert (await c.get(f"/permits?project={huge}")).status_code == 200
    assert (await c.get(f"/permits/options/buildings?kind=presale&project={huge}")).status_code == 200
    assert (await post(c, f"/permits/presale/{huge}/act/issue", {"permit_no": "X", "issued_on": "2026-01-01"})).status_code == 404
    r = await post(c, "/permits/presale/new", {"project": huge, "buildings": [huge], "owner": huge, "unit_count": huge})
    assert r.status_code == 400 and "项目的选项无效" in r.text and "覆盖楼栋的选项无效" in r.text and "预售套数不能大于 100000" in r.text
    fund = await first_id(MaintenanceFund)
    r = await post(c, f"/permits/fund/{fund}/act/pay", {"unit": huge, "paid_on": "2026-01-01", "receipt_no": "R"})
    assert r.status_code == 400 and "房源的选项无效" in r.text


async def test_building_options_fragment_lists_the_projects_buildings(new_client):
    c = await sign_in(await new_client(), "bureau")
    jc02 = (await PresalePermit.select(PresalePermit.project).where(PresalePermit.status == "已申报").first())["project"]
    r = await c.get(f"/permits/options/buildings?kind=presale&project={jc02}", headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    assert r.text.count('name="buildings"') == 3 and "3号楼" in r.text and "锦程" not in r.text


async def test_read_pages_allowed_to_staff_and_scoped_by_project(new_client):
    guard = await sign_in(await new_client(), "guard")  # 保安员: no access to the department's registers
    assert (await guard.get("/permits")).status_code == 403
    sales = await sign_in(await new_client(), "sales")  # 置业顾问: reads, project JC01 only
    assert (await sales.get("/permits")).status_code == 200
    jc02_permit = await first_id(PresalePermit, status="已申报")
    assert (await sales.get(f"/permits/presale/{jc02_permit}")).status_code == 403
    lst = await sales.get("/permits/presale")
    assert "锦程·云栖苑" not in lst.text and "锦程·滨江府" in lst.text
    assert 'data-testid="new-record"' not in lst.text


# ------------------------------------------------------------------ allowed and denied roles


async def test_guard_and_other_roles_get_403_on_writes(new_client):
    guard = await sign_in(await new_client(), "guard")
    permit = await first_id(PresalePermit)
    before = await PresalePermit.count()
    assert (await guard.get("/permits/presale/new")).status_code == 403
    assert (await post(guard, "/permits/presale/new", {"project": "1"})).status_code == 403
    assert (await post(guard, f"/permits/presale/{permit}/act/issue", {"permit_no": "X", "issued_on": "2026-01-01"})).status_code == 403
    assert (await post(guard, f"/permits/presale/{permit}/edit", {})).status_code == 403
    assert await PresalePermit.count() == before
    # each register belongs to its officer: the 合同专员 may not touch presale permits, the 房管局专员 not the overseas filings
    contract = await sign_in(await new_client(), "contract")
    assert (await contract.get("/permits/presale/new")).status_code == 403
    bureau = await sign_in(await new_client(), "bureau")
    assert (await bureau.get("/permits/overseas/new")).status_code == 403
    assert (await post(bureau, "/permits/agreement/new", {"kind": "按揭合作协议"})).status_code == 403
    mortgage = await sign_in(await new_client(), "mortgage")
    assert (await mortgage.get("/permits/agreement/new")).status_code == 200
    assert (await mortgage.get("/permits/mortgage/new")).status_code == 200
    page = await guard.get(f"/permits/presale/{permit}")
    assert 'data-testid="action-form-' not in page.text and 'data-testid="edit-record"' not in page.text


# ------------------------------------------------------------------ presale issuance


async def test_issuance_flips_exactly_the_covered_unsaleable_units(new_client):
    bureau = await sign_in(await new_client(), "bureau")
    pid, p = await new_presale(bureau, {"A栋": ["不可售", "不可售", "已签约", "保留", "不可售"], "B栋": ["不可售", "不可售"]}, ["A栋"])
    a, b = p["units"]["A栋"], p["units"]["B栋"]
    r = await post(bureau, f"/permits/presale/{pid}/act/submit", {"submitted_on": (today_local() - timedelta(days=20)).isoformat()})
    assert r.status_code == 303, r.text[:2000]
    # the number and the date are required: field messages, nothing changes
    r = await post(bureau, f"/permits/presale/{pid}/act/issue", {"permit_no": "", "issued_on": ""})
    assert r.status_code == 400 and "请填写预售许可证号" in r.text and "请填写发证日期" in r.text
    assert 'data-testid="error-permit_no"' in r.text and 'data-testid="error-issued_on"' in r.text
    assert (await PresalePermit.select(PresalePermit.status).where(PresalePermit.id == pid).first())["status"] == "已申报"
    assert await statuses(a) == ["不可售", "不可售", "已签约", "保留", "不可售"]
    # a future issue date is refused too
    r = await post(bureau, f"/permits/presale/{pid}/act/issue", {"permit_no": "苏房预（测）001号", "issued_on": (today_local() + timedelta(days=3)).isoformat()})
    assert r.status_code == 400 and "发证日期不能晚于今天" in r.text
    r = await post(bureau, f"/permits/presale/{pid}/act/issue", {"permit_no": "苏房预（测）001号", "issued_on": today_local().isoformat(),
                                                             "valid_until": (today_local() + timedelta(days=700)).isoformat()})
    assert r.status_code == 303, r.text[:2000]
    assert await statuses(a) == ["可售", "可售", "已签约", "保留", "可售"]
    assert await statuses(b) == ["不可售", "不可售"]  # building B is not covered
    row = await PresalePermit.select().where(PresalePermit.id == pid).first()
    assert row["status"] == "已取证" and row["permit_no"] == "苏房预（测）001号" and row["issued_on"] == today_local()
    issued = await audit_rows("permit_presale", pid, "permits.issue")
    after = issued[0]["after"]
    after = json.loads(after) if isinstance(after, str) else after
    assert len(issued) == 1 and after["units_released"] == 3 and after["status"] == "已取证" and "3 套房源" in issued[0]["summary"]
    page = await bureau.get(f"/permits/presale/{pid}")
    assert 'data-testid="unit-count-可售" data-count="3"' in page.text and "苏房预（测）001号" in page.text
    # its validity is now a deadline
    assert await Deadline.exists().where((Deadline.kind == "presale") & (Deadline.record_id == pid) & (Deadline.done == False))  # noqa: E712


async def test_illegal_transitions_are_refused_and_nothing_changes(new_client):
    bureau = await sign_in(await new_client(), "bureau")
    pid, p = await new_presale(bureau, {"A栋": ["不可售", "不可售"]}, ["A栋"])
    audits = len(await audit_rows("permit_presale", pid))
    r = await post(bureau, f"/permits/presale/{pid}/act/issue", {"permit_no": "X-1", "issued_on": today_local().isoformat()})
    assert r.status_code == 409 and "当前状态为“材料准备”，不能执行“登记取证”" in r.text
    assert await statuses(p["units"]["A栋"]) == ["不可售", "不可售"]
    row = await PresalePermit.select(PresalePermit.status, PresalePermit.permit_no).where(PresalePermit.id == pid).first()
    assert row == {"status": "材料准备", "permit_no": ""}
    assert len(await audit_rows("permit_presale", pid)) == audits
    # HTMX: the panel comes back with the message, not a page
    r = await post(bureau, f"/permits/presale/{pid}/act/cancel", {"note": "试"}, htmx=True)
    assert r.status_code == 409 and "<html" not in r.text and 'id="permit-panel"' in r.text and "不能执行“注销”" in r.text
    assert (await post(bureau, f"/permits/presale/{pid}/act/nonsense", {})).status_code == 404
    # issued once: a second issuance (e.g. a double click) is refused by the conditional update
    await post(bureau, f"/permits/presale/{pid}/act/submit", {"submitted_on": today_local().isoformat()})
    ok = await post(bureau, f"/permits/presale/{pid}/act/issue", {"permit_no": "X-2", "issued_on": today_local().isoformat()}, htmx=True)
    assert ok.status_code == 200 and ok.headers.get("HX-Redirect") == f"/permits/presale/{pid}"
    again = await post(bureau, f"/permits/presale/{pid}/act/issue", {"permit_no": "X-3", "issued_on": today_local().isoformat()})
    assert again.status_code == 409 and "当前状态为“已取证”" in again.text
    assert len(await audit_rows("permit_presale", pid, "permits.issue")) == 1
    assert (await PresalePermit.select(PresalePermit.permit_no).where(PresalePermit.id == pid).first())["permit_no"] == "X-2"


async def test_a_building_cannot_be_in_two_live_permits_or_belong_to_another_project(new_client):
    bureau = await sign_in(await new_client(), "bureau")
    pid, p = await new_presale(bureau, {"A栋": ["不可售"]}, ["A栋"])
    owner = await employee_id("bureau")
    before = await PresalePermit.count()
    r = await post(bureau, "/permits/presale/new", presale_form(p["project"], [p["buildings"]["A栋"]], owner))
    assert r.status_code == 400 and "A栋已在另一张预售许可证" in r.text
    other = await make_project({"Z栋": ["不可售"]})
    r = await post(bureau, "/permits/presale/new", presale_form(p["project"], [other["buildings"]["Z栋"]], owner))
    assert r.status_code == 400 and "所选楼栋不属于该项目" in r.text and "Z栋" in r.text
    r = await post(bureau, "/permits/presale/new", presale_form(p["project"], [], owner, escrow_account="12ab"))
    assert r.status_code == 400 and "请至少选择一栋楼" in r.text and "监管账号应为 6–30 位数字（当前为 12ab）" in r.text
    assert "苏州市住房和城乡建设局" in r.text  # what was typed is kept
    assert await PresalePermit.count() == before
    # a project outside the officer's scope is refused
    outside = await make_project({"Q栋": ["不可售"]}, scope_for=())
    r = await post(bureau, "/permits/presale/new", presale_form(outside["project"], [outside["buildings"]["Q栋"]], owner))
    assert r.status_code == 400 and "不在您负责的项目范围内" in r.text
    assert await PresalePermit.count() == before


# ------------------------------------------------------------------ bad input refused, nothing written


@pytest.mark.parametrize("field, value, message", [
    ("deposit_ratio", "120", "应在 0 到 100 之间（当前为 120）"),
    ("deposit_ratio", "12.345", "最多保留两位小数"),
    ("deposit_ratio", "abc", "格式不正确"),
    ("credit_line", "-5", "不能为负数"),
    ("credit_line", "1.234", "最多保留两位小数"),
    ("end_on", "2020-01-01", "期限止须晚于期限起（2026-01-01 → 2020-01-01）"),
    ("end_on", "2027-02-30", "格式应为 YYYY-MM-DD"),
    ("project", "999999", "项目的选项无效"),
    ("owner", "abc", "负责人的选项无效"),
    ("kind", "其他", "类型的选项无效"),
])
async def test_bad_agreement_input_gets_field_messages_and_nothing_is_written(new_client, field, value, message):
    c = await sign_in(await new_client(), "mortgage")
    jc01 = await first_id(LoanAgreement)
    project = (await LoanAgreement.select(LoanAgreement.project).where(LoanAgreement.id == jc01).first())["project"]
    data = {"kind": "公积金项目备案", "institution": "苏州市住房公积金管理中心", "project": str(project), "reg_no": "T-001", "start_on": "2026-01-01",
            "end_on": "2028-01-01", "deposit_ratio": "5", "credit_line": "", "active": "1", "owner": str(await employee_id("mortgage"))}
    data[field] = value
    before, audits = await LoanAgreement.count(), await AuditLog.count()
    r = await post(c, "/permits/agreement/new", data)
    assert r.status_code == 400 and message in r.text, r.text[-3000:]
    assert f'data-testid="error-{field}"' in r.text
    assert await LoanAgreement.count() == before and await AuditLog.count() == audits


async def test_agreement_is_created_with_decimal_percent_and_countdown(new_client):
    c = await sign_in(await new_client(), "mortgage")
    project = (await LoanAgreement.select(LoanAgreement.project).first())["project"]
    end = today_local() + timedelta(days=40)
    data = {"kind": "按揭合作协议", "institution": "招商银行苏州分行", "project": str(project), "reg_no": "CMB-T-9", "start_on": "2026-01-01",
            "end_on": end.isoformat(), "deposit_ratio": "12.5", "credit_line": "50,000,000.00", "active": "1", "owner": str(await employee_id("mortgage"))}
    rid = created_id(await post(c, "/permits/agreement/new", data), "agreement")
    row = await LoanAgreement.select().where(LoanAgreement.id == rid).first()
    assert row["deposit_ratio"] == Decimal("12.50") and row["credit_line"] == Decimal("50000000.00")
    page = await c.get(f"/permits/agreement/{rid}")
    assert "剩余 40 天" in page.text and 'data-level="due"' in page.text and "12.50%" in page.text


async def test_overseas_filing_checks_resident_id_masks_it_and_accepts_passports(new_client):
    c = await sign_in(await new_client(), "contract")
    project = (await OverseasFiling.select(OverseasFiling.project).first())["project"]
    base = {"project": str(project), "buyer_name": "李华", "region": "美国", "room": "1号楼 502", "applied_on": today_local().isoformat(),
            "owner": str(await employee_id("contract"))}
    before = await OverseasFiling.count()
    r = await post(c, "/permits/overseas/new", {**base, "id_type": "居民身份证", "id_no": "110101199003074518"})
    assert r.status_code == 400 and "身份证号校验位不正确" in r.text
    r = await post(c, "/permits/overseas/new", {**base, "id_type": "港澳台居民居住证", "id_no": "110101199003074514"})
    assert r.status_code == 400 and "应以 81、82 或 83 开头" in r.text
    r = await post(c, "/permits/overseas/new", {**base, "id_type": "护照", "id_no": "E1234!"})
    assert r.status_code == 400 and "证件号码应为 5–30 位字母或数字" in r.text
    r = await post(c, "/permits/overseas/new", {**base, "id_type": "护照", "id_no": "e12345678", "applied_on": (today_local() + timedelta(days=1)).isoformat()})
    assert r.status_code == 400 and "申请日期不能晚于今天" in r.text
    assert await OverseasFiling.count() == before
    rid = created_id(await post(c, "/permits/overseas/new", {**base, "id_type": "居民身份证", "id_no": "11010119900307459x"}), "overseas")
    row = await OverseasFiling.select(OverseasFiling.id_no).where(OverseasFiling.id == rid).first()
    assert row["id_no"] == "11010119900307459X"
    page = await c.get(f"/permits/overseas/{rid}")
    assert "110101********459X" in page.text and "11010119900307459X" not in page.text
    edit = await c.get(f"/permits/overseas/{rid}/edit")
    assert "11010119900307459X" not in edit.text and "留空表示不修改" in edit.text
    lst = await c.get("/permits/overseas?q=李华", headers=HX)
    assert "110101********459X" in lst.text and "11010119900307459X" not in lst.text
    created = (await audit_rows("permit_overseas", rid, "permits.create"))[0]
    assert "11010119900307459X" not in str(created["after"])
    # leaving the number blank on edit keeps it; approval needs a date not before the application
    r = await post(c, f"/permits/overseas/{rid}/edit", {**base, "id_type": "居民身份证", "id_no": "", "room": "1号楼 601"})
    assert r.status_code == 303
    assert (await OverseasFiling.select(OverseasFiling.id_no, OverseasFiling.room).where(OverseasFiling.id == rid).first()) == {
        "id_no": "11010119900307459X", "room": "1号楼 601"}
    r = await post(c, f"/permits/overseas/{rid}/act/approve", {"approved_on": (today_local() - timedelta(days=3)).isoformat(), "reference_no": "JW-1"})
    assert r.status_code == 400 and "批准日期不能早于申请日期" in r.text
    r = await post(c, f"/permits/overseas/{rid}/act/approve", {"approved_on": today_local().isoformat(), "reference_no": "JW-1"})
    assert r.status_code == 303
    assert await services.overseas_approved("11010119900307459x")


async def test_qualification_dates_and_unique_scale_year(new_client):
    c = await sign_in(await new_client(), "bureau")
    company = (await Qualification.select(Qualification.company).first())["company"]
    data = {"company": str(company), "cert_no": "Q-T-1", "grade": "二级", "regime": "年报制", "issued_on": "2026-01-01", "expires_on": "2025-12-31",
            "owner": str(await employee_id("bureau")), "active": "1"}
    before = await Qualification.count()
    r = await post(c, "/permits/qualification/new", data)
    assert r.status_code == 400 and "有效期至须晚于发证日期（2026-01-01 → 2025-12-31）" in r.text
    r = await post(c, "/permits/qualification/new", {**data, "grade": "", "cert_no": "", "expires_on": ""})
    assert "请选择资质等级" in r.text and "请填写证书编号" in r.text and "请填写有效期至" in r.text
    assert await Qualification.count() == before
    scale = await ScaleApproval.select(ScaleApproval.project, ScaleApproval.year).first()
    r = await post(c, "/permits/scale/new", {"project": str(scale["project"]), "year": str(scale["year"]), "area_applied": "1000.123",
                                             "owner": str(await employee_id("bureau"))})
    assert r.status_code == 400 and "最多保留两位小数" in r.text
    r = await post(c, "/permits/scale/new", {"project": str(scale["project"]), "year": str(scale["year"]), "area_applied": "1000",
                                             "owner": str(await employee_id("bureau"))})
    assert r.status_code == 400 and f"该项目 {scale['year']} 年度的开发规模审批已登记" in r.text
    r = await post(c, "/permits/scale/new", {"project": str(scale["project"]), "year": "1999", "owner": str(await employee_id("bureau"))})
    assert r.status_code == 400 and "年度不能小于 2000" in r.text


# ------------------------------------------------------------------ maintenance fund


async def test_fund_amount_per_unit_and_payment_rules(new_client):
    bureau = await sign_in(await new_client(), "bureau")
    p = await make_project({"A栋": ["已签约", "已签约", "可售"]})
    owner = await employee_id("bureau")
    form = {"project": str(p["project"]), "bank": "中国银行", "account_no": "6216600000000001", "opened_on": "2026-01-05", "basis": "造价比例",
            "rate": "", "cost_per_sqm": "2500", "percent": "150", "handover_on": (today_local() + timedelta(days=20)).isoformat(), "owner": str(owner)}
    r = await post(bureau, "/permits/fund/new", form)
    assert r.status_code == 400 and "应在 0 到 100 之间（当前为 150）" in r.text
    r = await post(bureau, "/permits/fund/new", {**form, "percent": "", "cost_per_sqm": ""})
    assert "按造价比例计缴时请填写建安造价" in r.text and "按造价比例计缴时请填写缴存比例" in r.text
    fid = created_id(await post(bureau, "/permits/fund/new", {**form, "percent": "5.5"}), "fund")
    fund = await MaintenanceFund.select().where(MaintenanceFund.id == fid).first()
    assert fund["rate"] == Decimal("137.50")  # 2500 × 5.5%
    r = await post(bureau, "/permits/fund/new", {**form, "percent": "5"})
    assert r.status_code == 400 and "该项目已登记维修基金专户" in r.text
    sold, _, unsold = p["units"]["A栋"]
    r = await post(bureau, f"/permits/fund/{fid}/act/pay", {"unit": str(unsold), "paid_on": today_local().isoformat(), "receipt_no": "R-1"})
    assert r.status_code == 400 and "签约后才需缴存维修基金" in r.text
    r = await post(bureau, f"/permits/fund/{fid}/act/pay", {"unit": str(sold), "paid_on": today_local().isoformat(), "receipt_no": "R-1"})
    assert r.status_code == 303
    pay = await FundPayment.select().where(FundPayment.unit == sold).first()
    assert pay["amount"] == Decimal("13547.88")  # 98.53 × 137.50 = 13547.875 → half-up
    r = await post(bureau, f"/permits/fund/{fid}/act/pay", {"unit": str(sold), "paid_on": today_local().isoformat(), "receipt_no": "R-2"})
    assert r.status_code == 400 and "已登记缴存" in r.text
    assert await FundPayment.count().where(FundPayment.fund == fid) == 1
    page = await bureau.get(f"/permits/fund/{fid}")
    assert "¥13,547.88" in page.text and "未缴 <strong" in page.text and "137.50" in page.text
    frag = await bureau.get(f"/permits/fund/{fid}?paid=unpaid", headers=HX)
    assert frag.status_code == 200 and "<html" not in frag.text and frag.text.count('data-testid="row"') == 1
    # the handover deadline closes once every sold unit has paid
    other = [u for u in p["units"]["A栋"] if u not in (sold, unsold)][0]
    assert await post(bureau, f"/permits/fund/{fid}/act/pay", {"unit": str(other), "paid_on": today_local().isoformat(), "receipt_no": "R-3"})
    dl = await Deadline.select(Deadline.done).where((Deadline.kind == "fund") & (Deadline.record_id == fid)).first()
    assert dl["done"] is True


# ------------------------------------------------------------------ reminders


async def notes_for(url: str) -> list[dict]:
    return await Notification.select(Notification.user.username, Notification.text, Notification.kind).where(Notification.url == url).order_by(Notification.id)


async def test_reminders_go_out_once_per_threshold_then_overdue_to_the_supervisor(new_client):
    c = await sign_in(await new_client(), "bureau")
    company = (await Qualification.select(Qualification.company).first())["company"]
    today = today_local()
    data = {"company": str(company), "cert_no": f"Q-R-{today.toordinal()}", "grade": "三级", "regime": "年报制", "issued_on": "2024-03-01",
            "expires_on": (today + timedelta(days=45)).isoformat(), "owner": str(await employee_id("bureau")), "active": "1"}
    rid = created_id(await post(c, "/permits/qualification/new", data), "qualification")
    url = f"/permits/qualification/{rid}"
    await remind.remind_once(today)
    notes = await notes_for(url)
    assert len(notes) == 1 and notes[0]["user.username"] == "bureau" and "剩余 45 天" in notes[0]["text"]
    await remind.remind_once(today)  # run again the same day: nothing new
    await remind.remind_once(today + timedelta(days=5))  # 40 days left: still inside the 60-day threshold, already sent
    assert len(await notes_for(url)) == 1
    await remind.remind_once(today + timedelta(days=15))  # 30 days left
    await remind.remind_once(today + timedelta(days=16))
    notes = await notes_for(url)
    assert len(notes) == 2 and "剩余 30 天" in notes[1]["text"]
    await remind.remind_once(today + timedelta(days=47))  # overdue: the owner and the 客服主管
    await remind.remind_once(today + timedelta(days=48))
    notes = await notes_for(url)
    assert len(notes) == 4 and {n["user.username"] for n in notes[2:]} == {"bureau", "supervisor"}
    assert all("逾期 2 天" in n["text"] and n["kind"] == "overdue" for n in notes[2:])
    dl = await Deadline.select().where((Deadline.kind == "qualification") & (Deadline.record_id == rid) & (Deadline.item == "expiry")).first()
    assert dl["notified_days"] == -1
    assert [r["threshold"] for r in await ReminderLog.select(ReminderLog.threshold).where(ReminderLog.deadline == dl["id"]).order_by(ReminderLog.id)] == [60, 30, -1]
    page = await c.get(url)
    assert "已发送：提前 60 天" in page.text
    # renewing the certificate (a new expiry date) starts the reminders afresh
    r = await post(c, f"{url}/edit", {**data, "expires_on": (today + timedelta(days=3 * 365)).isoformat()})
    assert r.status_code == 303
    dl = await Deadline.select().where(Deadline.id == dl["id"]).first()
    assert dl["notified_days"] is None and dl["due_on"] == today + timedelta(days=3 * 365)


async def test_annual_scale_task_is_opened_once_in_january(new_client):
    c = await sign_in(await new_client(), "bureau")
    p = await make_project({"A栋": ["可售"]})
    year = today_local().year + 3
    r = await post(c, "/permits/scale/new", {"project": str(p["project"]), "year": str(year - 1), "area_applied": "9000",
                                             "owner": str(await employee_id("bureau"))})
    created_id(r, "scale")
    created = await remind.ensure_annual_records(date(year, 1, 3))
    again = await remind.ensure_annual_records(date(year, 1, 4))
    assert created >= 1 and again == 0
    rows = await ScaleApproval.select(ScaleApproval.status, ScaleApproval.due_on, ScaleApproval.id, ScaleApproval.note).where(
        (ScaleApproval.year == year) & (ScaleApproval.project == p["project"]))
    assert len(rows) == 1 and rows[0]["status"] == "待申报" and rows[0]["due_on"] == date(year, 1, 31)
    assert await Deadline.count().where((Deadline.kind == "scale") & (Deadline.record_id == rows[0]["id"]) & (Deadline.done == False)) == 1  # noqa: E712
    assert (await audit_rows("permit_scale", rows[0]["id"], "permits.create"))[0]["actor_name"] == "系统"
    # the 房管局专员 submits and records the approval; the task is done
    c = await sign_in(await new_client(), "bureau")
    rid = rows[0]["id"]
    today = today_local()
    r = await post(c, f"/permits/scale/{rid}/act/approve", {"approval_no": "X", "area_approved": "100", "approved_on": today.isoformat()})
    assert r.status_code == 409 and "仅限“已申报”状态" in r.text
    r = await post(c, f"/permits/scale/{rid}/act/submit", {"applied_on": today.isoformat(), "area_applied": "0"})
    assert r.status_code == 400 and "必须大于 0" in r.text
    assert (await post(c, f"/permits/scale/{rid}/act/submit", {"applied_on": today.isoformat(), "area_applied": "12000"})).status_code == 303
    assert (await post(c, f"/permits/scale/{rid}/act/approve", {"approval_no": "开规-1", "area_approved": "11000.50",
                                                                "approved_on": today.isoformat()})).status_code == 303
    assert await Deadline.select(Deadline.done).where((Deadline.kind == "scale") & (Deadline.record_id == rid)).first() == {"done": True}


async def test_qualification_annual_report_moves_the_next_due_date(new_client):
    c = await sign_in(await new_client(), "bureau")
    qid = await first_id(Qualification, cert_no="JS-KF-2-0358")
    before = await Qualification.select(Qualification.annual_due_on).where(Qualification.id == qid).first()
    r = await post(c, f"/permits/qualification/{qid}/act/annual", {"done_on": ""})
    assert r.status_code == 400 and "请填写年检/年报日期" in r.text
    r = await post(c, f"/permits/qualification/{qid}/act/annual", {"done_on": today_local().isoformat()})
    assert r.status_code == 303
    after = await Qualification.select(Qualification.annual_due_on, Qualification.last_annual_on).where(Qualification.id == qid).first()
    assert after["last_annual_on"] == today_local()
    assert after["annual_due_on"] == date(max(today_local().year, before["annual_due_on"].year) + 1, 1, 31)
    assert len(await audit_rows("permit_qualification", qid, "permits.annual")) >= 1


async def test_mortgage_register_needs_certificate_number(new_client):
    c = await sign_in(await new_client(), "mortgage")
    p = await make_project({"A栋": ["可售"], "B栋": ["可售"]}, scope_for=("mortgage",))
    data = {"project": str(p["project"]), "contract_no": "DY-T-1", "mortgagee": "中国农业银行", "amount": "0", "buildings": [str(p["buildings"]["A栋"])],
            "start_on": "2026-02-01", "end_on": "2026-01-01", "owner": str(await employee_id("mortgage"))}
    r = await post(c, "/permits/mortgage/new", data)
    assert r.status_code == 400 and "必须大于 0" in r.text and "期限止须晚于期限起" in r.text
    mid = created_id(await post(c, "/permits/mortgage/new", {**data, "amount": "80000000", "end_on": "2028-02-01"}), "mortgage")
    assert await PresaleBuilding.count().where(PresaleBuilding.building == p["buildings"]["A栋"]) == 0
    r = await post(c, f"/permits/mortgage/{mid}/act/register", {"cert_no": "", "registered_on": today_local().isoformat()})
    assert r.status_code == 400 and "请填写登记证明号" in r.text
    assert (await post(c, f"/permits/mortgage/{mid}/act/register", {"cert_no": "苏（2026）证明第1号", "registered_on": today_local().isoformat()})).status_code == 303
    page = await c.get(f"/permits/mortgage/{mid}")
    assert "苏（2026）证明第1号" in page.text and "A栋" in page.text and "¥80,000,000.00" in page.text


async def test_seeded_jc02_building_3_permit_is_pending_with_48_unsaleable_units(new_client):
    pid = await first_id(PresalePermit, status="已申报")
    b = await PresaleBuilding.select(PresaleBuilding.building).where(PresaleBuilding.permit == pid)
    assert len(b) == 1
    # none of its 48 units is on sale before the permit (a pipeline test may have taken one through signing meanwhile)
    assert await Unit.count().where(Unit.building == b[0]["building"]) == 48
    assert await Unit.count().where((Unit.building == b[0]["building"]) & (Unit.status == "可售")) == 0
