"""The archive's two lists as ledgers: 资料完整性 (per signed deal: checklist + originals, complete/missing, location)
and 资料借阅登记 (the borrow/return register, SPEC §B). Both page, filter, sort and export like the pipeline ledgers."""
from __future__ import annotations

from typing import Any

from app.archive import services
from app.archive.tables import DocumentLoan
from app.core.listing import Col, Filter, Listing
from app.core.timeutil import today_local
from app.ledgers.base import Ledger, XCol, clause_filter, project_choices, scope_on, unit_label
from app.pipeline.tables import Deal


async def _loans(rows: list[dict[str, Any]], user) -> None:
    today = today_local()
    for r in rows:
        r["deal_id"] = r.get("deal")
        r["project_name"] = r.get("deal.project.name")
        r["unit_label"] = unit_label(r, "deal.")
        r["buyer_name"] = r.get("deal.buyer.name")
        r["contract"] = r.get("deal.contract_no") or r.get("deal.number")
        r["kind"] = "原件" if r.get("original") else "复印件"
        r["borrower_name"] = r.get("borrower.name")
        r["approver_name"] = r.get("approver.name") or ""
        r["overdue_days"] = (today - r["due_on"]).days if r.get("status") == services.OUT and r["due_on"] < today else None
        r["state"] = "逾期" if r["overdue_days"] else r.get("status")


LOANS = Ledger(
    code="loans", title="资料借阅登记", clause="§B 资料借阅登记；§G 保密：借阅业主档案须经批准",
    description="资料保管专员登记每次借阅：借阅人、资料、事由、批准人、借出/应还/归还日期、原件或复印件。原件归还前不能再次借出。",
    listing=Listing(
        table=DocumentLoan,
        select=[DocumentLoan.id, DocumentLoan.number, DocumentLoan.deal, DocumentLoan.deal.number, DocumentLoan.deal.contract_no,
                DocumentLoan.deal.project.name, DocumentLoan.deal.unit.building.name, DocumentLoan.deal.unit.room_no, DocumentLoan.deal.buyer.name,
                DocumentLoan.item, DocumentLoan.original, DocumentLoan.borrower.name, DocumentLoan.reason, DocumentLoan.approver.name,
                DocumentLoan.out_on, DocumentLoan.due_on, DocumentLoan.returned_on, DocumentLoan.status],
        columns=[
            Col("number", "借阅单号", sort=DocumentLoan.number, link="/archive/deals/{deal_id}", testid="loan-link"),
            Col("project_name", "项目", sort=DocumentLoan.deal.project.name),
            Col("unit_label", "房号", sort=DocumentLoan.deal.unit),
            Col("buyer_name", "客户", sort=DocumentLoan.deal.buyer.name),
            Col("item", "资料", sort=DocumentLoan.item),
            Col("kind", "原件/复印件", sort=DocumentLoan.original),
            Col("borrower_name", "借阅人", sort=DocumentLoan.borrower.name),
            Col("reason", "事由"),
            Col("approver_name", "批准人", sort=DocumentLoan.approver.name),
            Col("out_on", "借出日期", sort=DocumentLoan.out_on, fmt="date"),
            Col("due_on", "应还日期", sort=DocumentLoan.due_on, fmt="date"),
            Col("returned_on", "归还日期", sort=DocumentLoan.returned_on, fmt="date"),
            Col("overdue_days", "逾期天数"),
            Col("state", "状态", fmt="badge"),
        ],
        filters=[
            Filter("project", "项目", "select", columns=[DocumentLoan.deal.project], choices=project_choices),
            clause_filter("status", "状态", [
                ("借出", "借出中", lambda: DocumentLoan.status == services.OUT),
                ("逾期", "逾期未还", lambda: (DocumentLoan.status == services.OUT) & (DocumentLoan.due_on < today_local())),
                ("已归还", "已归还", lambda: DocumentLoan.status == services.RETURNED),
            ]),
            Filter("kind", "原件/复印件", "select", columns=[DocumentLoan.original], choices=[("1", "原件"), ("0", "复印件")]),
            Filter("out_from", "借出日期从", "date_from", columns=[DocumentLoan.out_on]),
            Filter("out_to", "借出日期至", "date_to", columns=[DocumentLoan.out_on]),
            Filter("q", "单号/借阅人/房号", "text", columns=[DocumentLoan.number, DocumentLoan.borrower.name, DocumentLoan.deal.unit.room_no,
                                                        DocumentLoan.deal.contract_no], placeholder="借阅单号、借阅人、房号或合同编号"),
        ],
        default_sort="out_on", default_desc=True, base_url="/archive/loans", target_id="ledger-list", scope=scope_on(DocumentLoan.deal.project),
    ),
    export_columns=[
        XCol("number", "借阅单号", width=18), XCol("contract", "合同编号", width=18), XCol("project_name", "项目", width=16),
        XCol("unit_label", "房号", width=12), XCol("buyer_name", "客户", width=10), XCol("item", "资料", width=14), XCol("kind", "原件/复印件", width=10),
        XCol("borrower_name", "借阅人", width=10), XCol("reason", "事由", width=24), XCol("approver_name", "批准人", width=10),
        XCol("out_on", "借出日期", "date", 12), XCol("due_on", "应还日期", "date", 12), XCol("returned_on", "归还日期", "date", 12),
        XCol("overdue_days", "逾期天数", "int", 9), XCol("state", "状态", width=8),
    ],
    decorate=_loans,
    sensitive=(),
)


