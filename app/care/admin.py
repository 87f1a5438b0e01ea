from app.core.admin_zh import AdminTable
from app.care.tables import CareSetting, Contractor

# Cases, callbacks and audits are customer records: worked in the portal (masked, scoped, audited), never here.
ADMIN_TABLES = [
    AdminTable(CareSetting, "客服时限与目标", "客户服务", {
        "id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源",
    }),
    AdminTable(Contractor, "维修单位", "客户服务", {
        "id": "编号", "name": "单位名称", "trade": "专业", "contact": "联系人", "phone": "联系电话", "active": "启用",
    }),
]
