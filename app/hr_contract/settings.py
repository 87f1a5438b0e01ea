"""The labour contracts' settings (劳动合同设置, table hr_contract_setting), editable in the admin: {key: (label, default,
tag)}. [L] values rest on national law and may differ locally; [C] values are customary."""
from __future__ import annotations

from app.core import keyvalues
from app.hr_contract.tables import ContractSetting

DEFAULTS: dict[str, tuple[str, int, str]] = {
    "remind_first_days": ("合同到期前第一次续签提醒（天）", 60, "C"),
    "remind_second_days": ("合同到期前第二次续签提醒（天）", 30, "C"),
    "sign_within_days": ("用工之日起应签订书面合同的天数（劳动合同法第十条、第八十二条）", 30, "L"),
    "probation_pay_pct": ("试用期工资不低于合同工资的百分比（劳动合同法第二十条）", 80, "L"),
    "open_ended_years": ("连续工作满几年可订立无固定期限合同（劳动合同法第十四条）", 10, "L"),
    "local_average_wage": ("本地区上年度职工月平均工资（元，经济补偿封顶基数）", 10000, "L"),
    "severance_cap_times": ("经济补偿月工资封顶倍数（劳动合同法第四十七条）", 3, "L"),
    "severance_cap_years": ("经济补偿封顶时年限上限（劳动合同法第四十七条）", 12, "L"),
}


async def read() -> dict[str, int]:
    """Every key's value as set in the admin, else its default (a value below 1 is not taken)."""
    return await keyvalues.read(ContractSetting, DEFAULTS, minimum=1)


async def seed() -> int:
    """Add the keys that have no row yet (the admin's edits are kept), with their source tag."""
    return await keyvalues.seed(ContractSetting, DEFAULTS)
