"""Approval requests for the scale generator: 日常费用报销, 借款, 付款 and 业务招待申请 (with their payloads: claim + invoice,
advance + its ledger, payment, entertainment) over the past year, in every state, with the engine's history rows. Each request's chain is the engine's own
plan (`plan_chain`, the same approvers a real submission gets: positions, amounts, the self-approval guard), computed once
per kind of applicant and amount band; the rows are then written in bulk the way the engine's actions leave them:

- 已通过: every step 已完成, every task 已同意, one 同意 action each; an advance is 未结清 or 已结清 with its ledger rows;
- 审批中: the steps before one are done, that step 进行中 with its due day, exactly one 待处理 task (依次) or all of the
  step's tasks (会签/或签) and their open 待审批 notifications, the later steps 未开始;
- 已驳回 at some step (its other open tasks and the open steps 已取消), 已退回 (the step stays 进行中, its open tasks
  已取消, the applicant may resubmit), 已撤回 before anyone approved (all 已取消);
- rejected or withdrawn claims free their invoices (inactive), as `expense_closed` does.

Not written (cut): the audit-log rows of these historical actions and the result notifications to the applicants."""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from seeds.scale_db import Bulk

STATES = [("已通过", 0.87), ("审批中", 0.02), ("已退回", 0.02), ("已驳回", 0.05), ("已撤回", 0.04)]
# type → (share of the requests, the settings that split its chain, the lowest amount, weights of the amount bands)
TYPES = {"expense": (0.55, ("vp_from", "gm_from"), Decimal("50"), (0.6, 0.3, 0.1)),
         "advance": (0.20, ("vp_from", "gm_from"), Decimal("500"), (0.5, 0.35, 0.15)),
         "payment": (0.15, ("gm_from", "president_from"), Decimal("1000"), (0.7, 0.27, 0.03)),
         "entertainment": (0.10, ("vp_from",), Decimal("300"), (0.8, 0.2))}
PAYEES = [("苏州固德防水工程有限公司", "中国建设银行苏州分行"), ("苏州文星办公用品有限公司", "中国工商银行吴中支行"),
          ("苏州恒通水电安装有限公司", "交通银行苏州分行"), ("无锡云栖物业服务有限公司", "中国银行无锡分行")]
GUESTS = ["苏州市住建局 2 人", "合作银行 3 人", "物业公司 2 人", "业主代表 4 人", "监理单位 2 人"]


def bands(flow: str, settings: dict[str, Decimal]) -> list[tuple[Decimal, Decimal]]:
    """Amount bands inside which the type's chain does not change (split at the admin's thresholds)."""
    _, keys, low, _ = TYPES[flow]
    cuts = [Decimal(settings[k]) for k in keys]
    edges = [low, *cuts, cuts[-1] * 6]
    return [(edges[i], edges[i + 1] - Decimal("0.01")) for i in range(len(edges) - 1)]
REASONS = ["客户接待用餐", "交房现场物料采购", "打印耗材", "快递费（合同寄送）", "差旅交通费", "房管局办事交通费", "业主活动场地布置",
           "档案盒采购", "维修工具采购", "办公用品采购"]
ADVANCE_KINDS = ["备用金", "业务借款", "差旅"]
SELLERS = ["苏州某餐饮有限公司", "苏州顺达快递有限公司", "苏州文星办公用品有限公司", "吴中区惠民五金商行", "苏州交通出行服务有限公司"]
REJECT_REASONS = ["发票抬头与公司名称不符", "超出预算，请重新申请", "事由不清，请补充说明"]
RETURN_REASONS = ["请补充发票照片", "请注明费用所属项目", "金额与发票不一致，请修改"]
SH = timezone(timedelta(hours=8))


async def _applicants(bulk: Bulk) -> list[dict]:
    """Everyone who may file an internal request (保安、保洁 do not), with what the chain depends on."""
    cols, rows = await bulk.fetch(
        'SELECT e.id, e."user", e.name, e.company, e.department, p.role, m."user" FROM "employee" e '
        'JOIN "position" p ON p.id = e.position LEFT JOIN "employee" m ON m.id = e.manager '
        "WHERE e.\"user\" IS NOT NULL AND e.active AND p.role NOT IN ('guard', 'cleaner', 'security_captain', 'cleaning_lead', 'sysadmin')"
        .replace("e.active", "e.active = %s" % ("true" if bulk.engine == "postgres" else "1")))
    return [dict(zip(["employee", "user", "name", "company", "department", "role", "manager_user"], r)) for r in rows]


