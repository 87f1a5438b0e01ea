"""证件及手续 pages: the overview 证件到期提醒, a list per register, a record's page with its state actions and history,
and the create/edit forms. Thin handlers: parse → service → template."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.exceptions import NotFoundException
from markupsafe import Markup

from app.core.guards import requires
from app.core.listing import Col, Filter, Listing
from app.core.money import format_money
from app.core.permissions import Perm
from app.core.views import export_response, wants_export
from app.core.timeutil import fmt_date, today_local
from app.core.validators import mask_id_number
from app.core.web import Form, is_fragment_request, redirect_with_flash, render
from app.estate.tables import Unit
from app.permits import forms, rules, services
from app.permits.kinds import KINDS, Kind
from app.permits.tables import (
    ConstructionMortgage,
    Deadline,
    FundPayment,
    LoanAgreement,
    MaintenanceFund,
    OverseasFiling,
    PresalePermit,
    Qualification,
    ScaleApproval,
)

# ---- list declarations -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdFilter(Filter):
    """A select on an id column; values that cannot be an id are ignored (never sent to the database)."""

    def clause(self, raw: str):
        value = (raw or "").strip()
        if value.isascii() and value.isdigit() and len(value) <= 19 and 0 < int(value) <= services.MAX_ID:
            return self.columns[0] == int(value)
        return None


def _project_filter(table) -> Filter:
    return IdFilter("project", "项目", "select", columns=[table.project], choices=forms.project_choices)


def _state_filter(table, states) -> Filter:
    return Filter("status", "状态", "select", columns=[table.status], choices=[(s, s) for s in states])


def _scope(table):
    return lambda user: services.scope_clause(table, user)


LINK = "record-link"
PROJECT_KINDS = {"upgrades": "资质升级", "tenders": "前期物业招标"}  # deadlines of app/permits/projects.py (pages at /permits/<kind>/<id>)
COUNTDOWN = Col("countdown_html", "到期提醒")

LISTINGS: dict[str, Listing] = {
    "presale": Listing(
        table=PresalePermit,
        select=[PresalePermit.id, PresalePermit.permit_no, PresalePermit.project.name, PresalePermit.status, PresalePermit.issued_on,
                PresalePermit.valid_until, PresalePermit.unit_count, PresalePermit.authority, PresalePermit.owner.name],
        columns=[
            Col("label", "预售许可证号", sort=PresalePermit.permit_no, link="/permits/presale/{id}", testid=LINK),
            Col("project.name", "项目", sort=PresalePermit.project.name),
            Col("status_html", "状态"),
            Col("issued_on", "发证日期", sort=PresalePermit.issued_on, fmt="date"),
            Col("valid_until", "有效期至", sort=PresalePermit.valid_until, fmt="date"),
            COUNTDOWN,
            Col("unit_count", "预售套数"),
            Col("owner.name", "负责人"),
        ],
        filters=[Filter("q", "证号/发证机关", "text", columns=[PresalePermit.permit_no, PresalePermit.authority]),
                 _project_filter(PresalePermit), _state_filter(PresalePermit, rules.PRESALE_STATES)],
        default_sort="project.name", base_url="/permits/presale", target_id="presale-list", scope=_scope(PresalePermit),
    ),
    "scale": Listing(
        table=ScaleApproval,
        select=[ScaleApproval.id, ScaleApproval.year, ScaleApproval.project.name, ScaleApproval.status, ScaleApproval.area_applied,
                ScaleApproval.area_approved, ScaleApproval.approval_no, ScaleApproval.due_on, ScaleApproval.owner.name],
        columns=[
            Col("label", "年度", sort=ScaleApproval.year, link="/permits/scale/{id}", testid=LINK),
            Col("project.name", "项目", sort=ScaleApproval.project.name),
            Col("status_html", "状态"),
            Col("area_applied_text", "申请面积"),
            Col("area_approved_text", "批准面积"),
            Col("approval_no", "批准文号"),
            Col("due_on", "申报截止", sort=ScaleApproval.due_on, fmt="date"),
            COUNTDOWN,
            Col("owner.name", "负责人"),
        ],
        filters=[_project_filter(ScaleApproval), _state_filter(ScaleApproval, rules.SCALE_STATES)],
        default_sort="label", default_desc=True, base_url="/permits/scale", target_id="scale-list", scope=_scope(ScaleApproval),
    ),
    "qualification": Listing(
        table=Qualification,
        select=[Qualification.id, Qualification.cert_no, Qualification.company.name, Qualification.grade, Qualification.regime,
                Qualification.expires_on, Qualification.annual_due_on, Qualification.active, Qualification.owner.name],
        columns=[
            Col("cert_no", "证书编号", sort=Qualification.cert_no, link="/permits/qualification/{id}", testid=LINK),
            Col("company.name", "开发企业"),
            Col("grade", "等级"),
            Col("regime", "管理方式"),
            Col("expires_on", "有效期至", sort=Qualification.expires_on, fmt="date"),
            Col("annual_due_on", "年检/年报截止", sort=Qualification.annual_due_on, fmt="date"),
            COUNTDOWN,
            Col("active_text", "状态"),
            Col("owner.name", "负责人"),
        ],
        filters=[Filter("q", "证书编号", "text", columns=[Qualification.cert_no]),
                 Filter("grade", "等级", "select", columns=[Qualification.grade], choices=[(g, g) for g in KINDS["qualification"].field("grade").choices])],
        default_sort="expires_on", base_url="/permits/qualification", target_id="qualification-list",
    ),
    "fund": Listing(
        table=MaintenanceFund,
        select=[MaintenanceFund.id, MaintenanceFund.project.name, MaintenanceFund.bank, MaintenanceFund.account_no, MaintenanceFund.basis,
                MaintenanceFund.rate, MaintenanceFund.handover_on, MaintenanceFund.owner.name],
        columns=[
            Col("label", "项目", sort=MaintenanceFund.project.name, link="/permits/fund/{id}", testid=LINK),
            Col("bank", "专户银行"),
            Col("account_no", "专户账号"),
            Col("basis", "计缴方式"),
            Col("rate_text", "缴存标准"),
            Col("handover_on", "计划交付", sort=MaintenanceFund.handover_on, fmt="date"),
            COUNTDOWN,
            Col("owner.name", "负责人"),
        ],
        filters=[_project_filter(MaintenanceFund)],
        default_sort="label", base_url="/permits/fund", target_id="fund-list", scope=_scope(MaintenanceFund),
    ),
    "mortgage": Listing(
        table=ConstructionMortgage,
        select=[ConstructionMortgage.id, ConstructionMortgage.contract_no, ConstructionMortgage.project.name, ConstructionMortgage.mortgagee,
                ConstructionMortgage.amount, ConstructionMortgage.cert_no, ConstructionMortgage.end_on, ConstructionMortgage.status,
                ConstructionMortgage.owner.name],
        columns=[
            Col("contract_no", "抵押合同号", sort=ConstructionMortgage.contract_no, link="/permits/mortgage/{id}", testid=LINK),
            Col("project.name", "项目", sort=ConstructionMortgage.project.name),
            Col("mortgagee", "抵押权人"),
            Col("amount", "债权额", sort=ConstructionMortgage.amount, fmt="money"),
            Col("cert_no", "登记证明号"),
            Col("end_on", "期限止", sort=ConstructionMortgage.end_on, fmt="date"),
            COUNTDOWN,
            Col("status_html", "状态"),
            Col("owner.name", "负责人"),
        ],
        filters=[Filter("q", "合同号/抵押权人", "text", columns=[ConstructionMortgage.contract_no, ConstructionMortgage.mortgagee]),
                 _project_filter(ConstructionMortgage), _state_filter(ConstructionMortgage, rules.MORTGAGE_STATES)],
        default_sort="end_on", base_url="/permits/mortgage", target_id="mortgage-list", scope=_scope(ConstructionMortgage),
    ),
    "agreement": Listing(
        table=LoanAgreement,
        select=[LoanAgreement.id, LoanAgreement.reg_no, LoanAgreement.kind, LoanAgreement.institution, LoanAgreement.project.name,
                LoanAgreement.end_on, LoanAgreement.deposit_ratio, LoanAgreement.credit_line, LoanAgreement.active, LoanAgreement.owner.name],
        columns=[
            Col("reg_no", "备案号/协议编号", sort=LoanAgreement.reg_no, link="/permits/agreement/{id}", testid=LINK),
            Col("kind", "类型"),
            Col("institution", "公积金中心/银行", sort=LoanAgreement.institution),
            Col("project.name", "项目"),
            Col("end_on", "期限止", sort=LoanAgreement.end_on, fmt="date"),
            COUNTDOWN,
            Col("ratio_text", "保证金比例"),
            Col("credit_line", "授信额度", fmt="money"),
            Col("owner.name", "负责人"),
        ],
        filters=[Filter("q", "编号/机构", "text", columns=[LoanAgreement.reg_no, LoanAgreement.institution]),
                 Filter("kind", "类型", "select", columns=[LoanAgreement.kind], choices=[(k, k) for k in KINDS["agreement"].field("kind").choices]),
                 _project_filter(LoanAgreement)],
        default_sort="end_on", base_url="/permits/agreement", target_id="agreement-list", scope=_scope(LoanAgreement),
    ),
    "overseas": Listing(
        table=OverseasFiling,
        select=[OverseasFiling.id, OverseasFiling.buyer_name, OverseasFiling.id_type, OverseasFiling.id_no, OverseasFiling.project.name,
                OverseasFiling.room, OverseasFiling.applied_on, OverseasFiling.approved_on, OverseasFiling.reference_no, OverseasFiling.status,
                OverseasFiling.owner.name],
        columns=[
            Col("buyer_name", "购房人", sort=OverseasFiling.buyer_name, link="/permits/overseas/{id}", testid=LINK),
            Col("id_type", "证件类型"),
            Col("id_masked", "证件号码"),
            Col("project.name", "项目"),
            Col("room", "意向房号"),
            Col("applied_on", "申请日期", sort=OverseasFiling.applied_on, fmt="date"),
            Col("approved_on", "批准日期", sort=OverseasFiling.approved_on, fmt="date"),
            Col("reference_no", "备案编号"),
            Col("status_html", "状态"),
            Col("owner.name", "负责人"),
        ],
        filters=[Filter("q", "购房人/备案编号", "text", columns=[OverseasFiling.buyer_name, OverseasFiling.reference_no]),
                 _project_filter(OverseasFiling), _state_filter(OverseasFiling, rules.OVERSEAS_STATES)],
        default_sort="applied_on", default_desc=True, base_url="/permits/overseas", target_id="overseas-list", scope=_scope(OverseasFiling),
    ),
}


@dataclass(frozen=True)
class WindowFilter(Filter):
    """期限: overdue, or due within N days (relative to today, so built per request)."""

    def clause(self, raw: str):
        value = (raw or "").strip()
        today = today_local()
        col = self.columns[0]
        if value == "overdue":
            return col < today
        if value in ("7", "30", "60", "90"):
            return col <= today + timedelta(days=int(value))
        return None


@dataclass(frozen=True)
class OwnerFilter(Filter):
    employee_id: int = 0

    def clause(self, raw: str):
        return (self.columns[0] == self.employee_id) if (raw or "").strip() == "1" else None


def deadline_listing(user) -> Listing:
    return Listing(
        table=Deadline,
        select=[Deadline.id, Deadline.kind, Deadline.record_id, Deadline.item, Deadline.label, Deadline.project.name, Deadline.owner.name,
                Deadline.due_on, Deadline.notified_days],
        columns=[
            Col("due_html", "到期日", sort=Deadline.due_on),
            Col("countdown_html", "剩余"),
            Col("kind_name", "类别"),
            Col("label", "事项", link="/permits/{kind}/{record_id}", testid="deadline-link"),
            Col("owner.name", "负责人", sort=Deadline.owner.name),
            Col("sent_text", "已提醒"),
        ],
        filters=[
            WindowFilter("window", "期限", "select", columns=[Deadline.due_on],
                         choices=[("overdue", "已逾期"), ("30", "30 天内"), ("60", "60 天内"), ("90", "90 天内")]),
            Filter("kind", "类别", "select", columns=[Deadline.kind], choices=[(k.slug, k.short) for k in KINDS.values() if k.slug != "overseas"] + list(PROJECT_KINDS.items())),
            _project_filter(Deadline),
            OwnerFilter("mine", "负责人", "select", columns=[Deadline.owner], choices=[("1", "我负责的")], employee_id=user.employee_id or 0),
            Filter("q", "事项", "text", columns=[Deadline.label]),
        ],
        default_sort="due_html", base_url="/permits", target_id="deadline-list",
        scope=lambda u: None if u.all_projects else (Deadline.project.is_null() | Deadline.project.is_in(list(u.project_ids) or [0])),
        extra_where=(Deadline.done == False,),  # noqa: E712
    )


def _sent_text(days: int | None) -> str:
    if days is None:
        return ""
    return "逾期通知" if days == rules.OVERDUE else f"提前 {days} 天"


async def _decorate_deadlines(rows: list[dict[str, Any]]) -> None:
    rule_map = await services.load_rules()
    for r in rows:
        r["countdown_html"] = services.countdown(r["due_on"], f"{r['kind']}.{r['item']}", rule_map)["html"]
        r["due_html"] = Markup('<span class="text-nowrap">{}</span>').format(fmt_date(r["due_on"]))
        r["kind_name"] = KINDS[r["kind"]].short if r["kind"] in KINDS else PROJECT_KINDS.get(r["kind"], r["kind"])
        r["sent_text"] = _sent_text(r["notified_days"])


def _decorate_text(kind: Kind, rows: list[dict[str, Any]]) -> None:
    for r in rows:
        if kind.slug == "scale":
            for k in ("area_applied", "area_approved"):
                r[f"{k}_text"] = f"{r[k]:,.2f}㎡" if r.get(k) is not None else ""
        if kind.slug == "fund":
            r["rate_text"] = f"{r['rate']:,.2f} 元/㎡"
        if kind.slug == "agreement":
            r["ratio_text"] = f"{r['deposit_ratio']:.2f}%" if r.get("deposit_ratio") is not None else ""


# ---- pages ------------------------------------------------------------------------------------------------------


@get("/", guards=[requires(Perm.PIPELINE)])
async def overview(request: Request) -> Response:
    user = request.user
    listing = deadline_listing(user)
    result = await listing.fetch(dict(request.query_params), user)
    await _decorate_deadlines(result.page.rows)
    if is_fragment_request(request):
        return render(request, "permits/overview.html", {"result": result}, fragment="_partials/listing_table.html")
    today = today_local()
    scope = listing.scope(user)

    async def count(*where) -> int:
        q = Deadline.count().where(Deadline.done == False)  # noqa: E712
        for w in (*where, scope):
            if w is not None:
                q = q.where(w)
        return await q

    counts = {
        "overdue": await count(Deadline.due_on < today),
        "d30": await count(Deadline.due_on >= today, Deadline.due_on <= today + timedelta(days=30)),
        "d90": await count(Deadline.due_on >= today, Deadline.due_on <= today + timedelta(days=90)),
    }
    ctx = {
        "result": result, "counts": counts, "units": await services.project_unit_summary(user),
        "usage": await services.scale_usage(user), "kinds": KINDS, "today": today,
    }
    return render(request, "permits/overview.html", ctx)


@get("/options/buildings", guards=[requires(Perm.PIPELINE)])
async def building_options(request: Request, kind: str = "presale", project: str = "") -> Response:
    """HTMX: the building checkboxes of the chosen project (the form works without it, listing every building)."""
    k = services.kind_or_404(kind)
    f = next((f for f in k.fields if f.type == "buildings"), None)
    if f is None:
        raise NotFoundException("该类证件没有楼栋范围")
    project_id = int(project) if project.isascii() and project.isdigit() and len(project) <= 19 and int(project) <= services.MAX_ID else None
    choices = {f.name: await forms.building_choices(request.user, project_id)}
    return render(request, "permits/_buildings.html", {"f": f, "form": Form(), "choices": choices})


@get("/{kind:str}", guards=[requires(Perm.PIPELINE)])
async def register_list(request: Request, kind: str) -> Response:
    k = services.kind_or_404(kind)

    async def decorate(rows: list[dict[str, Any]]) -> None:
        await services.decorate_list(k, rows)
        _decorate_text(k, rows)

    if wants_export(request):
        return await export_response(request, LISTINGS[k.slug], dict(request.query_params), k.name[:30], decorate)
    result = await LISTINGS[k.slug].fetch(dict(request.query_params), request.user)
    await decorate(result.page.rows)
    result.offer_export()
    ctx = {"result": result, "kind": k, "can_write": rules.may_write(request.user.role, k.slug)}
    return render(request, "permits/list.html", ctx, fragment="_partials/listing_table.html")


async def _form_page(request: Request, k: Kind, form: Form, record: dict | None = None, status_code: int = 200) -> Response:
    project = form.values.get("project")
    project_id = (int(project) if isinstance(project, str) and project.isascii() and project.isdigit() and len(project) <= 19
                  and int(project) <= services.MAX_ID else (record or {}).get("project"))
    ctx = {
        "kind": k, "form": form, "record": record, "fields": k.form_fields(record["status"] if record and "status" in record else None),
        "choices": await forms.choices_for(k, request.user, project_id),
        "action": f"/permits/{k.slug}/{record['id']}/edit" if record else f"/permits/{k.slug}/new",
    }
    return render(request, "permits/form.html", ctx, status_code=status_code)


def _initial(k: Kind, user) -> dict[str, Any]:
    values: dict[str, Any] = {"owner": str(user.employee_id or "")}
    if k.field("active"):
        values["active"] = "1"
    if k.slug == "scale":
        values["year"] = str(today_local().year)
    if k.slug == "fund":
        values["basis"] = "固定标准"
    if len(user.project_ids) == 1 and not user.all_projects and k.project_scoped:
        values["project"] = str(next(iter(user.project_ids)))
    return values


def _record_values(k: Kind, record: dict[str, Any], buildings: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in k.fields:
        v = record.get(f.name)
        if f.type == "buildings":
            out[f.name] = [str(b["building.id"]) for b in buildings]
        elif f.type == "checklist":
            out[f.name] = [x for x in (v or "").split("\n") if x]
        elif f.type == "flag":
            out[f.name] = "1" if v else ""
        elif f.type == "id_no":
            out[f.name] = ""  # never put the stored number back into the page
        elif v is None:
            out[f.name] = ""
        elif f.type in ("money", "area", "percent"):
            out[f.name] = f"{v:.2f}"
        else:
            out[f.name] = str(v)
    return out


@get("/{kind:str}/new", guards=[requires(Perm.PIPELINE)])
async def new_form(request: Request, kind: str) -> Response:
    k = services.kind_or_404(kind)
    services.check_write(request.user, k)
    return await _form_page(request, k, Form(values=_initial(k, request.user)))


@post("/{kind:str}/new", guards=[requires(Perm.PIPELINE)], status_code=200)
async def create_record(request: Request, kind: str) -> Response:
    k = services.kind_or_404(kind)
    services.check_write(request.user, k)
    raw = await request.form()
    try:
        record_id = await services.create(request.user, k, raw)
    except forms.FormError as e:
        return await _form_page(request, k, Form(values=forms.form_values(raw), errors=e.errors), status_code=400)
    return redirect_with_flash(f"/permits/{k.slug}/{record_id}", f"已登记{k.name}", "success", request)


@get("/{kind:str}/{record_id:int}/edit", guards=[requires(Perm.PIPELINE)])
async def edit_form(request: Request, kind: str, record_id: int) -> Response:
    k = services.kind_or_404(kind)
    services.check_write(request.user, k)
    record = await services.load(k, record_id, request.user)
    values = _record_values(k, record, await services.buildings_of(k, record_id))
    return await _form_page(request, k, Form(values=values), record)


@post("/{kind:str}/{record_id:int}/edit", guards=[requires(Perm.PIPELINE)], status_code=200)
async def update_record(request: Request, kind: str, record_id: int) -> Response:
    k = services.kind_or_404(kind)
    services.check_write(request.user, k)
    record = await services.load(k, record_id, request.user)
    raw = await request.form()
    try:
        await services.update(request.user, k, record_id, raw)
    except forms.FormError as e:
        return await _form_page(request, k, Form(values=forms.form_values(raw), errors=e.errors), record, status_code=400)
    return redirect_with_flash(f"/permits/{k.slug}/{record_id}", "已保存修改", "success", request)


def display_rows(k: Kind, r: dict[str, Any], buildings: list[dict]) -> list[tuple[str, Any, str]]:
    """(label, value, field name) for the record's page; what is not filled yet is left out."""
    out = []
    for f in k.fields:
        v = r.get(f.name)
        if f.after and r.get("status") not in f.after and v in (None, "", False):
            continue  # set by a later state action
        if f.type == "project":
            v = f'{r.get("project.name")}（{r.get("project.code")}）'
        elif f.type == "company":
            v = r.get("company.name")
        elif f.type == "owner":
            v = r.get("owner.name")
        elif f.type == "buildings":
            v = "、".join(b["building.name"] for b in buildings)
        elif f.type == "checklist":
            done = [x for x in (v or "").split("\n") if x]
            v = f"已备 {len(done)}/{len(f.choices)} 项" + (f"：{'、'.join(done)}" if done else "")
        elif f.type == "flag":
            v = "是" if v else "否"
        elif f.type == "id_no":
            v = mask_id_number(v or "")
        elif v is None or v == "":
            if f.after:
                continue
            v = ""
        elif f.type == "date":
            v = fmt_date(v)
        elif f.type == "money":
            v = format_money(v) + (" 元/㎡" if f.name in ("rate", "cost_per_sqm") else "")
        elif f.type == "area":
            v = f"{v:,.2f}㎡"
        elif f.type == "percent":
            v = f"{v:.2f}%"
        out.append((f.label, v, f.name))
    return out


