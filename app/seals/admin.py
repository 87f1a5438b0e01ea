from app.core.admin_zh import AdminTable
from app.seals.tables import Seal

ADMIN_TABLES = [
    AdminTable(Seal, "印章", "印章", {
        "id": "编号", "name": "印章名称", "kind": "印章类型", "company": "所属公司", "keeper": "保管人",
        "keeper_dept": "保管部门", "active": "在用", "note": "备注",
    }),
]
