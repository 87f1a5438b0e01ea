"""The 客服主管's monthly report of the sales office (SPEC §F, issue 13 §9): per team (and so per outsourcing contractor)
the patrol completion, the incidents, the cleaning scores (with the daily averages for the chart), the roll calls and
handovers, and the visitor and vehicle counts — each part answers for all the teams at once
(`team_figures(team_ids, first, last) -> {team_id: {...}}`, one grouped query per figure, never one per team)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from app.core.months import add_months, month_label, month_last, month_text, parse_month
from app.site import services as site

PARTS = ("site_patrol", "site_incident", "site_cleaning", "site_shift", "site_logs")


async def _figures(team_ids: list[int], first: date, last: date) -> dict[str, dict[int, dict]]:
    import importlib

    out = {}
    for part in PARTS:
        module = importlib.import_module(f"app.{part}.report")
        out[part] = await module.team_figures(team_ids, first, last) if team_ids else {}
    return out


def pct(a: int, b: int) -> str:
    return f"{a * 100 / b:.1f}%" if b else "—"


@dataclass
class Chart:
    """A line chart of daily cleaning averages as SVG points (server-drawn: prints, works without JavaScript)."""

    width: int
    height: int
    series: list[dict]
    days: int
    y_lines: list[tuple[int, float]]


def chart(first: date, last: date, rows: list[dict], *, width: int = 720, height: int = 220) -> Chart:
    days = (last - first).days + 1
    left, right, top, bottom = 36, 10, 10, 24
    lo, hi = 60, 100

    def x(d: date) -> float:
        return left + (width - left - right) * ((d - first).days / max(1, days - 1))

    def y(v: float) -> float:
        v = min(hi, max(lo, v))
        return top + (height - top - bottom) * (1 - (v - lo) / (hi - lo))

    series = []
    for r in rows:
        pts = [(round(x(d), 1), round(y(float(v)), 1), d, float(v)) for d, v in r["by_day"] if v is not None]
        series.append({"name": r["name"], "points": pts, "polyline": " ".join(f"{a},{b}" for a, b, _d, _v in pts)})
    return Chart(width, height, series, days, [(v, round(y(v), 1)) for v in (60, 70, 80, 90, 100)])


async def month_report(user: Any, month_raw: str | None) -> dict:
    from app.core.timeutil import today_local

    first = parse_month(month_raw or "") or today_local().replace(day=1)
    last = month_last(first)
    teams = await site.teams_for(user)
    ids = [t["id"] for t in teams]
    figs = await _figures(ids, first, last)
    rows = []
    for t in teams:
        row = {"team": t}
        for part in PARTS:
            row[part] = figs[part].get(t["id"], {})
        p = row["site_patrol"]
        row["patrol_pct"] = pct(p.get("scanned", 0), p.get("expected", 0))
        rows.append(row)
    cleaning = [{"name": r["team"]["name"], "by_day": r["site_cleaning"].get("by_day", [])} for r in rows
                if r["team"]["kind"] == "保洁"]
    contractors: dict[str, dict] = {}
    for r in rows:
        c = contractors.setdefault(r["team"]["contractor"] or "（未填外包单位）", {"teams": [], "incidents": 0, "missed": 0, "fails": 0,
                                                                                "averages": []})
        c["teams"].append(r["team"]["name"])
        c["incidents"] += r["site_incident"].get("total", 0)
        c["missed"] += r["site_patrol"].get("missed", 0)
        c["fails"] += r["site_cleaning"].get("fails", 0)
        if r["site_cleaning"].get("average") is not None:
            c["averages"].append((r["site_cleaning"]["average"], r["site_cleaning"].get("inspections", 0)))
    for c in contractors.values():
        n = sum(k for _a, k in c["averages"])
        c["average"] = (sum(Decimal(a) * k for a, k in c["averages"]) / n).quantize(Decimal("0.1")) if n else None
    prev, nxt = add_months(first, -1), add_months(first, 1)
    return {"first": first, "last": last, "label": month_label(first), "month": month_text(first), "prev": month_text(prev),
            "next": month_text(nxt), "rows": rows, "contractors": contractors, "chart": chart(first, last, cleaning) if cleaning else None}
