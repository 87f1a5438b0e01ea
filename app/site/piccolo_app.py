import os

from piccolo.conf.apps import AppConfig

from app.site.tables import ShiftPattern, ShiftSlot, SiteEvent, SitePost, SiteSetting, SiteTeam, SiteWorker

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="site",
    migrations_folder_path=os.path.join(BASE, "migrations", "site"),
    table_classes=[SiteTeam, SiteWorker, ShiftPattern, ShiftSlot, SitePost, SiteEvent, SiteSetting],
    migration_dependencies=["app.org.piccolo_app", "app.estate.piccolo_app"],
    commands=[],
)
