"""用章 (SPEC §E3): the seal register (reference data), each request's own fields and contract lines, and the
usage log that approval writes (one row per use; one per contract number in batch mode)."""
from enum import Enum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.org.tables import Company, Department, Employee
from app.workflow.tables import Request


class SealKind(str, Enum):
    company = "公章"
    contract = "合同专用章"
    finance = "财务专用章"
    legal_rep = "法定代表人名章"
    invoice = "发票专用章"
    business = "业务资料专用章"


class KeeperDept(str, Enum):
    admin = "行政"
    finance = "财务"


class Seal(Table, tablename="seal"):
    """A seal in the register. The keeper's department decides whose head approves its use."""

    name = Varchar(length=60, unique=True, help_text="印章名称，例如 锦程地产公章")
    kind = Varchar(length=10, choices=SealKind, help_text="印章类型")
    company = ForeignKey(Company, on_delete=OnDelete.restrict, null=True, help_text="所属公司")
    keeper = ForeignKey(Employee, on_delete=OnDelete.restrict, null=True, help_text="保管人")
    keeper_dept = Varchar(length=4, choices=KeeperDept, help_text="保管部门：行政部保管公章、合同章、业务资料章；财务部保管财务章、法人章、发票章")
    active = Boolean(default=True, help_text="在用（停用的印章不能申请使用）")
    note = Varchar(length=200, default="")

    @classmethod
    def get_readable(cls):
        return readable(cls.name)


class SealUse(Table, tablename="seal_use"):
    """A 用章 request's fields (keyed by the engine's Request)."""

    request = ForeignKey(Request, on_delete=OnDelete.restrict, unique=True)
    seal = ForeignKey(Seal, on_delete=OnDelete.restrict, index=True)
    doc_kind = Varchar(length=10)  # 合同/协议 | 对外承诺/担保 | 证明/介绍信 | 报告/函件 | 其他
    document = Varchar(length=200)
    copies = Integer()  # in batch mode: the total of the lines
    purpose = Text()
    counterparty = Varchar(length=100, default="")
    external = Boolean(default=False)  # 对外承诺
    batch = Boolean(default=False)
    take_out = Boolean(default=False)
    planned_return = Timestamptz(null=True, default=None)
    companion = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.restrict)  # the second person when taken out
    content_complete = Boolean(default=False)  # 文件内容已填写完整 (blank documents are never stamped)


class SealUseLine(Table, tablename="seal_use_line"):
    """Batch mode: one contract number with its copies."""

    request = ForeignKey(Request, on_delete=OnDelete.cascade, index=True)
    line_no = Integer()
    contract_no = Varchar(length=50, index=True)
    copies = Integer()


class SealLog(Table, tablename="seal_log"):
    """用印登记簿. Written on approval; the keeper then records the 监印人 and, for a seal taken out, its return."""

    used_on = Date(index=True)
    request = ForeignKey(Request, on_delete=OnDelete.restrict, index=True)
    seal = ForeignKey(Seal, on_delete=OnDelete.restrict, index=True)
    applicant = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    department = ForeignKey(Department, on_delete=OnDelete.restrict)
    document = Varchar(length=200)
    contract_no = Varchar(length=50, default="", index=True)
    copies = Integer()
    purpose = Text(default="")
    approver = Varchar(length=60, default="")  # who gave the final approval
    witness = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.restrict)  # 监印人
    witnessed_at = Timestamptz(null=True, default=None)
    taken_out = Boolean(default=False)
    taken_out_at = Timestamptz(null=True, default=None)
    planned_return = Timestamptz(null=True, default=None)
    returned_at = Timestamptz(null=True, default=None)
    returned_by = Varchar(length=60, default="")
