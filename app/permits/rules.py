"""Pure rules of the permits register (no I/O): states and transitions, reminder thresholds, countdown levels,
the maintenance-fund amount per unit. Values tagged [C]/[L] in SPEC §C are defaults kept in ReminderRule
(editable in the admin panel); the constants here are only the fallbacks and the seed values."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
OVERDUE = -1  # the pseudo-threshold of the overdue notice

# Who may write each register (besides the managers): SPEC §C "Owner" column.
MANAGERS = frozenset({"supervisor", "dept_head", "sysadmin"})
WRITE_ROLES: dict[str, frozenset[str]] = {
    "scale": frozenset({"bureau"}) | MANAGERS,
    "presale": frozenset({"bureau"}) | MANAGERS,
    "qualification": frozenset({"bureau"}) | MANAGERS,
    "fund": frozenset({"bureau"}) | MANAGERS,
    "mortgage": frozenset({"bureau", "mortgage"}) | MANAGERS,
    "agreement": frozenset({"mortgage"}) | MANAGERS,
    "overseas": frozenset({"contract"}) | MANAGERS,
}


def may_write(role: str | None, kind: str) -> bool:
    return (role or "") in WRITE_ROLES.get(kind, frozenset())


# ---- states ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ActionField:
    name: str
    label: str
    type: str = "text"  # text | date | area
    required: bool = True


@dataclass(frozen=True)
class Transition:
    code: str
    label: str
    sources: tuple[str, ...]
    target: str
    fields: tuple[ActionField, ...] = ()
    style: str = "primary"  # the button's colour
    confirm: str = ""


PRESALE_STATES = ("材料准备", "已申报", "现场查勘", "已取证", "已变更", "已注销")
SCALE_STATES = ("待申报", "已申报", "已批准")
MORTGAGE_STATES = ("办理中", "已登记", "已注销")
OVERSEAS_STATES = ("申请中", "已批准", "未通过")

_NOTE = ActionField("note", "说明", "text", required=False)

TRANSITIONS: dict[str, tuple[Transition, ...]] = {
    "presale": (
        Transition("submit", "提交申报", ("材料准备",), "已申报", (ActionField("submitted_on", "申报日期", "date"),)),
        Transition("inspect", "进入现场查勘", ("已申报",), "现场查勘"),
        Transition("issue", "登记取证", ("已申报", "现场查勘"), "已取证", (
            ActionField("permit_no", "预售许可证号"), ActionField("issued_on", "发证日期", "date"),
            ActionField("valid_until", "有效期至", "date", required=False)), style="success",
            confirm="取证后，所覆盖楼栋中“不可售”的房源将全部变为“可售”。确定登记取证？"),
        Transition("return", "退回补正", ("已申报", "现场查勘"), "材料准备", (_NOTE,), style="secondary"),
        Transition("change", "登记变更", ("已取证",), "已变更", (ActionField("note", "变更内容"),), style="secondary"),
        Transition("cancel", "注销", ("已取证", "已变更"), "已注销", (ActionField("note", "注销原因"),), style="danger",
                   confirm="确定注销该预售许可证？"),
    ),
    "scale": (
        Transition("submit", "提交申报", ("待申报",), "已申报", (
            ActionField("applied_on", "申报日期", "date"), ActionField("area_applied", "申请面积（㎡）", "area"))),
        Transition("approve", "登记批复", ("已申报",), "已批准", (
            ActionField("approval_no", "批准文号"), ActionField("area_approved", "批准面积（㎡）", "area"),
            ActionField("approved_on", "批准日期", "date")), style="success"),
        Transition("return", "退回补正", ("已申报",), "待申报", (_NOTE,), style="secondary"),
    ),
    "mortgage": (
        Transition("register", "登记完成", ("办理中",), "已登记", (
            ActionField("cert_no", "登记证明号"), ActionField("registered_on", "登记日期", "date")), style="success"),
        Transition("release", "注销抵押", ("办理中", "已登记"), "已注销", (ActionField("note", "注销说明"),), style="danger",
                   confirm="确定注销该在建工程抵押？"),
    ),
    "overseas": (
        Transition("approve", "登记批准", ("申请中",), "已批准", (
            ActionField("approved_on", "批准日期", "date"), ActionField("reference_no", "备案编号")), style="success"),
        Transition("reject", "登记未通过", ("申请中",), "未通过", (ActionField("note", "原因"),), style="danger"),
    ),
}


def transition(kind: str, code: str) -> Transition | None:
    return next((t for t in TRANSITIONS.get(kind, ()) if t.code == code), None)


def transitions_from(kind: str, state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.get(kind, ()) if state in t.sources]


def refusal(kind: str, code: str, state: str) -> str:
    """The Chinese message for a transition not allowed from `state`."""
    t = transition(kind, code)
    if t is None:
        return "不支持该操作"
    allowed = "、".join(f"“{s}”" for s in t.sources)
    return f"当前状态为“{state}”，不能执行“{t.label}”（仅限{allowed}状态）"


# ---- reminders and countdowns -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleDefault:
    key: str
    label: str
    days: tuple[int, ...]
    source: str = field(default="[C]", compare=False)


DEFAULT_RULES: dict[str, RuleDefault] = {r.key: r for r in (
    RuleDefault("scale.annual", "开发规模审批：年度申报（每年一月）", (30, 7), "[S 5.1] 一月任务"),
    RuleDefault("presale.validity", "预售许可证：有效期", (60, 30)),
    RuleDefault("qualification.expiry", "资质证书：到期", (90, 60, 30), "[S 5.9]"),
    RuleDefault("qualification.annual", "资质证书：年检/年报（每年一月）", (30, 7), "[S 5.9] 一月任务"),
    RuleDefault("fund.handover", "维修基金：交付前缴存", (30,), "[L 住宅专项维修资金管理办法 第12条]"),
    RuleDefault("mortgage.expiry", "在建工程抵押：借款到期", (90, 30)),
    RuleDefault("agreement.expiry", "公积金备案/按揭合作协议：到期", (60,), "[C]"),
    RuleDefault("upgrades.submit", "资质升级：计划申报日期", (30, 7), "[C] 升级项目的材料准备"),
    RuleDefault("tenders.move_in", "前期物业招标：计划物业进驻日期", (60, 30, 7), "[C] 交付前物业须进驻"),
)}
DEFAULT_AMBER_PERCENT = 20  # SPEC §0.2: amber at 80% of the limit


def parse_days(raw: str | None, fallback: tuple[int, ...] = ()) -> tuple[int, ...]:
    """"90,60,30" → (90, 60, 30): positive whole days, largest first; junk is ignored (fallback if nothing is left)."""
    out = set()
    for part in (raw or "").replace("，", ",").replace("、", ",").split(","):
        part = part.strip()
        if part.isascii() and part.isdigit() and len(part) <= 4 and 0 < int(part) <= 3650:  # "²".isdigit() is True
            out.add(int(part))
    return tuple(sorted(out, reverse=True)) or tuple(fallback)


def days_left(due_on: date, today: date) -> int:
    return (due_on - today).days


def due_threshold(days: int, thresholds: tuple[int, ...]) -> int | None:
    """The reminder due now: the smallest threshold already reached (days left ≤ threshold), or OVERDUE once the
    date has passed; None while outside every threshold."""
    if days < 0:
        return OVERDUE
    reached = [t for t in thresholds if days <= t]
    return min(reached) if reached else None


def should_send(threshold: int | None, already_sent: int | None) -> bool:
    """Each threshold goes out at most once; a later (smaller) one supersedes the earlier ones."""
    return threshold is not None and (already_sent is None or threshold < already_sent)


LEVELS = {
    "overdue": ("已逾期", "red"),
    "amber": ("临期", "yellow"),
    "due": ("提醒期", "azure"),
    "ok": ("正常", "green"),
    "done": ("已办结", "secondary"),
}


def level(days: int, thresholds: tuple[int, ...], amber_percent: int = DEFAULT_AMBER_PERCENT) -> str:
    """overdue (red) when past the date; amber when at most `amber_percent` of the reminder window is left
    (window = the largest threshold); due (inside the window); ok otherwise."""
    if days < 0:
        return "overdue"
    window = max(thresholds) if thresholds else 0
    if window and days * 100 <= window * amber_percent:
        return "amber"
    if days <= window:
        return "due"
    return "ok"


def countdown_text(days: int) -> str:
    if days < 0:
        return f"逾期 {-days} 天"
    if days == 0:
        return "今天到期"
    return f"剩余 {days} 天"


def annual_due(year: int) -> date:
    """The annual January tasks (开发规模审批, 资质年检/年报) are due by the end of January [S 5.1, 5.9]."""
    return date(year, 1, 31)


# ---- money ----------------------------------------------------------------------------------------------------

def fund_amount(area: Decimal | str, rate: Decimal | str) -> Decimal:
    """维修基金 per unit = area (㎡) × rate (元/㎡), two places, rounded half-up."""
    return (Decimal(str(area)) * Decimal(str(rate))).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_from_cost(cost_per_sqm: Decimal | str, percent: Decimal | str) -> Decimal:
    """The rate when it is a percentage of the building cost per ㎡ (5–8% [L 办法 art. 7])."""
    return (Decimal(str(cost_per_sqm)) * Decimal(str(percent)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def scale_usage(signed_area: Decimal | None, approved_area: Decimal | None, warn_percent: int = 90) -> tuple[Decimal | None, bool]:
    """Signed area as a percentage of the approved development scale, and whether it has reached the warning level [C]."""
    if not approved_area or Decimal(str(approved_area)) <= 0:
        return None, False
    pct = (Decimal(str(signed_area or 0)) * 100 / Decimal(str(approved_area))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return pct, pct >= warn_percent


# ---- 资质升级 as a project and 前期物业招标 (SPEC §C 5.9, §C2) ----------------------------------------------------

UPGRADE_STATES = ("准备中", "已申报", "审核中", "已批准", "未通过")
UPGRADE_WRITERS = frozenset({"bureau"}) | MANAGERS  # the 房管局专员 runs it (SPEC §C owner), the managers too
GRADE_ORDER = ("一级", "二级", "三级", "四级", "暂定")  # highest first
UPGRADE_CHECKLIST = (  # [C] the usual 资质升级 file; the admin edits the list (资质升级申报材料)
    "资质升级申请表", "营业执照副本", "原资质证书正副本", "近三年房地产开发业绩证明", "近三年财务审计报告",
    "专业管理人员职称证书及劳动合同", "质量保证体系文件", "企业法定代表人身份证明",
)

TENDER_STEPS = ("资料接收", "用房留置协议", "标书编制", "招标公告", "招标申请", "已批准", "专家抽取", "评标", "中标备案", "合同签订",
                "价格备案", "物业进驻")
TENDER_PARTY = {  # who does each step (SPEC §C2 steps 1–9); the default of the step's 责任方
    "资料接收": "项目部", "用房留置协议": "客服中心", "标书编制": "客服中心", "招标公告": "品牌公关部", "招标申请": "客服中心",
    "已批准": "物业办", "专家抽取": "物业办（市专家库）", "评标": "客服中心", "中标备案": "物业办", "合同签订": "客服中心",
    "价格备案": "物业公司（物价局）", "物业进驻": "物业公司",
}
TENDER_DOCUMENT = {  # what each step leaves on file
    "资料接收": "规划许可证、报建图复印件、项目简介", "用房留置协议": "物业用房留置协议", "标书编制": "招标文件（标书）",
    "招标公告": "招标公告", "招标申请": "招标备案申请", "已批准": "物业办批复", "专家抽取": "专家抽取记录",
    "评标": "评标报告", "中标备案": "中标备案回执", "合同签订": "前期物业管理合同", "价格备案": "物价局收费备案", "物业进驻": "物业进驻交接记录",
}
DIRECT_SKIPS = ("招标公告", "招标申请", "已批准", "专家抽取", "评标")  # 协议选聘: no public tender between 招标公告 and 评标
DIRECT_REASONS = ("投标人不足", "规模较小")
TENDER_WRITERS = frozenset({"supervisor", "dept_head"})  # owner: 客服中心 (its 客服主管), and the department head
DONE = "已完成"
TENDER_SETTINGS = {  # key → (label, default) — PermitSetting rows, edited in the admin
    "tender_min_bidders": ("前期物业招标：投标人少于此数可申请协议选聘（个）[L 物业管理条例第二十四条]", Decimal("3")),
    "tender_small_area": ("前期物业招标：总建筑面积不超过此数（㎡）视为规模较小，可申请协议选聘 [L 以当地规定为准]", Decimal("30000.00")),
}


def higher_grade(current: str, target: str) -> bool:
    """A 资质升级 aims at a higher grade than the certificate holds (一级 is the highest; 暂定 the lowest)."""
    if current not in GRADE_ORDER or target not in GRADE_ORDER:
        return False
    return GRADE_ORDER.index(target) < GRADE_ORDER.index(current)


def next_step(steps: list[dict], after: str | None) -> str:
    """The tender's step in hand after `after` is done: the next step in order that is not skipped, or 已完成."""
    names = [s["step"] for s in sorted(steps, key=lambda s: s["seq"])]
    skipped = {s["step"] for s in steps if s.get("skipped")}
    start = names.index(after) + 1 if after in names else 0
    for name in names[start:]:
        if name not in skipped and not next((s for s in steps if s["step"] == name and s.get("done_on")), None):
            return name
    return DONE


def direct_allowed(reason: str, bidders: int | None, total_area: Decimal | None, min_bidders: int, small_area: Decimal) -> str:
    """"" when 协议选聘 may be used for this reason, else the Chinese refusal (SPEC §C2 exception, 物业管理条例 art. 24)."""
    if reason == "投标人不足":
        if bidders is None:
            return "请填写投标人数量"
        if bidders >= min_bidders:
            return f"投标人有 {bidders} 个，不少于 {min_bidders} 个，应公开招标"
        return ""
    if reason == "规模较小":
        if total_area is None:
            return "请先在招标项目中填写总建筑面积"
        if total_area > small_area:
            return f"总建筑面积 {total_area:.2f}㎡ 超过规模较小的标准 {small_area:.2f}㎡，应公开招标"
        return ""
    return "请选择协议选聘的理由"


def may_go_direct(status: str) -> bool:
    """协议选聘 can be chosen until the tender notice is out (招标公告 not yet done)."""
    return status in TENDER_STEPS[: TENDER_STEPS.index("招标公告") + 1]
