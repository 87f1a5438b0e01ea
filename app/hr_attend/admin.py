"""考勤 tables HR may correct in the admin: the settings (作息时间、宽限分钟), the imported punches, the weekend duty."""
from app.core.admin_zh import AdminTable
from app.hr_attend.tables import AttendSetting, ClockDay, WeekendDuty, WeekendDutyStaff

GROUP = "人事"

ADMIN_TABLES = [
    AdminTable(AttendSetting, "考勤设置", GROUP, {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源"}),
    AdminTable(ClockDay, "打卡记录", GROUP, {"id": "编号", "employee": "员工", "day": "日期", "first_in": "上班打卡（分钟）",
                                        "last_out": "下班打卡（分钟）", "source": "来源文件", "imported_at": "导入时间"}),
    AdminTable(WeekendDuty, "加班排班（调休）", GROUP, {"id": "编号", "day": "日期", "occasion": "事由", "credit_days": "每人调休天数",
                                              "note": "说明", "created_by": "排班人", "created_at": "排班时间"}),
    AdminTable(WeekendDutyStaff, "加班排班人员", GROUP, {"id": "编号", "duty": "加班排班", "employee": "员工"}),
]
