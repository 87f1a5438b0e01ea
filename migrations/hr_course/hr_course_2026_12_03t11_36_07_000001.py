from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table


class CourseAttendance(Table, tablename="hr_course_attendance"):
    pass


ID = "2026-12-03T11:36:07:000001"
VERSION = "1.38.0"
DESCRIPTION = "Course attendance: one row per session and employee"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="hr_course", description=DESCRIPTION)

    # Piccolo has no composite unique column; raw SQL runs before a migration's own tables are made, hence its own step
    async def unique_keys():
        await CourseAttendance.raw('CREATE UNIQUE INDEX IF NOT EXISTS hr_course_attendance_once ON hr_course_attendance ("session", "employee")')

    manager.add_raw(unique_keys)
    return manager
