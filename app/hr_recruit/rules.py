"""招聘 → 入职 rules (SPEC §E12), pure: no I/O. The legal basis goes with the rule that applies it."""
from __future__ import annotations

from datetime import date, timedelta

from app.hr_contract.rules import ART_19, FIXED, add_months, check_probation, probation_max_months  # noqa: F401  (ART_19 shown on the forms)

ART_10 = "《劳动合同法》第十条"  # 建立劳动关系，应当订立书面劳动合同
ART_23 = "《劳动合同法》第二十三条"  # 保密义务
ART_8 = "《劳动合同法》第八条"  # 用人单位有权了解劳动者与劳动合同直接相关的基本情况
SCORE_MIN, SCORE_MAX = 0, 100
MAX_HEADCOUNT = 200


def outside_headcount(approved: int, employed: int, pending: int, wanted: int) -> bool:
    """超编: the active employees of the position, the people still asked for by open or approved 用人申请 and this
    request's headcount together exceed the approved headcount. No 编制 row means an approved headcount of 0."""
    return employed + pending + wanted > approved


def headcount_text(approved: int, employed: int, pending: int, wanted: int) -> str:
    verdict = "超出编制" if outside_headcount(approved, employed, pending, wanted) else "编制内"
    return f"核定编制 {approved} 人，在职 {employed} 人，在途 {pending} 人，本次 {wanted} 人：{verdict}"


def score_error(raw: str) -> str:
    """'' when the score is an integer from 0 to 100, else the message."""
    v = (raw or "").strip()
    if not v:
        return "请填写评分"
    if not (v.isascii() and v.isdigit()) or len(v) > 3:
        return "评分应为 0–100 的整数"
    n = int(v)
    if not SCORE_MIN <= n <= SCORE_MAX:
        return "评分应为 0–100 的整数"
    return ""


def contract_end(start: date, years: int) -> date:
    """A fixed term of `years` years from the start: its last day."""
    return add_months(start, 12 * years) - timedelta(days=1)


def probation_end(start: date, months: int) -> date | None:
    return add_months(start, months) - timedelta(days=1) if months else None


def probation_error(start: date, years: int, months: int) -> str:
    """'' when `months` of probation is lawful for a fixed term of `years` years [L 劳动合同法 第十九条]."""
    end = contract_end(start, years)
    if months < 0:
        return "试用期不能为负数"
    msg = check_probation(FIXED, start, end, probation_end(start, months))
    if msg:
        return msg
    return ""


def probation_max(start: date, years: int) -> int:
    return probation_max_months(FIXED, start, contract_end(start, years))


def ready_for_review(rounds: int, min_rounds: int) -> str:
    """'' when enough interview rounds are recorded for HR to file the 面试审批, else what is missing."""
    if rounds < min_rounds:
        return f"面试尚未完成（已 {rounds} 轮，至少 {min_rounds} 轮）"
    return ""


def ready_for_offer(rounds: int, min_rounds: int, bg_result: str) -> str:
    """'' when the candidate's interviews and background check are done, else what is missing."""
    if rounds < min_rounds:
        return f"面试尚未完成（已 {rounds} 轮，至少 {min_rounds} 轮）"
    if bg_result != "通过":
        return "背景调查尚未通过" if bg_result else "尚未完成背景调查"
    return ""


