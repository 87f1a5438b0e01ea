"""The KPI board's declarations (SPEC §D5): for each KPI, the table it counts, the period column, the base condition, and
the measures (numerator, denominator and what the rule in app/care/rules.py needs), each measure a WHERE clause inside
the base. The board's aggregate (SUM(CASE WHEN … ) … GROUP BY project, handler) and the drill-down list read the SAME
clauses from here, so a figure and the records listed behind it can never disagree."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from app.calls.tables import CallRecord
from app.care import rules
from app.care.states import COMPLAINT_KINDS, NOT_ACCEPTED, TO_PROPERTY
from app.care.tables import Callback, CareCase, RecordAudit
from app.core.timeutil import SHANGHAI
from app.surveys.tables import Answer


# ------------------------------------------------------------------ months

def month_start(y: int, m: int) -> datetime:
    return datetime.combine(date(y, m, 1), time(0), SHANGHAI)


def shift(y: int, m: int, months: int) -> tuple[int, int]:
    n = y * 12 + (m - 1) + months
    return n // 12, n % 12 + 1


def bounds(month: tuple[int, int]) -> tuple[datetime, datetime]:
    """[start, end) of a month, Asia/Shanghai."""
    return month_start(*month), month_start(*shift(*month, 1))


def parse_month(raw: str | None, today: date) -> tuple[int, int]:
    """'2026-11' → (2026, 11); anything else (or a month after this one) → this month."""
    try:
        y, m = (int(x) for x in (raw or "").strip().split("-"))
        if 2000 <= y <= 2100 and 1 <= m <= 12 and (y, m) <= (today.year, today.month):
            return y, m
    except ValueError:
        pass
    return today.year, today.month


def month_text(month: tuple[int, int]) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


# ------------------------------------------------------------------ declarations

@dataclass(frozen=True)
class Ctx:
    limits: rules.CareLimits
    now: datetime


@dataclass(frozen=True)
class Measure:
    label: str
    when: Callable[[Ctx], Any] | None = None  # extra WHERE inside the base (None: every row of the base)
    value: str = "1"  # what is summed per row (SQL): 1 counts rows


@dataclass(frozen=True)
class Kpi:
    key: str
    table: type[Table]
    project_col: Column
    handler_col: Column
    handler_label: str  # who "handler" is for this KPI
    period: Callable[[datetime, datetime], Any]  # the row falls in [start, end)
    base: Callable[[Ctx], Any]  # the fixed condition (None: none)
    measures: dict[str, Measure]
    numerator: str
    denominator: str
    rate: Callable[[dict[str, int]], Decimal | None]  # the rule of app/care/rules.py on the measures
    record: str  # what the drill-down lists (案件 / 回访 / 来电 / 抽查)
    unit: str = "条"
    note: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return rules.KPI_NAMES[self.key]

    def where(self, ctx: Ctx, start: datetime, end: datetime, part: str | None = None) -> list[Any]:
        """The WHERE of the rows behind the figure: base, period, and (a part) the measure's own condition."""
        out = [self.period(start, end)]
        b = self.base(ctx)
        if b is not None:
            out.append(b)
        if part:
            m = self.measures[self.numerator if part == "numerator" else self.denominator]
            if m.when is not None:
                out.append(m.when(ctx))
        return out


def _between(col: Column) -> Callable[[datetime, datetime], Any]:
    return lambda s, e: (col >= s) & (col < e)


# 投诉处理及时率: the close clock's due moment, P1 (no close clock, SPEC D2) its plan clock's
_CASE_DUE = 'COALESCE("care_case"."close_due", "care_case"."plan_due")'


def _case_due_in(s: datetime, e: datetime):
    return (((CareCase.close_due >= s) & (CareCase.close_due < e))
            | (CareCase.close_due.is_null() & (CareCase.plan_due >= s) & (CareCase.plan_due < e)))


def _case_base(ctx: Ctx):
    # complaints still on the books (不予受理 and 转物业 are not ours to close), whose due moment has come or that are closed
    return (CareCase.kind.is_in(sorted(COMPLAINT_KINDS)) & CareCase.status.not_in([NOT_ACCEPTED, TO_PROPERTY])
            & (CareCase.closed_at.is_not_null() | WhereRaw(_CASE_DUE + " < {}", ctx.now)))


def _complaint_cases():
    return CareCase.select(CareCase.id).where(CareCase.kind.is_in(sorted(COMPLAINT_KINDS)))


ANSWER = Kpi(
    key="answer_rate", table=CallRecord, project_col=CallRecord.project, handler_col=CallRecord.agent, handler_label="坐席",
    period=_between(CallRecord.started_at),
    base=lambda c: CallRecord.direction == "呼入",
    measures={
        "inbound": Measure("呼入"),
        "abandoned": Measure("短时放弃", lambda c: (CallRecord.answered == False) & (CallRecord.ring_seconds < c.limits.abandoned_seconds)),  # noqa: E712
        "offered": Measure("有效呼入", lambda c: (CallRecord.answered == True) | (CallRecord.ring_seconds >= c.limits.abandoned_seconds)),  # noqa: E712
        "answered": Measure("已接听", lambda c: CallRecord.answered == True),  # noqa: E712
    },
    numerator="answered", denominator="offered", record="来电",
    rate=lambda m: rules.answer_rate(m["answered"], m["inbound"], m["abandoned"]),
    note="呼入电话中已接听的比例；振铃不足“短时放弃秒数”即挂断的来电不计入分母（秒数在“客服时限与目标”中设置）。",
)

