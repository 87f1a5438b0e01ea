import os

from piccolo.conf.apps import AppConfig

from app.core.tables import (
    Attachment,
    AttachmentBlob,
    AttachmentSetting,
    AttachmentType,
    AuditLog,
    Counter,
    FigureCache,
    FigureCacheSetting,
    HolidayOverride,
    HolidayYear,
    IdempotencyKey,
    IdempotencySetting,
    ListPreference,
    LoginAttempt,
    Notification,
)

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=os.path.join(BASE, "migrations", "core"),
    table_classes=[AuditLog, LoginAttempt, HolidayOverride, HolidayYear, Notification, Counter, AttachmentType, AttachmentSetting, Attachment,
                   AttachmentBlob, ListPreference, IdempotencyKey, IdempotencySetting, FigureCache, FigureCacheSetting],
    migration_dependencies=["piccolo.apps.user.piccolo_app", "piccolo_api.session_auth.piccolo_app"],
    commands=[],
)
