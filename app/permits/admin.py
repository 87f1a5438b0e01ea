from app.core.admin_zh import AdminTable
from app.permits.tables import ReminderRule

ADMIN_TABLES = [
    AdminTable(ReminderRule, "证件提醒规则", "证件及手续", {
        "id": "编号", "key": "规则代码", "label": "证件类别", "days": "提前提醒天数", "amber_percent": "临期比例（%）",
    }),
]
