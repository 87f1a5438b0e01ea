"""Piccolo configuration: the engine (SQLite by default, PostgreSQL by DATABASE_URL) and the app registry."""
from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from app.core.discovery import piccolo_apps
from app.settings import get_settings

_settings = get_settings()

if _settings.database_url:
    DB = PostgresEngine(config={"dsn": _settings.database_url})
else:
    _settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    DB = SQLiteEngine(path=str(_settings.sqlite_path), timeout=30)

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo.apps.user.piccolo_app",
        "piccolo_api.session_auth.piccolo_app",
        "piccolo_admin.piccolo_app",
        *piccolo_apps(),  # every app/<domain>/piccolo_app.py
    ]
)
