import os

from piccolo.conf.apps import AppConfig

from app.hr_move.tables import Grade, PositionHistory, Promotion, Transfer, TransferItem

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_move",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_move"),
    table_classes=[Grade, PositionHistory, Promotion, Transfer, TransferItem],
    migration_dependencies=["app.org.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
