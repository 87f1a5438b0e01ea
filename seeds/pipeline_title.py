"""Demo data of A4/A7 beyond the demo deals (idempotent): a returned filing (退件补正), a 补件通知 sent (资料待补), fees
assessed but a balance still open (待缴税费), one owing nothing for the batch, one at the registry (审核中), and project JC01's 首次登记 70 days ago, so the
pre-registration's 90-day lapse is close for the units not yet submitted."""
from __future__ import annotations

from datetime import timedelta

from app.core.timeutil import today_local
from app.estate.tables import Project
from app.pipeline import services
from app.pipeline.tables import Deal, DealDocument
from app.pipeline.tables_title import FirstRegistration
from app.core.fields import FormValues
from seeds.pipeline import _user


async def seed() -> None:
    if await FirstRegistration.exists():
        return
    today = today_local()
    project = await Project.select(Project.id).where(Project.code == "JC01").first()
    if not project:
        return
    await FirstRegistration.insert(FirstRegistration(project=project["id"], registered_on=today - timedelta(days=70), cert_no="苏(2026)首登第0001号",
                                                     note="一期"))
    bureau, title = await _user("bureau"), await _user("title")
    jc01 = Deal.project == project["id"]
    # 退件补正: the oldest signed contract not yet filed
    d = await Deal.select(Deal.id, Deal.signed_on).where(jc01 & (Deal.filing_status == "待备案") & (Deal.stage == "已签约")).order_by(Deal.signed_on).first()
    if d:
        contract = await _user("contract")
        on = min(today, d["signed_on"] + timedelta(days=2))
        await services.filing_step(contract, d["id"], "prepare", FormValues(on=on.isoformat()))
        await DealDocument.update({DealDocument.received_on: on}).where((DealDocument.deal == d["id"]) & (DealDocument.stage == "备案"))
        await services.filing_step(bureau, d["id"], "submit", FormValues(acceptance_no=f"BS-R{d['id']}", on=on.isoformat()))
        await services.filing_step(bureau, d["id"], "returned", FormValues(reason="备案申请表缺买受人签字，预售证复印件未盖章", on=today.isoformat()))
    # the one with the largest area difference owed (待缴税费, blocked until finance records it) and another (资料待补)
    owing = await Deal.select(Deal.id).where((Deal.title_status == "资料收集中") & (Deal.stage == "已交付")).order_by(
        Deal.area_amount, ascending=False).first()
    others = await Deal.select(Deal.id).where((Deal.title_status == "资料收集中") & (Deal.stage == "已交付")
                                              & (Deal.id != (owing["id"] if owing else 0))).order_by(Deal.id).limit(1)
    collecting = others + ([owing] if owing else [])
    if collecting:  # 资料待补: two documents still missing, the 补件通知 sent
        docs = await DealDocument.select(DealDocument.id).where((DealDocument.deal == collecting[0]["id"]) & (DealDocument.stage == "产权证")).order_by(DealDocument.id)
        await DealDocument.update({DealDocument.received_on: today}).where(DealDocument.id.is_in([x["id"] for x in docs[2:]] or [0]))
        await services.title_step(title, collecting[0]["id"], "missing", FormValues(note="", on=today.isoformat()))
    if len(collecting) > 1:  # 待缴税费: documents complete, fees assessed; any 面积差 left open blocks the submission
        await DealDocument.update({DealDocument.received_on: today}).where((DealDocument.deal == collecting[1]["id"]) & (DealDocument.stage == "产权证"))
        await services.title_step(title, collecting[1]["id"], "complete", FormValues())
        await services.title_step(title, collecting[1]["id"], "fees", FormValues(home_count="首套", copies="3"))
    # one more, owing nothing, ready for the batch submission (办证批量递交)
    ready = await Deal.select(Deal.id).where((Deal.title_status == "资料收集中") & (Deal.stage == "已交付")).order_by(Deal.id).first()
    if ready and not (await services.unpaid_of([ready["id"]])).get(ready["id"]):
        await DealDocument.update({DealDocument.received_on: today}).where((DealDocument.deal == ready["id"]) & (DealDocument.stage == "产权证"))
        await services.title_step(title, ready["id"], "complete", FormValues())
        await services.title_step(title, ready["id"], "fees", FormValues(home_count="首套", copies="1"))
    sub = await Deal.select(Deal.id).where(Deal.title_status == "已递交").order_by(Deal.id).first()
    if sub:  # 审核中 at the registry
        await services.title_step(title, sub["id"], "review", FormValues(on=today.isoformat()))
