from app.core.admin_zh import AdminTable
from app.hr_move.tables import Grade

GROUP = "人事"

ADMIN_TABLES = [
    AdminTable(Grade, "职级", GROUP, {"id": "编号", "code": "职级代码", "name": "名称", "rank": "高低次序"}),
]
