from app.core.admin_zh import AdminTable
from app.workflow.tables import Delegation, FlowSetting

ADMIN_TABLES = [
    AdminTable(FlowSetting, "审批参数", "审批", {
        "id": "编号", "flow": "审批类型", "key": "参数代码", "label": "说明", "value": "数值",
    }),
    AdminTable(Delegation, "审批委托", "审批", {
        "id": "编号", "principal": "委托人", "deputy": "受托人", "start_on": "开始日期", "end_on": "结束日期",
        "active": "有效", "created_at": "创建时间",
    }),
]
