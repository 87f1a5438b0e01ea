"""notification and audit indexes: composite indexes for the queries that filter on one column and sort or filter on the next (issue 11, the
benchmark at 50,000 units). Plain CREATE INDEX IF NOT EXISTS, the same on SQLite and PostgreSQL."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T13:10:00:000002"
VERSION = "1.38.0"
DESCRIPTION = "notification and audit indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        db = engine_finder()
        await db.run_ddl('CREATE INDEX IF NOT EXISTS notification_user_at ON notification ("user", at)')
        await db.run_ddl('CREATE INDEX IF NOT EXISTS audit_log_entity_at ON audit_log (entity, entity_id, at)')

    manager.add_raw(run)
    return manager
