"""Import of the phone system's call records (.xlsx or .csv).

Behaviour: ALL OR NOTHING for the rows of one file — a file with any bad row writes nothing, and the report names each
bad row and column in Chinese. A good file is written in one transaction: the column mapping is kept (CallMapping), each
call id not yet in the portal is inserted (in batches), and a call id already imported is SKIPPED, never overwritten
(the phone system's record does not change; re-importing the same export adds nothing). Numbers are matched to buyers
(pl_buyer.mobile) and their project, and 工号 to employees (employee_no), by batched queries before the insert."""
from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from typing import Any

from app.core import attachments, audit
from app.core.db import write_transaction
from app.core.sheets import read_xlsx
from app.core.timeutil import now
from app.calls import rules
from app.calls.tables import CallMapping, CallRecord
from app.org.tables import Employee
from app.pipeline.tables import Buyer, Deal

MAX_ROWS = 50_000  # a guard on one file (the size limit comes from the admin's attachment types, see file_limit)
BATCH = 500  # rows per INSERT and per IN (...) lookup
BEHAVIOUR = "有任何错误行则整个文件不导入；已导入过的通话（通话ID 相同）跳过，不会重复也不会被覆盖。"


@dataclass
class RowError:
    row: int  # the row number in the file (the header is row 1)
    field: str  # the column's header (or the field's name)
    message: str


@dataclass
class ImportResult:
    filename: str = ""
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    added: int = 0
    existing: int = 0
    matched: int = 0  # of the added calls, matched to a customer

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    @property
    def summary(self) -> str:
        return f"新增 {self.added} 条，已存在 {self.existing} 条，错误 {self.bad_rows} 行"


async def file_limit() -> int:
    """The largest file accepted, in bytes: the admin's limit for Excel files (附件类型 › Excel 表格)."""
    lim = await attachments.limits()
    return lim.allowed.get("xlsx", attachments.DEFAULT_MAX_MB * 1024 * 1024)


def _kind(filename: str) -> str:
    name = (filename or "").lower()
    return "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith(".csv") else ""


def _decode(content: bytes) -> str | None:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    return None


def check_file(filename: str, content: bytes, max_bytes: int) -> str | None:
    """Type (by extension AND content) and size, before anything is parsed. A Chinese message naming the file."""
    name = (filename or "").strip()
    if not name:
        return "请选择要导入的 .xlsx 或 .csv 文件"
    kind = _kind(name)
    if not kind:
        return f"文件类型不正确：「{name}」不是 .xlsx 或 .csv 文件"
    if len(content) > max_bytes:
        return f"文件不能超过 {max_bytes // (1024 * 1024)} MB（「{name}」为 {len(content) / 1024 / 1024:.1f} MB）"
    if not content.strip():
        return f"文件「{name}」是空的"
    if kind == "xlsx":
        if attachments.sniff(content) != "xlsx":
            return f"文件「{name}」不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名"
        return None
    if b"\x00" in content or attachments.sniff(content) is not None or _decode(content) is None:
        return f"文件「{name}」不是文本格式的 CSV 文件（可能是改了扩展名的其他文件），请从话务系统导出 CSV 或 Excel"
    return None


