import os

from piccolo.conf.apps import AppConfig

from app.estate.tables import Building, Project, Unit

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="estate",
    migrations_folder_path=os.path.join(BASE, "migrations", "estate"),
    table_classes=[Project, Building, Unit],
    migration_dependencies=[],
    commands=[],
)
