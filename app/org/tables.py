"""Org tables: the group's companies, departments, positions (roles), employees and their project scope."""
from piccolo.apps.user.tables import BaseUser
from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable

from app.estate.tables import Project


class Company(Table, tablename="company"):
    name = Varchar(length=100, unique=True)
    short_name = Varchar(length=30, default="")
    credit_code = Varchar(length=18, default="", help_text="统一社会信用代码")
    doc_abbr = Varchar(length=30, default="", help_text="发文代字：规章编号中的公司简称，例如 锦程地产（锦程地产客字〔2010〕001号）")
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict, help_text="上级公司（集团）")
    is_group = Boolean(default=False, help_text="是否为集团")
    sort = Integer(default=0)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class Department(Table, tablename="department"):
    company = ForeignKey(Company, on_delete=OnDelete.restrict, index=True)
    parent = ForeignKey("self", null=True, on_delete=OnDelete.restrict, index=True)
    code = Varchar(length=40, unique=True)
    name = Varchar(length=50)
    description = Text(default="")
    sort = Integer(default=0)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class Position(Table, tablename="position"):
    """A post. `role` is the permission role the post carries (see app.core.permissions.ROLES)."""

    code = Varchar(length=40, unique=True)
    name = Varchar(length=50)
    role = Varchar(length=40, index=True)
    alias = Varchar(length=100, default="", help_text="其他叫法，例如 客户关系经理（CSC 模板）")
    is_department_post = Boolean(default=True, help_text="客服部内岗位（否则为公司岗位）")
    duties = Text(default="", help_text="岗位职责（摘自规章）")
    clause_ref = Varchar(length=120, default="", help_text="规章条款锚点，例如 ch2-4")
    sort = Integer(default=0)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class Employee(Table, tablename="employee"):
    user = ForeignKey(BaseUser, null=True, on_delete=OnDelete.set_null, unique=True)
    employee_no = Varchar(length=20, unique=True)
    name = Varchar(length=50, index=True)
    company = ForeignKey(Company, on_delete=OnDelete.restrict, index=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict, index=True)
    position = ForeignKey(Position, on_delete=OnDelete.restrict, index=True)
    manager = ForeignKey("self", null=True, on_delete=OnDelete.set_null, index=True, help_text="直接上级")
    is_group_lead = Boolean(default=False, help_text="组长")
    all_projects = Boolean(default=False, help_text="可查看全部项目数据")
    mobile = Varchar(length=20, default="")
    hired_on = Date(null=True, default=None)
    active = Boolean(default=True)

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class EmployeeProject(Table, tablename="employee_project"):
    """Project scope: which projects' data an employee may see (unless all_projects)."""

    employee = ForeignKey(Employee, on_delete=OnDelete.cascade, index=True)
    project = ForeignKey(Project, on_delete=OnDelete.cascade, index=True)