FUND_UNITS_SOLD = services.SOLD


def fund_units_listing(fund: dict[str, Any], base_url: str) -> Listing:
    paid_sub = FundPayment.select(FundPayment.unit)

    @dataclass(frozen=True)
    class PaidFilter(Filter):
        def clause(self, raw: str):
            v = (raw or "").strip()
            if v == "paid":
                return Unit.id.is_in(paid_sub)
            if v == "unpaid":
                return Unit.id.not_in(paid_sub)
            return None

    return Listing(
        table=Unit,
        select=[Unit.id, Unit.building.name, Unit.room_no, Unit.area_build, Unit.status],
        columns=[Col("building.name", "楼栋", sort=Unit.building), Col("room_no", "房号", sort=Unit.room_no), Col("area_text", "建筑面积"),
                 Col("status", "销控状态", fmt="badge"), Col("amount_text", "应缴金额"), Col("paid_html", "缴存情况")],
        filters=[PaidFilter("paid", "缴存情况", "select", columns=[Unit.id], choices=[("unpaid", "未缴"), ("paid", "已缴")]),
                 Filter("q", "房号", "text", columns=[Unit.room_no])],
        default_sort="building.name", base_url=base_url, target_id="fund-units",
        extra_where=((Unit.project == fund["project"]) & Unit.status.is_in(FUND_UNITS_SOLD),),
    )


