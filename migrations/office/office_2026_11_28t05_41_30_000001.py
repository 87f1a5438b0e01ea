"""Stock never goes below zero, even if some code path forgot the conditional update: a CHECK constraint on
PostgreSQL, a trigger on SQLite (which cannot add a CHECK to an existing table)."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-28T05:41:30:000001"
VERSION = "1.38.0"
DESCRIPTION = "stock quantity never negative"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="office", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            await engine.run_ddl("ALTER TABLE office_item ADD CONSTRAINT office_item_quantity_nonneg CHECK (quantity >= 0)")
        else:
            for op in ("INSERT", "UPDATE"):
                await engine.run_ddl(
                    f"CREATE TRIGGER IF NOT EXISTS office_item_quantity_nonneg_{op.lower()} BEFORE {op} ON office_item "
                    "FOR EACH ROW WHEN NEW.quantity < 0 BEGIN SELECT RAISE(ABORT, 'office_item quantity below zero'); END"
                )

    manager.add_raw(run)
    return manager
