from app.core.admin_zh import AdminTable
from app.estate.tables import Building, Project, Unit

ADMIN_TABLES = [
    AdminTable(Project, "项目", "交易办理", {
        "id": "编号", "code": "项目编号", "name": "项目名称", "company_name": "开发主体", "city": "城市",
        "address": "地址", "active": "启用",
    }),
    AdminTable(Building, "楼栋", "交易办理", {
        "id": "编号", "project": "项目", "name": "楼栋", "floors": "层数", "units_per_floor": "每层户数",
    }),
    AdminTable(Unit, "房源", "交易办理", {
        "id": "编号", "project": "项目", "building": "楼栋", "room_no": "房号", "floor": "楼层", "layout": "户型",
        "use": "用途", "area_build": "预测建筑面积", "area_inner": "预测套内面积", "pricing_basis": "计价方式",
        "unit_price": "单价", "total_price": "总价", "status": "销售状态", "mortgaged": "在建工程抵押",
        "sealed": "查封",
    }, listed=("id", "project", "building", "room_no", "layout", "area_build", "pricing_basis", "total_price", "status")),
]
