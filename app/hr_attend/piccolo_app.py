import os

from piccolo.conf.apps import AppConfig

from app.hr_attend.tables import AttendSetting, ClockDay, WeekendDuty, WeekendDutyStaff

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_attend",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_attend"),
    table_classes=[AttendSetting, ClockDay, WeekendDuty, WeekendDutyStaff],
    migration_dependencies=["app.org.piccolo_app", "app.hr_leave.piccolo_app"],
    commands=[],
)
