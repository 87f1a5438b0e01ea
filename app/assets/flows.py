"""资产购置 (SPEC §E16) and 固定资产报废 (§E17) as declarations on the one engine. Thresholds are FlowSettings
("X以上" means ≥ X), editable in the admin; these are the defaults."""
from __future__ import annotations

from decimal import Decimal

from app.assets import services
from app.assets.forms import DisposalForm, PurchaseForm
from app.workflow.definitions import STAFF, Approvers, ChainContext, FlowDef, RecordPicker, Setting, StepSpec, register

DISPOSAL_PICKER = RecordPicker(field="asset", label="报废资产", search=lambda user, q, limit: services.disposable_cards(user, q, limit),
                               reaches=services.reaches_card)

role = Approvers.of_role

DEPT_HEAD = StepSpec("dept_head", "部门负责人审批", role("dept_head"))
ADMIN_REVIEW = StepSpec("admin_review", "行政/IT 技术审核", role("admin_staff"))
ADMIN_ASSESS = StepSpec("admin_assess", "行政/IT 技术鉴定", role("admin_staff"))
FIN_BUDGET = StepSpec("finance_manager", "财务经理审核（预算）", role("finance_manager"))
FIN_NET = StepSpec("finance_manager", "财务经理审核（净值）", role("finance_manager"))
VP = StepSpec("vp", "分管副总审批", role("vp"))
GM = StepSpec("gm", "总经理审批", role("gm"))


# ---------------------------------------------------------------- E16 资产购置


def purchase_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → 行/IT 技术审核 → 财务经理（预算）→ 副; ≥ gm_from 总."""
    steps = [DEPT_HEAD, ADMIN_REVIEW, FIN_BUDGET, VP]
    if c.amount_at_least("gm_from"):
        steps.append(GM)
    return steps


async def purchase_approved(req: dict, actor) -> None:
    await services.open_cards(req, actor)


PURCHASE = register(FlowDef(
    code="asset_purchase", name="资产购置", prefix="ZG", group="资产",
    description="固定资产（单价 2,000 元以上、使用一年以上）购置；达到金额须三家报价。审批通过即验收入账，每件生成一张资产卡片。",
    chain=purchase_chain, form=PurchaseForm(), starters=STAFF,
    settings=(Setting("gm_from", "购置总额达到此数（含）需总经理审批（元）", Decimal("10000.00")),
              Setting("quotes_from", "购置总额达到此数（含）须提供三家报价（元）", Decimal("10000.00")),
              Setting("unit_min", "固定资产单价下限（元，低于此数走办公用品申购）", Decimal("2000.00"))),
    clause=("kf-71p", "toc", "第二十二章 资产购置审批流程"),
    on_approved=purchase_approved,
))


# ---------------------------------------------------------------- E17 固定资产报废


def disposal_chain(c: ChainContext) -> list[StepSpec]:
    """申 → 经 → 行/IT 技术鉴定 → 财务经理（净值）→ 副; 原值 ≥ gm_original_from or 净值 ≥ gm_net_from: 总."""
    steps = [DEPT_HEAD, ADMIN_ASSESS, FIN_NET, VP]
    original, net = c.data.get("original_value"), c.data.get("net_value")
    if (original is not None and original >= c.setting("gm_original_from")) or (net is not None and net >= c.setting("gm_net_from")):
        steps.append(GM)
    return steps


async def disposal_approved(req: dict, actor) -> None:
    await services.close_card(req, actor)


async def disposal_closed(req: dict, actor) -> None:
    await services.release_disposal(req, actor)


DISPOSAL = register(FlowDef(
    code="asset_disposal", name="固定资产报废", prefix="BF", group="资产",
    description="按直线法计算净值；存有客户数据的设备须经认证方式擦除数据后才能完成报废。审批通过后资产卡片关闭。",
    chain=disposal_chain, form=DisposalForm(), starters=STAFF, record=DISPOSAL_PICKER,
    settings=(Setting("gm_original_from", "资产原值达到此数（含）需总经理审批（元）", Decimal("10000.00")),
              Setting("gm_net_from", "资产净值达到此数（含）需总经理审批（元）", Decimal("2000.00"))),
    clause=("kf-71p", "toc", "第二十三章 固定资产报废审批流程"),
    on_approved=disposal_approved, on_closed=disposal_closed,
))
