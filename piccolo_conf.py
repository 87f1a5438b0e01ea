"""Piccolo configuration: the engine (app/core/engine.py: SQLite by default, PostgreSQL by DATABASE_URL) and the app registry."""
from piccolo.conf.apps import AppRegistry
from app.core.discovery import piccolo_apps
from app.core.engine import PortalPostgresEngine, PortalSQLiteEngine
from app.settings import get_settings

_settings = get_settings()

if _settings.database_url:
    DB = PortalPostgresEngine(config={"dsn": _settings.database_url})
else:
    _settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DB = PortalSQLiteEngine(path=str(_settings.sqlite_path), timeout=30)  # long-lived connections, WAL

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "piccolo_admin.piccolo_app",
        *piccolo_apps(),  # every app/<domain>/piccolo_app.py
    ]
)
