import os

from piccolo.conf.apps import AppConfig

from app.hr_leave.tables import LeaveProfile, LeaveRequest

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_leave",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_leave"),
    table_classes=[LeaveProfile, LeaveRequest],
    migration_dependencies=["app.org.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
