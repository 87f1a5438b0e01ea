from app.core.admin_zh import AdminTable
from app.hr_course.tables import CourseSetting

GROUP = "人事"

ADMIN_TABLES = [
    AdminTable(CourseSetting, "内部培训设置", GROUP, {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源"}),
]
