"""The inbox's index in its own order (assignee, status, submitted_at, request): one's pending tasks newest first are
read from it, 20 entries for the first page (issue 11: a department head's ~1,100 pending requests were all fetched
and sorted for every inbox page). The same SQL on SQLite and PostgreSQL."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T04:10:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "the inbox index on tasks"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workflow", description=DESCRIPTION)

    async def run():
        await engine_finder().run_ddl('CREATE INDEX IF NOT EXISTS wf_task_inbox ON wf_task (assignee, status, submitted_at, request)')

    manager.add_raw(run)
    return manager
