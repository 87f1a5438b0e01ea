"""合同登记进度日报表 (SPEC §B): one row per project with the period's and the cumulative figures, aggregated in SQL
from the pipeline's dates (two GROUP BY queries, whatever the number of deals).

Every figure is derived from dates, so a report for a past day reads the same later (apart from later corrections
of those dates), and a week's or month's flow figures are exactly the sum of its days. Stock figures (filing
backlog, mortgages by stage) are as of the period's last day."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.core.money import round_money
from app.estate.tables import Project
from app.pipeline.services import LOAN_METHODS
from app.pipeline.tables import Deal


@dataclass(frozen=True)
class Figure:
    key: str
    group: str
    label: str
    kind: str = "int"  # int | money | area
    flow: bool = True  # True: within the period (summed over days); False: cumulative / as of the period end


FIGURES: tuple[Figure, ...] = (
    Figure("sub_n", "认购", "套数"), Figure("sub_area", "认购", "面积㎡", "area"), Figure("sub_amount", "认购", "金额", "money"),
    Figure("sub_n_cum", "认购", "累计套数", flow=False), Figure("sub_area_cum", "认购", "累计面积㎡", "area", False),
    Figure("sub_amount_cum", "认购", "累计金额", "money", False),
    Figure("sign_n", "签约", "套数"), Figure("sign_area", "签约", "面积㎡", "area"), Figure("sign_amount", "签约", "金额", "money"),
    Figure("sign_n_cum", "签约", "累计套数", flow=False), Figure("sign_area_cum", "签约", "累计面积㎡", "area", False),
    Figure("sign_amount_cum", "签约", "累计金额", "money", False),
    Figure("filed_n", "备案", "备案"), Figure("filed_n_cum", "备案", "累计备案", flow=False),
    Figure("backlog_n", "备案", "待备案", flow=False), Figure("backlog_overdue_n", "备案", "其中逾期（>30 天）", flow=False),
    Figure("col_down", "回款", "首付款", "money"), Figure("col_lump", "回款", "一次性付款", "money"),
    Figure("col_loan", "回款", "按揭放款", "money"), Figure("col_total", "回款", "合计", "money"),
    Figure("col_down_cum", "回款", "累计首付款", "money", False), Figure("col_lump_cum", "回款", "累计一次性", "money", False),
    Figure("col_loan_cum", "回款", "累计放款", "money", False), Figure("col_total_cum", "回款", "累计合计", "money", False),
    Figure("m_docs_n", "按揭", "资料收集 套数", flow=False), Figure("m_docs_amt", "按揭", "资料收集 贷款额", "money", False),
    Figure("m_bank_n", "按揭", "银行审批 套数", flow=False), Figure("m_bank_amt", "按揭", "银行审批 贷款额", "money", False),
    Figure("m_reg_n", "按揭", "抵押登记 套数", flow=False), Figure("m_reg_amt", "按揭", "抵押登记 贷款额", "money", False),
    Figure("m_rel_n", "按揭", "放款 套数"), Figure("m_rel_amt", "按揭", "放款 金额", "money"),
    Figure("m_rel_n_cum", "按揭", "累计放款 套数", flow=False), Figure("m_rel_amt_cum", "按揭", "累计放款 金额", "money", False),
    Figure("void_n", "作废", "作废"), Figure("void_n_cum", "作废", "累计作废", flow=False),
)
GROUPS = ("认购", "签约", "备案", "回款", "按揭", "作废")
KINDS = {f.key: f.kind for f in FIGURES}

_LOANS = "(" + ", ".join("'" + m + "'" for m in sorted(LOAN_METHODS)) + ")"


def _bind(sql: str, params: dict[str, Any]) -> tuple[str, list[Any]]:
    """Named placeholders (:name) → piccolo's positional {} with the values in order (works on SQLite and PostgreSQL)."""
    args: list[Any] = []

    def sub(m: re.Match) -> str:
        args.append(params[m.group(1)])
        return "{}"

    return re.sub(r":([a-z_0-9]+)", sub, sql), args


