from app.core.admin_zh import AdminTable
from app.hr_contract.tables import ContractSetting

GROUP = "人事"

# the contracts themselves (with pay) are worked on the HR pages only; the admin edits the settings

ADMIN_TABLES = [
    AdminTable(ContractSetting, "劳动合同设置", GROUP, {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源"}),
]
