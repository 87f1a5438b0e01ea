"""The Chinese names of what the audit log records: actions, objects (entities) and the fields of a change.

One registry for the whole portal. A code without a name shows as itself (nothing is hidden), and
tests/unit/test_audit_names.py fails for any code written in app/ that has no name here. The tables the admin panel
edits are named by their AdminTable declaration (app/<domain>/admin.py), so an admin change reads 「管理后台修改 · 员工」."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from app.core.validators import mask_id_number, mask_phone

ACTIONS: dict[str, str] = {
    # sign-in and accounts
    "auth.login": "登录",
    "auth.logout": "退出登录",
    "auth.change_password": "修改密码",
    "auth.unlock": "解除登录限制",
    "customer.unmask": "查看完整证件号/手机号",
    "export": "导出",
    # attachments (app/core/attachments.py)
    "attachment.upload": "上传附件",
    "attachment.attach": "附件归入记录",
    "attachment.discard": "移除未提交的附件",
    "attachment.delete": "删除附件",
    "attachment.download": "下载附件",
    "import": "导入",
    # customer care — repairs
    "care.on_site": "客服案件·维修人员到场",
    # customer care — callbacks + SLA worker (timeline action of the 2× notice)
    "care.overdue_twice": "客服案件·严重超时通报",
    # customer care — customer file, record audit, calls, call QA
    "customer.file_view": "查看客户档案",
    "care.record_audit": "档案准确率抽查",
    "calls.import": "导入通话记录",
    "calls.link_case": "通话关联案件",
    "calls.qa": "通话质检评分",
    # customer care — surveys (app/surveys/services.py)
    "survey.create": "新建调查问卷",
    "survey.update": "修改调查问卷",
    "survey.question_add": "添加问卷题目",
    "survey.question_update": "修改问卷题目",
    "survey.question_move": "调整问卷题目顺序",
    "survey.question_delete": "删除问卷题目",
    "survey.publish": "发布调查问卷",
    "survey.stop": "停用调查问卷",
    "survey.copy": "复制问卷为新版本",
    "survey.schedule": "生成调查邀请",
    "survey.send": "发送调查邀请",
    "survey.answer": "客户提交调查",
    # duty — the 24-hour duty roster, swaps and handovers (app/duty)
    "duty.assign": "值班·排班",
    "duty.correct": "值班·更正已过日期",
    "duty.remove": "值班·移除班次",
    "duty.fill": "值班·按轮值排班",
    "duty.swap_request": "值班·申请换班",
    "duty.swap_approve": "值班·批准换班",
    "duty.swap_reject": "值班·驳回换班",
    "duty.swap_withdraw": "值班·撤回换班",
    "duty.handover": "值班·交班签字",
    "duty.receive": "值班·接班确认",
    # customer care: every case action (app/care/core.move writes "care.<action>", names from app/care/states.ACTION_NAMES)
    "care.intake": "客服案件·登记",
    "care.assign": "客服案件·分派",
    "care.start": "客服案件·首次响应",
    "care.plan": "客服案件·答复方案",
    "care.plan_compensation": "客服案件·提交补偿方案",
    "care.plan_approved": "客服案件·补偿方案获批",
    "care.plan_rejected": "客服案件·补偿方案未获批",
    "care.customer_accepts": "客服案件·客户确认方案",
    "care.customer_declines": "客服案件·客户不接受方案",
    "care.finish": "客服案件·结案",
    "care.close": "客服案件·关闭",
    "care.reopen": "客服案件·重开",
    "care.not_accept": "客服案件·不予受理",
    "care.to_property": "客服案件·转物业",
    "care.override": "客服案件·调整等级",
    "care.pause": "客服案件·暂停计时",
    "care.resume": "客服案件·恢复计时",
    "care.note": "客服案件·处理记录",
    "care.daily_update": "客服案件·每日进展通报",
    "care.escalate": "客服案件·超时升级",
    "care.amber": "客服案件·即将到期提醒",
    "care.gm_informed": "客服案件·通报总经理",
    "care.survey": "客服案件·安排勘查",
    "care.inspect": "客服案件·提交质监勘查",
    "care.inspected": "客服案件·质监出具方案",
    "care.dispatch": "客服案件·派单",
    "care.start_repair": "客服案件·开始维修",
    "care.check": "客服案件·过程检查",
    "care.repaired": "客服案件·维修完成",
    "care.signed": "客服案件·客户签字确认",
    "care.callback": "客服案件·回访",
    "care.payment": "客服案件·发起付款",
    # the admin panel (app/core/admin_guard.py)
    "admin.create": "管理后台新增",
    "admin.update": "管理后台修改",
    "admin.delete": "管理后台删除",
    # calendar, rules
    "calendar.enter_year": "录入年度节假日",
    "rules.acknowledge": "规章阅读确认",
    "rules.publish": "发布规章版本",
    # approvals (app/workflow/engine.py writes workflow.<the action's Chinese name>)
    "workflow.提交": "提交审批",
    "workflow.重新提交": "重新提交审批",
    "workflow.同意": "审批同意",
    "workflow.驳回": "审批驳回",
    "workflow.退回修改": "退回修改",
    "workflow.撤回": "撤回审批",
    "workflow.转交": "转交审批",
    "workflow.加签": "加签",
    "workflow.催办": "催办",
    "workflow.评论": "审批评论",
    "workflow.抄送": "抄送",
    "workflow.delegate": "设置审批委托",
    "workflow.delegate_end": "结束审批委托",
    # the transaction pipeline
    "pipeline.subscribe": "登记认购",
    "pipeline.check": "审核单审核",
    "pipeline.overseas": "境外购房备案批准",
    "pipeline.sign": "签约",
    "pipeline.document": "资料收取",
    "pipeline.mortgage.bank_submit": "按揭：送银行审批",
    "pipeline.mortgage.bank_approve": "按揭：银行批复",
    "pipeline.mortgage.register": "按揭：抵押登记完成",
    "pipeline.mortgage.release": "按揭：银行放款",
    "pipeline.filing.submit": "备案资料报送",
    "pipeline.filing.filed": "合同备案完成",
    "pipeline.filing.prereg": "预告登记完成",
    "pipeline.handover.notice": "发出交房通知",
    "pipeline.handover": "交房",
    "pipeline.handover.deemed": "视同交付",
    "pipeline.title.submit": "办证资料递交",
    "pipeline.title.issued": "领取产权证",
    "pipeline.title.deliver": "产权证交付业主",
    "pipeline.receipt": "收款登记",
    "pipeline.refund": "退款",
    "pipeline.void": "合同作废",
    "pipeline.void_step": "作废办结步骤",
    "pipeline.void_closed": "作废办结",
    "pipeline.mortgage_notice": "按揭催办通知",
    "pipeline.mortgage_release": "在建工程抵押解除",
    "pipeline.import": "导入交易记录",
    # permits and filings (app/permits: permits.<transition code>)
    "permits.create": "新增证件记录",
    "permits.update": "修改证件记录",
    "permits.submit": "提交申报",
    "permits.inspect": "进入现场查勘",
    "permits.issue": "登记取证",
    "permits.return": "退回补正",
    "permits.change": "登记变更",
    "permits.cancel": "注销",
    "permits.approve": "登记批准",
    "permits.reject": "登记未通过",
    "permits.register": "登记完成",
    "permits.release": "注销抵押",
    "permits.annual": "登记年检/年报",
    "permits.fund_pay": "登记维修基金缴存",
    # archive, finance, office, seals, assets
    "archive.lend": "资料借出",
    "archive.return": "资料归还",
    "archive.original": "原件登记",
    "archive.location": "存放位置登记",
    "finance.repay": "借款还款",
    "finance.offset": "借款冲销",
    "office.item_create": "新增办公用品",
    "office.stock_in": "办公用品入库",
    "office.stock_out": "办公用品出库",
    "office.durable_return": "耐用品归还",
    "office.trip": "登记行车记录",
    "seals.log": "用印登记",
    "seals.witness": "用印见证",
    "seals.return": "印章归还",
    "assets.open": "建立资产卡片",
    "assets.dispose_request": "申请资产处置",
    "assets.dispose": "资产处置",
    "assets.dispose_release": "撤销资产处置",
    "assets.wipe": "数据清除确认",
    "pipeline.sign.submit": "提交购房审核单",
    "pipeline.sign.draft": "网签草拟",
    "pipeline.sign.print": "合同打印待签字",
    "pipeline.sign.entry": "签约当日录入",
    "pipeline.outage": "登记联机备案故障",
    "pipeline.outage_update": "修改联机备案故障",
    # A3 按揭 states and A8 解押 (app/pipeline/services.mortgage_step, steps/mortgage.py)
    "pipeline.mortgage.appoint": "按揭：预约面签",
    "pipeline.mortgage.attend": "按揭：登记面签结果",
    "pipeline.mortgage.refuse": "按揭：贷款被拒",
    "pipeline.mortgage.register_submit": "按揭：抵押登记受理",
    "pipeline.mortgage.release_apply": "按揭：提交放款",
    "pipeline.mortgage.guarantee": "按揭：解除阶段性担保及保证金",
    "pipeline.mortgage.rebank": "按揭：贷款被拒后更换银行",
    "pipeline.mortgage.lower_loan": "按揭：降低贷款额、补交首付",
    "pipeline.mortgage.switch": "按揭：改为一次性付款",
    "pipeline.mortgage.overdue": "按揭资料逾期",
    "pipeline.mortgage.demand": "按揭资料逾期：转法务书面催告",
    "pipeline.release.consent": "解押：登记银行同意函",
    "pipeline.release.deregister": "解押：注销登记完成",
    "pipeline.subscription.draft": "保存认购书草稿",
    "pipeline.subscription.submit": "提交认购书",
    "pipeline.subscription.abandon": "放弃认购书草稿",
    "pipeline.subscription.discount": "认购优惠审批结果",
    "pipeline.subscription.deposit": "收定金，认购生效",
    "pipeline.subscription.overdue": "认购逾期未签",
    "pipeline.subscription.cancel": "退订/没收定金",
    "pipeline.subscription.print": "打印认购书",
}

ENTITIES: dict[str, str] = {
    "care_case": "客服案件",
    "care_callback": "回访",
    "care_repair": "报修",
    "care_record_audit": "档案抽查",
    "sv_questionnaire": "调查问卷",
    "sv_invitation": "调查邀请",
    "call_record": "通话记录",
    "call_qa": "通话质检",
    "duty_shift": "值班",
    "duty_swap": "换班申请",
    "duty_handover": "交接班记录",
    "user": "用户",
    "login": "登录限制",
    "holiday_year": "年度节假日",
    "ledger": "台账",
    "attachment": "附件",
    "daily_report": "日报表",
    "list": "登记表",
    "rule_version": "规章版本",
    "wf_request": "审批单",
    "wf_delegation": "审批委托",
    "pl_deal": "交易记录",
    "pl_buyer": "买受人",
    "pl_release_batch": "解押批次",
    "arc_loan": "资料借阅",
    "fin_advance": "借款",
    "office_item": "办公用品",
    "office_durable": "耐用品领用",
    "office_booking": "用车",
    "seal_log": "用印登记",
    "asset_card": "资产卡片",
    "permit_presale": "商品房预售许可证",
    "permit_scale": "开发规模审批",
    "permit_qualification": "资质证书",
    "permit_fund": "维修基金",
    "permit_mortgage": "在建工程抵押",
    "permit_agreement": "公积金备案及按揭合作协议",
    "permit_overseas": "境外购房备案",
    "pl_outage": "联机备案故障记录",
}

# Keys of the before/after of a change; the admin tables' columns come from their AdminTable labels.
FIELDS: dict[str, str] = {
    "status": "状态", "step": "审批节点", "stage": "阶段", "unit_status": "房源状态", "void_status": "作废状态",
    "mortgage_status": "按揭状态", "check_status": "审核单状态", "filing_status": "备案状态", "title_status": "办证状态",
    "quantity": "数量", "balance": "余额", "amount": "金额", "rows": "行数", "disposal": "处置", "witness": "见证人",
    "returned": "已归还", "returned_at": "归还时间", "returned_on": "归还日期", "received": "已收到", "odometer": "里程",
    "request": "审批单", "unit": "房源", "units": "房源", "ledger": "台账", "last_annual_on": "最近年检日期",
    "annual_due_on": "下次年检日期", "data_wiped": "数据已清除", "current_version": "现行版本", "version": "版本",
    "workdays": "调休上班日", "holidays": "放假日", "overrides": "单日调整", "username": "用户名", "taken_out": "已借出",
    "steps": "步骤", "spec": "规格", "source": "来源", "refund": "退款", "receipt_no": "收据号", "paid_on": "缴存日期",
    "original": "原件", "number": "编号", "note": "备注", "name": "名称", "moved_tasks": "转移的待办", "method": "方式",
    "masked": "已脱敏", "is_workday": "调休上班", "ip": "IP", "filter": "筛选条件", "file": "文件",
    "effective_on": "生效日期", "durable": "耐用品", "due_on": "到期日", "distance": "行驶里程", "disposed_on": "处置日期",
    "deals": "交易记录", "day": "日期", "copies": "份数", "cleared": "已解除", "clauses": "条款数", "certificate": "证书",
    "buildings": "楼栋", "at": "时间", "units_released": "转为可售的房源",
    "sign_status": "签约状态", "started_at": "故障开始", "ended_at": "恢复时间", "cause": "故障原因", "action_taken": "处理情况",
    "coordinated": "协调单位",
}

# duty (app/duty): the keys of its changes
FIELDS.update({"shift": "班次", "employee": "值班人", "order": "轮值顺序", "shifts": "班次数", "replaced": "替换的班次数",
               "substitute": "代班人", "reason": "原因", "equipment": "移交的设备钥匙资料", "cases": "带入的未结案件",
               "received_by": "接班人"})

ID_KEYS = {"id_number", "id_no", "co_id_number", "agent_id_number"}
PHONE_KEYS = {"mobile", "phone", "tel", "co_mobile", "agent_mobile"}


@lru_cache(maxsize=1)
def _admin_tables() -> dict[str, Any]:
    from app.core.admin_zh import AdminTable
    from app.core.discovery import domain_modules

    out = {}
    for m in domain_modules("admin"):
        for t in getattr(m, "ADMIN_TABLES", ()):
            if isinstance(t, AdminTable):
                out[t.tablename] = t
    from app.core.admin import RELATED_TABLES

    for t in RELATED_TABLES:
        out.setdefault(t.tablename, t)
    return out


def action_name(code: str) -> str:
    if code in ACTIONS:
        return ACTIONS[code]
    if code.startswith("workflow."):  # a new approval action: the engine writes its Chinese name
        return "审批" + code.removeprefix("workflow.")
    return code


def entity_name(code: str) -> str:
    if code in ENTITIES:
        return ENTITIES[code]
    t = _admin_tables().get(code)
    return t.name if t else code


def field_label(entity: str, key: str) -> str:
    t = _admin_tables().get(entity)
    if t and key in t.labels:
        return t.labels[key]
    return FIELDS.get(key, key)


def action_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in ACTIONS.items()]


def entity_choices() -> list[tuple[str, str]]:
    names = {**{k: t.name for k, t in _admin_tables().items()}, **ENTITIES}
    return sorted(names.items(), key=lambda kv: kv[1])


def _shown(key: str, value: Any) -> str:
    """A value as the audit view shows it: ID numbers and phones masked, as everywhere else in the portal."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, tuple)):
        return "、".join(_shown(key, v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_shown(k, v)}" for k, v in value.items())
    text = str(value)
    if key in ID_KEYS:
        return mask_id_number(text)
    if key in PHONE_KEYS:
        return mask_phone(text)
    return text


def _as_dict(value: Any) -> dict | None:
    import json

    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {"": value} if value else None
    if value is None:
        return None
    return value if isinstance(value, dict) else {"": value}


def diff(entity: str, before: Any, after: Any) -> list[dict[str, str]]:
    """The change field by field: 字段, 原值, 新值 — every field present before or after, in the order written."""
    b, a = _as_dict(before) or {}, _as_dict(after) or {}
    keys = list(dict.fromkeys([*b.keys(), *a.keys()]))
    rows = []
    for k in keys:
        old, new = _shown(k, b.get(k)), _shown(k, a.get(k))
        rows.append({"key": k, "label": field_label(entity, k) if k else "内容", "before": old, "after": new,
                     "changed": k in b and k in a and old != new or (k in b) != (k in a)})
    return rows


def diff_summary(entity: str, before: Any, after: Any, limit: int = 3) -> str:
    """One line for the list: the changed fields, e.g. 「状态：待审批 → 已通过；审批节点：财务经理审批」."""
    parts = []
    rows = [r for r in diff(entity, before, after) if r["changed"]]
    for r in rows[:limit]:
        if r["before"] and r["after"]:
            parts.append(f"{r['label']}：{r['before']} → {r['after']}")
        else:
            parts.append(f"{r['label']}：{r['after'] or r['before']}")
    if len(rows) > limit:
        parts.append(f"等 {len(rows)} 项")
    text = "；".join(parts)
    return text if len(text) <= 120 else text[:118] + "…"


# A6 交房 (issue 10): the handover's states, the 房屋验收 问题单 and the printed papers
ACTIONS.update({
    "pipeline.handover.book": "交房预约", "pipeline.handover.identify": "交房身份核验", "pipeline.handover.refuse": "业主拒收",
    "pipeline.handover.closed": "交房整改闭环", "pipeline.defect.start": "问题单开始整改", "pipeline.defect.rectified": "问题单整改完成",
    "pipeline.defect.recheck": "问题单复验", "pipeline.inspection": "房屋验收计划", "pipeline.issue": "登记房屋验收问题单",
    "pipeline.keys": "施工单位移交钥匙", "pipeline.print": "打印单据", "pipeline.surveyed": "录入确权面积",
    "pipeline.bulletin": "交房公告及面积差对照表批准",
})
ENTITIES.update({"pl_inspection_plan": "房屋验收计划", "pl_issue": "房屋验收问题单", "pl_defect": "交房整改单",
                 "pl_surveyed_area": "确权面积", "pl_handover_bulletin": "交房公告"})
# A4 备案 / A7 产权证 steps (issue 10)
ACTIONS.update({
    "pipeline.filing.prepare": "开始准备备案资料",
    "pipeline.filing.returned": "备案退件",
    "pipeline.filing.resubmit": "备案补正后重新报送",
    "pipeline.filing.prereg_submit": "申请预告登记",
    "pipeline.filing.handed": "已备案合同交接",
    "pipeline.title.missing": "发出补件通知",
    "pipeline.title.complete": "办证资料齐备",
    "pipeline.title.fees": "核定契税及登记费",
    "pipeline.title.review": "办证审核中",
    "pipeline.title.booked": "产权已登簿",
    "pipeline.title.notify": "通知业主领证",
    "pipeline.title.archive": "产权证资料归档",
})
ACTIONS.setdefault("pipeline.print", "打印")
FIELDS.update({"deed_tax": "契税", "reg_fee": "登记费"})
# ledgers (app/ledgers): manual corrections approved by the 客服主管, the daily report's schedule
ACTIONS.update({"ledger.correct": "台账更正（客服主管审批后写入）", "ledger.report_generated": "日报表自动生成"})
ENTITIES.update({"lg_report_run": "合同登记进度日报表（自动生成）", "lg_correction": "台账更正"})

# permits (app/permits/projects.py): 资质升级 as a project, 前期物业招标 (C2)
ACTIONS.update({"permits.upgrade_open": "资质升级·发起", "permits.upgrade_item": "资质升级·登记材料", "permits.upgrade_submit": "资质升级·提交申报",
                "permits.upgrade_review": "资质升级·进入审核", "permits.upgrade_approve": "资质升级·批准", "permits.upgrade_reject": "资质升级·未通过",
                "permits.upgrade_cert": "资质证书·升级更新", "permits.tender_open": "前期物业招标·发起", "permits.tender_step": "前期物业招标·登记环节",
                "permits.tender_direct": "前期物业招标·改为协议选聘"})
ENTITIES.update({"permit_upgrade": "资质升级", "permit_tender": "前期物业招标"})
# issue 10 — office and finance details (SPEC §E1, E2, E13, E14): appended here so the parts merge cleanly
ACTIONS.update({
    "finance.deduction_consent": "登记工资扣回书面同意",
    "finance.payroll_deduct": "工资扣回借款",
})
# operations (app/ops: backup and restore)
ACTIONS.update({"ops.backup": "数据库备份", "ops.restore": "从备份恢复数据库"})
ENTITIES.update({"database": "数据库"})
# the sales office (SPEC §F, issue 13): each part appends its own lines here so the parts merge cleanly
# — rosters (app/site_roster) and the monthly report (app/site_reports)
ACTIONS.update({"site_roster.open": "售楼处·打开月排班", "site_roster.fill": "售楼处·生成排班初稿", "site_roster.cell": "售楼处·修改排班",
                "site_roster.submit": "售楼处·排班提交审批", "site_roster.approve": "售楼处·排班已批准", "site_roster.return": "售楼处·排班退回草稿",
                "site_roster.swap_request": "售楼处·申请换班", "site_roster.swap_approve": "售楼处·批准换班", "site_roster.swap_reject": "售楼处·拒绝换班",
                "site_report.print": "售楼处·打印月报"})
ENTITIES.update({"site_roster": "售楼处月排班", "site_report": "售楼处月报"})
# — incidents (app/site_incident, SPEC §F4 事件报告)
ACTIONS.update({"site_incident.report": "售楼处·报告事件", "site_incident.follow_up": "售楼处·事件跟进", "site_incident.close": "售楼处·事件结案"})
ENTITIES.update({"site_incident": "售楼处事件报告"})
# — shift logs and handovers (app/site_shift, SPEC §F4 交接班, §F6)
ACTIONS.update({"site_shift.log": "售楼处·班前点名记录", "site_shift.handover": "售楼处·交班签字", "site_shift.handover_sign": "售楼处·接班签字"})
# — cleaning inspections (app/site_cleaning, SPEC §F5–F6)
ACTIONS.update({"site_cleaning.inspect": "售楼处·保洁检查", "site_cleaning.ticket": "售楼处·开整改单", "site_cleaning.fixed": "售楼处·整改完成",
                "site_cleaning.recheck": "售楼处·保洁复检"})
# — visitor and vehicle logs (app/site_logs, SPEC §F4)
ACTIONS.update({"site_logs.visitor_in": "访客登记·进入", "site_logs.visitor_out": "访客登记·离开", "site_logs.vehicle_in": "车辆登记·进场",
                "site_logs.vehicle_out": "车辆登记·离场"})
ENTITIES.update({"site_visitor": "访客登记", "site_vehicle": "车辆登记"})
ENTITIES.update({"site_clean_inspection": "保洁检查记录", "site_clean_ticket": "保洁整改单"})
# — patrols (app/site_patrol, SPEC §F3)
ACTIONS.update({"site_patrol.scan": "售楼处·巡更打卡", "site_patrol.miss": "售楼处·漏巡记录"})
ENTITIES.update({"site_patrol_scan": "巡更打卡记录", "site_patrol_miss": "漏巡记录"})
# HR (issue 12): each part appends its own lines — 考勤 (app/hr_leave)
ACTIONS.update({"hr_leave.work_start": "人事·登记参加工作日期"})
ENTITIES.update({"hr_leave_profile": "员工参加工作日期"})
# — labour contracts (app/hr_contract)
ACTIONS.update({"hr_contract.create": "人事·登记劳动合同", "hr_contract.sign": "人事·劳动合同签订", "hr_contract.end": "人事·劳动合同终止/解除"})
ENTITIES.update({"hr_contract": "劳动合同"})
# — degree/certificate training (app/hr_training)
ACTIONS.update({"hr_training.certificate": "人事·登记培训证书（服务期起算）"})
ENTITIES.update({"hr_training_agreement": "培训服务期协议"})
# — 转正 (app/hr_probation)
ACTIONS.update({"hr_probation.score": "人事·转正评分", "hr_probation.decide": "人事·转正结论", "hr_probation.apply": "人事·转正生效"})
ENTITIES.update({"hr_probation": "转正申请", "hr_employee_status": "员工转正状态"})
# — 晋升与调动 (app/hr_move)
ACTIONS.update({"hr_move.publish": "人事·晋升公示", "hr_move.appoint": "人事·晋升任命生效", "hr_move.transfer": "人事·调动生效",
                "hr_move.handover": "人事·调动交接清单", "hr_move.print": "人事·打印任命通知"})
ENTITIES.update({"hr_promotion": "晋升申请", "hr_transfer": "跨公司调动"})
# — internal training (app/hr_course) and rule quizzes (app/rules)
ACTIONS.update({"hr_course.attendance": "内部培训·勾选签到", "hr_course.sign_in": "内部培训·本人签到",
                "hr_course.scores": "内部培训·录入成绩", "hr_course.evaluate": "内部培训·提交评价",
                "rules.quiz": "设置规章测验", "rules.quiz_attempt": "规章测验答题"})
ENTITIES.update({"hr_course_session": "内部培训"})
# — employee record (app/hr_people)
ACTIONS.update({"hr_people.file_save": "人事·修改员工档案", "hr_people.reveal": "人事·查看完整身份证号/工资",
                "hr_people.reward_create": "人事·记录奖惩"})
ENTITIES.update({"hr_employee_file": "员工档案", "hr_reward": "奖惩记录"})
# 考勤 clock-in import and 调休 (app/hr_attend), 例会 (app/hr_meeting)
ACTIONS.update({"hr_attend.import": "人事·导入打卡记录", "hr_attend.duty": "人事·安排加班（调休）",
                "hr_meeting.record": "记录例会纪要", "hr_meeting.item_done": "例会行动项完成"})
ENTITIES.update({"hr_attend_clock": "打卡记录", "hr_attend_duty": "加班排班（调休）", "hr_meeting": "例会纪要",
                 "hr_meeting_item": "例会行动项"})
# — 招聘 → 入职 (app/hr_recruit)
ACTIONS.update({"hr_recruit.staffing": "人事·用人申请结果", "hr_recruit.candidate": "人事·登记候选人", "hr_recruit.interview": "人事·面试记录",
                "hr_recruit.background": "人事·背景调查", "hr_recruit.reveal": "人事·查看候选人完整信息", "hr_recruit.offer": "人事·录用审批结果",
                "hr_recruit.account": "人事·开通新员工账号", "hr_recruit.employee": "人事·新员工建档", "hr_recruit.scope": "人事·新员工项目范围",
                "hr_recruit.status": "人事·新员工试用期状态", "hr_recruit.onboard": "人事·办理入职", "hr_recruit.password": "人事·生成初始密码",
                "hr_recruit.gate_done": "新员工完成首次登录确认",
                "hr_recruit.interview_review": "人事·面试审批结果"})
ENTITIES.update({"hr_staffing": "用人申请", "hr_candidate": "候选人", "hr_interview": "面试记录", "hr_offer": "录用审批", "hr_onboarding": "入职记录"})
# — 离职交接、辞退 (app/hr_exit)
ACTIONS.update({"hr_exit.sweep_start": "人事·离职交接开始", "hr_exit.tick": "人事·离职交接确认", "hr_exit.receiver": "人事·指定工作接收人",
                "hr_exit.complete": "人事·离职办结", "hr_exit.disable": "人事·离职停用账号", "hr_exit.union": "人事·辞退通知工会",
                "hr_exit.custody_return": "人事·交接物品归还", "hr_exit.task_reassign": "人事·离职转交待办",
                "hr_exit.asset_reassign": "人事·离职转交资产", "hr_exit.seal_reassign": "人事·离职转交印章",
                "hr_exit.case_reassign": "人事·离职转交工单"})
ENTITIES.update({"hr_exit": "离职交接", "hr_dismissal": "辞退申请", "hr_custody": "离职交接物品", "wf_task": "审批待办", "seal": "印章"})
# — 离职交接: more holdings (app/permits, app/pipeline, app/callbacks, app/duty)
ACTIONS.update({"hr_exit.permit_reassign": "人事·离职转交证件手续", "hr_exit.deal_reassign": "人事·离职转交交易跟进",
                "hr_exit.callback_reassign": "人事·离职转交回访", "hr_exit.duty_reassign": "人事·离职转交值班"})