def _in_list(ids: list[int]) -> str:
    return "(" + ", ".join(str(int(i)) for i in ids) + ")" if ids else "(0)"


def _deal_sql(project_ids: list[int]) -> str:
    period = "BETWEEN :s AND :e"
    alive = "(d.voided_on IS NULL OR d.voided_on > :e)"
    loan = f"d.payment_method IN {_LOANS}"
    parts = []
    # a subscription counts once it is 已认购 (A1: the 定金 received; "" = a deal from before the states were kept)
    subscribed = "(d.subscription_status = '' OR d.deposit_received_on IS NOT NULL)"
    for name, col, cond in (("sub", "d.subscribed_on", f" AND {subscribed}"), ("sign", "d.signed_on", "")):
        parts += [f"SUM(CASE WHEN {col} {period}{cond} THEN 1 ELSE 0 END) AS {name}_n",
                  f"SUM(CASE WHEN {col} {period}{cond} THEN u.area_build ELSE 0 END) AS {name}_area",
                  f"SUM(CASE WHEN {col} {period}{cond} THEN d.total_price ELSE 0 END) AS {name}_amount",
                  f"SUM(CASE WHEN {col} <= :e{cond} THEN 1 ELSE 0 END) AS {name}_n_cum",
                  f"SUM(CASE WHEN {col} <= :e{cond} THEN u.area_build ELSE 0 END) AS {name}_area_cum",
                  f"SUM(CASE WHEN {col} <= :e{cond} THEN d.total_price ELSE 0 END) AS {name}_amount_cum"]
    backlog = f"d.signed_on <= :e AND (d.filed_on IS NULL OR d.filed_on > :e) AND {alive}"
    docs = f"{loan} AND d.signed_on <= :e AND (d.bank_submitted_on IS NULL OR d.bank_submitted_on > :e) AND {alive}"
    bank = f"{loan} AND d.bank_submitted_on <= :e AND (d.registered_on IS NULL OR d.registered_on > :e) AND {alive}"
    reg = f"{loan} AND d.registered_on <= :e AND (d.released_on IS NULL OR d.released_on > :e) AND {alive}"
    parts += [
        f"SUM(CASE WHEN d.filed_on {period} THEN 1 ELSE 0 END) AS filed_n",
        "SUM(CASE WHEN d.filed_on <= :e THEN 1 ELSE 0 END) AS filed_n_cum",
        f"SUM(CASE WHEN {backlog} THEN 1 ELSE 0 END) AS backlog_n",
        f"SUM(CASE WHEN {backlog} AND d.signed_on < :overdue_before THEN 1 ELSE 0 END) AS backlog_overdue_n",
        f"SUM(CASE WHEN {docs} THEN 1 ELSE 0 END) AS m_docs_n", f"SUM(CASE WHEN {docs} THEN d.loan_amount ELSE 0 END) AS m_docs_amt",
        f"SUM(CASE WHEN {bank} THEN 1 ELSE 0 END) AS m_bank_n", f"SUM(CASE WHEN {bank} THEN d.loan_amount ELSE 0 END) AS m_bank_amt",
        f"SUM(CASE WHEN {reg} THEN 1 ELSE 0 END) AS m_reg_n", f"SUM(CASE WHEN {reg} THEN d.loan_amount ELSE 0 END) AS m_reg_amt",
        f"SUM(CASE WHEN d.released_on {period} THEN 1 ELSE 0 END) AS m_rel_n",
        f"SUM(CASE WHEN d.released_on {period} THEN d.released_amount ELSE 0 END) AS m_rel_amt",
        "SUM(CASE WHEN d.released_on <= :e THEN 1 ELSE 0 END) AS m_rel_n_cum",
        "SUM(CASE WHEN d.released_on <= :e THEN d.released_amount ELSE 0 END) AS m_rel_amt_cum",
        f"SUM(CASE WHEN d.voided_on {period} THEN 1 ELSE 0 END) AS void_n",
        "SUM(CASE WHEN d.voided_on <= :e THEN 1 ELSE 0 END) AS void_n_cum",
    ]
    return (f"SELECT d.project AS project, {', '.join(parts)} FROM pl_deal d JOIN unit u ON u.id = d.unit "
            f"WHERE d.project IN {_in_list(project_ids)} GROUP BY d.project")


