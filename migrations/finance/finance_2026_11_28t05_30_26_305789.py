"""An invoice number is held by at most one active invoice line: a partial unique index (SQLite and PostgreSQL),
so two claims racing with the same invoice cannot both be written."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:30:26:305789"
VERSION = "1.38.0"
DESCRIPTION = "unique active invoice number"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS fin_invoice_active_number ON fin_invoice (number) WHERE active = TRUE"
        )

    manager.add_raw(run)
    return manager
