import os

from piccolo.conf.apps import AppConfig

from app.site_logs.tables import SiteVehicle, SiteVisitor

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="site_logs",
    migrations_folder_path=os.path.join(BASE, "migrations", "site_logs"),
    table_classes=[SiteVisitor, SiteVehicle],
    migration_dependencies=["app.site.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
