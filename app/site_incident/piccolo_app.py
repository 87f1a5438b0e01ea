import os

from piccolo.conf.apps import AppConfig

from app.site_incident.tables import Incident, IncidentNotice

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="site_incident",
    migrations_folder_path=os.path.join(BASE, "migrations", "site_incident"),
    table_classes=[Incident, IncidentNotice],
    migration_dependencies=["app.site.piccolo_app", "app.care.piccolo_app", "app.org.piccolo_app", "app.estate.piccolo_app"],
    commands=[],
)
