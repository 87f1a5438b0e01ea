import os

from piccolo.conf.apps import AppConfig

from app.calls.tables import CallMapping, CallRecord, CallQa

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="calls",
    migrations_folder_path=os.path.join(BASE, "migrations", "calls"),
    table_classes=[CallMapping, CallRecord, CallQa],
    migration_dependencies=["app.care.piccolo_app", "app.estate.piccolo_app", "app.org.piccolo_app", "app.pipeline.piccolo_app"],
    commands=[],
)