def read_rows(filename: str, content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """(headers, [(row number, values)]), empty rows skipped. Raises ValueError with a Chinese message."""
    if _kind(filename) == "xlsx":
        return _read_xlsx(content)
    text = _decode(content) or ""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[tuple[int, list[Any]]] = []
    headers: list[str] | None = None
    try:
        for n, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if headers is None:
                if not any(v.strip() for v in values):
                    raise ValueError("第 1 行应为表头（通话ID、开始时间、客户号码 …），但它是空的")
                headers = [v.strip() for v in values]
                continue
            if not any(v.strip() for v in values):
                continue
            rows.append((n, values))
            if len(rows) > MAX_ROWS:
                raise ValueError(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
    except csv.Error:
        raise ValueError("CSV 文件格式有误，无法读取：请从话务系统重新导出") from None
    if headers is None:
        raise ValueError("文件是空的：第 1 行应为表头（通话ID、开始时间、客户号码 …）")
    return headers, rows


def _read_xlsx(content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    return read_xlsx(content, header_hint="通话ID、开始时间、客户号码 …", max_rows=MAX_ROWS)


async def saved_mapping() -> dict[str, str]:
    return {r["field"]: r["header"] for r in await CallMapping.select(CallMapping.field, CallMapping.header)}


def mapping_errors(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """field → message, for a required field left unmapped or a header the file does not have."""
    have = {rules.header_key(h) for h in headers}
    listed = "、".join(h for h in headers if h)[:200]
    out: dict[str, str] = {}
    for f in rules.CALL_FIELDS:
        h = (mapping.get(f.key) or "").strip()
        if not h:
            if f.required:
                out[f.key] = f"请选择文件中对应“{f.label}”的列"
        elif rules.header_key(h) not in have:
            out[f.key] = f"文件中没有列「{h[:30]}」（文件的列：{listed}）"
    return out


async def _in_batches(values: list[Any], fetch) -> list[dict]:
    out: list[dict] = []
    for i in range(0, len(values), BATCH):
        out.extend(await fetch(values[i:i + BATCH]))
    return out


def _parse(n: int, values: list[Any], index: dict[str, int], headers: list[str]) -> tuple[dict[str, Any], list[RowError]]:
    errs: list[RowError] = []

    def get(key: str) -> Any:
        i = index.get(key)
        return values[i] if i is not None and i < len(values) else None

    def label(key: str) -> str:
        i = index.get(key)
        return headers[i] if i is not None else rules.FIELD_LABELS[key]

    def parse(key: str, fn, *args):
        try:
            return fn(get(key), *args, label(key))
        except rules.CellError as e:
            errs.append(RowError(n, label(key), str(e)))
            return None

    call_id = rules.cell_text(get("call_id"))
    if not call_id:
        errs.append(RowError(n, label("call_id"), f"请填写{label('call_id')}"))
    elif len(call_id) > 60:
        errs.append(RowError(n, label("call_id"), f"{label('call_id')}最多 60 个字符"))
    started = parse("started_at", rules.cell_datetime)
    number = parse("number", rules.cell_number)
    direction = parse("direction", rules.cell_direction)
    ring = parse("ring_seconds", rules.cell_seconds)
    talk = parse("talk_seconds", rules.cell_seconds)
    answered = parse("answered", rules.cell_answered, talk or 0) if talk is not None else None
    rating = parse("rating", rules.cell_rating)
    agent_code = rules.cell_text(get("agent_code"))[:20]
    recording = rules.cell_text(get("recording"))[:200]
    row = {"call_id": call_id, "started_at": started, "number": number, "direction": direction or "呼入", "ring_seconds": ring or 0,
           "talk_seconds": talk or 0, "answered": bool(answered), "rating": rating, "agent_code": agent_code, "recording": recording}
    return row, errs


async def import_calls(user, filename: str, content: bytes, mapping: dict[str, str]) -> tuple[ImportResult, dict[str, str]]:
    """Validate every row, then (only when nothing is wrong) write in one transaction. Returns the report and the
    mapping errors (field → message) for the form."""
    result = ImportResult(filename=filename)
    try:
        headers, raw = await asyncio.to_thread(read_rows, filename, content)
    except ValueError as e:
        result.file_errors.append(str(e))
        return result, {}
    errors = mapping_errors(mapping, headers)
    if errors:
        result.file_errors.append("列对应有误：请为每个必填项选择文件中的列后重新导入")
        return result, errors
    if not raw:
        result.file_errors.append("没有数据行：表头下面是空的")
        return result, {}
    keys = {rules.header_key(h): i for i, h in reversed(list(enumerate(headers)))}
    index = {k: keys[rules.header_key(h)] for k, h in mapping.items() if h and rules.header_key(h) in keys}
    result.rows = len(raw)
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for n, values in raw:
        row, errs = _parse(n, values, index, headers)
        if row["call_id"] and row["call_id"] in seen:
            errs.append(RowError(n, headers[index["call_id"]], f"通话ID「{row['call_id'][:30]}」与第 {seen[row['call_id']]} 行重复"))
        elif row["call_id"]:
            seen[row["call_id"]] = n
        result.errors.extend(errs)
        if not errs:
            parsed.append(row)
    if result.errors:
        return result, {}
    ids = [r["call_id"] for r in parsed]
    await _match(parsed)
    at = now()
    try:
        async with write_transaction():  # the existing ids are read inside it: two imports of one file add each call once
            existing = {r["call_id"] for r in await _in_batches(
                ids, lambda chunk: CallRecord.select(CallRecord.call_id).where(CallRecord.call_id.is_in(chunk)))}
            new = [r for r in parsed if r["call_id"] not in existing]
            await CallMapping.delete(force=True)
            await CallMapping.insert(*[CallMapping(field=k, header=(mapping.get(k) or "")[:60]) for k in rules.FIELD_KEYS if mapping.get(k)])
            for i in range(0, len(new), BATCH):
                await CallRecord.insert(*[CallRecord(**r, imported_at=at) for r in new[i:i + BATCH]])
            result.added, result.existing = len(new), len(parsed) - len(new)
            result.matched = sum(1 for r in new if r["buyer"])
            await audit.record(actor=user, action="calls.import", entity="call_record", entity_id="",
                               summary=f"导入通话记录「{filename[:80]}」：{result.summary}",
                               after={"file": filename[:200], "rows": result.rows, "added": result.added, "existing": result.existing,
                                      "matched": result.matched})
    except Exception as e:  # another import wrote one of these calls at the same moment (PostgreSQL): nothing of this one is kept
        if not _is_unique_violation(e):
            raise
        result.added = result.existing = result.matched = 0
        result.file_errors.append("同时有另一次导入写入了相同的通话，本次未导入任何记录；请重新导入（已导入的通话会自动跳过）")
    return result, {}


async def _match(rows: list[dict[str, Any]]) -> None:
    """Number → buyer (pl_buyer.mobile) and the buyer's project (their latest deal), 工号 → employee: batched lookups."""
    numbers = sorted({r["number"] for r in rows if r["number"]})
    buyers: dict[str, int] = {}
    for b in await _in_batches(numbers, lambda chunk: Buyer.select(Buyer.id, Buyer.mobile).where(Buyer.mobile.is_in(chunk)).order_by(Buyer.id)):
        buyers.setdefault(b["mobile"], b["id"])
    projects: dict[int, int] = {}
    ids = sorted(set(buyers.values()))
    for d in await _in_batches(ids, lambda chunk: Deal.select(Deal.buyer, Deal.project).where(Deal.buyer.is_in(chunk)).order_by(Deal.id)):
        projects[d["buyer"]] = d["project"]  # the latest deal wins
    codes = sorted({r["agent_code"] for r in rows if r["agent_code"]})
    agents = {e["employee_no"]: e["id"] for e in await _in_batches(
        codes, lambda chunk: Employee.select(Employee.id, Employee.employee_no).where(Employee.employee_no.is_in(chunk)))}
    for r in rows:
        r["buyer"] = buyers.get(r["number"])
        r["project"] = projects.get(r["buyer"]) if r["buyer"] else None
        r["agent"] = agents.get(r["agent_code"])


def _is_unique_violation(e: Exception) -> bool:
    return type(e).__name__ in ("IntegrityError", "UniqueViolationError") or "unique" in str(e).lower()


def template_csv() -> bytes:
    """An example export with the default headers (UTF-8 with BOM, so Excel opens it in Chinese)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([f.guesses[0] for f in rules.CALL_FIELDS])
    w.writerow(["C20261128-0001", "2026-11-28 09:15:02", "呼入", "13812345678", "JC1001", "是", "6", "185", "5", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
