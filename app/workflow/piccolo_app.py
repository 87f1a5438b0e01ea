import os

from piccolo.conf.apps import AppConfig

from app.workflow.tables import Action, CarbonCopy, Delegation, FlowSetting, Request, Step, Task

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="workflow",
    migrations_folder_path=os.path.join(BASE, "migrations", "workflow"),
    table_classes=[FlowSetting, Request, Step, Task, Action, CarbonCopy, Delegation],
    migration_dependencies=["app.org.piccolo_app", "piccolo.apps.user.piccolo_app"],
    commands=[],
)
