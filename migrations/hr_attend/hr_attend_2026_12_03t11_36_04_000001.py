from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class ClockDay(Table, tablename="hr_attend_clock"):
    pass


ID = "2026-12-03T11:36:04:000001"
VERSION = "1.38.0"
DESCRIPTION = "Punches once per employee and day; a person once per weekend duty"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr_attend", description=DESCRIPTION)

    # Piccolo has no composite unique column; raw SQL runs before a migration's own tables are made, hence its own step
    async def unique_keys():
        await ClockDay.raw('CREATE UNIQUE INDEX IF NOT EXISTS hr_attend_clock_employee_day ON hr_attend_clock ("employee", "day")')
        await ClockDay.raw('CREATE UNIQUE INDEX IF NOT EXISTS hr_attend_duty_staff_once ON hr_attend_duty_staff ("duty", "employee")')

    manager.add_raw(unique_keys)
    return manager
