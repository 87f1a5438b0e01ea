"""The unsafe routes of the app, read from its route table, with their path parameters filled from the demo data.

Every `{x:int}` parameter is filled with the id of a real record of the type the route names (the first by id, or one
belonging to the record of an earlier parameter where the path nests them); string parameters get a value the route
accepts. So a route whose guard or CSRF check disappears runs its handler against a real record, and the row counts
(one UNION ALL query over every table) show a write.

Mapping (parameter → record):
  deal_id → pl_deal (a signed deal of JC01) · unit_id → unit of that deal · buyer_id → its buyer
  doc_id → a pl_deal_document of that deal · step_id → a pl_void_step (of its deal when there is one)
  request_id → wf_request (/assets/disposals/…: the request of an asset disposal) · task_id → a pending wf_task
  case_id → care_case (/care/cases/{id}/repair/…: a case with a repair) · call_id → call record · inv_id → invitation
  qid → questionnaire · question_id → a question of that questionnaire · swap_id/shift_id/handover_id → duty rows
  advance_id → finance advance · holding_id → durable holding · booking_id → vehicle booking · log_id → seal log
  upgrade_id → permit upgrade · item_id → an item of that upgrade · tender_id → property tender
  kind/record_id → permits kind "presale" and a presale permit · plan_id → inspection plan
  defect_id → pl_inspection_defect (/pipeline/issues/…) or pl_defect (/pipeline/defects/…) · batch_id → release batch
  building_id → building · outage_id → outage · loan_id → archive document loan · attachment_id → an attachment
  view_id → a saved list view · version_id → a rule version · note_id → a notification · delegation_id → a delegation
  owner_code/owner_id → "pl_unit" and the unit · code → "expense" (workflow), the rule's code (rules), the first
  action code (permits) · action/step → the first action the handler knows (care ACTIONS, repair STEPS, "submit").
A table with no row in the demo data falls back to id 1 (the route still matches; the guard and CSRF answer first).
"""
from __future__ import annotations

import re

from litestar.handlers import HTTPRouteHandler
from piccolo.conf.apps import Finder

from app.core.guards import GUARD_MARK

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
_PARAM = re.compile(r"\{(\w+):(\w+)\}")


def unsafe_routes(app) -> list[tuple[str, str, tuple[str, ...]]]:
    """(method, path template, guard marks) of every unsafe route handler."""
    out = set()
    for route in app.routes:
        for h in getattr(route, "route_handlers", []):
            if not isinstance(h, HTTPRouteHandler):
                continue
            marks = tuple(m for layer in h.ownership_layers for g in (layer.guards or []) for m in getattr(g, GUARD_MARK, ()))
            for method in sorted(set(h.http_methods) & UNSAFE):
                out.add((method, route.path, marks))
    return sorted(out)


async def _first(sql: str, *args) -> int | None:
    from app.core.tables import AuditLog

    rows = await AuditLog.raw(sql, *args)
    return rows[0]["id"] if rows else None


