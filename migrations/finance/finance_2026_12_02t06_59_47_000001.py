"""Each approved 招待申请 is used by one expense claim: a unique index on fin_expense.entertainment (NULLs — claims
without a prior approval — do not collide, on SQLite and PostgreSQL alike). SQLite cannot ADD a UNIQUE column,
hence the index."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T06:59:47:000001"
VERSION = "1.38.0"
DESCRIPTION = "unique entertainment per claim"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS fin_expense_entertainment_once ON fin_expense (entertainment)")

    manager.add_raw(run)
    return manager
