import os

from piccolo.conf.apps import AppConfig

from app.ledgers.tables import DailyReport, LedgerCorrection, LedgerSetting, ReportRun

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="ledgers",
    migrations_folder_path=os.path.join(BASE, "migrations", "ledgers"),
    table_classes=[DailyReport, LedgerCorrection, ReportRun, LedgerSetting],
    migration_dependencies=["app.pipeline.piccolo_app", "app.workflow.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
