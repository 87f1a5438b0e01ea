"""Uniqueness the register relies on, as indexes (SQLite and PostgreSQL), so concurrent writers cannot duplicate:
one 开发规模审批 per project and year, a building once per permit/mortgage, one deadline row per record item,
one reminder per deadline, due date and threshold."""
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T05:49:30:000001"
VERSION = "1.38.0"
DESCRIPTION = "permits unique indexes"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS permit_scale_project_year ON permit_scale (project, year)",
    "CREATE UNIQUE INDEX IF NOT EXISTS permit_presale_building_pair ON permit_presale_building (permit, building)",
    "CREATE UNIQUE INDEX IF NOT EXISTS permit_mortgage_building_pair ON permit_mortgage_building (mortgage, building)",
    "CREATE UNIQUE INDEX IF NOT EXISTS permit_deadline_item ON permit_deadline (kind, record_id, item)",
    "CREATE UNIQUE INDEX IF NOT EXISTS permit_reminder_once ON permit_reminder_log (deadline, due_on, threshold)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="permits", description=DESCRIPTION)

    async def run():
        for ddl in INDEXES:
            await engine_finder().run_ddl(ddl)

    async def back():
        for ddl in INDEXES:
            name = ddl.split(" EXISTS ")[1].split(" ")[0]
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
