from app.core.admin_zh import AdminTable
from app.site_shift.tables import Handover, HandoverIssue, ShiftLog

GROUP = "售楼处"

# the records are written on the tablet; the admin shows them for corrections
ADMIN_TABLES = [
    AdminTable(ShiftLog, "班前点名记录", GROUP, {"id": "编号", "team": "班组", "day": "日期", "slot": "班次", "slot_key": "唯一键",
                                            "written_by": "记录人", "written_by_name": "记录人姓名", "created_at": "记录时间", "note": "备注"}),
    AdminTable(Handover, "售楼处交接班记录", GROUP, {
        "id": "编号", "team": "班组", "post": "岗位", "day": "日期", "slot": "交班班次", "handover_key": "唯一键", "change_at": "换班时间",
        "outgoing": "交班人", "incoming": "接班人", "radios": "对讲机编号", "keys": "钥匙", "umbrellas": "雨伞", "shoe_covers": "鞋套",
        "fire_status": "消防器材", "fire_note": "消防说明", "note": "备注", "status": "状态", "out_signed_at": "交班签名时间",
        "in_signed_at": "接班签名时间", "late": "逾时", "created_by": "录入人"}),
    AdminTable(HandoverIssue, "交接班遗留问题", GROUP, {"id": "编号", "handover": "交接班", "text": "问题", "status": "状态",
                                                "carried_from": "承接自"}),
]
