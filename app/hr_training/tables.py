"""学历/资格证书培训 (SPEC §E7): the payload of a `cert_training` request and, once approved, the service-period
agreement (服务期协议) it becomes. The service period starts the day HR records the certificate."""
from piccolo.columns import Date, ForeignKey, Integer, Numeric, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.org.tables import Employee
from app.workflow.tables import Request

PENDING = "审批中"
AWAITING = "待取得证书"
SERVING = "服务期中"
CLOSED = "未通过"  # rejected or withdrawn
STATUSES = (PENDING, AWAITING, SERVING, CLOSED)


class TrainingAgreement(Table, tablename="hr_training_agreement"):
    request = ForeignKey(Request, on_delete=OnDelete.cascade, unique=True)
    employee = ForeignKey(Employee, on_delete=OnDelete.restrict, index=True)
    kind = Varchar(length=10, default="资格证书")  # 学历 | 资格证书
    program = Varchar(length=200, help_text="学校及专业，或证书名称")
    related_post = Varchar(length=100, default="")
    cost = Numeric(digits=(15, 2), help_text="培训费用（元）")
    share_pct = Numeric(digits=(5, 2), help_text="公司承担比例（%）")
    share_amount = Numeric(digits=(15, 2), help_text="公司承担金额（元），取得证书后报销")
    period_years = Integer(default=1, help_text="服务期（年）")
    start_on = Date()
    end_on = Date()
    reason = Text(default="")
    status = Varchar(length=10, default=PENDING, index=True)
    cert_on = Date(null=True, default=None, help_text="取得证书日期（服务期起算日）")
    cert_no = Varchar(length=100, default="", help_text="证书编号")
    service_end = Date(null=True, default=None, help_text="服务期至")
    recorded_by = ForeignKey(Employee, null=True, default=None, on_delete=OnDelete.set_null)
    recorded_at = Timestamptz(null=True, default=None)
