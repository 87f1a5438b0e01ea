from piccolo.apps.user.tables import BaseUser

from app.core.admin_zh import AdminTable
from app.core.tables import HolidayOverride

ADMIN_TABLES = [
    AdminTable(HolidayOverride, "节假日调整", "系统", {
        "id": "编号", "day": "日期", "is_workday": "调休上班", "name": "节日名称", "note": "备注",
    }),
]

# Shown by the admin without being handed over: piccolo-admin adds the tables that admin tables point at
# (员工 → 登录账号). Named here so that they too read in Chinese.
RELATED_TABLES = [
    AdminTable(BaseUser, "登录账号", "系统", {
        "id": "编号", "username": "用户名", "password": "密码", "first_name": "名", "last_name": "姓",
        "email": "电子邮箱", "active": "启用", "admin": "可进入管理后台", "superuser": "超级管理员",
        "last_login": "最近登录",
    }),
]
