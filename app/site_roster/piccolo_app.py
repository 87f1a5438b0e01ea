import os

from piccolo.conf.apps import AppConfig

from app.site_roster.tables import RosterEntry, RosterSwap, SiteRoster

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="site_roster",
    migrations_folder_path=os.path.join(BASE, "migrations", "site_roster"),
    table_classes=[SiteRoster, RosterEntry, RosterSwap],
    migration_dependencies=["app.site.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
