from app.core.admin_zh import AdminTable
from app.permits.tables import ReminderRule

ADMIN_TABLES = [
    AdminTable(ReminderRule, "证件提醒规则", "证件及手续", {
        "id": "编号", "key": "规则代码", "label": "证件类别", "days": "提前提醒天数", "amber_percent": "临期比例（%）",
    }),
]

from app.permits.tables import PermitSetting, UpgradeChecklistItem  # noqa: E402  (C2 and the 资质升级 checklist)

ADMIN_TABLES += [
    AdminTable(PermitSetting, "证件及手续设置", "证件及手续", {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值"}),
    AdminTable(UpgradeChecklistItem, "资质升级申报材料", "证件及手续", {"id": "编号", "name": "材料名称", "sort": "排序", "active": "启用"}),
]
