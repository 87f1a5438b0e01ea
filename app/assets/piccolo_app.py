import os

from piccolo.conf.apps import AppConfig

from app.assets.tables import AssetCard, AssetCategory, AssetDisposal, AssetNumberSeq, AssetPurchase, AssetPurchaseLine, AssetQuote

BASE = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

APP_CONFIG = AppConfig(
    app_name="assets",
    migrations_folder_path=os.path.join(BASE, "migrations", "assets"),
    table_classes=[AssetCategory, AssetNumberSeq, AssetPurchase, AssetPurchaseLine, AssetQuote, AssetCard, AssetDisposal],
    migration_dependencies=["app.workflow.piccolo_app", "app.org.piccolo_app"],
    commands=[],
)
