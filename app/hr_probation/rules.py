"""转正 rules (SPEC §E11), pure: no I/O. Each rule names its legal basis in its docstring and in the message the page
shows. The probation's lawful length is app/hr_contract/rules.py's (《劳动合同法》第十九条), called, not copied."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable, Iterable

from app.hr_contract.rules import ART_19, check_probation, previous_workday

CONFIRM = "转正"
NOT_HIRED = "不予录用"
OUTCOMES = (CONFIRM, NOT_HIRED)

ON_PROBATION = "试用期"
REGULAR = "正式"
STATUSES = (ON_PROBATION, REGULAR, NOT_HIRED)

ART_21_39 = "《劳动合同法》第二十一条、第三十九条第（一）项"
ONCE_TEXT = f"同一用人单位与同一劳动者只能约定一次试用期（{ART_19}第二款）"


def reminder_day(probation_end: date, days: int, is_workday: Callable[[date], bool]) -> date:
    """The day to remind the employee, the manager and HR [C: `days` (15) days before the probation ends, setting
    remind_days], moved to the previous working day when it is a rest day (app/core/workdays.py)."""
    return previous_workday(probation_end - timedelta(days=days), is_workday)


def in_probation(probation_end: date | None, today: date) -> bool:
    """The last day of probation is still in probation; the day after is not."""
    return probation_end is not None and today <= probation_end


def check_not_hired(probation_end: date, today: date, evidence: int) -> str:
    """'' when 不予录用 may be decided, else why not [L 《劳动合同法》第三十九条第（一）项: 在试用期间被证明不符合录用条件的，
    用人单位可以解除劳动合同；第二十一条: 在试用期中，除劳动者有第三十九条和第四十条第一项、第二项规定的情形外，用人单位不得
    解除劳动合同]: only on or before the last day of probation, and only with evidence against the hiring criteria."""
    if today > probation_end:
        return (f"试用期已于 {probation_end:%Y-%m-%d} 结束，不能再以试用期内不符合录用条件为由不予录用（{ART_21_39}）；"
                "试用期满未作决定的员工视为转正")
    if evidence < 1:
        return f"不予录用须上传证明员工不符合录用条件的材料（考核记录、录用条件确认书等）（{ART_21_39}）"
    return ""


def check_contract(kind: str, start: date, end: date | None, probation_end: date | None,
                   other_probations: Iterable[date | None]) -> str:
    """'' when the contract's probation may be reviewed, else why not: a probation agreed, lawful in length
    [L 第十九条第一款], and the only one agreed with this employee [L 第十九条第二款]."""
    if probation_end is None:
        return "该合同未约定试用期，无需办理转正"
    problem = check_probation(kind, start, end, probation_end)
    if problem:
        return problem
    if any(p is not None for p in other_probations):
        return ONCE_TEXT
    return ""


def check_outcome(outcome: str) -> str:
    """Only 转正 or 不予录用: the law knows no extension of a probation once agreed [L 第十九条]."""
    if outcome not in OUTCOMES:
        return f"结论只能是「转正」或「不予录用」，试用期不得延长（{ART_19}）"
    return ""


def status_after(outcome: str, probation_end: date, decided_on: date) -> tuple[str, date]:
    """The employee's status after the approved decision: 正式 from the day after the probation's last day (a probation
    that has run out without a decision is a regular employment anyway), 不予录用 from the decision day."""
    if outcome == CONFIRM:
        return REGULAR, probation_end + timedelta(days=1)
    return NOT_HIRED, decided_on


def check_score(score: int | None) -> str:
    if score is None:
        return "请填写评分"
    if not 0 <= score <= 100:
        return "评分应在 0 至 100 之间"
    return ""
