"""Carry the old first/second-home flag over to the home count (首套 / 二套) on deals and deed-tax bands, before the
flag is dropped by the next migration."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T22:25:36:000001"
VERSION = "1.38.0"
DESCRIPTION = "home count from first_home"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="pipeline", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        await engine.run_ddl("UPDATE pl_deal SET home_count = '二套' WHERE first_home = FALSE")
        await engine.run_ddl("UPDATE pl_deed_tax_band SET homes = '二套' WHERE first_home = FALSE")

    manager.add_raw(run)
    return manager
