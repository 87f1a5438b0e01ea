from app.core.admin_zh import AdminTable
from app.hr_recruit.tables import Headcount, RecruitSetting

GROUP = "人事"

ADMIN_TABLES = [
    AdminTable(Headcount, "核定编制", GROUP, {"id": "编号", "company": "公司", "position": "岗位", "approved": "核定编制（人）", "note": "备注"}),
    AdminTable(RecruitSetting, "招聘设置", GROUP, {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源"}),
]
