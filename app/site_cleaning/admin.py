from app.core.admin_zh import AdminTable
from app.site_cleaning.tables import CleanArea, CleanItem

GROUP = "售楼处"

# reference data: the areas and their checklists are edited here; inspections and tickets are worked in the portal
ADMIN_TABLES = [
    AdminTable(CleanArea, "保洁区域", GROUP, {"id": "编号", "team": "班组", "name": "区域", "standard": "保洁标准", "every_min": "检查频次（分钟）",
                                        "sort": "顺序", "active": "在用"}),
    AdminTable(CleanItem, "保洁检查项", GROUP, {"id": "编号", "area": "区域", "text": "检查项", "max_points": "最多扣分", "sort": "顺序",
                                          "active": "在用"}),
]
