"""招聘 → 入职 demo data (SPEC §E12): the settings with their defaults, the approved headcount (编制) of every position
of the demo companies (as many as are employed now, two more 合同专员 in 锦程地产), and the two rules-library documents
a new employee acknowledges at first sign-in: 保密承诺书 and 新员工入职培训. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from app.hr_recruit import settings
from app.hr_recruit.tables import Headcount
from app.org.tables import Employee
from app.rules.tables import RuleClause, RuleDocument, RuleVersion

PUBLISHED = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)

DOCUMENTS = (
    ("hr-pledge", "保密承诺书", True, "依据《劳动合同法》第二十三条", (
        ("h1", "", True, "保密承诺书"),
        ("p1", "一、", False, "本人自入职之日起，对在工作中知悉的公司商业秘密和客户信息（包括但不限于客户姓名、身份证号、联系方式、购房合同、按揭资料、价格与优惠政策）负有保密义务。"),
        ("p2", "二、", False, "未经授权，不得复制、拍照、外传或在工作以外使用上述信息；不得通过个人社交账号、网盘传递客户资料。"),
        ("p3", "三、", False, "离职时应交还全部资料、证件、钥匙和账号，离职后仍须履行保密义务。"),
        ("p4", "四、", False, "违反本承诺给公司或客户造成损失的，依法承担赔偿责任（《劳动合同法》第二十三条、第九十条）。"),
    )),
    ("hr-induction", "新员工入职培训", True, "客服部新员工入职培训须知 [S 1.11]", (
        ("h1", "", True, "新员工入职培训须知"),
        ("p1", "一、", False, "新员工须参加入职培训，学习《客服部管理制度》、岗位职责、服务规范和本门户的使用方法。"),
        ("p2", "二、", False, "入职培训内容包括：部门组织架构与岗位职责、客户接待与投诉处理规范、签约/按揭/交房流程、保密与信息安全要求、考勤与请假制度。"),
        ("p3", "三、", False, "培训结束后由直属上级安排带教，试用期内的工作表现作为转正评估依据。"),
    )),
)


async def _documents() -> None:
    top = await RuleDocument.select(RuleDocument.sort).order_by(RuleDocument.sort, ascending=False).first()
    sort = (top["sort"] if top else 0) + 1
    for i, (code, title, requires_ack, source, clauses) in enumerate(DOCUMENTS):
        if await RuleDocument.exists().where(RuleDocument.code == code):
            continue
        d = RuleDocument(code=code, title=title, source=source, requires_ack=requires_ack, sort=sort + i,
                         summary="新员工首次登录时须阅读确认")
        await d.save()
        v = RuleVersion(document=d.id, version_no=1, effective_on=date(2026, 1, 5), change_note="初始版本", is_current=True,
                        published_at=PUBLISHED)
        await v.save()
        await RuleClause.insert(*[RuleClause(version=v.id, seq=n, anchor=a, number=num, is_heading=h, text=t)
                                  for n, (a, num, h, t) in enumerate(clauses)])


async def _headcount() -> None:
    if await Headcount.exists():
        return
    counts: dict[tuple[int, int], int] = {}
    open_post: tuple[int, int] | None = None  # two more 合同专员 in 锦程地产: the demo's open posts
    for r in await Employee.select(Employee.company, Employee.position, Employee.position.role.as_alias("role"),
                                   Employee.company.short_name.as_alias("short")).where(Employee.active == True):  # noqa: E712
        key = (r["company"], r["position"])
        counts[key] = counts.get(key, 0) + 1
        if r["role"] == "contract" and r["short"] == "锦程地产":
            open_post = key
    rows = [Headcount(company=c, position=p, approved=n + (2 if (c, p) == open_post else 0),
                      note="演示：尚有 2 个空缺" if (c, p) == open_post else "") for (c, p), n in counts.items()]
    if rows:
        await Headcount.insert(*rows)


async def _recruitment() -> None:
    """One 用人申请 for a 合同专员 approved through its chain, a candidate ready for the 录用审批 (one interview, background
    check passed, 面试审批 approved) and one still being interviewed."""
    from app.core.fields import FormValues
    from app.core.timeutil import today_local
    from app.core.validators import id_check_char
    from app.hr_recruit import services
    from app.hr_recruit.flows import INTERVIEW, STAFFING
    from app.hr_recruit.tables import Staffing
    from app.org.tables import Position
    from app.workflow import engine
    from seeds.ledgers import _approve_all
    from seeds.pipeline import _user

    if await Staffing.exists():
        return
    pos = await Position.select(Position.id).where(Position.role == "contract").order_by(Position.id).first()
    if pos is None:
        return
    head = await _user("dept_head")
    today = today_local()
    result = await STAFFING.form.parse(FormValues(position=str(pos["id"]), headcount="1", requirements="大专及以上，熟悉网签备案和按揭流程（演示数据）",
                                                  start_on=(today + timedelta(days=30)).isoformat(), reason="签约高峰期合同专员不足（演示数据）"),
                                       head, None)
    if result.errors:
        return
    req = await engine.submit(head, STAFFING, result)
    await _approve_all(req["id"])
    st = await Staffing.select(Staffing.id).where(Staffing.request == req["id"]).first()
    hr = await _user("hr")
    interviewer = (await Employee.select(Employee.id).where(Employee.user.username == "supervisor").first())["id"]
    for i, (name, mobile, ready) in enumerate((("周晓", "13912345601", True), ("吴楠", "13912345602", False))):
        first17 = f"32050619950{i + 1}15001"
        cid = await services.add_candidate(hr, st["id"], name, mobile, first17 + id_check_char(first17))
        await services.add_interview(hr, st["id"], cid, 85 - 10 * i, interviewer, today - timedelta(days=3), "沟通表达清楚（演示数据）")
        if ready:
            await services.record_background(hr, st["id"], cid, "通过", "原单位核实无误（演示数据）", today - timedelta(days=1))
            review = await INTERVIEW.form.parse(FormValues(candidate=str(cid)), hr, None)
            if not review.errors:
                await _approve_all((await engine.submit(hr, INTERVIEW, review))["id"])


async def seed() -> None:
    await settings.seed()
    await _documents()
    await _headcount()
    await _recruitment()
