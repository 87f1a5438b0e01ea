"""Quizzes on rule versions (SPEC §G 规章确认与培训): the rules manager writes a short quiz as plain text; passing it
(score ≥ the pass mark, a setting) is the acknowledgement of the version. Pure functions: parsing and grading.

The text: questions separated by a blank line; a question's first line is its text, each further line an option
"A. …" to "D. …" (2–4 of them), the correct one marked with a leading "*":

    客户投诉应在多长时间内回复？
    A. 12 小时
    *B. 24 小时
    C. 3 天
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core import keyvalues

MAX_QUESTIONS = 20
MAX_QUESTION_LEN = 500
MAX_OPTION_LEN = 200
LETTERS = "ABCD"
OPTION_RE = re.compile(r"^(\*?)\s*([A-Da-d])\s*[.．、)）:：]\s*(.+)$")
BASIS = "[C] 规章确认与培训（SPEC §G）：附有测验的规章版本，测验通过即视为确认阅读"

DEFAULTS: dict[str, tuple[str, int, str]] = {
    "quiz_pass_pct": ("规章测验及格线（%，达到即通过并确认阅读）", 80, "C"),
}


@dataclass
class Question:
    question: str
    options: list[str]
    correct: int  # 1-based
    id: int = 0
    seq: int = 0


@dataclass
class Result:
    correct: int
    total: int
    pct: int
    passed: bool
    wrong: list[int] = field(default_factory=list)  # question numbers (seq), 1-based
    pass_pct: int = 80


def parse(text: str) -> tuple[list[Question], str]:
    """The questions, or an error message in Chinese (the first problem found)."""
    blocks = [b for b in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip()) if b.strip()]
    if not blocks:
        return [], "请至少填写一道题"
    if len(blocks) > MAX_QUESTIONS:
        return [], f"测验最多 {MAX_QUESTIONS} 道题"
    out: list[Question] = []
    for n, block in enumerate(blocks, 1):
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        q = lines[0]
        if OPTION_RE.match(q):
            return [], f"第 {n} 题：第一行应为题目，不是选项"
        if len(q) > MAX_QUESTION_LEN:
            return [], f"第 {n} 题：题目最多 {MAX_QUESTION_LEN} 个字"
        options: list[str] = []
        correct = 0
        for ln in lines[1:]:
            m = OPTION_RE.match(ln)
            if not m:
                return [], f"第 {n} 题：「{ln[:30]}」不是选项（格式：A. 选项内容，正确选项前加 *）"
            if len(options) >= 4 or m.group(2).upper() != LETTERS[len(options)]:
                return [], f"第 {n} 题：选项应按 A、B、C、D 顺序，最多 4 个"
            if len(m.group(3)) > MAX_OPTION_LEN:
                return [], f"第 {n} 题：选项最多 {MAX_OPTION_LEN} 个字"
            options.append(m.group(3).strip())
            if m.group(1):
                if correct:
                    return [], f"第 {n} 题：只能有一个正确选项"
                correct = len(options)
        if len(options) < 2:
            return [], f"第 {n} 题：至少需要 2 个选项"
        if not correct:
            return [], f"第 {n} 题：请在正确选项前加 *"
        out.append(Question(question=q, options=options, correct=correct, seq=n))
    return out, ""


def to_text(questions: list[Question]) -> str:
    return "\n\n".join(q.question + "".join(f"\n{'*' if i == q.correct else ''}{LETTERS[i - 1]}. {o}" for i, o in enumerate(q.options, 1))
                       for q in questions)


def grade(questions: list[Question], answers: dict[int, str], pass_pct: int) -> Result:
    """answers: {question id: the chosen option as submitted ("1"–"4")}; a missing or garbage answer counts as wrong.
    The score is rounded down to a whole percent; passed when it reaches the pass mark."""
    wrong = [q.seq for q in questions if (answers.get(q.id) or "").strip() != str(q.correct)]
    total = len(questions)
    correct = total - len(wrong)
    pct = correct * 100 // total if total else 0
    return Result(correct=correct, total=total, pct=pct, passed=bool(total) and pct >= pass_pct, wrong=wrong, pass_pct=pass_pct)


async def pass_pct() -> int:
    from app.rules.tables import RuleSetting

    v = (await keyvalues.read(RuleSetting, DEFAULTS, minimum=1))["quiz_pass_pct"]
    return min(v, 100)


async def seed() -> int:
    from app.rules.tables import RuleSetting

    return await keyvalues.seed(RuleSetting, DEFAULTS)
