import os

from piccolo.conf.apps import AppConfig

from app.seals.tables import Seal, SealLog, SealUse, SealUseLine

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="seals",
    migrations_folder_path=os.path.join(BASE, "migrations", "seals"),
    table_classes=[Seal, SealUse, SealUseLine, SealLog],
    migration_dependencies=["app.workflow.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