async def record_ids() -> dict[str, object]:
    """One real record per parameter name (see the module docstring)."""
    from app.care.routes import ACTIONS
    from app.repairs.services import STEPS

    q = _first
    ids: dict[str, object] = {}
    ids["deal_id"] = await q("SELECT d.id FROM pl_deal d JOIN project p ON p.id = d.project "
                             "WHERE p.code = 'JC01' AND d.stage = '已签约' ORDER BY d.id LIMIT 1")
    deal = ids["deal_id"]
    ids["unit_id"] = await q("SELECT unit AS id FROM pl_deal WHERE id = {}", deal)
    ids["buyer_id"] = await q("SELECT buyer AS id FROM pl_deal WHERE id = {}", deal)
    ids["doc_id"] = await q("SELECT id FROM pl_deal_document WHERE deal = {} ORDER BY id LIMIT 1", deal)
    ids["step_id"] = await q("SELECT id FROM pl_void_step ORDER BY id LIMIT 1")
    ids["request_id"] = await q("SELECT id FROM wf_request ORDER BY id LIMIT 1")
    ids["disposal_request_id"] = await q("SELECT request AS id FROM asset_disposal ORDER BY id LIMIT 1")
    ids["task_id"] = await q("SELECT id FROM wf_task WHERE status = '待处理' ORDER BY id LIMIT 1")
    ids["case_id"] = await q("SELECT id FROM care_case ORDER BY id LIMIT 1")
    ids["repair_case_id"] = await q("SELECT \"case\" AS id FROM care_repair ORDER BY id LIMIT 1")
    ids["call_id"] = await q("SELECT id FROM call_record ORDER BY id LIMIT 1")
    ids["inv_id"] = await q("SELECT id FROM sv_invitation ORDER BY id LIMIT 1")
    ids["qid"] = await q("SELECT questionnaire AS id FROM sv_question ORDER BY id LIMIT 1")
    ids["question_id"] = await q("SELECT id FROM sv_question WHERE questionnaire = {} ORDER BY id LIMIT 1", ids["qid"] or 0)
    ids["swap_id"] = await q("SELECT id FROM duty_swap ORDER BY id LIMIT 1")
    ids["shift_id"] = await q("SELECT id FROM duty_shift ORDER BY id LIMIT 1")
    ids["handover_id"] = await q("SELECT id FROM duty_handover ORDER BY id LIMIT 1")
    ids["advance_id"] = await q("SELECT id FROM fin_advance ORDER BY id LIMIT 1")
    ids["holding_id"] = await q("SELECT id FROM office_durable ORDER BY id LIMIT 1")
    ids["booking_id"] = await q("SELECT id FROM office_booking ORDER BY id LIMIT 1")
    ids["log_id"] = await q("SELECT id FROM seal_log ORDER BY id LIMIT 1")
    ids["upgrade_id"] = await q("SELECT id FROM permit_upgrade ORDER BY id LIMIT 1")
    ids["item_id"] = await q("SELECT id FROM permit_upgrade_item WHERE upgrade = {} ORDER BY id LIMIT 1", ids["upgrade_id"] or 0)
    ids["tender_id"] = await q("SELECT id FROM permit_tender ORDER BY id LIMIT 1")
    ids["record_id"] = await q("SELECT id FROM permit_presale ORDER BY id LIMIT 1")
    ids["plan_id"] = await q("SELECT id FROM pl_inspection_plan ORDER BY id LIMIT 1")
    ids["issue_defect_id"] = await q("SELECT id FROM pl_inspection_defect ORDER BY id LIMIT 1")
    ids["defect_id"] = await q("SELECT id FROM pl_defect ORDER BY id LIMIT 1")
    ids["batch_id"] = await q("SELECT id FROM pl_release_batch ORDER BY id LIMIT 1")
    ids["building_id"] = await q("SELECT building AS id FROM unit WHERE id = {}", ids["unit_id"])
    ids["outage_id"] = await q("SELECT id FROM pl_outage ORDER BY id LIMIT 1")
    ids["loan_id"] = await q("SELECT id FROM arc_loan ORDER BY id LIMIT 1")
    ids["attachment_id"] = await q("SELECT id FROM attachment ORDER BY id LIMIT 1")
    ids["view_id"] = await q("SELECT id FROM list_preference ORDER BY id LIMIT 1")
    ids["version_id"] = await q("SELECT id FROM rule_version ORDER BY id LIMIT 1")
    ids["note_id"] = await q("SELECT id FROM notification ORDER BY id LIMIT 1")
    ids["delegation_id"] = await q("SELECT id FROM wf_delegation ORDER BY id LIMIT 1")
    rule = await _rows("SELECT code FROM rule_document ORDER BY id LIMIT 1")
    ids["rule_code"] = rule[0]["code"] if rule else "kf-71p"
    ids["care_action"] = sorted(ACTIONS)[0]
    ids["repair_step"] = STEPS[0]
    return ids


async def _rows(sql: str):
    from app.core.tables import AuditLog

    return await AuditLog.raw(sql)


def fill(path: str, ids: dict[str, object]) -> str:
    """The path template with real ids (see the module docstring)."""

    def value(m: re.Match) -> str:
        name = m.group(1)
        if name == "request_id" and path.startswith("/assets/disposals/"):
            name = "disposal_request_id"
        elif name == "case_id" and "/repair/" in path:
            name = "repair_case_id"
        elif name == "defect_id" and path.startswith("/pipeline/issues/"):
            name = "issue_defect_id"
        elif name == "code":
            return "expense" if path.startswith("/workflow/") else str(ids["rule_code"]) if path.startswith("/rules/") else "submit"
        elif name == "kind":
            return "presale"
        elif name == "action":
            return str(ids["care_action"]) if path.startswith("/care/") else "submit"
        elif name == "step":
            return str(ids["repair_step"])
        elif name == "owner_code":
            return "pl_unit"
        elif name == "owner_id":
            return str(ids["unit_id"])
        elif name == "token":
            return "invalid-token"
        v = ids.get(name)
        return str(v if v is not None else 1)

    return _PARAM.sub(value, path)


_COUNT_SQL: list[str] = []


async def row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    from app.core.tables import AuditLog

    if not _COUNT_SQL:
        names = sorted({t._meta.tablename for t in Finder().get_table_classes()})
        _COUNT_SQL.append(" UNION ALL ".join(f"SELECT '{n}' AS t, COUNT(*) AS n FROM \"{n}\"" for n in names))
    return {r["t"]: r["n"] for r in await AuditLog.raw(_COUNT_SQL[0])}


def diff(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {t: (before.get(t), after.get(t)) for t in set(before) | set(after) if before.get(t) != after.get(t)}
