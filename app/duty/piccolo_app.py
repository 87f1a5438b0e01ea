import os

from piccolo.conf.apps import AppConfig

from app.duty.tables import DutyShift, DutySwap, DutyHandover, DutySetting

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="duty",
    migrations_folder_path=os.path.join(BASE, "migrations", "duty"),
    table_classes=[DutyShift, DutySwap, DutyHandover, DutySetting],
    migration_dependencies=["app.org.piccolo_app"],
    commands=[],
)
