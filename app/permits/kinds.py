"""The registers as declarations: each item type of SPEC §C names its table, its form fields, its list columns and
filters, its states and its dated items. The generic pages, forms and services work from these."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from piccolo.table import Table

from app.permits import rules
from app.permits.tables import (
    ConstructionMortgage,
    LoanAgreement,
    MaintenanceFund,
    MortgageBuilding,
    OverseasFiling,
    PresaleBuilding,
    PresalePermit,
    Qualification,
    ScaleApproval,
)

QUALIFICATION_GRADES = ["一级", "二级", "三级", "四级", "暂定"]
QUALIFICATION_REGIMES = ["年报制", "年检制", "延续制"]
FUND_BASES = ["固定标准", "造价比例"]
AGREEMENT_KINDS = ["公积金项目备案", "按揭合作协议"]
RESIDENT_ID = "居民身份证"
HMT_RESIDENCE = "港澳台居民居住证"
ID_TYPES = ["护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证", HMT_RESIDENCE, "外国人永久居留身份证", RESIDENT_ID]
PRESALE_CHECKLIST = [  # [P] shoulawyer.com 预售许可证办理材料
    "预售许可申请表", "营业执照及资质证书", "土地使用权证", "建设工程规划许可证", "建筑工程施工许可证",
    "投资达25%以上的证明（形象进度）", "预售方案（含房屋平面图）", "预售资金监管协议",
]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    type: str = "text"  # text | textarea | date | money | area | percent | int | select | flag | project | company | owner | buildings | checklist | id_no
    required: bool = False
    choices: tuple[str, ...] = ()
    max_len: int = 100
    help: str = ""
    after: tuple[str, ...] = ()  # shown on the edit form only in these states (set by a state action first)


@dataclass(frozen=True)
class Kind:
    slug: str
    name: str
    short: str
    table: type[Table]
    fields: tuple[Field, ...]
    states: tuple[str, ...] = ()
    m2m: tuple[type[Table], str] | None = None  # (join table, the column pointing at the record) for buildings
    project_scoped: bool = True
    intro: str = ""

    @property
    def entity(self) -> str:
        return self.table._meta.tablename

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def form_fields(self, status: str | None) -> list[Field]:
        return [f for f in self.fields if not f.after or (status is not None and status in f.after)]


OWNER = Field("owner", "负责人", "owner", required=True)
ORIGINAL = Field("original_at", "原件存放位置", "text", help="例如 客服部档案柜 A-03")
NOTE = Field("note", "备注", "textarea", max_len=1000)

KINDS: dict[str, Kind] = {k.slug: k for k in (
    Kind(
        "presale", "商品房预售许可证", "预售许可证", PresalePermit, states=rules.PRESALE_STATES, m2m=(PresaleBuilding, "permit"),
        intro="取证后，所覆盖楼栋的“不可售”房源自动变为“可售”；许可证须在售楼处公示。",
        fields=(
            Field("project", "项目", "project", required=True),
            Field("buildings", "覆盖楼栋", "buildings", required=True),
            Field("area_residential", "预售面积·住宅（㎡）", "area"),
            Field("area_other", "预售面积·其他（㎡）", "area"),
            Field("unit_count", "预售套数", "int"),
            Field("authority", "发证机关", "text", help="例如 苏州市住房和城乡建设局"),
            Field("escrow_bank", "资金监管银行", "text"),
            Field("escrow_account", "监管账号", "text", max_len=40),
            Field("checklist", "申报材料清单", "checklist", choices=tuple(PRESALE_CHECKLIST)),
            Field("submitted_on", "申报日期", "date", after=("已申报", "现场查勘", "已取证", "已变更", "已注销")),
            Field("permit_no", "预售许可证号", "text", max_len=60, after=("已取证", "已变更", "已注销")),
            Field("issued_on", "发证日期", "date", after=("已取证", "已变更", "已注销")),
            Field("valid_until", "有效期至", "date", after=("已取证", "已变更", "已注销")),
            Field("displayed", "已在售楼处公示", "flag", after=("已取证", "已变更")),
            OWNER, ORIGINAL, NOTE,
        ),
    ),
    Kind(
        "scale", "开发规模审批", "开发规模", ScaleApproval, states=rules.SCALE_STATES,
        intro="每年一月办理；已签约面积达到批准面积的 90% 时预警。",
        fields=(
            Field("project", "项目", "project", required=True),
            Field("year", "年度", "int", required=True),
            Field("area_applied", "申请面积（㎡）", "area"),
            Field("due_on", "申报截止日期", "date", help="留空为当年 1 月 31 日"),
            Field("applied_on", "申报日期", "date", after=("已申报", "已批准")),
            Field("approval_no", "批准文号", "text", max_len=60, after=("已批准",)),
            Field("area_approved", "批准面积（㎡）", "area", after=("已批准",)),
            Field("approved_on", "批准日期", "date", after=("已批准",)),
            OWNER, ORIGINAL, NOTE,
        ),
    ),
    Kind(
        "qualification", "资质证书", "资质证书", Qualification, project_scoped=False,
        intro="到期前 90、60、30 天提醒；每年一月办理年检/年报。",
        fields=(
            Field("company", "开发企业", "company", required=True),
            Field("cert_no", "证书编号", "text", required=True, max_len=60),
            Field("grade", "资质等级", "select", required=True, choices=tuple(QUALIFICATION_GRADES)),
            Field("regime", "管理方式", "select", required=True, choices=tuple(QUALIFICATION_REGIMES),
                  help="年报制：每年报送年度报告；年检制：每年年检；延续制：到期前申请延续"),
            Field("issued_on", "发证日期", "date", required=True),
            Field("expires_on", "有效期至", "date", required=True),
            Field("annual_due_on", "年检/年报截止日期", "date", help="延续制可留空"),
            Field("last_annual_on", "最近年检/年报日期", "date"),
            Field("active", "有效（未注销）", "flag"),
            OWNER, ORIGINAL, NOTE,
        ),
    ),
    Kind(
        "fund", "维修基金", "维修基金", MaintenanceFund,
        intro="每套应缴金额 = 建筑面积 × 缴存标准（元/㎡），四舍五入到分；交付前须缴清，交付日前 30 天提醒未缴房源。",
        fields=(
            Field("project", "项目", "project", required=True),
            Field("bank", "专户银行", "text", required=True),
            Field("account_no", "专户账号", "text", required=True, max_len=40),
            Field("opened_on", "开户日期", "date", required=True),
            Field("basis", "计缴方式", "select", required=True, choices=tuple(FUND_BASES)),
            Field("rate", "缴存标准（元/㎡）", "money", help="按固定标准时填写"),
            Field("cost_per_sqm", "建安造价（元/㎡）", "money", help="按造价比例时填写"),
            Field("percent", "缴存比例（%）", "percent", help="按造价比例时填写，通常为 5%–8%"),
            Field("handover_on", "计划交付日期", "date"),
            OWNER, ORIGINAL, NOTE,
        ),
    ),
    Kind(
        "mortgage", "在建工程抵押", "在建工程抵押", ConstructionMortgage, states=rules.MORTGAGE_STATES, m2m=(MortgageBuilding, "mortgage"),
        intro="借款到期前提醒；已售房源的解押按销售进度另行办理（见 A8）。",
        fields=(
            Field("project", "项目", "project", required=True),
            Field("contract_no", "抵押合同号", "text", required=True, max_len=60),
            Field("mortgagee", "抵押权人", "text", required=True, help="贷款银行"),
            Field("amount", "债权额（元）", "money", required=True),
            Field("buildings", "抵押范围（楼栋）", "buildings", required=True),
            Field("start_on", "抵押期限起", "date", required=True),
            Field("end_on", "抵押期限止", "date", required=True),
            Field("cert_no", "登记证明号", "text", max_len=60, after=("已登记", "已注销")),
            Field("registered_on", "登记日期", "date", after=("已登记", "已注销")),
            OWNER, ORIGINAL, NOTE,
        ),
    ),
    Kind(
        "agreement", "公积金备案及按揭合作协议", "公积金/按揭协议", LoanAgreement,
        intro="公积金项目备案及银行按揭合作协议到期前 60 天提醒。",
        fields=(
            Field("kind", "类型", "select", required=True, choices=tuple(AGREEMENT_KINDS)),
            Field("institution", "公积金中心/银行", "text", required=True),
            Field("project", "项目", "project", required=True),
            Field("reg_no", "备案号/协议编号", "text", required=True, max_len=60),
            Field("start_on", "期限起", "date", required=True),
            Field("end_on", "期限止", "date", required=True),
            Field("deposit_ratio", "保证金比例（%）", "percent"),
            Field("credit_line", "授信额度（元）", "money"),
            Field("active", "有效", "flag"),
            OWNER, ORIGINAL, NOTE,
        ),
    ),
    Kind(
        "overseas", "境外购房备案", "境外购房备案", OverseasFiling, states=rules.OVERSEAS_STATES,
        intro="境外个人购房须先办理备案，批准前不得签约（交易的签约环节读取本登记）。签约审核单通过时若尚无记录，由交易记录自动登记。证件号码脱敏显示。",
        fields=(
            Field("project", "项目", "project", required=True),
            Field("buyer_name", "购房人姓名", "text", required=True, max_len=60),
            Field("id_type", "证件类型", "select", required=True, choices=tuple(ID_TYPES)),
            Field("id_no", "证件号码", "id_no", required=True, max_len=40),
            Field("region", "国籍/地区", "text", max_len=40),
            Field("room", "意向房号", "text", max_len=40, help="例如 3号楼 1201"),
            Field("applied_on", "申请日期", "date", required=True),
            Field("approved_on", "批准日期", "date", after=("已批准",)),
            Field("reference_no", "备案编号", "text", max_len=60, after=("已批准",)),
            OWNER, ORIGINAL, NOTE,
        ),
    ),
)}


def get_kind(slug: str) -> Kind | None:
    return KINDS.get(slug)


def title_of(kind: Kind, r: dict[str, Any]) -> str:
    """How a record is named in headings, notifications and the audit log."""
    project = r.get("project.name") or ""
    if kind.slug == "presale":
        return f"{project} 预售许可证 {r.get('permit_no') or '（未取证）'}"
    if kind.slug == "scale":
        return f"{project} {r.get('year')} 年度开发规模审批"
    if kind.slug == "qualification":
        return f"{r.get('company.name') or ''} {r.get('grade')}资质证书 {r.get('cert_no')}"
    if kind.slug == "fund":
        return f"{project} 维修基金专户"
    if kind.slug == "mortgage":
        return f"{project} 在建工程抵押 {r.get('contract_no')}"
    if kind.slug == "agreement":
        return f"{project} {r.get('kind')}（{r.get('institution')}）"
    if kind.slug == "overseas":
        return f"{project} 境外购房备案 {r.get('buyer_name')}"
    return kind.name
