from app.core.admin_zh import AdminTable
from app.site.tables import ShiftPattern, ShiftSlot, SiteEvent, SitePost, SiteSetting, SiteTeam, SiteWorker

GROUP = "售楼处"

# reference data of the sales office: edited here; the daily records (rosters, logs, scans …) are worked in the portal
ADMIN_TABLES = [
    AdminTable(SiteTeam, "外包班组", GROUP, {"id": "编号", "name": "名称", "kind": "类别", "project": "项目", "contractor": "外包单位",
                                         "lead": "队长/领班", "active": "在用"}),
    AdminTable(SiteWorker, "班组人员", GROUP, {"id": "编号", "team": "班组", "name": "姓名", "badge": "工号", "phone": "电话",
                                           "employee": "门户账号", "active": "在岗"}),
    AdminTable(ShiftPattern, "售楼处班制", GROUP, {"id": "编号", "name": "名称", "note": "说明"}),
    AdminTable(ShiftSlot, "售楼处班次", GROUP, {"id": "编号", "pattern": "班制", "name": "班次", "start": "开始", "end": "结束", "sort": "顺序"}),
    AdminTable(SitePost, "售楼处岗位", GROUP, {"id": "编号", "team": "班组", "name": "岗位", "duties": "职责", "pattern": "班制",
                                       "headcount": "每班人数", "night_only": "仅夜间", "sort": "顺序", "active": "在用"}),
    AdminTable(SiteEvent, "重要活动日", GROUP, {"id": "编号", "project": "项目", "day": "日期", "kind": "活动", "extra": "每岗加派",
                                            "note": "备注"}),
    AdminTable(SiteSetting, "售楼处设置", GROUP, {"id": "编号", "key": "参数代码", "label": "说明", "value": "数值", "tag": "来源"}),
]
