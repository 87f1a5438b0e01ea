import os

from piccolo.conf.apps import AppConfig

from app.hr_people.tables import EmployeeFile, Reward

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_people",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_people"),
    table_classes=[EmployeeFile, Reward],
    migration_dependencies=["app.org.piccolo_app", "app.rules.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
