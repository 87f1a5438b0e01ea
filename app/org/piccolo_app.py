import os

from piccolo.conf.apps import AppConfig

from app.org.tables import Company, Department, Employee, EmployeeProject, Position

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="org",
    migrations_folder_path=os.path.join(BASE, "migrations", "org"),
    table_classes=[Company, Department, Position, Employee, EmployeeProject],
    migration_dependencies=["app.estate.piccolo_app", "piccolo.apps.user.piccolo_app"],
    commands=[],
)
