"""Rows for the 离职交接 tests (integration and e2e): a new employee shaped like a demo user, with a signed contract,
and the holdings the sweep lists — an advance outstanding, an asset in custody, an open approval task, a custody item."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from piccolo.apps.user.tables import BaseUser

from app.assets.tables import AssetCard, AssetCategory
from app.core.timeutil import now, today_local
from app.finance import services as finance
from app.finance.tables import Advance
from app.hr_contract.rules import FIXED, SIGNED, add_months
from app.hr_contract.tables import LabourContract
from app.hr_exit.tables import SWEEP, Custody, ExitCase
from app.org.tables import Employee
from app.workflow.tables import Request, Step, Task

PASSWORD = "Leaver2026x"


async def make_staff(like: str = "sales", probation_end: date | None = None, nda: bool = False) -> dict:
    tag = uuid.uuid4().hex[:8]
    base = await Employee.select(Employee.company, Employee.department, Employee.position, Employee.manager).where(
        Employee.user.username == like).first()
    user = await BaseUser.create_user(username=f"exit_{tag}", password=PASSWORD, email=f"exit_{tag}@test.invalid", active=True)
    start = today_local() - timedelta(days=400)
    emp = Employee(user=user.id, employee_no=f"LZ{tag}", name=f"离职测试{tag[:4]}", company=base["company"], department=base["department"],
                   position=base["position"], manager=base["manager"], hired_on=start, active=True)
    await emp.save()
    c = LabourContract(employee=emp.id, seq=1, kind=FIXED, start=start, end=add_months(start, 36) - timedelta(days=1),
                       probation_end=probation_end, probation_pay=Decimal("8000"), pay=Decimal("10000"), post="客服专员", nda=nda,
                       signed_on=start, status=SIGNED, created_at=now())
    await c.save()
    return {"id": emp.id, "user": user.id, "username": user.username, "name": emp.name, "contract": c.id, "company": base["company"],
            "department": base["department"]}


async def _request(s: dict, flow: str, status: str, title: str) -> int:
    tag = uuid.uuid4().hex[:10]
    rows = await Request.insert(Request(number=f"T-{tag}", flow=flow, title=title, applicant=s["id"], applicant_user=s["user"],
                                        company=s["company"], department=s["department"], status=status, submitted_at=now())).returning(Request.id)
    return rows[0]["id"]


async def make_advance(s: dict, amount: str = "500.00") -> int:
    rid = await _request(s, "advance", "已通过", "备用金借款")
    rows = await Advance.insert(Advance(request=rid, employee=s["id"], kind="备用金", purpose="售楼处备用金", amount=Decimal(amount),
                                        due_on=today_local() + timedelta(days=30), status="未结清")).returning(Advance.id)
    await finance.add_entry(rows[0]["id"], "借出", Decimal(amount))
    return rows[0]["id"]


async def make_asset(s: dict) -> int:
    cat = await AssetCategory.select(AssetCategory.id).first()
    if cat is None:
        cat = (await AssetCategory.insert(AssetCategory(name=f"测试类别{uuid.uuid4().hex[:4]}")).returning(AssetCategory.id))[0]
    rows = await AssetCard.insert(AssetCard(number=f"ZC-T{uuid.uuid4().hex[:8]}", name="离职测试笔记本", category=cat["id"],
                                            original_value=Decimal("5000"), purchase_date=today_local() - timedelta(days=100),
                                            department=s["department"], custodian=s["id"], depreciation_years=3, status="在用",
                                            created_at=now())).returning(AssetCard.id)
    return rows[0]["id"]


async def make_task(s: dict, applicant: dict) -> int:
    """An open approval task assigned to `s` on a request filed by `applicant`."""
    rid = await _request(applicant, "expense", "审批中", "离职测试报销")
    step = (await Step.insert(Step(request=rid, seq=1, key="dept_head", name="部门负责人审批", mode="any", status="进行中",
                                   started_at=now())).returning(Step.id))[0]["id"]
    rows = await Task.insert(Task(request=rid, step=step, assignee=s["user"], status="待处理", created_at=now())).returning(Task.id)
    return rows[0]["id"]


async def make_custody(s: dict, kind: str = "钥匙", label: str = "售楼处前台钥匙") -> int:
    rows = await Custody.insert(Custody(employee=s["id"], kind=kind, label=label, issued_on=today_local() - timedelta(days=90))).returning(Custody.id)
    return rows[0]["id"]


async def make_exit(s: dict, last_day: date | None = None) -> int:
    """An approved 离职申请 in the sweep (the request row itself is approved)."""
    last_day = last_day or today_local() - timedelta(days=2)
    rid = await _request(s, "resignation", "已通过", f"离职申请（最后工作日 {last_day:%Y-%m-%d}）")
    rows = await ExitCase.insert(ExitCase(request=rid, employee=s["id"], kind="辞职", notice_on=last_day - timedelta(days=31), last_day=last_day,
                                          reason="个人发展", in_probation="否", status=SWEEP, created_at=now())).returning(ExitCase.id)
    return rows[0]["id"]


async def tick_all_but(case_id: int, skip: tuple[str, ...] = ()) -> None:
    """The checklist's sign-offs by their roles' demo users (receiver: the supervisor)."""
    from app.core.auth import load_user
    from app.hr_exit import services

    async def user(name):
        row = await BaseUser.select(BaseUser.id).where(BaseUser.username == name).first()
        return await load_user(row["id"])

    hr = await user("hr")
    sup = await Employee.select(Employee.id).where(Employee.user.username == "supervisor").first()
    await services.set_receiver(hr, case_id, sup["id"])
    who = {"receiver": "supervisor", "dept_head": "dept_head", "admin": "admin_staff", "it": "sysadmin", "finance": "finance_manager"}
    for code, name in who.items():
        if code not in skip:
            await services.tick(await user(name), case_id, code)
