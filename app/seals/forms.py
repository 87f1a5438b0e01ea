"""用章 form: parse and validate with Chinese messages per field (batch lines numbered), save, load."""
from __future__ import annotations

import re
from typing import Any

from app.core.fields import Parser, ascii_digits, pick_id
from app.core.timeutil import now
from app.seals import services
from app.seals.services import local_input, parse_local_datetime
from app.seals.tables import SealUse, SealUseLine
from app.workflow.definitions import FormResult

DOC_KINDS = ["合同/协议", "对外承诺/担保", "证明/介绍信", "报告/函件", "其他"]
CONTRACT_KIND = "合同/协议"
MAX_BATCH_LINES = 200
MAX_COPIES = 500  # per line and per single document
_SEPARATORS = re.compile(r"[,，、\t;；]+|\s+")


def parse_batch(text: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Batch mode lines "合同编号,份数" (comma, Chinese comma, tab or spaces). Returns the lines and the messages,
    each naming its line number; blank lines are skipped."""
    lines: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate((text or "").splitlines(), start=1):
        row = raw.strip()
        if not row:
            continue
        parts = [p for p in _SEPARATORS.split(row) if p]
        if len(parts) != 2:
            errors.append(f"第 {n} 行：格式应为“合同编号,份数”")
            continue
        contract_no, copies_raw = parts
        if len(contract_no) > 50:
            errors.append(f"第 {n} 行：合同编号最多 50 个字符")
            continue
        if not ascii_digits(copies_raw) or len(copies_raw) > 6 or not (1 <= int(copies_raw) <= MAX_COPIES):
            errors.append(f"第 {n} 行：份数应为 1–{MAX_COPIES} 的整数")
            continue
        if contract_no in seen:
            errors.append(f"第 {n} 行：合同编号 {contract_no} 与第 {seen[contract_no]} 行重复")
            continue
        seen[contract_no] = n
        lines.append({"contract_no": contract_no, "copies": int(copies_raw)})
    if not lines and not errors:
        errors.append("批量用印请至少填写一行“合同编号,份数”")
    elif len(lines) + len(errors) > MAX_BATCH_LINES:
        errors.insert(0, f"一次最多 {MAX_BATCH_LINES} 份合同，请分批申请")
    return lines, errors




class SealForm:
    fields_template = "seals/_seal_fields.html"
    detail_template = "seals/_seal_detail.html"

    async def context(self, user) -> dict[str, Any]:
        seals = await services.active_seals()
        return {
            "seals": [(str(s["id"]), f"{s['name']}（{s['kind']} · {s['keeper_dept']}保管）") for s in seals],
            "doc_kinds": DOC_KINDS,
            "people": [(v, t) for v, t in await services.employee_choices() if v != str(user.employee_id)],
        }

    async def parse(self, values, user, request_id: int | None) -> FormResult:
        p = Parser(values)
        seal_id = pick_id(p, "seal", "印章")
        seal = await services.seal(seal_id) if seal_id else None
        if seal_id and not seal:
            p.fail("seal", "印章不存在")
        elif seal and not seal["active"]:
            p.fail("seal", "该印章已停用，不能申请使用")
        doc_kind = p.choice("doc_kind", "文件类别", DOC_KINDS)
        document = p.text("document", "文件名称", max_len=200)
        purpose = p.text("purpose", "用印事由", max_len=500)
        counterparty = p.text("counterparty", "对方单位", required=False, max_len=100)
        external = p.flag("external")
        batch = p.flag("batch")
        lines: list[dict[str, Any]] = []
        if batch:
            lines, line_errors = parse_batch(p.raw("batch_lines"))
            if line_errors:
                shown = line_errors[:5] + ([f"……另有 {len(line_errors) - 5} 处错误"] if len(line_errors) > 5 else [])
                p.fail("batch_lines", "；".join(shown))
            copies = sum(line["copies"] for line in lines)
        else:
            copies = p.integer("copies", "用印份数", minimum=1, maximum=MAX_COPIES) or 0
        if (external or doc_kind == "对外承诺/担保" or doc_kind == CONTRACT_KIND) and not counterparty:
            p.fail("counterparty", "合同或对外承诺须填写对方单位")
        take_out = p.flag("take_out")
        planned_return = None
        companion_id = None
        if take_out:
            raw = p.raw("planned_return")
            if not raw:
                p.fail("planned_return", "印章外带须填写预计归还时间")
            else:
                try:
                    planned_return = parse_local_datetime(raw)
                except ValueError as e:
                    p.fail("planned_return", f"预计归还时间：{e}")
                else:
                    if planned_return <= now():
                        p.fail("planned_return", "预计归还时间应晚于现在")
            companion_id = pick_id(p, "companion", "同行人", required=False)
            if not companion_id and "companion" not in p.errors:
                p.fail("companion", "印章外带须两人同行，请选择同行人")
            elif companion_id:
                if companion_id == user.employee_id:
                    p.fail("companion", "同行人不能是申请人本人")
                elif not await services.active_employee(companion_id):
                    p.fail("companion", "请选择在职员工作为同行人")
        if batch and lines and not user.all_projects:  # batch stamping of sale contracts: only contracts in the applicant's scope
            from app.pipeline.tables import Deal

            foreign = {r["contract_no"] for r in await Deal.select(Deal.contract_no).where(
                Deal.contract_no.is_in([ln["contract_no"] for ln in lines]) & Deal.project.not_in(list(user.project_ids) or [0]))}
            bad = [f"第 {i} 行：合同 {ln['contract_no']} 不在您的数据范围内" for i, ln in enumerate(lines, 1) if ln["contract_no"] in foreign]
            if bad:
                p.fail("batch_lines", "；".join(bad[:5]))
        if not p.flag("content_complete"):
            p.fail("content_complete", "空白文件不得用印：请确认文件内容已填写完整后勾选")
        is_contract = batch or doc_kind == CONTRACT_KIND
        cleaned = {
            "seal": seal_id, "seal_name": seal["name"] if seal else "", "kind": seal["kind"] if seal else "",
            "keeper_dept": seal["keeper_dept"] if seal else "", "doc_kind": doc_kind, "document": document, "copies": copies,
            "purpose": purpose, "counterparty": counterparty, "external": external or doc_kind == "对外承诺/担保",
            "is_contract": is_contract, "batch": batch, "lines": lines, "take_out": take_out, "planned_return": planned_return,
            "companion": companion_id,
        }
        label = f"（批量 {len(lines)} 份合同）" if batch else ""
        title = f"用章{label}：{cleaned['seal_name']}《{document[:40]}》"
        return FormResult(errors=p.errors, cleaned=cleaned, title=title, amount=None)

    async def save(self, request_id: int, cleaned: dict, user) -> None:
        await SealUseLine.delete().where(SealUseLine.request == request_id)
        await SealUse.delete().where(SealUse.request == request_id)
        await SealUse.insert(SealUse(
            request=request_id, seal=cleaned["seal"], doc_kind=cleaned["doc_kind"], document=cleaned["document"], copies=cleaned["copies"],
            purpose=cleaned["purpose"], counterparty=cleaned["counterparty"], external=cleaned["external"], batch=cleaned["batch"],
            take_out=cleaned["take_out"], planned_return=cleaned["planned_return"], companion=cleaned["companion"], content_complete=True,
        ))
        if cleaned["lines"]:
            await SealUseLine.insert(*[SealUseLine(request=request_id, line_no=i + 1, contract_no=line["contract_no"], copies=line["copies"])
                                       for i, line in enumerate(cleaned["lines"])])

    async def load(self, request_id: int) -> dict:
        use = await SealUse.select(SealUse.all_columns(), SealUse.seal.name, SealUse.seal.kind, SealUse.seal.keeper_dept,
                                   SealUse.companion.name).where(SealUse.request == request_id).first() or {}
        lines = await SealUseLine.select().where(SealUseLine.request == request_id).order_by(SealUseLine.line_no)
        logs = await services.logs_of_request(request_id)
        flag = lambda k: "1" if use.get(k) else ""  # noqa: E731
        values = {
            "seal": str(use.get("seal") or ""), "doc_kind": use.get("doc_kind", ""), "document": use.get("document", ""),
            "copies": "" if use.get("batch") else str(use.get("copies") or ""), "purpose": use.get("purpose", ""),
            "counterparty": use.get("counterparty", ""), "external": flag("external"), "batch": flag("batch"),
            "batch_lines": "\n".join(f"{line['contract_no']},{line['copies']}" for line in lines), "take_out": flag("take_out"),
            "planned_return": local_input(use.get("planned_return")), "companion": str(use.get("companion") or ""),
            "content_complete": "",  # confirmed again on every submission
        }
        return {"use": use, "lines": lines, "logs": logs, "form_values": values}
