"""Parsing and validating the register forms from the declarations in kinds.py: Chinese messages per field, the
entered values kept, cross-field rules (end after start, buildings of the chosen project, ID numbers)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core.fields import Parser
from app.core.scope import scoped
from app.core.timeutil import today_local
from app.core.validators import normalize_id_number, validate_resident_id
from app.estate.tables import Building, Project
from app.org.tables import Company, Employee
from app.permits import rules
from app.permits.kinds import HMT_RESIDENCE, RESIDENT_ID, Field, Kind
from app.permits.rules import ActionField

MAX_AREA = Decimal("9999999999.99")  # DECIMAL(12,2)
MAX_RATE = Decimal("100000")  # 元/㎡: far above any real standard, well inside DECIMAL(10,2)
MAX_COST = Decimal("1000000")
# the department's posts (and managers) who may own a register record
OWNER_ROLES = ("bureau", "mortgage", "contract", "data", "title", "archive", "supervisor", "dept_head")
MULTI = ("buildings", "checklist")


class FormError(Exception):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass
class Parsed:
    data: dict[str, Any] = field(default_factory=dict)
    buildings: list[int] | None = None


def form_values(raw: Any) -> dict[str, Any]:
    """A submitted form as a dict for re-display: single values as text, the multi-valued fields as lists."""
    out: dict[str, Any] = {}
    keys = list(raw.keys()) if hasattr(raw, "keys") else []
    for k in keys:
        if k in MULTI:
            vals = raw.getall(k, []) if hasattr(raw, "getall") else raw.get(k, [])
            out[k] = [str(v) for v in (vals if isinstance(vals, list) else [vals]) if isinstance(v, str)]
        else:
            v = raw.get(k)
            if isinstance(v, str):
                out[k] = v
    return out


# ---- scalar parsers ---------------------------------------------------------------------------------------------

def _decimal(raw: str) -> Decimal | None:
    text = raw.replace(",", "").replace("，", "").replace("%", "").replace("％", "").strip()
    try:
        v = Decimal(text)
    except InvalidOperation:
        return None
    return v if v.is_finite() else None


def parse_area(p: Parser, name: str, label: str, *, required: bool, raw: str | None = None) -> Decimal | None:
    v = p.raw(name) if raw is None else raw.strip()
    if not v:
        if required:
            p.fail(name, f"请填写{label}")
        return None
    d = _decimal(v)
    if d is None:
        p.fail(name, "格式不正确，请输入数字，例如 12345.67")
    elif d.as_tuple().exponent < -2:  # type: ignore[operator]
        p.fail(name, "最多保留两位小数")
    elif d < 0 or (d == 0 and required):
        p.fail(name, "必须大于 0" if required else "不能为负数")
    elif d > MAX_AREA:
        p.fail(name, "超出允许范围")
    else:
        return d.quantize(rules.CENT)
    return None


def parse_percent(p: Parser, name: str, label: str, *, required: bool) -> Decimal | None:
    v = p.raw(name)
    if not v:
        if required:
            p.fail(name, f"请填写{label}")
        return None
    d = _decimal(v)
    if d is None:
        p.fail(name, "格式不正确，请输入 0–100 之间的数字，例如 30 或 12.5")
    elif d.as_tuple().exponent < -2:  # type: ignore[operator]
        p.fail(name, "最多保留两位小数")
    elif d < 0 or d > 100:
        p.fail(name, f"应在 0 到 100 之间（当前为 {v}）")
    else:
        return d.quantize(rules.CENT)
    return None


def parse_id(id_type: str, raw: str) -> tuple[str, str | None]:
    """(normalised number, message). 居民身份证 and 港澳台居民居住证 are checked per GB 11643; the other papers
    (passports, travel permits, foreigners' permanent-residence cards) are free text of letters and digits."""
    v = normalize_id_number(raw).replace(" ", "")
    if id_type in (RESIDENT_ID, HMT_RESIDENCE):
        msg = validate_resident_id(v)
        if msg is None and id_type == HMT_RESIDENCE and v[:2] not in ("81", "82", "83"):
            msg = "港澳台居民居住证号码应以 81、82 或 83 开头"
        return v, msg
    if not v:
        return v, "请填写证件号码"
    if not re.fullmatch(r"[A-Z0-9()\-]{5,30}", v):
        return v, "证件号码应为 5–30 位字母或数字"
    return v, None


# ---- choices ----------------------------------------------------------------------------------------------------

async def project_choices(user) -> list[tuple[str, str]]:
    q = Project.select(Project.id, Project.code, Project.name).where(Project.active == True).order_by(Project.code)  # noqa: E712
    q = scoped(q, Project.id, user)
    return [(str(r["id"]), f'{r["name"]}（{r["code"]}）') for r in await q]


async def company_choices() -> list[tuple[str, str]]:
    return [(str(r["id"]), r["name"]) for r in await Company.select(Company.id, Company.name).where(
        Company.is_group == False).order_by(Company.sort)]  # noqa: E712


async def owner_choices() -> list[tuple[str, str]]:
    rows = await Employee.select(Employee.id, Employee.name, Employee.position.name).where(
        (Employee.active == True) & Employee.position.role.is_in(list(OWNER_ROLES))).order_by(Employee.position.sort, Employee.id)  # noqa: E712
    return [(str(r["id"]), f'{r["name"]}（{r["position.name"]}）') for r in rows]


async def building_choices(user, project_id: int | None) -> list[tuple[str, str]]:
    q = Building.select(Building.id, Building.name, Building.project.name).order_by(Building.project, Building.id)
    if project_id:
        q = q.where(Building.project == project_id)
    q = scoped(q, Building.project, user)
    rows = await q
    return [(str(r["id"]), r["name"] if project_id else f'{r["project.name"]} {r["name"]}') for r in rows]


async def choices_for(kind: Kind, user, project_id: int | None) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for f in kind.fields:
        if f.type == "project":
            out[f.name] = await project_choices(user)
        elif f.type == "company":
            out[f.name] = await company_choices()
        elif f.type == "owner":
            out[f.name] = await owner_choices()
        elif f.type == "buildings":
            out[f.name] = await building_choices(user, project_id)
        elif f.choices:
            out[f.name] = [(c, c) for c in f.choices]
    return out


# ---- the record form --------------------------------------------------------------------------------------------

async def _scalar(p: Parser, f: Field, user) -> Any:
    if f.type in ("text", "textarea"):
        return p.text(f.name, f.label, required=f.required, max_len=f.max_len)
    if f.type == "date":
        return p.date(f.name, f.label, required=f.required)
    if f.type == "money":
        return p.money(f.name, f.label, required=f.required, allow_zero=not f.required)
    if f.type == "area":
        return parse_area(p, f.name, f.label, required=f.required)
    if f.type == "percent":
        return parse_percent(p, f.name, f.label, required=f.required)
    if f.type == "int":
        lo, hi = (2000, 2100) if f.name == "year" else (0, 100000)
        return p.integer(f.name, f.label, minimum=lo, maximum=hi, required=f.required)
    if f.type == "select":
        return p.choice(f.name, f.label, f.choices, required=f.required)
    if f.type == "flag":
        return p.flag(f.name)
    if f.type in ("project", "company", "owner"):
        raw = p.raw(f.name)
        if not raw:
            if f.required:
                p.fail(f.name, f"请选择{f.label}")
            return None
        options = {
            "project": lambda: project_choices(user), "company": company_choices, "owner": owner_choices,
        }[f.type]
        if raw not in {v for v, _ in await options()}:
            p.fail(f.name, f"{f.label}的选项无效" + ("或不在您负责的项目范围内" if f.type == "project" else ""))
            return None
        return int(raw)
    if f.type == "checklist":
        picked = p.getall(f.name)
        bad = [x for x in picked if x not in f.choices]
        if bad:
            p.fail(f.name, f"{f.label}中有无效的项目：{bad[0]}")
        return "\n".join(x for x in f.choices if x in picked)
    raise ValueError(f.type)


async def _buildings(p: Parser, f: Field, project_id: int | None, kind: Kind, record_id: int | None) -> list[int]:
    raw = p.getall(f.name)
    ids: list[int] = []
    for x in raw:
        if not (x.isascii() and x.isdigit()) or len(x) > 10 or not 0 < int(x) < 2**31:  # "²".isdigit() is True
            p.fail(f.name, f"{f.label}的选项无效：{x}")
            return []
        if int(x) not in ids:
            ids.append(int(x))
    if not ids:
        if f.required:
            p.fail(f.name, f"请至少选择一栋楼（{f.label}）")
        return []
    rows = await Building.select(Building.id, Building.name, Building.project, Building.project.name).where(Building.id.is_in(ids))
    found = {r["id"]: r for r in rows}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        p.fail(f.name, f"楼栋不存在：{', '.join(missing)}")
        return []
    if project_id:
        wrong = [f'{found[i]["project.name"]} {found[i]["name"]}' for i in ids if found[i]["project"] != project_id]
        if wrong:
            p.fail(f.name, f"所选楼栋不属于该项目：{'、'.join(wrong)}")
            return []
    if kind.slug == "presale":
        from app.permits.tables import PresaleBuilding

        q = PresaleBuilding.select(PresaleBuilding.building.name, PresaleBuilding.permit.permit_no, PresaleBuilding.permit.status).where(
            PresaleBuilding.building.is_in(ids) & (PresaleBuilding.permit.status != "已注销"))
        if record_id:
            q = q.where(PresaleBuilding.permit != record_id)
        taken = await q
        if taken:
            t = taken[0]
            p.fail(f.name, f'{t["building.name"]}已在另一张预售许可证（{t["permit.permit_no"] or t["permit.status"]}）中，不能重复申报')
    return ids


async def parse_record(kind: Kind, raw: Any, user, record: dict[str, Any] | None = None) -> Parsed:
    """Parse the create/edit form. Raises FormError with every field's message; nothing is written here."""
    p = Parser(raw)
    status = record.get("status") if record else None
    fields = kind.form_fields(status)
    out = Parsed()
    project_field = next((f for f in fields if f.type == "project"), None)
    project_id = await _scalar(p, project_field, user) if project_field else None
    if project_field:
        out.data["project"] = project_id
    for f in fields:
        if f.type == "project":
            continue
        if f.type == "buildings":
            out.buildings = await _buildings(p, f, project_id, kind, record["id"] if record else None)
            continue
        if f.type == "id_no":
            continue  # after id_type, below
        out.data[f.name] = await _scalar(p, f, user)
    today = today_local()
    d = out.data
    if kind.slug == "overseas":
        raw_id = p.raw("id_no")
        if record and not raw_id:
            d["id_no"] = record["id_no"]  # left blank on the edit form: keep the stored number
            if d.get("id_type") in (RESIDENT_ID, HMT_RESIDENCE) and d["id_type"] != record.get("id_type"):
                _, msg = parse_id(d["id_type"], record["id_no"])
                if msg:
                    p.fail("id_no", msg)
        elif d.get("id_type"):
            number, msg = parse_id(d["id_type"], raw_id)
            if msg:
                p.fail("id_no", msg)
            d["id_no"] = number
        elif not raw_id:
            p.fail("id_no", "请填写证件号码")
        _not_future(p, d, "applied_on", "申请日期", today)
        _order(p, d, "applied_on", "approved_on", "批准日期不能早于申请日期")
    if kind.slug in ("mortgage", "agreement"):
        _order(p, d, "start_on", "end_on", "期限止须晚于期限起", strict=True)
    if kind.slug == "qualification":
        _not_future(p, d, "issued_on", "发证日期", today)
        _order(p, d, "issued_on", "expires_on", "有效期至须晚于发证日期", strict=True)
        _not_future(p, d, "last_annual_on", "最近年检/年报日期", today)
    if kind.slug == "presale":
        acct = d.get("escrow_account") or ""
        if acct and not re.fullmatch(r"\d{6,30}", acct.replace(" ", "")):
            p.fail("escrow_account", f"监管账号应为 6–30 位数字（当前为 {acct}）")
        d["escrow_account"] = acct.replace(" ", "")
        _order(p, d, "issued_on", "valid_until", "有效期至须晚于发证日期", strict=True)
    if kind.slug == "scale":
        if d.get("year") and not d.get("due_on") and "year" not in p.errors:
            d["due_on"] = rules.annual_due(d["year"])
        _order(p, d, "applied_on", "approved_on", "批准日期不能早于申报日期")
    if kind.slug == "fund":
        if d.get("basis") == "造价比例":
            for name, label in (("cost_per_sqm", "建安造价（元/㎡）"), ("percent", "缴存比例（%）")):
                if d.get(name) is None and name not in p.errors:
                    p.fail(name, f"按造价比例计缴时请填写{label}")
            if d.get("cost_per_sqm") and d["cost_per_sqm"] > MAX_COST:
                p.fail("cost_per_sqm", f"建安造价（元/㎡）超出合理范围（不超过 {MAX_COST:,.0f} 元/㎡），请核对")
            elif d.get("cost_per_sqm") and d.get("percent") is not None:
                d["rate"] = rules.rate_from_cost(d["cost_per_sqm"], d["percent"])
                if d["rate"] <= 0:
                    p.fail("percent", "按此比例计算的缴存标准为 0，请核对")
        elif d.get("basis") == "固定标准":
            if not d.get("rate") and "rate" not in p.errors:
                p.fail("rate", "按固定标准计缴时请填写缴存标准（元/㎡），且须大于 0")
            elif d.get("rate") and d["rate"] > MAX_RATE:
                p.fail("rate", f"缴存标准超出合理范围（不超过 {MAX_RATE:,.0f} 元/㎡），请核对")
            d["cost_per_sqm"], d["percent"] = None, None
    if p.errors:
        raise FormError(p.errors)
    return out


def _not_future(p: Parser, d: dict, name: str, label: str, today: date) -> None:
    if d.get(name) and d[name] > today:
        p.fail(name, f"{label}不能晚于今天（{d[name].isoformat()}）")


def _order(p: Parser, d: dict, first: str, second: str, message: str, *, strict: bool = False) -> None:
    a, b = d.get(first), d.get(second)
    if a and b and (b <= a if strict else b < a):
        p.fail(second, f"{message}（{a.isoformat()} → {b.isoformat()}）")


# ---- state-action forms -----------------------------------------------------------------------------------------

def parse_action(fields: tuple[ActionField, ...], raw: Any) -> dict[str, Any]:
    p = Parser(raw)
    out: dict[str, Any] = {}
    for f in fields:
        if f.type == "date":
            out[f.name] = p.date(f.name, f.label, required=f.required)
        elif f.type == "area":
            out[f.name] = parse_area(p, f.name, f.label, required=f.required)
        else:
            out[f.name] = p.text(f.name, f.label, required=f.required, max_len=60 if f.name.endswith("_no") else 500)
    today = today_local()
    for name in ("submitted_on", "issued_on", "applied_on", "approved_on", "registered_on"):
        if out.get(name) and out[name] > today:
            label = next(f.label for f in fields if f.name == name)
            p.fail(name, f"{label}不能晚于今天（{out[name].isoformat()}）")
    if out.get("issued_on") and out.get("valid_until") and out["valid_until"] <= out["issued_on"]:
        p.fail("valid_until", f"有效期至须晚于发证日期（{out['issued_on'].isoformat()} → {out['valid_until'].isoformat()}）")
    if p.errors:
        raise FormError(p.errors)
    return out
