import os

from piccolo.conf.apps import AppConfig

from app.hr_recruit.tables import Candidate, Headcount, Interview, InterviewReview, Offer, Onboarding, RecruitSetting, Staffing

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_recruit",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_recruit"),
    table_classes=[Headcount, Staffing, Candidate, Interview, InterviewReview, Offer, Onboarding, RecruitSetting],
    migration_dependencies=["app.org.piccolo_app", "app.workflow.piccolo_app", "app.hr_contract.piccolo_app", "app.hr_probation.piccolo_app"],
    commands=[],
)
