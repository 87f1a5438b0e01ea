"""The employee record's 招聘与入职 section and timeline events (app/hr_recruit/profile.py), called directly: nothing for
an employee not onboarded here; for one that is, the section and one event."""
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.core.timeutil import now
from app.hr_recruit import profile
from app.hr_recruit.tables import OFFERED, Candidate, Offer, Onboarding, Staffing
from app.org.tables import Employee
from app.workflow.tables import Request

pytestmark = pytest.mark.integration


async def test_section_and_events(running_app):
    base = await Employee.select().where(Employee.user.username == "contract").first()
    assert await profile.section({"id": base["id"]}, None) is None and await profile.events(base["id"]) == []
    tag = uuid.uuid4().hex[:8]
    head = await Employee.select().where(Employee.user.username == "dept_head").first()
    reqs = []
    for prefix in ("YR", "LY"):
        r = Request(number=f"{prefix}-T-{tag}", flow="staffing" if prefix == "YR" else "offer", title="t", applicant=head["id"],
                    applicant_user=head["user"], company=head["company"], department=head["department"], status="已通过",
                    submitted_at=now())
        await r.save()
        reqs.append(r.id)
    st = Staffing(request=reqs[0], company=base["company"], department=base["department"], position=base["position"], headcount=1,
                  start_on=date(2026, 6, 1), status="已批准", created_at=now())
    await st.save()
    cand = Candidate(staffing=st.id, name="档案测试", status=OFFERED, created_at=now())
    await cand.save()
    offer = Offer(request=reqs[1], candidate=cand.id, position=base["position"], salary=Decimal("8000"), start_on=date(2026, 6, 1),
                  probation_months=3, created_at=now())
    await offer.save()
    emp = Employee(employee_no=f"PF{tag}", name="档案测试", company=base["company"], department=base["department"], position=base["position"],
                   hired_on=date(2026, 6, 1), active=True)
    await emp.save()
    await Onboarding.insert(Onboarding(candidate=cand.id, offer=offer.id, employee=emp.id, gated=True, done_at=now()))
    sec = await profile.section({"id": emp.id}, None)
    assert sec["title"] == "招聘与入职" and sec["template"] == "hr_recruit/_profile.html"
    assert sec["ctx"]["ob"]["offer_number"] == f"LY-T-{tag}" and sec["ctx"]["ob"]["staffing_number"] == f"YR-T-{tag}"
    events = await profile.events(emp.id)
    assert len(events) == 1 and "办理入职" in events[0]["text"] and events[0]["url"].startswith("/hr/recruit/onboardings/")
    assert events[0]["on"] <= date.today() + timedelta(days=1)
    from app.core.web import build_environment

    html = build_environment().get_template(sec["template"]).render(ctx=sec["ctx"])
    assert "LY-T-" in html
