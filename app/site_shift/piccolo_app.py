import os

from piccolo.conf.apps import AppConfig

from app.site_shift.tables import Handover, HandoverIssue, LogItem, PostCheck, RollCall, ShiftLog

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="site_shift",
    migrations_folder_path=os.path.join(BASE, "migrations", "site_shift"),
    table_classes=[ShiftLog, RollCall, PostCheck, LogItem, Handover, HandoverIssue],
    migration_dependencies=["app.site.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
