import os

from piccolo.conf.apps import AppConfig

from app.finance.tables import Advance, AdvanceEntry, DeductionConsent, Entertainment, ExpenseClaim, ExpenseTrip, Invoice, Payment

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="finance",
    migrations_folder_path=os.path.join(BASE, "migrations", "finance"),
    table_classes=[Advance, AdvanceEntry, ExpenseClaim, Invoice, Payment, ExpenseTrip, Entertainment, DeductionConsent],
    migration_dependencies=["app.workflow.piccolo_app", "app.org.piccolo_app", "app.office.piccolo_app"],
    commands=[],
)
