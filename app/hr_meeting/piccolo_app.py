import os

from piccolo.conf.apps import AppConfig

from app.hr_meeting.tables import ActionItem, Meeting, MeetingPerson

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_meeting",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_meeting"),
    table_classes=[Meeting, MeetingPerson, ActionItem],
    migration_dependencies=["app.org.piccolo_app"],
    commands=[],
)
