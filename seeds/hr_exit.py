"""离职交接 demo data (SPEC §E5): HR's custody register — the 网签账号 and CA U-key of the 合同专员, the badge and
uniform of the 置业顾问, a sales-office key of the 客服主管. Idempotent (only when the register is empty). FOR
DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import today_local
from app.hr_exit.tables import Custody
from app.org.tables import Employee

ITEMS = (
    ("contract", "网签账号", "房管局网签系统账号 JC-KF-03", 300),
    ("contract", "CA证书U盾", "网签 CA 证书 U 盾（编号 CA-2025-017）", 300),
    ("sales", "工牌", "工牌 No.A-0231", 200),
    ("sales", "工服", "春秋季工服一套", 200),
    ("supervisor", "钥匙", "售楼处前台钥匙 2 号", 500),
)


async def seed() -> None:
    if await Custody.exists():
        return
    today = today_local()
    for username, kind, label, days in ITEMS:
        emp = await Employee.select(Employee.id).where(Employee.user.username == username).first()
        if emp:
            await Custody.insert(Custody(employee=emp["id"], kind=kind, label=label, issued_on=today - timedelta(days=days)))
