import os

from piccolo.conf.apps import AppConfig

from app.permits.tables import (
    ConstructionMortgage,
    Deadline,
    FundPayment,
    LoanAgreement,
    MaintenanceFund,
    MortgageBuilding,
    OverseasFiling,
    PresaleBuilding,
    PresalePermit,
    Qualification,
    ReminderLog,
    ReminderRule,
    ScaleApproval,
)
from app.permits.tables import PermitSetting, PropertyTender, QualificationUpgrade, TenderStep, UpgradeChecklistItem, UpgradeItem

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="permits",
    migrations_folder_path=os.path.join(BASE, "migrations", "permits"),
    table_classes=[
        ScaleApproval, PresalePermit, PresaleBuilding, Qualification, MaintenanceFund, FundPayment, ConstructionMortgage,
        MortgageBuilding, LoanAgreement, OverseasFiling, Deadline, ReminderLog, ReminderRule,
        PermitSetting, UpgradeChecklistItem, QualificationUpgrade, UpgradeItem, PropertyTender, TenderStep,
    ],
    migration_dependencies=["app.estate.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
