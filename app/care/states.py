"""The vocabulary of customer care (SPEC D1–D4): kinds, channels, complaint categories, and the states of a case (D2)
and of a repair (D3) with the moves each state allows. Pure data; the services enforce it with conditional updates."""
from __future__ import annotations

KINDS = ["投诉", "报修", "索赔", "咨询", "建议", "表扬"]
COMPLAINT_KINDS = {"投诉", "索赔"}  # on the D2 clocks and the KPI 投诉处理及时率 / 投诉满意率
CHANNELS = ["电话", "来访", "信函", "电子邮件", "微信", "短信", "网站在线", "销售转介", "物业转介", "12345工单", "网络舆情"]
CATEGORIES = ["工程质量", "规划设计变更", "配套", "销售承诺/广告", "合同/面积差", "交付延期", "办证延期", "按揭", "物业",
              "服务态度", "其他"]
NUMBER_PREFIX = {"报修": "BX"}  # others: KF
DEFAULT_PREFIX = "KF"

# D2 (投诉, 索赔, and the light path of 咨询/建议/表扬)
REGISTERED = "已登记"
ASSIGNED = "已分派"
HANDLING = "处理中"
PLAN_APPROVAL = "方案待批"  # only when compensation is involved
PLAN_CONFIRM = "方案待客户确认"
EXECUTING = "执行中"
CALLBACK = "待回访"
CLOSED = "已关闭"
REOPENED = "重开"
NOT_ACCEPTED = "不予受理"
TO_PROPERTY = "转物业"

# D3 (报修)
R_ACCEPTED = "已受理"
R_SURVEY = "待勘查"
R_INSPECTING = "质监勘查"  # serious or difficult: the 安全质量监督中心 inspects and issues the plan
R_DISPATCHED = "已派单"
R_REPAIRING = "维修中"
R_SIGN = "待客户签字"

CASE_STATES = [REGISTERED, ASSIGNED, HANDLING, PLAN_APPROVAL, PLAN_CONFIRM, EXECUTING, CALLBACK, CLOSED, REOPENED,
               NOT_ACCEPTED, TO_PROPERTY]
REPAIR_STATES = [R_ACCEPTED, R_SURVEY, R_INSPECTING, R_DISPATCHED, R_REPAIRING, R_SIGN, CALLBACK, CLOSED, REOPENED,
                 TO_PROPERTY]
FINAL = {CLOSED, NOT_ACCEPTED, TO_PROPERTY}  # no clock runs
DONE = FINAL | {CALLBACK}  # handling finished: the close clock has stopped
OPEN = [s for s in dict.fromkeys(CASE_STATES + REPAIR_STATES) if s not in DONE]  # a clock may run

# The moves a state allows: action → (from states, to state). The services check `from` in the UPDATE's WHERE.
CASE_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "assign": ((REGISTERED, ASSIGNED, HANDLING, REOPENED), ASSIGNED),
    "start": ((ASSIGNED, REOPENED), HANDLING),  # first response given; investigation starts
    "plan": ((HANDLING,), PLAN_CONFIRM),  # a plan without compensation goes to the customer
    "plan_compensation": ((HANDLING,), PLAN_APPROVAL),  # a plan with compensation waits for the approval
    "plan_approved": ((PLAN_APPROVAL,), PLAN_CONFIRM),
    "plan_rejected": ((PLAN_APPROVAL,), HANDLING),
    "customer_accepts": ((PLAN_CONFIRM,), EXECUTING),
    "customer_declines": ((PLAN_CONFIRM,), HANDLING),
    "finish": ((EXECUTING, HANDLING), CALLBACK),  # 结案: handling done; the callback is due
    "close": ((CALLBACK,), CLOSED),  # after the callback
    "reopen": ((CALLBACK, CLOSED), REOPENED),
    "not_accept": ((REGISTERED, ASSIGNED), NOT_ACCEPTED),
    "to_property": ((REGISTERED, ASSIGNED, HANDLING), TO_PROPERTY),
}
REPAIR_MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "survey": ((R_ACCEPTED, REOPENED), R_SURVEY),
    "inspect": ((R_SURVEY,), R_INSPECTING),
    "dispatch": ((R_SURVEY, R_INSPECTING), R_DISPATCHED),
    "start_repair": ((R_DISPATCHED,), R_REPAIRING),
    "repaired": ((R_REPAIRING,), R_SIGN),
    "signed": ((R_SIGN,), CALLBACK),
    "close": ((CALLBACK,), CLOSED),
    "reopen": ((CALLBACK, CLOSED), REOPENED),
    "to_property": ((R_ACCEPTED, R_SURVEY, R_INSPECTING), TO_PROPERTY),
}

ACTION_NAMES = {
    "intake": "登记", "assign": "分派", "start": "首次响应", "plan": "答复方案", "plan_compensation": "提交补偿方案",
    "plan_approved": "补偿方案获批", "plan_rejected": "补偿方案未获批", "customer_accepts": "客户确认方案",
    "customer_declines": "客户不接受方案", "finish": "结案", "close": "关闭", "reopen": "重开", "not_accept": "不予受理",
    "to_property": "转物业", "override": "调整等级", "pause": "暂停计时", "resume": "恢复计时", "note": "处理记录",
    "daily_update": "每日进展通报", "escalate": "超时升级", "amber": "即将到期提醒", "gm_informed": "通报总经理",
    "survey": "安排勘查", "inspect": "提交质监勘查", "inspected": "质监出具方案", "dispatch": "派单", "start_repair": "开始维修",
    "check": "过程检查", "repaired": "维修完成", "signed": "客户签字确认", "callback": "回访", "payment": "发起付款",
    # customer care — repairs
    "on_site": "维修人员到场",
    # customer care — callbacks + SLA worker
    "overdue_twice": "严重超时通报",
}
