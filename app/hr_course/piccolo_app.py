import os

from piccolo.conf.apps import AppConfig

from app.hr_course.tables import CourseAttendance, CoursePlan, CoursePlanLine, CourseSession, CourseSetting

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_course",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_course"),
    table_classes=[CoursePlan, CoursePlanLine, CourseSession, CourseAttendance, CourseSetting],
    migration_dependencies=["app.org.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
