"""学历/资格证书培训 queries and the one write outside the engine: HR records the certificate, which starts the
service period and makes the company's share due for reimbursement (through 日常费用报销)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from app.core import audit
from app.core.db import write_transaction
from app.core.fields import parse_id
from app.core.permissions import Perm
from app.core.timeutil import now, parse_date, today_local
from app.hr_training import rules
from app.hr_training.tables import AWAITING, SERVING, TrainingAgreement
from app.org.tables import Employee
from app.workflow.engine import flow_settings

FLOW = "cert_training"
OWNER = "hr_training_agreement"  # attachments: the certificate's scan
COLUMNS = (*TrainingAgreement.all_columns(), TrainingAgreement.employee.name, TrainingAgreement.employee.user,
           TrainingAgreement.request.number, TrainingAgreement.request.status, TrainingAgreement.recorded_by.name)


class TrainingInputError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


async def settings() -> dict[str, Decimal]:
    from app.workflow.definitions import get_flow

    return await flow_settings(get_flow(FLOW))


async def eligibility_of(employee_id: int, on: date, cfg: dict[str, Decimal] | None = None) -> rules.Eligibility:
    cfg = cfg or await settings()
    emp = await Employee.select(Employee.active, Employee.hired_on).where(Employee.id == employee_id).first()
    if emp is None:
        return rules.Eligibility(False, "没有找到您的员工档案")
    from app.hr_contract.tables import LabourContract  # the probation the labour contract set, if registered

    row = await LabourContract.select(LabourContract.probation_end).where(
        (LabourContract.employee == employee_id) & LabourContract.probation_end.is_not_null()).order_by(
        LabourContract.probation_end, ascending=False).first()
    probation_end = row["probation_end"] if row else None
    return rules.eligibility(active=emp["active"], hired_on=emp["hired_on"], on=on, min_years=int(cfg["min_service_years"]),
                             probation_end=probation_end)


def may_see(user, row: dict) -> bool:
    return user.can(Perm.HR_MANAGE) or (bool(user.employee_id) and row["employee"] == user.employee_id)


async def get(agreement_id: int | None) -> dict | None:
    if agreement_id is None:
        return None
    return await TrainingAgreement.select(*COLUMNS).where(TrainingAgreement.id == agreement_id).first()


def list_query(user, all_: bool):
    sel = TrainingAgreement.select(*COLUMNS).order_by(TrainingAgreement.id, ascending=False)
    cnt = TrainingAgreement.count()
    if not all_:
        sel = sel.where(TrainingAgreement.employee == user.employee_id)
        cnt = cnt.where(TrainingAgreement.employee == user.employee_id)
    return sel, cnt


def penalty_today(row: dict, on: date | None = None) -> rules.Penalty:
    paid = row["share_amount"] if row["status"] == SERVING else Decimal(0)
    return rules.penalty(cost=row["cost"], paid=paid, start=row["cert_on"] if row["status"] == SERVING else None,
                         years=row["period_years"], leave_on=on or today_local())


async def record_certificate(actor, agreement_id: int, raw_date: str, cert_no: str) -> dict:
    """HR records the certificate: its date starts the service period (rules.service_end), the share becomes due."""
    raw_date = (raw_date or "").strip()
    cert_no = (cert_no or "").strip()
    try:
        on = parse_date(raw_date)
    except (ValueError, TypeError):
        raise TrainingInputError("日期格式不正确，例如 2026-06-30", "cert_on") from None
    if on is None:
        raise TrainingInputError("请填写取得证书日期", "cert_on")
    if on > today_local():
        raise TrainingInputError("取得证书日期不能晚于今天", "cert_on")
    if len(cert_no) > 100:
        raise TrainingInputError("证书编号最多 100 个字", "cert_no")
    async with write_transaction():
        row = await get(agreement_id)
        if row is None:
            raise TrainingInputError("培训协议不存在", "cert_on")
        if row["status"] != AWAITING:
            raise TrainingInputError(f"该培训协议当前为「{row['status']}」，审批通过、尚未登记证书的才能登记", "cert_on")
        if on < row["start_on"] - timedelta(days=366):
            raise TrainingInputError(f"取得证书日期早于培训开始（{row['start_on']:%Y-%m-%d}）太多，请核对", "cert_on")
        end = rules.service_end(on, row["period_years"])
        await TrainingAgreement.update({TrainingAgreement.status: SERVING, TrainingAgreement.cert_on: on, TrainingAgreement.cert_no: cert_no,
                                        TrainingAgreement.service_end: end, TrainingAgreement.recorded_by: actor.employee_id,
                                        TrainingAgreement.recorded_at: now()}).where(
            (TrainingAgreement.id == agreement_id) & (TrainingAgreement.status == AWAITING))
        await audit.record(actor=actor, action="hr_training.certificate", entity="hr_training_agreement", entity_id=agreement_id,
                           summary=f"{row['employee.name']} {row['program']} 取得证书 {on:%Y-%m-%d}，服务期至 {end:%Y-%m-%d}，"
                                   f"公司承担 {row['share_amount']:,.2f} 元待报销",
                           before={"status": row["status"]}, after={"status": SERVING, "cert_on": on.isoformat(), "service_end": end.isoformat()},
                           ip=getattr(actor, "ip", ""))
    return await get(agreement_id)


def parse_agreement_id(raw) -> int | None:
    return parse_id(raw)