async def _decorate_fund_units(fund: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in rows]
    paid = {p["unit"]: p for p in await FundPayment.select(FundPayment.unit, FundPayment.amount, FundPayment.paid_on, FundPayment.receipt_no).where(
        FundPayment.unit.is_in(ids))} if ids else {}
    for r in rows:
        r["area_text"] = f"{r['area_build']:,.2f}㎡"
        r["amount_text"] = format_money(rules.fund_amount(r["area_build"], fund["rate"]))
        p = paid.get(r["id"])
        r["paid_html"] = (Markup('<span class="badge bg-green-lt">已缴</span> {} · {}').format(fmt_date(p["paid_on"]), p["receipt_no"]) if p
                          else Markup('<span class="badge bg-red-lt" data-testid="fund-unpaid">未缴</span>'))


async def _detail_context(request: Request, k: Kind, record_id: int) -> dict[str, Any]:
    user = request.user
    record = await services.load(k, record_id, user)
    buildings = await services.buildings_of(k, record_id)
    ctx: dict[str, Any] = {
        "kind": k, "r": record, "rows": display_rows(k, record, buildings),
        "state_html": services.state_badge(record["status"]) if "status" in record and k.states else None,
        "actions": services.available_actions(user, k, record), "can_write": rules.may_write(user.role, k.slug),
        "deadlines": await services.record_deadlines(k, record_id), "history": await services.history(k, record_id),
        "forms": {}, "panel_error": "", "choices": {},
    }
    if buildings:
        counts = await services.unit_counts_for_buildings([b["building.id"] for b in buildings])
        ctx["unit_counts"] = [(s, counts[s]) for s in ("不可售", "可售", "保留", "已认购", "已签约", "已备案", "已交付", "已办证") if counts.get(s)]
        ctx["unit_total"] = sum(counts.values())
    if k.slug == "scale":
        ctx["usage"] = next((u for u in await services.scale_usage(None, record["year"]) if u["id"] == record_id), None)
    if k.slug == "fund":
        ctx["summary"] = await services.fund_summary(record)
        ctx["choices"]["unit"] = await services.unpaid_unit_choices(record)
        result = await fund_units_listing(record, f"/permits/fund/{record_id}").fetch(dict(request.query_params), user)
        await _decorate_fund_units(record, result.page.rows)
        ctx["result"] = result
    return ctx


