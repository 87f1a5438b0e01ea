import os

from piccolo.conf.apps import AppConfig

from app.hr_contract.tables import ContractSetting, LabourContract

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="hr_contract",
    migrations_folder_path=os.path.join(BASE, "migrations", "hr_contract"),
    table_classes=[LabourContract, ContractSetting],
    migration_dependencies=["app.org.piccolo_app"],
    commands=[],
)
