"""Reference data edited in piccolo-admin: vehicles and drivers. Stock items are not here: their quantities move
only through purchases, requisitions and returns, each with a ledger row."""
from app.core.admin_zh import AdminTable
from app.office.tables import Driver, SuppliesBudget, Vehicle

ADMIN_TABLES = [
    AdminTable(Vehicle, "车辆", "办公用品与用车", {
        "id": "编号", "plate": "车牌号", "model": "品牌型号", "seats": "座位数", "odometer": "当前里程",
        "active": "可预约", "sort": "排序", "private_owner": "私车公用车主",
    }),
    AdminTable(Driver, "司机", "办公用品与用车", {
        "id": "编号", "name": "姓名", "phone": "手机号", "active": "在岗",
    }),
    AdminTable(SuppliesBudget, "办公用品月度预算", "办公用品与用车", {
        "id": "编号", "month": "预算月份", "line": "预算科目", "amount": "预算金额",
    }),
]
