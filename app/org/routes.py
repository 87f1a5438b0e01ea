from __future__ import annotations

from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException

from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.permissions import Perm
from app.core.web import render
from app.org import services
from app.org.tables import Department, Employee, Position


async def _department_choices(_user) -> list[tuple[str, str]]:
    rows = await Department.select(Department.id, Department.name, Department.company.short_name).order_by(Department.company).order_by(Department.sort)
    return [(str(r["id"]), f'{r["company.short_name"]} · {r["name"]}') for r in rows]


async def _position_choices(_user) -> list[tuple[str, str]]:
    rows = await Position.select(Position.id, Position.name).order_by(Position.sort)
    return [(str(r["id"]), r["name"]) for r in rows]


EMPLOYEE_LIST = Listing(
    table=Employee,
    select=[Employee.id, Employee.employee_no, Employee.name, Employee.company.short_name, Employee.department.name,
            Employee.position.name, Employee.manager.name, Employee.is_group_lead, Employee.mobile],
    columns=[
        Col("employee_no", "工号", sort=Employee.employee_no),
        Col("name", "姓名", sort=Employee.name, link="/org/employees/{id}", testid="employee-link"),
        Col("company.short_name", "公司"),
        Col("department.name", "部门", sort=Employee.department.name),
        Col("position.name", "岗位", sort=Employee.position.sort),
        Col("is_group_lead", "组长", fmt="bool"),
        Col("manager.name", "直接上级"),
        Col("mobile", "手机"),
    ],
    filters=[
        Filter("q", "姓名/工号", "text", columns=[Employee.name, Employee.employee_no], placeholder="输入姓名或工号"),
        Filter("department", "部门", "select", columns=[Employee.department], choices=_department_choices),
        Filter("position", "岗位", "select", columns=[Employee.position], choices=_position_choices),
    ],
    default_sort="employee_no",
    base_url="/org/employees",
    target_id="employee-list",
    extra_where=(Employee.active == True,),  # noqa: E712
)


@get("/", guards=[requires(Perm.ORG_VIEW)])
async def org_chart_page(request: Request) -> Response:
    return render(request, "org/chart.html", {"companies": await services.org_chart()})


@get("/positions", guards=[requires(Perm.ORG_VIEW)])
async def positions_page(request: Request) -> Response:
    return render(request, "org/positions.html", {"positions": await services.positions()})


@get("/employees", guards=[requires(Perm.ORG_VIEW)])
async def employees_page(request: Request) -> Response:
    result = await EMPLOYEE_LIST.fetch(dict(request.query_params), request.user)
    return render(request, "org/employees.html", {"result": result}, fragment="_partials/listing_table.html")


@get("/employees/{employee_id:int}", guards=[requires(Perm.ORG_VIEW)])
async def employee_detail(request: Request, employee_id: int) -> Response:
    row = await Employee.select(
        Employee.all_columns(), Employee.company.name, Employee.department.name, Employee.position.name,
        Employee.position.duties, Employee.position.clause_ref, Employee.manager.name, Employee.user.username,
    ).where(Employee.id == employee_id).first()
    if not row:
        raise NotFoundException("没有这名员工")
    reports = await Employee.select(Employee.id, Employee.name, Employee.position.name).where(
        (Employee.manager == employee_id) & (Employee.active == True))  # noqa: E712
    return render(request, "org/employee_detail.html", {"e": row, "reports": reports})


router = Router(path="/org", route_handlers=[org_chart_page, positions_page, employees_page, employee_detail])
