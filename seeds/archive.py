"""Demo archive: a storage location and the filed originals for each seeded signed deal (a few incomplete, a few
without a location), and five document loans of which two are overdue. Idempotent. FOR DEMONSTRATION ONLY."""
from __future__ import annotations

from datetime import timedelta

from app.archive.services import loan_number, originals
from app.archive.tables import ArchiveFile, ArchiveOriginal, DocumentLoan
from app.core.timeutil import now, today_local
from app.org.tables import Employee
from app.pipeline.tables import Deal

# (borrower, approver, item, original, days ago lent, days allowed, returned days ago or None, reason)
LOANS = [
    ("mortgage", "supervisor", "买卖合同原件", True, 20, 14, None, "银行面签核对合同原件"),  # overdue by 6 days
    ("bureau", "supervisor", "购房审核单", True, 12, 10, None, "房管局备案补件"),  # overdue by 2 days
    ("title", "dept_head", "认购书", False, 3, 7, None, "办证资料核对（复印件）"),
    ("contract2", "supervisor", "身份证明复印件", True, 2, 5, None, "客户更名咨询核对"),
    ("mortgage", "dept_head", "首付款收据", True, 15, 5, 11, "银行核对首付款"),  # returned
]


async def seed() -> None:
    from seeds import pipeline as pipeline_seed

    await pipeline_seed.seed()  # the archive describes the pipeline's deals (seed order is alphabetical)
    if await ArchiveFile.exists():
        return
    today = today_local()
    deals = await Deal.select(Deal.id, Deal.project.code, Deal.signed_on).where(
        Deal.signed_on.is_not_null() & Deal.stage.not_in(["已作废", "已退订"])).order_by(Deal.id)
    keeper = await Employee.select(Employee.name).where(Employee.user.username == "archive").first()
    by = keeper["name"] if keeper else "资料保管专员"
    ORIGINALS = await originals()  # noqa: N806 (the admin checklist, seeded by seeds/pipeline.py)
    for i, d in enumerate(deals):
        if i % 5 != 4:  # every fifth file still has no location
            await ArchiveFile.insert(ArchiveFile(deal=d["id"], cabinet=("A" if d["project.code"] == "JC01" else "B") + f"{1 + i // 12:02d}", shelf=str(1 + i % 4),
                                                 box=f"{i + 1:03d}", updated_at=now(), updated_by=by))
        missing = {ORIGINALS[4]} if i % 4 == 1 else ({ORIGINALS[2], ORIGINALS[3]} if i % 6 == 2 else set())
        await ArchiveOriginal.insert(*[ArchiveOriginal(deal=d["id"], name=n, filed_on=d["signed_on"] + timedelta(days=1), filed_by=by)
                                       for n in ORIGINALS if n not in missing])
    emp = {r["user.username"]: r["id"] for r in await Employee.select(Employee.id, Employee.user.username)}
    usable = [d for i, d in enumerate(deals) if i % 4 != 1 and i % 6 != 2][:len(LOANS)]
    for n, (d, (borrower, approver, item, original, ago, days, back, reason)) in enumerate(zip(usable, LOANS), start=1):
        out = today - timedelta(days=ago)
        loan = DocumentLoan(number=f"JY-TMP-SEED-{n}", deal=d["id"], item=item, original=original, borrower=emp[borrower], reason=reason,
                            approver=emp[approver], out_on=out, due_on=out + timedelta(days=days),
                            returned_on=today - timedelta(days=back) if back is not None else None, status="已归还" if back is not None else "借出",
                            recorded_by=by, created_at=now())
        await loan.save()
        await DocumentLoan.update({DocumentLoan.number: loan_number(out, loan.id)}).where(DocumentLoan.id == loan.id)
        if original and back is None:
            await ArchiveOriginal.update({ArchiveOriginal.loan: loan.id}).where(
                (ArchiveOriginal.deal == d["id"]) & (ArchiveOriginal.name == item))
