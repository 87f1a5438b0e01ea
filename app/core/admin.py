from piccolo.apps.user.tables import BaseUser

from app.core.admin_zh import AdminTable

from app.core.tables import AttachmentSetting, AttachmentType, FigureCacheSetting, HolidayOverride, IdempotencySetting

ADMIN_TABLES = [
    AdminTable(HolidayOverride, "节假日调整", "系统", {
        "id": "编号", "day": "日期", "is_workday": "调休上班", "name": "节日名称", "note": "备注",
    }),
    # the login accounts (员工 point at them): handed over so that their edits are validated and audited too
    AdminTable(BaseUser, "登录账号", "系统", {
        "id": "编号", "username": "用户名", "password": "密码", "first_name": "名", "last_name": "姓",
        "email": "电子邮箱", "active": "启用", "admin": "可进入管理后台", "superuser": "超级管理员",
        "last_login": "最近登录",
    }, listed=("id", "username", "first_name", "email", "active", "admin", "superuser", "last_login")),
    AdminTable(AttachmentType, "附件类型与大小", "系统", {
        "id": "编号", "kind": "类型代码", "label": "名称", "allowed": "允许上传", "max_mb": "单个文件最大（MB）",
    }),
    AdminTable(AttachmentSetting, "附件设置", "系统", {"id": "编号", "key": "参数代码", "label": "名称", "value": "数值"}),
    AdminTable(IdempotencySetting, "重复提交保护", "系统", {"id": "编号", "key": "参数代码", "label": "名称", "value": "数值"}),
    AdminTable(FigureCacheSetting, "统计缓存", "系统", {"id": "编号", "key": "参数代码", "label": "名称", "value": "数值"}),
]

# Tables piccolo-admin shows only because an admin table points at them: named here so that they read in Chinese.
# (None today: every such table is handed over above, with validation and audit.)
RELATED_TABLES: list[AdminTable] = []
