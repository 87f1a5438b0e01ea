"""Reading an uploaded spreadsheet (.xlsx) for an import: the header row and the non-empty data rows, with Chinese
messages for everything that can be wrong with the file. The ledgers' import and the phone system's call import use it."""
from __future__ import annotations

import io
from typing import Any, Callable


def cell_text(v: Any) -> str:
    """A cell as text: None → "", 12.0 → "12", stripped."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_xlsx(content: bytes, *, header_hint: str, max_rows: int, sheet: str | None = None,
              header: Callable[[Any], str] = cell_text) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """(headers, [(row number, values)]) of `sheet` (else the first worksheet), empty rows skipped. `header_hint` names
    the expected columns in the messages (e.g. "项目编号、楼栋、房号 …"). Raises ValueError with a Chinese message."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ValueError("文件无法打开：不是有效的 Excel 工作簿（.xlsx），可能已损坏或只是改了扩展名") from None
    try:
        ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # do not trust the file's own dimension tag (some tools write a wrong one)
        headers: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for n, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            values = list(values or [])
            if headers is None:
                if not any(cell_text(v) for v in values):
                    raise ValueError(f"第 1 行应为表头（{header_hint}），但它是空的")
                headers = [header(v) for v in values]
                continue
            if not any(cell_text(v) for v in values):
                continue
            rows.append((n, values))
            if len(rows) > max_rows:
                raise ValueError(f"一次最多导入 {max_rows} 行，请分批导入")
        if headers is None:
            raise ValueError(f"工作表是空的：第 1 行应为表头（{header_hint}）")
        return headers, rows
    except ValueError:
        raise
    except Exception:
        raise ValueError("文件内容无法读取：请确认是 Excel 保存的 .xlsx 工作簿") from None
    finally:
        wb.close()
