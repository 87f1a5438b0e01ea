from app.core.admin_zh import AdminTable
from app.duty.tables import DutySetting

# The roster, swaps and handovers are worked in the portal (guarded, audited); only the settings are edited here.
ADMIN_TABLES = [
    AdminTable(DutySetting, "值班设置", "客户服务", {
        "id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源",
    }),
]
