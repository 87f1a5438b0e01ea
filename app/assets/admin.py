from app.assets.tables import AssetCategory
from app.core.admin_zh import AdminTable

ADMIN_TABLES = [
    AdminTable(AssetCategory, "资产类别", "资产", {
        "id": "编号", "name": "类别名称", "default_years": "默认折旧年限", "sort": "排序", "active": "启用",
    }),
]
