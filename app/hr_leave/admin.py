"""The leave inputs HR may also correct in the admin: each employee's 参加工作日期. The leave requests themselves move
only through the engine; the thresholds are the 请假申请 flow's settings (审批参数)."""
from app.core.admin_zh import AdminTable
from app.hr_leave.tables import LeaveProfile

ADMIN_TABLES = [
    AdminTable(LeaveProfile, "员工参加工作日期", "人事", {
        "id": "编号", "employee": "员工", "work_start": "参加工作日期", "note": "依据", "updated_by": "登记人", "updated_at": "登记时间",
    }),
]
