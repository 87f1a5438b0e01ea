"""Pure rules of the calls domain: the call-QA checklist and its score (SPEC §G 服务用语: 三要, 三不, 四个一样), and the
cell parsers of the phone system's export (times, yes/no, seconds, numbers). No I/O."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Iterable

from app.core.sheets import cell_text  # noqa: F401  (the import reads cells through rules)
from app.core.timeutil import SHANGHAI

# ---------------------------------------------------------------- call QA (SPEC §G 服务用语, source text doc-09 第五条)

RULE_CARD = (
    ("三要", "请字当头，您字不离口，再见结尾。"),
    ("三不", "不使用生硬语言，不说推卸责任的话，不责备、埋怨客户。"),
    ("四个一样", "生人熟人一个样、有无检查一个样、工作忙闲一个样、情绪好坏一个样。"),
)


@dataclass(frozen=True)
class QaItem:
    key: str
    group: str  # 三要 | 三不 | 四个一样
    label: str


QA_ITEMS: tuple[QaItem, ...] = (
    QaItem("please", "三要", "请字当头：开场使用“请”"),
    QaItem("nin", "三要", "您字不离口：全程称呼“您”"),
    QaItem("bye", "三要", "再见结尾：以“再见”结束"),
    QaItem("no_blunt", "三不", "不使用生硬语言"),
    QaItem("no_shift", "三不", "不说推卸责任的话"),
    QaItem("no_blame", "三不", "不责备、埋怨客户"),
    QaItem("same_person", "四个一样", "生人熟人一个样"),
    QaItem("same_check", "四个一样", "有无检查一个样"),
    QaItem("same_busy", "四个一样", "工作忙闲一个样"),
    QaItem("same_mood", "四个一样", "情绪好坏一个样"),
)
QA_KEYS = tuple(i.key for i in QA_ITEMS)
QA_GROUPS = ("三要", "三不", "四个一样")


def qa_score(met: Iterable[str]) -> int:
    """The call's QA score 0–100: each of the ten items met is worth 100 / 10 = 10 points. Unknown keys count nothing;
    a key given twice counts once."""
    keys = set(met) & set(QA_KEYS)
    return round(100 * len(keys) / len(QA_KEYS))


def qa_items_text(met: Iterable[str]) -> str:
    """The items met as stored (CallQa.items): known keys in checklist order, comma-separated."""
    keys = set(met)
    return ",".join(k for k in QA_KEYS if k in keys)


def qa_items_parse(text: str) -> list[str]:
    keys = set((text or "").split(","))
    return [k for k in QA_KEYS if k in keys]


# ---------------------------------------------------------------- the phone system's export

@dataclass(frozen=True)
class CallField:
    key: str
    label: str
    required: bool
    guesses: tuple[str, ...]  # headers phone systems commonly write for it (the first is the default)


CALL_FIELDS: tuple[CallField, ...] = (
    CallField("call_id", "通话ID", True, ("通话ID", "呼叫ID", "话单ID", "流水号", "call_id", "CallID")),
    CallField("started_at", "开始时间", True, ("开始时间", "呼叫时间", "来电时间", "通话开始时间", "start_time")),
    CallField("direction", "呼叫方向", False, ("呼叫方向", "方向", "呼叫类型", "direction")),
    CallField("number", "客户号码", True, ("客户号码", "主叫号码", "来电号码", "电话号码", "号码", "number")),
    CallField("agent_code", "坐席工号", False, ("坐席工号", "工号", "坐席", "分机号", "agent")),
    CallField("answered", "是否接通", False, ("是否接通", "接通", "接听状态", "answered")),
    CallField("ring_seconds", "振铃时长（秒）", False, ("振铃时长", "振铃时长（秒）", "等待时长", "ring_seconds")),
    CallField("talk_seconds", "通话时长（秒）", False, ("通话时长", "通话时长（秒）", "talk_seconds")),
    CallField("rating", "满意度评价", False, ("满意度评价", "满意度", "评价", "rating")),
    CallField("recording", "录音文件", False, ("录音文件", "录音", "录音地址", "recording")),
)
FIELD_KEYS = tuple(f.key for f in CALL_FIELDS)
FIELD_LABELS = {f.key: f.label for f in CALL_FIELDS}


class CellError(ValueError):
    """A cell that cannot be used; the message is Chinese and quotes what was found."""


def header_key(text: Any) -> str:
    """A header compared loosely: no spaces, no unit suffix in brackets, case-folded."""
    h = cell_text(text).replace(" ", "").replace("\u3000", "")
    h = re.sub(r"[（(].*?[）)]$", "", h)
    return h.casefold()


def guess_mapping(headers: Iterable[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """field → the file's header for it: the saved mapping where the file has that header, else the first common
    name the file has, else "" (not in the file)."""
    by_key = {header_key(h): cell_text(h) for h in headers if cell_text(h)}
    out: dict[str, str] = {}
    for f in CALL_FIELDS:
        pick = ""
        want = (saved or {}).get(f.key, "")
        if want and header_key(want) in by_key:
            pick = by_key[header_key(want)]
        else:
            for g in f.guesses:
                if header_key(g) in by_key:
                    pick = by_key[header_key(g)]
                    break
        out[f.key] = pick
    return out


def default_mapping() -> dict[str, str]:
    return {f.key: f.guesses[0] for f in CALL_FIELDS}




_DT_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S",
               "%Y%m%d%H%M%S", "%Y.%m.%d %H:%M:%S")


def cell_datetime(v: Any, label: str) -> datetime:
    """A start time: an Excel date-time, or text such as 2026-11-28 14:05:09 (Asia/Shanghai unless it says otherwise)."""
    if v is None or cell_text(v) == "":
        raise CellError(f"请填写{label}")
    if isinstance(v, datetime):
        return v if v.tzinfo else v.replace(tzinfo=SHANGHAI)
    if isinstance(v, date):
        return datetime.combine(v, time.min, tzinfo=SHANGHAI)
    text = cell_text(v)
    for fmt in _DT_FORMATS:
        try:
            d = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if d.year < 2000:
            break
        return d.replace(tzinfo=SHANGHAI)
    raise CellError(f"{label}「{text[:30]}」不是有效的时间，格式应为 YYYY-MM-DD HH:MM:SS")


def cell_seconds(v: Any, label: str) -> int:
    """Seconds as a whole number, or mm:ss / hh:mm:ss; empty is 0."""
    text = cell_text(v)
    if not text:
        return 0
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if v < 0 or (isinstance(v, float) and not v.is_integer()):
            raise CellError(f"{label}「{text}」应为不小于 0 的整数秒")
        return int(v)
    if re.fullmatch(r"\d{1,7}", text):
        return int(text)
    m = re.fullmatch(r"(?:(\d{1,3}):)?(\d{1,2}):(\d{2})", text)
    if m:
        return int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
    raise CellError(f"{label}「{text[:20]}」不是秒数（例如 35 或 00:35）")


YES = {"是", "接通", "已接", "已接通", "接听", "已接听", "1", "y", "yes", "true", "answered"}
NO = {"否", "未接", "未接通", "未接听", "放弃", "呼损", "0", "n", "no", "false", "missed", "abandoned"}


def cell_answered(v: Any, talk_seconds: int, label: str) -> bool:
    """是否接通: yes/no words; empty means answered when there was talk time."""
    text = cell_text(v).casefold()
    if not text:
        return talk_seconds > 0
    if text in YES:
        return True
    if text in NO:
        return False
    raise CellError(f"{label}「{cell_text(v)[:20]}」应为“是”或“否”")


def cell_direction(v: Any, label: str) -> str:
    text = cell_text(v).casefold()
    if not text or text in {"呼入", "来电", "in", "inbound"}:
        return "呼入"
    if text in {"呼出", "去电", "外呼", "out", "outbound"}:
        return "呼出"
    raise CellError(f"{label}「{cell_text(v)[:20]}」应为“呼入”或“呼出”")


def cell_rating(v: Any, label: str) -> int | None:
    """The caller's IVR rating 1–5 (5 非常满意); empty means not rated."""
    text = cell_text(v)
    if not text:
        return None
    words = {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1}
    if text in words:
        return words[text]
    if re.fullmatch(r"[1-5]", text):
        return int(text)
    raise CellError(f"{label}「{text[:20]}」应为 1–5 分或“满意”等评价")


def normalise_number(v: Any) -> str:
    """A phone number as digits only; a mainland mobile with +86/86/0086 loses the country code."""
    digits = re.sub(r"\D", "", cell_text(v))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11 and digits[len(prefix)] == "1":
            digits = digits[len(prefix):]
    return digits


def cell_number(v: Any, label: str) -> str:
    digits = normalise_number(v)
    if not digits:
        raise CellError(f"请填写{label}")
    if not 5 <= len(digits) <= 20:
        raise CellError(f"{label}「{cell_text(v)[:24]}」不是有效的电话号码")
    return digits


def abandoned_short(answered: bool, ring_seconds: int, limit_seconds: int) -> bool:
    """A call hung up before it was answered within the limit (SPEC D5: it leaves the answer rate's denominator)."""
    return not answered and ring_seconds < limit_seconds
