import os

from piccolo.conf.apps import AppConfig

from app.care.tables import CareSetting, Contractor, CareCase, CaseEvent, CasePause, CareClockMark, CareRepair, Callback, Compensation, RecordAudit, RecordAuditItem

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="care",
    migrations_folder_path=os.path.join(BASE, "migrations", "care"),
    table_classes=[CareSetting, Contractor, CareCase, CaseEvent, CasePause, CareClockMark, CareRepair, Callback, Compensation, RecordAudit, RecordAuditItem],
    migration_dependencies=["app.estate.piccolo_app", "app.org.piccolo_app", "app.pipeline.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
