from app.core.admin_zh import AdminTable
from app.hr_probation.tables import ProbationSetting

GROUP = "人事"

ADMIN_TABLES = [
    AdminTable(ProbationSetting, "转正设置", GROUP, {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源"}),
]
