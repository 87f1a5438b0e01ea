from app.core.admin_zh import AdminTable
from app.site_patrol.tables import PatrolCheckpoint

GROUP = "售楼处"

# the checkpoints are reference data (edited here; the QR sheet is printed from /site/patrol/sheet). The scans and the
# misses are records: written only by the portal (with their audit rows), read on /site/patrol/report — not editable here.
ADMIN_TABLES = [
    AdminTable(PatrolCheckpoint, "巡更点", GROUP, {"id": "编号", "team": "班组", "name": "名称", "place": "位置", "token": "二维码随机码",
                                            "sort": "顺序", "active": "在用", "created_at": "启用时间"},
               listed=("id", "team", "name", "place", "sort", "active")),
]
