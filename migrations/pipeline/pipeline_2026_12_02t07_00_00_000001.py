"""A4's new states: a deal filed and pre-registered under the old states (已备案 with a 预告登记证明号) is 已预告登记 now,
waiting only for the hand-over of the filed contracts to the 合同专员."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T07:00:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "filing states: pre-registered deals"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl("UPDATE pl_deal SET filing_status = '已预告登记' WHERE filing_status = '已备案' AND prereg_no <> ''")

    manager.add_raw(run)
    return manager
