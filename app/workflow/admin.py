from app.workflow.tables import Delegation, FlowSetting

ADMIN_TABLES = [FlowSetting, Delegation]
