"""Import of the attendance machine's export (.xlsx or .csv), in either of the two usual shapes:

- one row per punch: 工号, 姓名 (optional, checked against the employee), 日期, 时间 (or 打卡时间 holding date and time);
- one row per day: 工号, 姓名, 日期, 上班, 下班.

ALL OR NOTHING: a file with any bad row writes nothing and the report names each bad row and column in Chinese. Rows
are keyed by (employee, day): a day already imported is merged (the earliest 上班, the latest 下班), so importing the
same file again adds and changes nothing."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.calls.importer import _decode, _is_unique_violation, _kind, check_file as _check_file, file_limit  # noqa: F401  (the same file checks)
from app.core import audit
from app.core.db import write_transaction
from app.core.sheets import read_xlsx
from app.core.timeutil import now
from app.hr_attend import rules
from app.hr_attend.tables import ClockDay
from app.org.tables import Employee

MAX_ROWS = 50_000
BATCH = 500
BEHAVIOUR = "有任何错误行则整个文件不导入；同一员工同一天已导入过的，取最早的上班和最晚的下班合并，重复导入同一文件不会产生重复记录。"
HINT = "工号、姓名、日期、时间（或 上班、下班）"

ALIASES = {
    "no": ("工号", "员工工号", "人员编号", "考勤号", "编号", "员工编号"),
    "name": ("姓名", "员工姓名", "名字"),
    "day": ("日期", "考勤日期", "打卡日期", "刷卡日期"),
    "time": ("时间", "打卡时间", "刷卡时间", "签到时间"),
    "in": ("上班", "上班时间", "上班打卡", "签到", "上班签到"),
    "out": ("下班", "下班时间", "下班打卡", "签退", "下班签退"),
}


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportResult:
    filename: str = ""
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    days: int = 0
    added: int = 0
    changed: int = 0
    same: int = 0

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    @property
    def summary(self) -> str:
        return f"共 {self.days} 人天：新增 {self.added}，合并更新 {self.changed}，已存在未变 {self.same}"


def check_file(filename: str, content: bytes, max_bytes: int) -> str | None:
    err = _check_file(filename, content, max_bytes)
    return err.replace("话务系统", "考勤机") if err else None


def _key(h: str) -> str:
    return "".join(str(h or "").split()).lstrip("\ufeff").replace("*", "")


def columns(headers: list[str]) -> dict[str, int]:
    """field → column index, by the usual header names (the first match wins)."""
    keys = [_key(h) for h in headers]
    out: dict[str, int] = {}
    for f, names in ALIASES.items():
        for i, k in enumerate(keys):
            if k in names:
                out[f] = i
                break
    return out


def column_errors(idx: dict[str, int], headers: list[str]) -> list[str]:
    listed = "、".join(h for h in headers if h)[:200] or "（无）"
    errs = []
    if "no" not in idx:
        errs.append(f"缺少“工号”列（文件的列：{listed}）")
    if "time" not in idx and not ({"in", "out"} & idx.keys()):
        errs.append(f"缺少打卡时间：应有“时间”列，或“上班”“下班”列（文件的列：{listed}）")
    if "day" not in idx and "time" not in idx:
        errs.append(f"缺少“日期”列（文件的列：{listed}）")
    return errs


def read_rows(filename: str, content: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    if _kind(filename) == "xlsx":
        return read_xlsx(content, header_hint=HINT, max_rows=MAX_ROWS)
    import csv
    import io

    text = _decode(content) or ""
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    headers: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    try:
        for n, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if headers is None:
                if not any(v.strip() for v in values):
                    raise ValueError(f"第 1 行应为表头（{HINT}），但它是空的")
                headers = [v.strip() for v in values]
                continue
            if not any(v.strip() for v in values):
                continue
            rows.append((n, values))
            if len(rows) > MAX_ROWS:
                raise ValueError(f"一次最多导入 {MAX_ROWS} 行，请分批导入")
    except csv.Error:
        raise ValueError("CSV 文件格式有误，无法读取：请从考勤机重新导出") from None
    if headers is None:
        raise ValueError(f"文件是空的：第 1 行应为表头（{HINT}）")
    return headers, rows


async def _employees(codes: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for i in range(0, len(codes), BATCH):
        for e in await Employee.select(Employee.id, Employee.employee_no, Employee.name).where(Employee.employee_no.is_in(codes[i:i + BATCH])):
            out[e["employee_no"]] = e
    return out


async def import_clock(user, filename: str, content: bytes, start: int, end: int) -> ImportResult:
    """Validate every row, then (only when nothing is wrong) write in one transaction."""
    result = ImportResult(filename=filename)
    try:
        headers, raw = await asyncio.to_thread(read_rows, filename, content)
    except ValueError as e:
        result.file_errors.append(str(e))
        return result
    idx = columns(headers)
    result.file_errors.extend(column_errors(idx, headers))
    if result.file_errors:
        return result
    if not raw:
        result.file_errors.append("没有数据行：表头下面是空的")
        return result
    result.rows = len(raw)

    def cell(values: list[Any], f: str) -> Any:
        i = idx.get(f)
        return values[i] if i is not None and i < len(values) else None

    def label(f: str) -> str:
        return headers[idx[f]] if f in idx else ALIASES[f][0]

    codes = sorted({rules.cell_text(cell(v, "no"))[:20] for _, v in raw if rules.cell_text(cell(v, "no"))})
    emps = await _employees(codes)
    punches: dict[tuple[int, date], list[int]] = {}  # per-punch shape
    pairs: dict[tuple[int, date], tuple[int | None, int | None]] = {}  # in/out shape
    for n, values in raw:
        errs: list[RowError] = []
        code = rules.cell_text(cell(values, "no"))
        emp = None
        if not code:
            errs.append(RowError(n, label("no"), f"请填写{label('no')}"))
        elif code[:20] not in emps or len(code) > 20:
            errs.append(RowError(n, label("no"), f"{label('no')}「{code[:20]}」没有对应的员工"))
        else:
            emp = emps[code]
            name = rules.cell_text(cell(values, "name"))
            if name and name != emp["name"]:
                errs.append(RowError(n, label("name"), f"工号 {code} 是 {emp['name']}，与{label('name')}「{name[:20]}」不符"))
        day = t_in = t_out = t = None
        try:
            day = rules.parse_day(cell(values, "day"), label("day")) if "day" in idx else None
        except rules.CellError as e:
            errs.append(RowError(n, label("day"), str(e)))
        if "time" in idx:
            v = cell(values, "time")
            try:
                t = rules.parse_time(v, label("time"))
                if day is None and "day" not in idx:
                    day = rules.parse_day(v, label("time"))
            except rules.CellError as e:
                errs.append(RowError(n, label("time"), str(e)))
            if t is None and not any(e.field == label("time") for e in errs):
                errs.append(RowError(n, label("time"), f"请填写{label('time')}"))
        else:
            for f in ("in", "out"):
                if f in idx:
                    try:
                        val = rules.parse_time(cell(values, f), label(f))
                    except rules.CellError as e:
                        errs.append(RowError(n, label(f), str(e)))
                        continue
                    if f == "in":
                        t_in = val
                    else:
                        t_out = val
        if day is None and not any(e.field in (label("day"), label("time")) for e in errs):
            errs.append(RowError(n, label("day") if "day" in idx else label("time"), "请填写日期"))
        result.errors.extend(errs)
        if errs or emp is None or day is None:
            continue
        k = (emp["id"], day)
        if "time" in idx:
            punches.setdefault(k, []).append(t)
        elif t_in is not None or t_out is not None:
            pairs[k] = rules.merge(pairs.get(k, (None, None)), (t_in, t_out))
    if result.errors:
        return result
    for k, ps in punches.items():
        pairs[k] = rules.split_punches(ps, start, end)
    result.days = len(pairs)
    if not pairs:
        result.file_errors.append("文件中没有任何打卡时间")
        return result
    at = now()
    src = filename[:200]
    emp_ids = sorted({k[0] for k in pairs})
    first, last = min(k[1] for k in pairs), max(k[1] for k in pairs)
    try:
        async with write_transaction():
            existing: dict[tuple[int, date], dict] = {}
            for i in range(0, len(emp_ids), BATCH):
                for r in await ClockDay.select(ClockDay.id, ClockDay.employee, ClockDay.day, ClockDay.first_in, ClockDay.last_out).where(
                        ClockDay.employee.is_in(emp_ids[i:i + BATCH]) & (ClockDay.day >= first) & (ClockDay.day <= last)):
                    existing[(r["employee"], r["day"])] = r
            new = []
            for k, (a, b) in sorted(pairs.items()):
                old = existing.get(k)
                if old is None:
                    new.append(ClockDay(employee=k[0], day=k[1], first_in=a, last_out=b, source=src, imported_at=at))
                    continue
                merged = rules.merge((old["first_in"], old["last_out"]), (a, b))
                if merged == (old["first_in"], old["last_out"]):
                    result.same += 1
                else:
                    result.changed += 1
                    await ClockDay.update({ClockDay.first_in: merged[0], ClockDay.last_out: merged[1], ClockDay.source: src,
                                           ClockDay.imported_at: at}).where(ClockDay.id == old["id"])
            for i in range(0, len(new), BATCH):
                await ClockDay.insert(*new[i:i + BATCH])
            result.added = len(new)
            await audit.record(actor=user, action="hr_attend.import", entity="hr_attend_clock", entity_id="",
                               summary=f"导入打卡记录「{filename[:80]}」：{result.summary}",
                               after={"file": src, "rows": result.rows, "days": result.days, "added": result.added,
                                      "changed": result.changed, "same": result.same}, ip=getattr(user, "ip", ""))
    except Exception as e:  # another import wrote one of these days at the same moment (PostgreSQL): nothing of this one is kept
        if not _is_unique_violation(e):
            raise
        result.added = result.changed = result.same = 0
        result.file_errors.append("同时有另一次导入写入了相同员工同一天的打卡，本次未导入任何记录；请重新导入（已导入的会自动合并）")
    return result


def template_csv() -> bytes:
    return ("\ufeff工号,姓名,日期,上班,下班\nJC1001,张三,2026-11-02,08:56,18:05\n").encode("utf-8")