SATISFACTION = Kpi(
    key="satisfaction_rate", table=CallRecord, project_col=CallRecord.project, handler_col=CallRecord.agent, handler_label="坐席",
    period=_between(CallRecord.started_at),
    base=lambda c: (CallRecord.rating >= 1) & (CallRecord.rating <= 5),
    measures={
        "valid": Measure("有效评价"),
        "very": Measure("非常满意", lambda c: CallRecord.rating == 5),
        "satisfied_only": Measure("满意", lambda c: CallRecord.rating == 4),
        "satisfied": Measure("非常满意+满意", lambda c: CallRecord.rating >= 4),
    },
    numerator="satisfied", denominator="valid", record="来电",
    rate=lambda m: rules.satisfaction_rate(m["very"], m["satisfied_only"], m["valid"]),
    note="来电满意率：通话结束后客户在电话系统中给出的 1–5 分评价，4–5 分（满意、非常满意）为满意。"
         "投诉回访的评分计入“投诉满意率”，问卷调查的评分计入“问卷满意度”，均不计入本项。",
)

ON_TIME = Kpi(
    key="on_time_rate", table=CareCase, project_col=CareCase.project, handler_col=CareCase.handler, handler_label="处理人",
    period=_case_due_in, base=_case_base,
    measures={
        "due": Measure("本月到期"),
        "on_time": Measure("按时结案", lambda c: WhereRaw('"care_case"."closed_at" <= ' + _CASE_DUE)),
    },
    numerator="on_time", denominator="due", record="案件",
    rate=lambda m: rules.on_time_rate(m["on_time"], m["due"]),
    note="投诉、索赔案件中结案时限到期日落在本月的：结案时间不晚于到期时间为按时。P1 没有固定结案时限（按方案结案），"
         "以“答复方案”时限为准。尚未到期且未结案的案件暂不计入；不予受理、转物业的案件不计入。",
)

COMPLAINT_SATISFACTION = Kpi(
    key="complaint_satisfaction_rate", table=Callback, project_col=Callback.project, handler_col=Callback.case.handler,
    handler_label="案件处理人",
    period=_between(Callback.called_at),
    base=lambda c: (Callback.reached == True) & Callback.score.is_not_null() & Callback.case.is_in(_complaint_cases()),  # noqa: E712
    measures={
        "reached": Measure("成功回访"),
        "satisfied": Measure("满意（4–5 分）", lambda c: Callback.score >= 4),
    },
    numerator="satisfied", denominator="reached", record="回访",
    rate=lambda m: rules.complaint_satisfaction_rate(m["satisfied"], m["reached"]),
    note="本月完成的投诉、索赔回访中，客户接通并评分的为成功回访；4–5 分为满意。按被回访案件的处理人统计。",
)

ACCURACY = Kpi(
    key="record_accuracy", table=RecordAudit, project_col=RecordAudit.project, handler_col=RecordAudit.auditor,
    handler_label="抽查人",
    period=_between(RecordAudit.at), base=lambda c: None,
    measures={
        "audited": Measure("抽查字段", value='"care_record_audit"."fields_audited"'),
        "wrong": Measure("错误字段", value='"care_record_audit"."fields_wrong"'),
        "right": Measure("正确字段", value='"care_record_audit"."fields_audited" - "care_record_audit"."fields_wrong"'),
    },
    numerator="right", denominator="audited", record="抽查", unit="个字段",
    rate=lambda m: rules.record_accuracy(m["audited"], m["wrong"]),
    note="本月客户档案抽查：（抽查字段数 − 错误字段数）÷ 抽查字段数。分子、分母为字段数，明细列出本月的抽查记录。",
)

FOLLOW_UP = Kpi(
    key="follow_up_rate", table=Callback, project_col=Callback.project, handler_col=Callback.case.handler, handler_label="案件处理人",
    period=_between(Callback.due_at),
    base=lambda c: Callback.called_at.is_not_null() | (Callback.due_at < c.now),
    measures={
        "due": Measure("应回访"),
        "made": Measure("已回访", lambda c: Callback.called_at.is_not_null()),
    },
    numerator="made", denominator="due", record="回访",
    rate=lambda m: rules.follow_up_rate(m["made"], m["due"]),
    note="回访期限落在本月的回访：已完成（客户接通并记录结果，逾期完成也计入）÷ 应回访。未接通的尝试记为拨打次数，不算完成；"
         "尚未到期且未回访的暂不计入。按被回访案件的处理人统计。",
)

SURVEY = Kpi(
    key="survey_satisfaction", table=Answer, project_col=Answer.invitation.project, handler_col=Answer.invitation.sent_by,
    handler_label="发送人",
    period=_between(Answer.invitation.answered_at),
    base=lambda c: (Answer.question.kind == "scale") & Answer.score.is_not_null(),
    measures={
        "valid": Measure("评分答案"),
        "satisfied": Measure("满意（4–5 分）", lambda c: Answer.score >= 4),
    },
    numerator="satisfied", denominator="valid", record="答卷",
    rate=lambda m: rules.survey_satisfaction(m["satisfied"], m["valid"]),
    note="本月客户通过调查链接提交的问卷中，1–5 分评分题的答案：4–5 分（满意、非常满意）÷ 全部评分答案。"
         "按邀请所属项目和发送邀请的专员统计；逐题结果见“调查结果”。",
)

KPIS: dict[str, Kpi] = {k.key: k for k in (ANSWER, SATISFACTION, ON_TIME, COMPLAINT_SATISFACTION, ACCURACY, FOLLOW_UP, SURVEY)}

RENOVATION_NOTE = ("装修手续办理效率 =（基准办理时长 − 当前办理时长）÷ 基准办理时长，目标提升 ≥ 20%。装修手续由物业公司办理，"
                   "办理时长属于物业公司的数据，本系统没有记录，因此显示“—”。")
