"""inbox and task indexes: composite indexes for the queries that filter on one column and sort or filter on the next (issue 11, the
benchmark at 50,000 units). Plain CREATE INDEX IF NOT EXISTS, the same on SQLite and PostgreSQL."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T13:10:00:000001"
VERSION = "1.38.0"
DESCRIPTION = "inbox and task indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="workflow", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        await db.run_ddl('CREATE INDEX IF NOT EXISTS wf_task_assignee_status ON wf_task (assignee, status, request)')
        await db.run_ddl('CREATE INDEX IF NOT EXISTS wf_action_actor_request ON wf_action (actor, action, request)')
        await db.run_ddl('CREATE INDEX IF NOT EXISTS wf_cc_user_request ON wf_cc ("user", sent_at, request)')
        await db.run_ddl('CREATE INDEX IF NOT EXISTS wf_request_applicant_submitted ON wf_request (applicant_user, submitted_at)')

    manager.add_raw(run)
    return manager
