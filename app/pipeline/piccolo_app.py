import os

from piccolo.conf.apps import AppConfig

from app.pipeline.tables import Buyer, Deal, DealDocument, DealParty, DealVoid, Defect, Instalment, MortgageNotice, ReleaseBatch, PipelineSetting, DeedTaxBand, Receipt, DealRefund, VoidStep, ChecklistItem

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="pipeline",
    migrations_folder_path=os.path.join(BASE, "migrations", "pipeline"),
    table_classes=[Buyer, Deal, DealParty, DealDocument, Defect, Instalment, DealVoid, MortgageNotice, ReleaseBatch, PipelineSetting, DeedTaxBand, Receipt, DealRefund, VoidStep, ChecklistItem],
    migration_dependencies=["app.estate.piccolo_app", "app.org.piccolo_app", "app.workflow.piccolo_app"],
    commands=[],
)
