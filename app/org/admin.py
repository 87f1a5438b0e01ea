from app.core.admin_zh import AdminTable
from app.org.tables import Company, Department, Employee, EmployeeProject, Position

ADMIN_TABLES = [
    AdminTable(Company, "公司", "组织与岗位", {
        "id": "编号", "name": "公司名称", "short_name": "简称", "credit_code": "统一社会信用代码",
        "parent": "上级公司", "is_group": "集团", "sort": "排序",
        "doc_abbr": "发文代字",
    }),
    AdminTable(Department, "部门", "组织与岗位", {
        "id": "编号", "company": "所属公司", "parent": "上级部门", "code": "部门编号", "name": "部门名称",
        "description": "部门说明", "sort": "排序",
    }),
    AdminTable(Position, "岗位", "组织与岗位", {
        "id": "编号", "code": "岗位编号", "name": "岗位名称", "role": "权限角色", "alias": "其他叫法",
        "is_department_post": "客服部内岗位", "duties": "岗位职责", "clause_ref": "规章条款", "sort": "排序",
    }),
    AdminTable(Employee, "员工", "组织与岗位", {
        "id": "编号", "user": "登录账号", "employee_no": "工号", "name": "姓名", "company": "所属公司",
        "department": "部门", "position": "岗位", "manager": "直接上级", "is_group_lead": "组长",
        "all_projects": "全部项目", "mobile": "手机号", "hired_on": "入职日期", "active": "在职",
    }, listed=("id", "employee_no", "name", "user", "department", "position", "manager", "active")),
    AdminTable(EmployeeProject, "员工项目范围", "组织与岗位", {
        "id": "编号", "employee": "员工", "project": "项目",
    }),
]
