"""Employee-record demo data: personnel files (a valid-checksum ID number and a base salary, both masked on the pages)
for the active demo employees, and two rewards/penalties. Idempotent: nothing is added once any file exists.
FOR DEMONSTRATION ONLY (the ID numbers are made up: area 110105, sequence from the employee's row)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.core.timeutil import now, today_local
from app.core.validators import id_check_char
from app.hr_people.tables import EmployeeFile, Reward
from app.org.tables import Employee

EDUCATION = ("本科", "大专", "本科", "硕士", "高中/中专")


def demo_id_no(i: int) -> str:
    first17 = f"110105{1980 + i % 20:04d}{1 + i % 12:02d}{1 + i % 28:02d}{100 + i % 900:03d}"
    return first17 + id_check_char(first17)


async def seed() -> None:
    if await EmployeeFile.exists():
        return
    emps = await Employee.select(Employee.id, Employee.user.username).where(Employee.active == True).order_by(  # noqa: E712
        Employee.employee_no).limit(60)
    if not emps:
        return
    at = now()
    await EmployeeFile.insert(*[
        EmployeeFile(employee=e["id"], id_no=demo_id_no(i), base_salary=Decimal(6000 + (i % 9) * 800), education=EDUCATION[i % 5],
                     emergency_name="家属", emergency_phone=f"1391234{i:04d}", note="", updated_at=at) for i, e in enumerate(emps)])
    by_user = {e["user.username"]: e["id"] for e in emps if e["user.username"]}
    today = today_local()
    rows = []
    if "supervisor" in by_user:
        rows.append(Reward(employee=by_user["supervisor"], kind="奖励", happened_on=today - timedelta(days=40), title="交房月零投诉",
                           detail="集中交房期间所负责楼栋无有效投诉", amount=Decimal("500"), basis="客服部奖惩办法：服务质量", created_at=at))
    if "sales" in by_user:
        rows.append(Reward(employee=by_user["sales"], kind="处罚", happened_on=max(date(today.year, 1, 2), today - timedelta(days=20)),
                           title="回访记录不完整", detail="", amount=None, basis="客服部奖惩办法：工作规范", created_at=at))
    if rows:
        await Reward.insert(*rows)
