from app.assets.tables import AssetCategory

ADMIN_TABLES = [AssetCategory]
