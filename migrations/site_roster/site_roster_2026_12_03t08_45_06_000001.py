from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class SiteRoster(Table, tablename="site_roster"):
    pass


ID = "2026-12-03T08:45:06:000001"
VERSION = "1.38.0"
DESCRIPTION = "Rosters: one per team and month, a person once per day and slot"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="site_roster", description=DESCRIPTION)

    # Piccolo has no composite unique column; raw SQL runs before a migration's own tables are made, hence its own step
    async def unique_keys():
        await SiteRoster.raw('CREATE UNIQUE INDEX IF NOT EXISTS site_roster_team_month ON site_roster ("team", "month")')
        await SiteRoster.raw('CREATE UNIQUE INDEX IF NOT EXISTS site_roster_entry_slot ON site_roster_entry ("roster", "day", "slot", "worker")')

    manager.add_raw(unique_keys)
    return manager
