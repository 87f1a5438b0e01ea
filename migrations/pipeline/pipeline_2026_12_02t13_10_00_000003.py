"""deal indexes by project: composite indexes for the queries that filter on one column and sort or filter on the next (issue 11, the
benchmark at 50,000 units). Plain CREATE INDEX IF NOT EXISTS, the same on SQLite and PostgreSQL."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T13:10:00:000003"
VERSION = "1.38.0"
DESCRIPTION = "deal indexes by project"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        await db.run_ddl('CREATE INDEX IF NOT EXISTS pl_deal_project_signed ON pl_deal (project, signed_on)')
        await db.run_ddl('CREATE INDEX IF NOT EXISTS pl_deal_project_stage ON pl_deal (project, stage)')

    manager.add_raw(run)
    return manager
