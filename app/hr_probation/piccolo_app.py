import os

from piccolo.conf.apps import AppConfig

from app.hr_probation.tables import EmployeeStatus, ProbationReview, ProbationSetting

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_probation",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_probation"),
    table_classes=[ProbationReview, EmployeeStatus, ProbationSetting],
    migration_dependencies=["app.org.piccolo_app", "app.hr_contract.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