def _collection_sql(project_ids: list[int]) -> str:
    """Collections are the receipts (收款登记, the 定金 at 认购, the bank's release) dated in the period; refunds paid out
    through 付款 (negative receipts) are not collections."""
    period = "r.received_on BETWEEN :s AND :e"
    cum = "r.received_on <= :e"
    kinds = {"loan": "r.kind = '贷款'", "lump": "r.kind <> '贷款' AND d.payment_method = '一次性'",
             "down": "r.kind <> '贷款' AND d.payment_method <> '一次性'"}
    parts = []
    for name, cond in kinds.items():
        parts.append(f"SUM(CASE WHEN {period} AND {cond} THEN r.amount ELSE 0 END) AS col_{name}")
        parts.append(f"SUM(CASE WHEN {cum} AND {cond} THEN r.amount ELSE 0 END) AS col_{name}_cum")
    return (f"SELECT d.project AS project, {', '.join(parts)} FROM pl_receipt r JOIN pl_deal d ON d.id = r.deal "
            f"WHERE r.amount > 0 AND d.project IN {_in_list(project_ids)} GROUP BY d.project")


def _num(kind: str, v: Any) -> Any:
    if kind == "int":
        return int(v or 0)
    return round_money(Decimal(str(v or 0)))


async def generate(project_ids: list[int], start: date, end: date) -> dict[str, Any]:
    """{"rows": [one per project, in code order], "total": the sum row} for the period [start, end]."""
    projects = await Project.select(Project.id, Project.code, Project.name).where(Project.id.is_in(project_ids or [0])).order_by(Project.code)
    ids = [p["id"] for p in projects]
    from app.pipeline.services import filing_overdue_cutoff, setting

    cutoff = await filing_overdue_cutoff(end, int(await setting("filing_days")))  # 民法典 203: the same due date as the unit page
    params = {"s": start, "e": end, "overdue_before": cutoff + timedelta(days=1)}
    by_project: dict[int, dict[str, Any]] = {i: {} for i in ids}
    if ids:
        for sql in (_deal_sql(ids), _collection_sql(ids)):
            text, args = _bind(sql, params)
            for r in await Deal.raw(text, *args):
                by_project[r["project"]].update({k: v for k, v in r.items() if k != "project"})
    rows = []
    for p in projects:
        raw = by_project[p["id"]]
        figs = {f.key: _num(f.kind, raw.get(f.key)) for f in FIGURES if not f.key.startswith("col_total")}
        figs["col_total"] = figs["col_down"] + figs["col_lump"] + figs["col_loan"]
        figs["col_total_cum"] = figs["col_down_cum"] + figs["col_lump_cum"] + figs["col_loan_cum"]
        rows.append({"project_id": p["id"], "code": p["code"], "name": p["name"], "figures": figs})
    total = {f.key: sum((r["figures"][f.key] for r in rows), _num(f.kind, 0)) for f in FIGURES}
    return {"start": start, "end": end, "rows": rows, "total": total}


# ---------------------------------------------------------------- snapshot (stored with the submitted report)


def to_json(report: dict[str, Any]) -> str:
    def enc(o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"{o:.2f}"
        if isinstance(o, date):
            return o.isoformat()
        raise TypeError(type(o))

    return json.dumps(report, default=enc, ensure_ascii=False)


def from_json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    for r in data.get("rows", []):
        r["figures"] = {k: (Decimal(v) if KINDS.get(k) in ("money", "area") else v) for k, v in r.get("figures", {}).items()}
    if "total" in data:
        data["total"] = {k: (Decimal(v) if KINDS.get(k) in ("money", "area") else v) for k, v in data["total"].items()}
    return data
