from app.core.admin_zh import AdminTable
from app.ledgers.tables import LedgerSetting

# The ledgers are views over the pipeline's records (corrected only through 台账更正 on the engine); only the daily
# report's schedule is edited here.
ADMIN_TABLES = [
    AdminTable(LedgerSetting, "台账与日报设置", "交易办理", {
        "id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源",
    }),
]
