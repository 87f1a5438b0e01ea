"""One budget per 预算科目 and month: a unique index on office_budget (month, line)."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T07:30:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "unique budget line per month"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="office", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS office_budget_month_line ON office_budget (month, line)")

    manager.add_raw(run)
    return manager