async def _files(rows: list[dict[str, Any]], user) -> None:
    info = await services.completeness([r["id"] for r in rows])
    for r in rows:
        r["deal_id"] = r["id"]
        r["project_name"] = r.get("project.name")
        r["unit_label"] = unit_label(r)
        r["buyer_name"] = r.get("buyer.name")
        r["contract"] = r.get("contract_no") or r.get("number")
        e = info[r["id"]]
        r.update(e)
        r["docs_text"] = f"{e['docs_received']} / {e['docs_total']}"
        r["originals_text"] = f"{e['originals_filed']} / {e['originals_total']}" + (f"（借出 {e['originals_out']}）" if e["originals_out"] else "")
        r["state"] = "齐全" if e["missing"] == 0 else "不全"


FILES = Ledger(
    code="files", title="资料完整性", clause="§B 部门资料；71p 3.5 资料收集与归档",
    description="每套已签约房源的档案：各环节资料清单（签约、按揭、产权证）已收份数，固定原件（认购书、买卖合同原件等）归档份数，缺失项数和存放位置。",
    listing=Listing(
        table=Deal,
        select=[Deal.id, Deal.unit, Deal.number, Deal.contract_no, Deal.project.name, Deal.unit.building.name, Deal.unit.room_no,
                Deal.buyer.name, Deal.stage, Deal.signed_on],
        columns=[
            Col("unit_label", "房号", sort=Deal.unit, link="/archive/deals/{deal_id}", testid="file-link"),
            Col("project_name", "项目", sort=Deal.project.name),
            Col("contract", "合同编号", sort=Deal.contract_no),
            Col("buyer_name", "买受人", sort=Deal.buyer.name),
            Col("stage", "交易状态", fmt="badge"),
            Col("docs_text", "清单资料 已收/应收"),
            Col("originals_text", "原件 已归档/应归档"),
            Col("complete", "齐全项"),
            Col("missing", "缺失项"),
            Col("location", "存放位置"),
            Col("state", "完整性", fmt="badge"),
        ],
        filters=[
            Filter("project", "项目", "select", columns=[Deal.project], choices=project_choices),
            clause_filter("state", "完整性", [
                ("不全", "资料不全", services.incomplete_clause),
                ("齐全", "资料齐全", services.complete_clause),
                ("无位置", "未登记存放位置", services.no_location_clause),
            ]),
            Filter("stage", "交易状态", "select", columns=[Deal.stage], choices=[(s, s) for s in ("已签约", "已备案", "已交付", "已办证")]),
            Filter("q", "房号/合同编号/客户", "text", columns=[Deal.unit.room_no, Deal.contract_no, Deal.buyer.name],
                   placeholder="房号、合同编号或客户姓名"),
        ],
        default_sort="unit_label", base_url="/archive", target_id="ledger-list", scope=scope_on(Deal.project),
        extra_where=(Deal.signed_on.is_not_null(), Deal.stage.not_in(list(services.CLOSED))),
    ),
    export_columns=[
        XCol("contract", "合同编号", width=18), XCol("project_name", "项目", width=16), XCol("unit_label", "房号", width=12),
        XCol("buyer_name", "买受人", width=10), XCol("stage", "交易状态", width=9), XCol("docs_received", "清单资料已收", "int", 11),
        XCol("docs_total", "清单资料应收", "int", 11), XCol("originals_filed", "原件已归档", "int", 10), XCol("originals_total", "原件应归档", "int", 10),
        XCol("originals_out", "原件借出中", "int", 10), XCol("missing", "缺失项", "int", 8), XCol("location", "存放位置", width=16),
        XCol("state", "完整性", width=8),
    ],
    decorate=_files,
    sensitive=(),
)
