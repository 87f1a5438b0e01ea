from app.core.admin_zh import AdminTable
from app.pipeline.tables import ChecklistItem, DeedTaxBand, PipelineSetting

# Buyers are customer data: edited only through the pipeline (masked, revealed per record and audited), never here.
ADMIN_TABLES = [
    AdminTable(PipelineSetting, "办理期限与参数", "交易办理", {
        "id": "编号", "key": "参数代码", "label": "说明", "value": "数值",
    }),
    AdminTable(DeedTaxBand, "契税税率", "交易办理", {
        "id": "编号", "homes": "购房套数", "max_area": "面积上限（㎡）", "rate": "税率（%）", "note": "备注",
    }),
    AdminTable(ChecklistItem, "资料清单", "交易办理", {
        "id": "编号", "checklist": "清单", "name": "资料名称", "sort": "排序", "active": "启用",
    }),
]

from app.pipeline.tables_title import FirstRegistration  # noqa: E402

ADMIN_TABLES.append(AdminTable(FirstRegistration, "项目首次登记", "交易办理", {
    "id": "编号", "project": "项目", "registered_on": "首次登记日期", "cert_no": "证明号", "note": "备注",
}))
