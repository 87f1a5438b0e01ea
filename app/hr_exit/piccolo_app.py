import os

from piccolo.conf.apps import AppConfig

from app.hr_exit.tables import Custody, Dismissal, ExitCase, ExitTick

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_exit",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_exit"),
    table_classes=[ExitCase, ExitTick, Dismissal, Custody],
    migration_dependencies=["app.org.piccolo_app", "app.workflow.piccolo_app", "app.hr_contract.piccolo_app",
                            "app.hr_probation.piccolo_app"],
    commands=[],
)
