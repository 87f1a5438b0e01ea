"""Import of an existing 合同台账 from .xlsx.

Behaviour: ALL OR NOTHING — 有任何错误行则整个文件不导入. Every row is validated first and the report names each bad row
and field; only a file without a single error is written, in one transaction: per row a Buyer, a Deal at 已签约 (审核单
passed), its instalments and checklist, and the unit moved 可售 → 已签约 by a conditional update. Audited."""
from __future__ import annotations

import asyncio
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from app.core import audit
from app.core.db import write_transaction
from app.core.sheets import read_xlsx
from app.core.timeutil import now, today_local
from app.core.validators import mask_id_number, mask_phone, validate_mobile, validate_resident_id
from app.estate.tables import Project, Unit
from app.ledgers import rules
from app.pipeline import rules as pipeline_rules
from app.pipeline import services as pipeline
from app.pipeline.tables import Buyer, Deal, DealDocument, DealParty, Instalment

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
BEHAVIOUR = "有任何错误行则整个文件不导入：请按错误报告修改后重新上传整个文件。"

# header (after dropping a unit suffix such as "（元）") → (key, required)
COLUMNS: dict[str, tuple[str, bool]] = {
    "项目编号": ("project", True), "楼栋": ("building", True), "房号": ("room", True), "合同编号": ("contract_no", True),
    "网签号": ("online_no", False), "买受人": ("name", True), "身份证号": ("id_number", True), "手机号": ("mobile", True),
    "成交单价": ("unit_price", False), "成交总价": ("total_price", True), "付款方式": ("payment_method", True), "首付款": ("down_payment", False),
    "定金": ("deposit", False), "贷款银行": ("loan_bank", False), "签约日期": ("signed_on", True), "交付日期": ("delivery_due", False),
}
ALIASES = {"项目": "项目编号", "买受人姓名": "买受人", "客户": "买受人", "证件号码": "身份证号", "手机": "手机号", "单价": "成交单价",
           "总价": "成交总价", "首付": "首付款"}
LABELS = {key: header for header, (key, _req) in COLUMNS.items()}
TEMPLATE_EXAMPLE = ["JC01", "1号楼", "1203", "JC01-2026-0999", "WQ2026999", "张三", "110101199003071234", "13812345678", "21000.00",
                    "2100000.00", "商贷", "630000.00", "50000.00", "中国建设银行", "2026-11-20", "2027-12-31"]


@dataclass
class RowError:
    row: int  # the Excel row number (the header is row 1)
    field: str  # the column's Chinese header
    message: str


@dataclass
class ImportResult:
    filename: str = ""
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    imported: int = 0
    deals: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors and self.imported > 0

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})


def _normalise(header: Any) -> str:
    h = rules.cell_text(header).replace(" ", "").replace("\u3000", "")
    h = re.sub(r"[（(].*?[）)]$", "", h)
    h = h.rstrip("*")
    return ALIASES.get(h, h)


def may_import(user) -> bool:
    return pipeline.may_act(user, "签约") or user.role == "data"


def check_file(filename: str, content: bytes) -> str | None:
    """File-level checks before opening: type and size (Chinese messages for the upload field)."""
    name = (filename or "").strip()
    if not name:
        return "请选择要导入的 .xlsx 文件"
    if not name.lower().endswith(".xlsx"):
        return f"文件类型不正确：「{name}」不是 .xlsx 文件（请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”）"
    if len(content) > MAX_BYTES:
        return f"文件不能超过 5 MB（「{name}」为 {len(content) / 1024 / 1024:.1f} MB）"
    if not content:
        return f"文件「{name}」是空的"
    if not content.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(content)):
        return f"文件「{name}」不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名"
    return None


