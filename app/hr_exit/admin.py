from app.core.admin_zh import AdminTable
from app.hr_exit.tables import Custody

GROUP = "人事"

ADMIN_TABLES = [
    AdminTable(Custody, "离职交接物品登记", GROUP, {"id": "编号", "employee": "持有人", "kind": "类别", "label": "名称或编号",
                                            "issued_on": "发放日期", "returned_on": "归还/注销日期", "note": "备注"}),
]
