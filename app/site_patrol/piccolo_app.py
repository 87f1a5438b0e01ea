import os

from piccolo.conf.apps import AppConfig

from app.site_patrol.tables import PatrolCheckpoint, PatrolMiss, PatrolScan

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="site_patrol",
    migrations_folder_path=os.path.join(BASE, "migrations", "site_patrol"),
    table_classes=[PatrolCheckpoint, PatrolScan, PatrolMiss],
    migration_dependencies=["app.site.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
