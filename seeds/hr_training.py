"""学历/资格证书培训 demo data (FOR DEMONSTRATION ONLY): the 合同专员's certificate training approved through its
chain, the certificate recorded 200 days ago (the service period running, the penalty if they left today on the
page), and the 客服主管's degree training still being approved. Idempotent: nothing if any agreement exists."""
from __future__ import annotations

from datetime import timedelta

from app.core.fields import FormValues
from app.core.timeutil import today_local
from app.hr_training import services
from app.hr_training.flows import CERT_TRAINING
from app.hr_training.tables import TrainingAgreement
from app.workflow import engine
from seeds.ledgers import _approve_all
from seeds.pipeline import _user


def _values(kind: str, program: str, post: str, cost: str, pct: str, years: str, starts: int) -> FormValues:
    t = today_local()
    return FormValues(kind=kind, program=program, related_post=post, cost=cost, share_pct=pct, period_years=years,
                      start_on=(t + timedelta(days=starts)).isoformat(), end_on=(t + timedelta(days=starts + 120)).isoformat(),
                      reason="与本岗位工作直接相关（演示数据）")


async def seed() -> None:
    if await TrainingAgreement.exists():
        return
    contract = await _user("contract")
    result = await CERT_TRAINING.form.parse(_values("资格证书", "房地产经纪人职业资格", "合同专员", "6800.00", "80", "2", -330), contract, None)
    if not result.errors:
        req = await engine.submit(contract, CERT_TRAINING, result)
        await _approve_all(req["id"])
        row = await TrainingAgreement.select(TrainingAgreement.id).where(TrainingAgreement.request == req["id"]).first()
        await services.record_certificate(await _user("hr"), row["id"], (today_local() - timedelta(days=200)).isoformat(), "JJR-2026-0815")
    supervisor = await _user("supervisor")
    result = await CERT_TRAINING.form.parse(_values("学历", "苏州大学 工商管理（专升本）", "客服主管", "24000.00", "50", "3", 30), supervisor, None)
    if not result.errors:
        await engine.submit(supervisor, CERT_TRAINING, result)
