"""deal indexes in the contract ledger's order: (signed_on, id) and (project, signed_on, id), the ledger's default sort
(签约日期 newest first, then the id) with and without a project filter. At 50,000 units ~850 contracts share a signing
day, so an index on signed_on alone made page 1 join and sort every contract of the newest day; with the id in the
index the page is the first 20 index entries, and a deep page's ids an index-only scan (issue 11). The (project,
signed_on) index is its prefix and goes. Plain SQL, the same on SQLite and PostgreSQL."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T01:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "deal indexes in the ledger's order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        await db.run_ddl("CREATE INDEX IF NOT EXISTS pl_deal_signed_id ON pl_deal (signed_on, id)")
        await db.run_ddl("CREATE INDEX IF NOT EXISTS pl_deal_project_signed_id ON pl_deal (project, signed_on, id)")
        await db.run_ddl("DROP INDEX IF EXISTS pl_deal_project_signed")

    async def run_backwards():
        db = engine_finder()
        await db.run_ddl("CREATE INDEX IF NOT EXISTS pl_deal_project_signed ON pl_deal (project, signed_on)")
        await db.run_ddl("DROP INDEX IF EXISTS pl_deal_project_signed_id")
        await db.run_ddl("DROP INDEX IF EXISTS pl_deal_signed_id")

    manager.add_raw(run)
    manager.add_raw_backwards(run_backwards)
    return manager
