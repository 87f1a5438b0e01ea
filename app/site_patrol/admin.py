from app.core.admin_zh import AdminTable
from app.site_patrol.tables import PatrolCheckpoint, PatrolMiss, PatrolScan

GROUP = "售楼处"

# the checkpoints are reference data (edited here; the QR sheet is printed from /site/patrol/sheet); scans and misses
# are the records, shown for looking up
ADMIN_TABLES = [
    AdminTable(PatrolCheckpoint, "巡更点", GROUP, {"id": "编号", "team": "班组", "name": "名称", "place": "位置", "token": "二维码随机码",
                                            "sort": "顺序", "active": "在用", "created_at": "启用时间"}),
    AdminTable(PatrolScan, "巡更记录", GROUP, {"id": "编号", "checkpoint": "巡更点", "window_start": "轮次开始", "scanned_at": "打卡时间",
                                           "result": "结果", "note": "异常说明", "by_user": "打卡账号", "by_employee": "打卡人员",
                                           "by_name": "打卡人"}),
    AdminTable(PatrolMiss, "巡更漏检", GROUP, {"id": "编号", "checkpoint": "巡更点", "window_start": "轮次开始", "window_end": "轮次结束",
                                           "alerted_at": "提醒时间"}),
]
