import os

from piccolo.conf.apps import AppConfig

from app.surveys.tables import Questionnaire, Question, Invitation, Answer

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=os.path.join(BASE, "migrations", "surveys"),
    table_classes=[Questionnaire, Question, Invitation, Answer],
    migration_dependencies=["app.estate.piccolo_app", "app.org.piccolo_app", "app.pipeline.piccolo_app"],
    commands=[],
)
