import os

from piccolo.conf.apps import AppConfig

from app.rules.tables import RuleAcknowledgement, RuleClause, RuleDocument, RuleQuizAttempt, RuleQuizQuestion, RuleSetting, RuleVersion

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="rules",
    migrations_folder_path=os.path.join(BASE, "migrations", "rules"),
    table_classes=[RuleDocument, RuleVersion, RuleClause, RuleAcknowledgement, RuleQuizQuestion, RuleQuizAttempt, RuleSetting],
    migration_dependencies=["piccolo.apps.user.piccolo_app"],
    commands=[],
)
