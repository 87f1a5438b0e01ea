import os

from piccolo.conf.apps import AppConfig

from app.site_cleaning.tables import CleanArea, CleanDeduction, CleanInspection, CleanItem, CleanTicket

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="site_cleaning",
    migrations_folder_path=os.path.join(BASE, "migrations", "site_cleaning"),
    table_classes=[CleanArea, CleanItem, CleanInspection, CleanDeduction, CleanTicket],
    migration_dependencies=["app.site.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
