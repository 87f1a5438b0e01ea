from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class Headcount(Table, tablename="hr_headcount"):
    pass


ID = "2026-12-03T11:37:57:000001"
VERSION = "1.38.0"
DESCRIPTION = "Headcount: one row per company and position"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr_recruit", description=DESCRIPTION)

    # Piccolo has no composite unique column; raw SQL runs before a migration's own tables are made, hence its own step
    async def unique_keys():
        await Headcount.raw('CREATE UNIQUE INDEX IF NOT EXISTS hr_headcount_company_position ON hr_headcount ("company", "position")')

    manager.add_raw(unique_keys)
    return manager