@get("/{kind:str}/{record_id:int}", guards=[requires(Perm.PIPELINE)])
async def detail(request: Request, kind: str, record_id: int) -> Response:
    k = services.kind_or_404(kind)
    ctx = await _detail_context(request, k, record_id)
    fragment = "_partials/listing_table.html" if k.slug == "fund" else "permits/_panel.html"
    return render(request, "permits/detail.html", ctx, fragment=fragment)


@post("/{kind:str}/{record_id:int}/act/{code:str}", guards=[requires(Perm.PIPELINE)], status_code=200)
async def act(request: Request, kind: str, record_id: int, code: str) -> Response:
    k = services.kind_or_404(kind)
    services.check_write(request.user, k)
    raw = await request.form()
    try:
        message = await services.act(request.user, k, record_id, code, raw)
    except (forms.FormError, services.PermitError) as e:
        ctx = await _detail_context(request, k, record_id)
        if isinstance(e, forms.FormError):
            ctx["forms"] = {code: Form(values=forms.form_values(raw), errors=e.errors)}
            status = 400
        else:
            ctx["panel_error"] = e.message
            status = 409
        return render(request, "permits/detail.html", ctx, fragment="permits/_panel.html", status_code=status)
    return redirect_with_flash(f"/permits/{k.slug}/{record_id}", message, "success", request)


from app.permits.project_routes import HANDLERS as PROJECT_HANDLERS  # noqa: E402  (资质升级, 前期物业招标: static paths before /{kind})

router = Router(path="/permits", route_handlers=[
    *PROJECT_HANDLERS, overview, building_options, register_list, new_form, create_record, edit_form, update_record, detail, act,
])
