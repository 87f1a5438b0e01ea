"""Rule-version quizzes (SPEC §G 规章确认与培训): parsing the manager's text, grading, the pass mark inclusive."""
import pytest

from app.rules import quiz

pytestmark = pytest.mark.unit

TEXT = """客户投诉应在多长时间内回复？
A. 12 小时
*B. 24 小时
C. 3 天

交房时须核对什么？
*A、面积差
B、车位"""


def test_parse_and_round_trip():
    qs, err = quiz.parse(TEXT)
    assert err == "" and [(q.seq, q.correct, len(q.options)) for q in qs] == [(1, 2, 3), (2, 1, 2)]
    again, err = quiz.parse(quiz.to_text(qs))
    assert err == "" and [(q.question, q.options, q.correct) for q in again] == [(q.question, q.options, q.correct) for q in qs]


@pytest.mark.parametrize("text, msg", [
    ("", "请至少填写一道题"),
    ("问题\nA. 一", "至少需要 2 个选项"),
    ("问题\nA. 一\nB. 二", "请在正确选项前加 *"),
    ("问题\n*A. 一\n*B. 二", "只能有一个正确选项"),
    ("问题\nA. 一\n*C. 二", "顺序"),
    ("问题\nA. 一\nB. 二\nC. 三\nD. 四\n*E. 五", "不是选项"),
    ("问题\n*A. 一\nB. 二\nC. 三\nD. 四\nD. 五", "最多 4 个"),
    ("问题\n随便写的\n*A. 一", "不是选项"),
    ("A. 一\n*B. 二", "第一行应为题目"),
    ("\n\n".join(["问\n*A. 一\nB. 二"] * 21), "最多 20 道题"),
])
def test_parse_errors(text, msg):
    qs, err = quiz.parse(text)
    assert qs == [] and msg in err


def test_grade_pass_mark_inclusive_and_wrong_listed():
    qs = [quiz.Question(question=f"q{i}", options=["a", "b"], correct=1, id=100 + i, seq=i) for i in range(1, 6)]
    all_right = {q.id: "1" for q in qs}
    r = quiz.grade(qs, all_right, 80)
    assert (r.pct, r.passed, r.wrong) == (100, True, [])
    r = quiz.grade(qs, {**all_right, 105: "2"}, 80)  # 4/5 = 80 % → passes at 80
    assert (r.correct, r.pct, r.passed, r.wrong) == (4, 80, True, [5])
    r = quiz.grade(qs, {**all_right, 104: "x", 105: ""}, 80)  # garbage and blank count as wrong
    assert (r.pct, r.passed, r.wrong) == (60, False, [4, 5])
    r = quiz.grade(qs, {**all_right, 105: "2"}, 81)
    assert not r.passed
    assert not quiz.grade([], {}, 80).passed
