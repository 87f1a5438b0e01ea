"""An invoice is identified by 发票代码 + 号码 (or the 20-digit number alone, code empty): the partial unique index
moves from (number) to (code, number), so two legacy invoices with the same 8-digit number and different codes
no longer collide, while the same invoice still cannot be held by two active claims."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:18:13:000001"
VERSION = "1.38.0"
DESCRIPTION = "unique active invoice code + number"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="finance", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX IF EXISTS fin_invoice_active_number")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS fin_invoice_active_code_number ON fin_invoice (code, number) WHERE active = TRUE"
        )

    manager.add_raw(run)
    return manager
