import os

from piccolo.conf.apps import AppConfig

from app.hr_training.tables import TrainingAgreement

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_training",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_training"),
    table_classes=[TrainingAgreement],
    migration_dependencies=["app.org.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