async def make_requests(bulk: Bulk, count: int, run: int, rng: random.Random, log) -> dict[str, int]:
    import app.flows  # noqa: F401  (registers the request types)
    from app.workflow.definitions import Applicant, get_flow
    from app.workflow.engine import SENIOR_ROLES, WorkflowError, flow_settings, plan_chain
    from seeds.finance import credit_code

    t0 = time.monotonic()
    flows = {code: get_flow(code) for code in TYPES}
    settings = {code: await flow_settings(f) for code, f in flows.items()}
    limits = {code: int(settings[code]["limit_days"]) for code in flows}
    band_of = {code: bands(code, settings[code]) for code in flows}
    people = await _applicants(bulk)
    _, names = await bulk.fetch('SELECT "user", name FROM "employee" WHERE "user" IS NOT NULL')
    name_of = {r[0]: r[1] for r in names}
    _, comps = await bulk.fetch('SELECT id, name FROM "company"')
    company_name = {r[0]: r[1] for r in comps}
    chains: dict[tuple, list] = {}

    def key_of(flow: str, p: dict, band: int) -> tuple:
        return (flow, p["company"], p["role"], p["manager_user"], band, p["user"] if p["role"] in SENIOR_ROLES else 0)

    async def chain(flow: str, p: dict, band: int) -> list | None:
        key = key_of(flow, p, band)
        if key not in chains:
            a = Applicant(employee_id=p["employee"], user_id=p["user"], name=p["name"], role=p["role"], company_id=p["company"],
                          department_id=p["department"], manager_user_id=p["manager_user"], senior=p["role"] in SENIOR_ROLES)
            try:
                plan = await plan_chain(flows[flow], a, band_of[flow][band][0], {})
            except WorkflowError:  # the engine refuses this submission (e.g. the 总裁's own large payment): none is generated
                plan = None
            chains[key] = None if plan is None else [(s.key, s.name, s.mode.value, s.limit_days or limits[flow], users) for s, users in plan]
        return chains[key]

    # the chains first (Piccolo queries), then one write transaction
    work = []
    while len(work) < count:
        p = rng.choice(people)
        flow = rng.choices(list(TYPES), weights=[t[0] for t in TYPES.values()])[0]
        band = rng.choices(range(len(TYPES[flow][3])), weights=TYPES[flow][3])[0]
        if await chain(flow, p, band) is not None:
            work.append((p, flow, band))
    log(f"  审批链（plan_chain）            {len(chains):>9,} 种  {time.monotonic() - t0:6.1f} s")

    ids = {t: await bulk.max_id(t) for t in ("wf_request", "wf_step", "wf_task", "wf_action", "fin_expense", "fin_invoice",
                                             "fin_advance", "fin_advance_entry", "fin_payment", "fin_entertainment", "notification")}
    out: dict[str, list] = {t: [] for t in ids}
    now = datetime.now(timezone.utc)
    today = now.astimezone(SH).date()
    seq: dict[str, int] = {}
    state_names, state_weights = [s for s, _ in STATES], [w for _, w in STATES]

    def nid(t: str) -> int:
        ids[t] += 1
        return ids[t]

    for p, flow, band in work:
        steps = chains[key_of(flow, p, band)]
        state = rng.choices(state_names, weights=state_weights)[0]
        open_state = state in ("审批中", "已退回")
        age = timedelta(days=rng.uniform(1, 25) if open_state else rng.uniform(1, 365), minutes=rng.uniform(0, 600))
        submitted = now - age
        day = submitted.astimezone(SH).date()
        if day >= today:
            day, submitted = today - timedelta(days=1), submitted - timedelta(days=1)
        prefix = flows[flow].prefix
        stem = f"{prefix}-{day:%Y%m%d}"
        seq[stem] = seq.get(stem, 0) + 1
        number = f"{stem}-{seq[stem]:04d}" if run == 1 else f"{stem}-{run}{seq[stem]:04d}"
        lo, hi = band_of[flow][band]
        amount = (Decimal(rng.randint(int(lo) * 100, int(hi) * 100)) / 100).quantize(Decimal("0.01"))
        reason = rng.choice(REASONS)
        title = f"{flows[flow].name}：{reason}"[:200]
        rid = nid("wf_request")
        # where the chain stops: the acting step of a pending/returned/rejected request, none when approved
        n = len(steps)
        stop = 0 if state == "已撤回" else (rng.randrange(n) if state != "已通过" else n)
        at = submitted
        first_action = len(out["wf_action"])
        out["wf_action"].append((nid("wf_action"), rid, None, "", p["user"], p["name"], "", "提交", "", submitted))
        finished = None
        for si, (key, sname, mode, limit, users) in enumerate(steps):
            sid = nid("wf_step")
            if si < stop:
                started, at = at, min(at + timedelta(hours=rng.uniform(1, 40)), now - timedelta(minutes=n - si))
                s_status, s_fin, due = "已完成", at, (started.astimezone(SH).date() + timedelta(days=limit))
            elif si == stop and state in ("审批中", "已退回", "已驳回"):
                started = at
                due = started.astimezone(SH).date() + timedelta(days=limit + (2 if limit < 5 else 3))
                s_status, s_fin = ("已取消", None) if state == "已驳回" else ("进行中", None)
            else:
                started, due, s_status, s_fin = None, None, ("已取消" if state in ("已驳回", "已撤回") else "未开始"), None
            out["wf_step"].append((sid, rid, si + 1, key, sname, mode, s_status, due, limit, started, s_fin))
            for ti, u in enumerate(users):
                tid = nid("wf_task")
                acted, comment = None, ""
                if si < stop:  # done: 依次/会签 every task agreed; 或签 the first agreed, the rest cancelled
                    t_status = "已同意" if (mode != "any" or ti == 0) else "已取消"
                    acted = s_fin - timedelta(minutes=(len(users) - ti) * 5)
                elif si == stop and state == "审批中":
                    t_status = "待处理" if (mode != "seq" or ti == 0) else "等待"
                elif si == stop and state in ("已驳回", "已退回") and ti == 0:
                    t_status = "已驳回" if state == "已驳回" else "已退回"
                    at = min(at + timedelta(hours=rng.uniform(1, 30)), now)
                    acted, comment = at, rng.choice(REJECT_REASONS if state == "已驳回" else RETURN_REASONS)
                    finished = at if state == "已驳回" else None
                elif state in ("已驳回", "已撤回") or (si == stop and state == "已退回"):
                    t_status = "已取消"
                else:
                    t_status = "未开始"
                out["wf_task"].append((tid, rid, sid, ti, u, None, t_status, None, submitted, acted, comment, None, None, submitted))
                if t_status == "已同意":
                    out["wf_action"].append((nid("wf_action"), rid, tid, sname, u, name_of.get(u, ""), "", "同意", "", acted))
                elif t_status in ("已驳回", "已退回"):
                    out["wf_action"].append((nid("wf_action"), rid, tid, sname, u, name_of.get(u, ""), "",
                                             "驳回" if t_status == "已驳回" else "退回修改", comment, acted))
                elif t_status == "待处理":
                    out["notification"].append((nid("notification"), u, started, "task", f"待审批：{title}（{number}）",
                                                f"/workflow/requests/{rid}", None, f"task:{tid}", None))
        if state == "已通过":
            finished = at
        if state == "已撤回":
            finished = min(submitted + timedelta(hours=rng.uniform(1, 20)), now)
            out["wf_action"].append((nid("wf_action"), rid, None, "", p["user"], p["name"], "", "撤回", "", finished))
        status = state
        out["wf_request"].append((rid, number, flow, title, p["employee"], p["user"], p["company"], p["department"], amount, status,
                                  len(out["wf_action"]) - first_action, submitted, finished))
        closed = state in ("已驳回", "已撤回")
        if flow == "expense":
            out["fin_expense"].append((nid("fin_expense"), rid, reason, amount, None, Decimal("0.00"), "日常费用", None, False))
            buyer = company_name.get(p["company"], "")
            out["fin_invoice"].append((nid("fin_invoice"), rid, 1, "数电票", "", f"{run}{rid:019d}"[-20:], buyer, credit_code(buyer),
                                       day - timedelta(days=rng.randint(0, 20)), rng.choice(SELLERS), amount, Decimal("0.00"), not closed))
        elif flow == "payment":
            payee, bank = rng.choice(PAYEES)
            out["fin_payment"].append((nid("fin_payment"), rid, payee, bank, f"6222{rid:015d}"[-19:], f"HT-{day:%Y}-{run}{rid:06d}",
                                       (amount * rng.choice([1, 2, 3, 5])).quantize(Decimal("0.01")), Decimal("0.00"), amount, "银行转账",
                                       reason, state == "已通过"))
        elif flow == "entertainment":
            out["fin_entertainment"].append((nid("fin_entertainment"), rid, p["employee"], reason, rng.choice(GUESTS), rng.randint(1, 6),
                                             rng.randint(1, 3), day + timedelta(days=rng.randint(1, 10)), amount))
        else:
            adv = nid("fin_advance")
            due_on = day + timedelta(days=30)
            if state == "已通过":
                settled = rng.random() < 0.7 and finished + timedelta(days=20) < now
                out["fin_advance_entry"].append((nid("fin_advance_entry"), adv, "借出", amount, finished, rid, "借款付出"))
                if settled:
                    back = finished + timedelta(days=rng.randint(3, 20))
                    out["fin_advance_entry"].append((nid("fin_advance_entry"), adv, "还款", -amount, back, None, "还款"))
                out["fin_advance"].append((adv, rid, p["employee"], rng.choice(ADVANCE_KINDS), reason, amount,
                                           Decimal("0.00") if settled else amount, due_on, "已结清" if settled else "未结清", finished,
                                           back if settled else None))
            else:
                out["fin_advance"].append((adv, rid, p["employee"], rng.choice(ADVANCE_KINDS), reason, amount, Decimal("0.00"), due_on,
                                           "已作废" if closed else "审批中", None, None))
    log(f"  （生成 {count:,} 张审批单的行）              {time.monotonic() - t0:6.1f} s")
    columns = {
        "wf_request": ["id", "number", "flow", "title", "applicant", "applicant_user", "company", "department", "amount", "status",
                       "version", "submitted_at", "finished_at"],
        "wf_step": ["id", "request", "seq", "key", "name", "mode", "status", "due_on", "limit_days", "started_at", "finished_at"],
        "wf_task": ["id", "request", "step", "order", "assignee", "on_behalf_of", "status", "blocked_by", "created_at", "acted_at",
                    "comment", "last_urged_on", "overdue_notified_on", "submitted_at"],
        "wf_action": ["id", "request", "task", "step_name", "actor", "actor_name", "on_behalf_name", "action", "comment", "at"],
        "fin_expense": ["id", "request", "reason", "total", "offset_advance", "offset_amount", "category", "entertainment", "over_tolerance"],
        "fin_invoice": ["id", "request", "line_no", "kind", "code", "number", "buyer_name", "buyer_tax_id", "issued_on", "seller",
                        "amount", "tax", "active"],
        "fin_advance": ["id", "request", "employee", "kind", "purpose", "amount", "balance", "due_on", "status", "paid_out_at",
                        "settled_at"],
        "fin_advance_entry": ["id", "advance", "kind", "amount", "at", "request", "note"],
        "notification": ["id", "user", "at", "kind", "text", "url", "read_at", "ref", "closed_at"],
        "fin_payment": ["id", "request", "payee", "bank", "account", "contract_no", "contract_total", "paid_before", "amount", "method",
                        "purpose", "paid"],
        "fin_entertainment": ["id", "request", "employee", "purpose", "guests", "guest_count", "staff_count", "event_on", "expected"],
    }
    counts = {}
    for t in columns:
        t1 = time.monotonic()
        counts[t] = await bulk.insert(t, columns[t], out[t])
        log(f"  {t:<28} {counts[t]:>9,} 行  {time.monotonic() - t1:6.1f} s")
    return counts
