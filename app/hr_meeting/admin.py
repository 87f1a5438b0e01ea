"""例会 tables an administrator may correct: the minutes, who attended, the action items."""
from app.core.admin_zh import AdminTable
from app.hr_meeting.tables import ActionItem, Meeting, MeetingPerson

GROUP = "人事"

ADMIN_TABLES = [
    AdminTable(Meeting, "例会纪要", GROUP, {"id": "编号", "held_on": "会议日期", "department": "部门", "chair": "主持人", "topics": "议题",
                                       "decisions": "决议", "created_by": "记录人", "created_at": "记录时间"}),
    AdminTable(MeetingPerson, "例会参会人员", GROUP, {"id": "编号", "meeting": "例会", "employee": "员工", "present": "出席"}),
    AdminTable(ActionItem, "例会行动项", GROUP, {"id": "编号", "meeting": "例会", "text": "事项", "owner": "负责人", "due_on": "完成期限",
                                          "done": "已完成", "done_on": "完成日期"}),
]
