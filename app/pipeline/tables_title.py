"""A7 产权证: the project's 首次登记 (the developer's first registration). Once it is done the buyers' registration has
become possible, and a pre-registration lapses unless registration is applied for within 90 days [L 民法典 221]."""
from piccolo.columns import Date, ForeignKey, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from app.core.tables import readable
from app.estate.tables import Project


class FirstRegistration(Table, tablename="pl_first_registration"):
    """首次登记 of a project (or of one phase of it): entered by the 房管局专员/产权专员 in the admin."""

    project = ForeignKey(Project, on_delete=OnDelete.restrict, index=True, help_text="项目")
    registered_on = Date(help_text="首次登记完成日期（预告登记 90 天失效期自此起算）")
    cert_no = Varchar(length=60, default="", help_text="首次登记证明号")
    note = Varchar(length=200, default="", help_text="备注（如：一期 1–5 栋）")

    @classmethod
    def get_readable(cls):
        return readable(cls.cert_no)
