import os

from piccolo.conf.apps import AppConfig

from app.archive.tables import ArchiveFile, ArchiveOriginal, DocumentLoan

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="archive",
    migrations_folder_path=os.path.join(BASE, "migrations", "archive"),
    table_classes=[ArchiveFile, DocumentLoan, ArchiveOriginal],
    migration_dependencies=["app.pipeline.piccolo_app", "app.workflow.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
