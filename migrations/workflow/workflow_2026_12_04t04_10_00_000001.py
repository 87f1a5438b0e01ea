"""The tasks' submitted_at filled in from their requests (the index on it follows in its own migration: PostgreSQL
cannot build an index on a table whose rows the same transaction updated). The same SQL on SQLite and PostgreSQL."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T04:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "tasks' submitted_at from their requests"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workflow", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        await db.run_ddl('UPDATE wf_task SET submitted_at = (SELECT r.submitted_at FROM wf_request r WHERE r.id = wf_task.request) '
                         'WHERE submitted_at IS NULL')

    manager.add_raw(run)
    return manager
