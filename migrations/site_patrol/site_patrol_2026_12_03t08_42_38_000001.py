from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class PatrolCheckpoint(Table, tablename="site_patrol_checkpoint"):
    pass


ID = "2026-12-03T08:42:38:000001"
VERSION = "1.38.0"
DESCRIPTION = "Patrol scans and misses: unique (checkpoint, window_start)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="site_patrol", description=DESCRIPTION)

    # a checkpoint once per round window, across processes (Piccolo has no composite unique column): SQLite and PostgreSQL
    async def unique_windows():
        await PatrolCheckpoint.raw(
            'CREATE UNIQUE INDEX IF NOT EXISTS site_patrol_scan_window ON site_patrol_scan ("checkpoint", "window_start")')
        await PatrolCheckpoint.raw(
            'CREATE UNIQUE INDEX IF NOT EXISTS site_patrol_miss_window ON site_patrol_miss ("checkpoint", "window_start")')

    manager.add_raw(unique_windows)

    return manager
