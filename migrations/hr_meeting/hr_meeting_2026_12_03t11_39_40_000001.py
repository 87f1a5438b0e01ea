from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class MeetingPerson(Table, tablename="hr_meeting_person"):
    pass


ID = "2026-12-03T11:39:40:000001"
VERSION = "1.38.0"
DESCRIPTION = "A person once per meeting"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr_meeting", description=DESCRIPTION)

    # Piccolo has no composite unique column; raw SQL runs before a migration's own tables are made, hence its own step
    async def unique_keys():
        await MeetingPerson.raw('CREATE UNIQUE INDEX IF NOT EXISTS hr_meeting_person_once ON hr_meeting_person ("meeting", "employee")')

    manager.add_raw(unique_keys)
    return manager