def read_rows(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """(headers, [(row number, values)]) of the 合同台账 sheet (else the first), empty rows skipped. Raises ValueError (Chinese)."""
    return read_xlsx(content, header_hint="项目编号、楼栋、房号、合同编号 …", max_rows=MAX_ROWS, sheet="合同台账", header=_normalise)


def _mask(user, key: str, value: str) -> str:
    """Error messages quote the value masked, for every role (one masking rule)."""
    return mask_id_number(value) if key == "id_number" else mask_phone(value) if key == "mobile" else value


async def validate(user, content: bytes, filename: str) -> tuple[ImportResult, list[dict[str, Any]]]:
    """Every row checked; nothing written. Returns the report and the cleaned rows."""
    result = ImportResult(filename=filename)
    try:
        headers, raw_rows = await asyncio.to_thread(read_rows, content)
    except ValueError as e:
        result.file_errors.append(str(e))
        return result, []
    index: dict[str, int] = {}
    for i, h in enumerate(headers):
        if h in COLUMNS and h not in index:
            index[h] = i
    missing = [h for h, (_k, req) in COLUMNS.items() if req and h not in index]
    if missing:
        result.file_errors.append(f"第 1 行表头缺少必需的列：{'、'.join(missing)}（可下载导入模板对照）")
        return result, []
    if not raw_rows:
        result.file_errors.append("没有数据行：表头下面是空的")
        return result, []
    result.rows = len(raw_rows)

    def get(values: list[Any], header: str) -> Any:
        i = index.get(header)
        return values[i] if i is not None and i < len(values) else None

    projects = await Project.select(Project.id, Project.code, Project.name)
    by_code = {p["code"].upper(): p for p in projects}
    by_name = {p["name"]: p for p in projects}
    rooms = {rules.cell_text(get(v, "房号")) for _n, v in raw_rows}
    units: dict[tuple[int, str, str], dict] = {}
    for u in await Unit.select(Unit.id, Unit.project, Unit.building.name, Unit.room_no, Unit.status).where(
            Unit.room_no.is_in(sorted(r for r in rooms if r) or ["-"])):
        units[(u["project"], u["building.name"], u["room_no"])] = u
    numbers = sorted({rules.cell_text(get(v, "合同编号")) for _n, v in raw_rows} - {""})
    existing = {r["contract_no"] for r in await Deal.select(Deal.contract_no).where(Deal.contract_no.is_in(numbers or ["-"]))}
    seen_contract: dict[str, int] = {}
    seen_unit: dict[int, int] = {}
    today = today_local()
    cleaned: list[dict[str, Any]] = []

    for n, values in raw_rows:
        errs: list[RowError] = []

        def fail(header: str, message: str) -> None:
            errs.append(RowError(n, header, message))

        def text(header: str, max_len: int, required: bool = True) -> str:
            v = rules.cell_text(get(values, header))
            if required and not v:
                fail(header, f"请填写{header}")
            elif len(v) > max_len:
                fail(header, f"{header}最多 {max_len} 个字（「{v[:20]}…」）")
            return v

        def money(header: str, required: bool = True, allow_zero: bool = False) -> Decimal | None:
            v = get(values, header)
            if not required and (v is None or rules.cell_text(v) == ""):
                return None
            try:
                return rules.cell_money(v, header, allow_zero=allow_zero)
            except rules.CellError as e:
                fail(header, str(e))
                return None

        def day(header: str, required: bool = True) -> date | None:
            try:
                return rules.cell_date(get(values, header), header, required=required)
            except rules.CellError as e:
                fail(header, str(e))
                return None

        project_raw = text("项目编号", 100)
        project = by_code.get(project_raw.upper()) or by_name.get(project_raw)
        if project_raw and not project:
            fail("项目编号", f"项目「{project_raw}」不存在（请填写项目编号，例如 JC01）")
        elif project and not user.sees_project(project["id"]):
            fail("项目编号", f"项目「{project['name']}」不在您的数据范围内")
        building = text("楼栋", 30)
        room = text("房号", 20)
        unit = None
        if project and building and room:
            unit = units.get((project["id"], building, room))
            if not unit:
                fail("房号", f"在 {project['code']} {building} 找不到房号「{room}」的房源")
            elif unit["status"] != "可售":
                fail("房号", f"房源 {building}{room} 当前为「{unit['status']}」，只能导入可售房源")
            elif unit["id"] in seen_unit:
                fail("房号", f"房源 {building}{room} 与第 {seen_unit[unit['id']]} 行重复")
            else:
                seen_unit[unit["id"]] = n
        contract_no = text("合同编号", 50)
        if contract_no:
            if contract_no in seen_contract:
                fail("合同编号", f"合同编号「{contract_no}」与第 {seen_contract[contract_no]} 行重复")
            elif contract_no in existing:
                fail("合同编号", f"合同编号「{contract_no}」已存在于系统中")
            else:
                seen_contract[contract_no] = n
        online_no = text("网签号", 50, required=False)
        name = text("买受人", 50)
        id_number = rules.cell_text(get(values, "身份证号")).upper()
        err = validate_resident_id(id_number)
        if err:
            fail("身份证号", f"{err}（「{_mask(user, 'id_number', id_number)}」）" if id_number else err)
        mobile = rules.cell_text(get(values, "手机号"))
        err = validate_mobile(mobile)
        if err:
            fail("手机号", f"{err}（「{mobile}」）" if mobile else err)
        unit_price = money("成交单价", required=False)
        total = money("成交总价")
        method = text("付款方式", 10)
        if method and method not in pipeline.PAYMENT_METHODS:
            fail("付款方式", f"付款方式「{method}」无效，应为 {'、'.join(pipeline.PAYMENT_METHODS)} 之一")
        down = money("首付款", required=False, allow_zero=True)
        if down is None and method == "一次性":
            down = total
        elif down is None and method in pipeline.PAYMENT_METHODS and not any(e.field == "首付款" for e in errs):
            fail("首付款", f"付款方式为「{method}」时请填写首付款")
        if down is not None and total is not None and down > total:
            fail("首付款", f"首付款 {down:,.2f} 不能超过成交总价 {total:,.2f}")
        deposit = money("定金", required=False, allow_zero=True) or Decimal("0.00")
        if deposit and total is not None:
            err = pipeline_rules.deposit_error(deposit, total)
            if err:
                fail("定金", f"{err}（「{deposit:,.2f}」）")
        if deposit and down is not None and deposit > down:
            fail("定金", f"定金 {deposit:,.2f} 不能超过首付款 {down:,.2f}")
        loan_bank = text("贷款银行", 50, required=False)
        signed_on = day("签约日期")
        if signed_on and signed_on > today:
            fail("签约日期", f"签约日期 {signed_on} 不能晚于今天")
        delivery = day("交付日期", required=False)
        result.errors.extend(errs)
        if not errs:
            cleaned.append({"row": n, "project": project, "unit": unit, "contract_no": contract_no, "online_no": online_no, "name": name,
                            "id_number": id_number, "mobile": mobile, "unit_price": unit_price, "total": total, "method": method,
                            "down": down, "deposit": deposit, "loan_bank": loan_bank, "signed_on": signed_on, "delivery": delivery})
    return result, cleaned


class ImportAbort(Exception):
    def __init__(self, row: int, field: str, message: str):
        super().__init__(message)
        self.error = RowError(row, field, message)


async def _numbers(count: int) -> list[str]:
    from app.core.numbering import next_number

    return [await next_number("RG") for _ in range(count)]


async def import_contracts(user, content: bytes, filename: str) -> ImportResult:
    err = check_file(filename, content)
    if err:
        return ImportResult(filename=filename, file_errors=[err])
    result, cleaned = await validate(user, content, filename)
    if result.file_errors or result.errors:
        return result  # all or nothing: not a single row is written
    limits, mortgage_docs = await pipeline.all_settings(), await pipeline.checklist("按揭")  # once for the whole file
    try:
        async with write_transaction():
            numbers = await _numbers(len(cleaned))
            for r, number in zip(cleaned, numbers):
                result.deals.append(await _write_row(user, r, number, limits, mortgage_docs))
            result.imported = len(cleaned)
            await audit.record(actor=user, action="import", entity="ledger", entity_id="contracts",
                               summary=f"导入合同台账「{filename}」{len(cleaned)} 行，新建合同 {len(cleaned)} 份",
                               after={"ledger": "contracts", "file": filename, "rows": len(cleaned), "deals": result.deals[:50]})
    except ImportAbort as e:
        result.imported, result.deals = 0, []
        result.errors.append(e.error)
    except Exception as e:  # a unique number taken by a concurrent registration (the transaction rolled back)
        if "unique" not in str(e).lower() and "Unique" not in type(e).__name__:
            raise
        result.imported, result.deals = 0, []
        result.file_errors.append("有人同时在登记合同，编号发生冲突，整个文件未导入。请重新上传。")
    return result


async def _write_row(user, r: dict[str, Any], number: str, limits: dict[str, Decimal], mortgage_docs: list[str]) -> str:
    unit, project = r["unit"], r["project"]
    moved = await Unit.update({Unit.status: "已签约"}).where((Unit.id == unit["id"]) & (Unit.status == "可售")).returning(Unit.id)
    if not moved:
        raise ImportAbort(r["row"], "房号", f"房源 {unit['building.name']}{unit['room_no']} 的状态刚刚发生变化，已不是可售，整个文件未导入")
    if await Deal.exists().where(Deal.contract_no == r["contract_no"]):
        raise ImportAbort(r["row"], "合同编号", f"合同编号「{r['contract_no']}」刚刚已被登记，整个文件未导入")
    loan = r["method"] in pipeline.LOAN_METHODS
    total, down, deposit, signed = r["total"], r["down"], r["deposit"], r["signed_on"]
    unit_price = r["unit_price"]
    if unit_price is None:
        area = (await Unit.select(Unit.area_build).where(Unit.id == unit["id"]).first())["area_build"]
        unit_price = (total / Decimal(str(area))).quantize(Decimal("0.01")) if area else Decimal("0.00")
    b = Buyer(name=r["name"], id_type="居民身份证", id_number=r["id_number"], mobile=r["mobile"], created_at=now())
    await b.save()
    deal = Deal(number=number, unit=unit["id"], project=project["id"], buyer=b.id, stage="已签约", unit_price=unit_price, total_price=total,
                deposit=deposit, payment_method=r["method"], down_payment=down, sign_deadline=signed, subscribed_on=signed,
                check_status="审核通过", check_note="由合同台账导入", contract_no=r["contract_no"], online_no=r["online_no"], signed_on=signed,
                loan_amount=(total - down) if loan else Decimal("0.00"), loan_bank=r["loan_bank"], delivery_due=r["delivery"],
                filing_status="待备案", handover_status="待通知", mortgage_status="资料收集中" if loan else "",
                docs_due=signed + timedelta(days=int(limits["mortgage_docs_days"])) if loan else None, created_at=now())
    await deal.save()
    await DealParty.insert(DealParty(deal=deal.id, buyer=b.id, role="买受人"))
    dues = []
    if deposit > 0:
        dues.append(Instalment(deal=deal.id, kind="定金", amount_due=deposit, due_on=signed, received=deposit, received_on=signed))
    if down - deposit > 0:  # the down payment is confirmed before signing (SPEC A2 trigger)
        dues.append(Instalment(deal=deal.id, kind="首付款", amount_due=down - deposit, due_on=signed, received=down - deposit, received_on=signed))
    if loan and total > down:
        dues.append(Instalment(deal=deal.id, kind="贷款", amount_due=total - down, due_on=signed + timedelta(days=int(limits["loan_due_days"]))))
        await DealDocument.insert(*[DealDocument(deal=deal.id, stage="按揭", name=n) for n in mortgage_docs])
    elif total > down:
        dues.append(Instalment(deal=deal.id, kind="房款", amount_due=total - down, due_on=signed + timedelta(days=int(limits["balance_due_days"]))))
    if dues:
        from app.pipeline.receipts import auto_receipt

        for due in dues:
            await due.save()
            if due.received and due.received > 0:  # what the ledger says was received becomes a receipt (the collections of the report)
                await auto_receipt(deal.id, due.id, due.kind, due.received, signed, "转账", "由合同台账导入", user.employee_id)
    await audit.record(actor=user, action="pipeline.import", entity="pl_deal", entity_id=deal.id,
                       summary=f"{number} 由合同台账导入：合同编号 {r['contract_no']}，{unit['building.name']}{unit['room_no']}，总价 {total:,.2f} 元，签约 {signed}",
                       before={"unit_status": "可售"}, after={"stage": "已签约", "unit_status": "已签约"})
    return number


def template_bytes() -> bytes:
    """The import template: the header row, plus a sheet of instructions with an example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "合同台账"
    ws.append(list(COLUMNS))
    for c in ws[1]:
        c.font = Font(bold=True)
    for i in range(len(COLUMNS)):
        ws.column_dimensions[chr(ord("A") + i)].width = 14
    help_ws = wb.create_sheet("填写说明")
    help_ws.append(["列", "必填", "说明"])
    notes = {
        "项目编号": "例如 JC01（也可填项目名称）", "楼栋": "与系统一致，例如 1号楼", "房号": "例如 1203；房源须为可售",
        "合同编号": "不能与文件内其他行或系统中已有合同重复", "身份证号": "18 位居民身份证号，校验位须正确", "手机号": "11 位手机号",
        "成交单价": "元/㎡，最多两位小数；不填按总价 ÷ 建筑面积计算", "成交总价": "元，最多两位小数", "付款方式": "一次性、分期、商贷、公积金、组合",
        "首付款": "元；一次性付款可不填（按总价）", "定金": "元，不超过总价的 20%", "签约日期": "YYYY-MM-DD，不能晚于今天", "交付日期": "YYYY-MM-DD，可不填",
    }
    for h, (_k, req) in COLUMNS.items():
        help_ws.append([h, "是" if req else "", notes.get(h, "")])
    help_ws.append([])
    help_ws.append(["导入规则", "", BEHAVIOUR])
    help_ws.append(["示例行（请勿复制到“合同台账”工作表）"])
    help_ws.append(TEMPLATE_EXAMPLE)
    help_ws.column_dimensions["A"].width = 14
    help_ws.column_dimensions["C"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
