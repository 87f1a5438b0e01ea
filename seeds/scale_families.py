"""The two cloned families of the scale generator: the pipeline (units, buyers, deals with every child record and the
approval requests that hang on a deal) and customer care (cases with their timeline, repairs and callbacks).
See seeds/scale_clone.py for how a family is copied."""
from __future__ import annotations

import random
import re

from seeds.scale_clone import Copier, TableSpec, clone_family
from seeds.scale_people import COPIES_PER_BUILDING, UNITS_PER_FLOOR, Places, id_number, person_name

# payload tables of request types that are about a deal: their requests are copied with the deal
DEAL_REQUEST_PAYLOADS = ["pl_deal_void", "pl_subscription_discount", "pl_subscription_cancel", "pl_mortgage_notice", "pl_deal_refund"]
EXTRA_FREE_UNITS = 6  # 可售 units per copy besides the ones with a deal


async def template_units(copier: Copier) -> list[int]:
    """The demo units with a deal, plus a few still for sale: one copy of the pipeline family."""
    _, rows = await copier.bulk.fetch('SELECT DISTINCT unit FROM "pl_deal" ORDER BY unit')
    with_deal = [r[0] for r in rows]
    _, free = await copier.bulk.fetch(
        'SELECT id FROM "unit" WHERE status = \'可售\' AND id NOT IN (SELECT unit FROM "pl_deal") ORDER BY id LIMIT %d' % EXTRA_FREE_UNITS)
    return with_deal + [r[0] for r in free]


async def deal_requests(copier: Copier) -> list[int]:
    ids: set[int] = set()
    for t in DEAL_REQUEST_PAYLOADS:
        _, rows = await copier.bulk.fetch(f'SELECT request FROM "{t}"')
        ids |= {r[0] for r in rows}
    _, rows = await copier.bulk.fetch('SELECT void_request FROM "pl_deal" WHERE void_request IS NOT NULL')
    ids |= {r[0] for r in rows}
    return sorted(ids)


def _in(ids) -> str:
    return "id IN (%s)" % ",".join(str(int(i)) for i in ids) if ids else "1 = 0"


async def clone_pipeline(copier: Copier, places: Places, copies: range, seed: int) -> None:
    units = await template_units(copier)
    pos = {u: i for i, u in enumerate(units)}
    requests = await deal_requests(copier)
    buyers: dict[int, tuple[str, str]] = {}  # new buyer id → (name, 身份证号), for the deal's recipient fields
    rooms: dict[int, str] = {}  # new unit id → "项目 楼 室"
    rng = random.Random(seed)

    def unit_hook(row, k, c: Copier):
        i = c.cols["unit"]
        bid, project, bname = places.building(k)
        j = pos[row[i["id"]] - k * c.max_ids["unit"]] + ((k - 1) % COPIES_PER_BUILDING) * len(units)
        floor = j // UNITS_PER_FLOOR + 1
        row[i["project"]], row[i["building"]], row[i["floor"]] = project, bid, floor
        row[i["room_no"]] = f"{floor}{j % UNITS_PER_FLOOR + 1:02d}"
        rooms[row[i["id"]]] = f"{places.project_name[project]} {bname} {row[i['room_no']]}"

    def buyer_hook(row, k, c: Copier):
        i = c.cols["pl_buyer"]
        new = row[i["id"]]
        name = person_name(rng)
        row[i["name"]], row[i["id_number"]] = name, id_number(new, rng)
        row[i["mobile"]] = f"13{new % 1_000_000_000:09d}"
        if row[i["spouse_name"]]:
            row[i["spouse_name"]] = person_name(rng)
        buyers[new] = (name, row[i["id_number"]])

    def deal_hook(row, k, c: Copier):
        i = c.cols["pl_deal"]
        project = places.project(k)
        row[i["project"]] = project
        if row[i["salesperson"]] is not None:
            sales = places.sales_of.get(project) or [row[i["salesperson"]]]
            row[i["salesperson"]] = sales[row[i["id"]] % len(sales)]
        if row[i["contract_no"]]:
            year = row[i["contract_no"]].split("-")[1] if row[i["contract_no"]].count("-") >= 2 else "2026"
            row[i["contract_no"]] = f"{places.project_code[project]}-{year}-{row[i['id']]:06d}"
        for col in ("online_no", "filing_no", "prereg_no", "cert_no", "acceptance_no", "filing_acceptance_no", "reg_cert_no"):
            if row[i[col]]:
                row[i[col]] = c.suffix(row[i[col]], k, 50)
        name, idn = buyers.get(row[i["buyer"]], ("", ""))
        if row[i["recipient"]]:
            row[i["recipient"]] = name
        if row[i["recipient_id_number"]]:
            row[i["recipient_id_number"]] = idn
        if row[i["borrower"]] and row[i["borrower"]] != "借款人":
            row[i["borrower"]] = name

    def check_hook(row, k, c: Copier):
        i = c.cols["pl_sign_check"]
        deal_unit = deal_units.get(row[i["deal"]])
        if deal_unit is not None:
            row[i["room"]] = rooms.get(deal_unit, row[i["room"]])
        if row[i["receipt_no"]]:
            row[i["receipt_no"]] = c.suffix(row[i["receipt_no"]], k, 50)
        row[i["buyers"]] = deal_buyer_names.get(row[i["deal"]], row[i["buyers"]])

    def entry_hook(row, k, c: Copier):
        i = c.cols["pl_signing_entry"]
        system = row[i["system"]]
        row[i["key"]] = f"{row[i['deal']]}:{system}"

    deal_units: dict[int, int] = {}
    deal_buyer_names: dict[int, str] = {}

    def deal_index_hook(row, k, c: Copier):
        deal_hook(row, k, c)
        i = c.cols["pl_deal"]
        deal_units[row[i["id"]]] = row[i["unit"]]
        deal_buyer_names[row[i["id"]]] = buyers.get(row[i["buyer"]], ("",))[0]

    def notification_hook(row, k, c: Copier):
        """The open 待审批 notice of a copied request's task (the notice has no foreign key: its ref names the task)."""
        i = c.cols["notification"]
        try:
            task = int(row[i["ref"]].split(":", 1)[1])
        except (IndexError, ValueError):
            return False
        if task not in c.templates.get("wf_task", set()):
            return False
        row[i["ref"]] = f"task:{task + k * c.max_ids['wf_task']}"
        m = re.search(r"/workflow/requests/(\d+)", row[i["url"]] or "")
        if m:
            row[i["url"]] = f"/workflow/requests/{int(m.group(1)) + k * c.max_ids['wf_request']}"

    def fund_hook(row, k, c: Copier):
        i = c.cols["permit_fund_payment"]
        fund = places.fund_of.get(places.project(k))
        if fund is None:
            return False
        row[i["fund"]] = fund
        row[i["receipt_no"]] = c.suffix(row[i["receipt_no"]], k, 60)

    def void_step_hook(row, k, c: Copier):
        i = c.cols["pl_void_step"]
        if row[i["receipt_no"]]:
            row[i["receipt_no"]] = c.suffix(row[i["receipt_no"]], k, 50)

    _, party_rows = await copier.bulk.fetch('SELECT DISTINCT buyer FROM "pl_deal_party" UNION SELECT DISTINCT buyer FROM "pl_deal"')
    buyer_ids = sorted({r[0] for r in party_rows})
    specs = [
        TableSpec("unit", where=_in(units), hook=unit_hook),
        TableSpec("pl_buyer", where=_in(buyer_ids), hook=buyer_hook),
        TableSpec("wf_request", where=_in(requests)),
        TableSpec("wf_step"),
        TableSpec("wf_task"),
        TableSpec("wf_action"),
        TableSpec("wf_cc"),
        TableSpec("notification", where="ref LIKE 'task:%' AND closed_at IS NULL", hook=notification_hook),
        TableSpec("pl_deal", hook=deal_index_hook),
        TableSpec("pl_deal_party"),
        TableSpec("pl_deal_document"),
        TableSpec("pl_instalment"),
        TableSpec("pl_receipt"),
        TableSpec("pl_sign_check", hook=check_hook),
        TableSpec("pl_signing_entry", hook=entry_hook),
        TableSpec("pl_mortgage_appointment"),
        TableSpec("pl_defect"),
        TableSpec("pl_void_step", hook=void_step_hook),
        *[TableSpec(t) for t in DEAL_REQUEST_PAYLOADS],
        TableSpec("pl_surveyed_area"),
        TableSpec("permit_fund_payment", hook=fund_hook),
    ]
    await clone_family(copier, specs, copies)


async def clone_care(copier: Copier, places: Places, copies: range) -> None:
    """Every demo case (the KPI history's 12 months included) once per copy, on the copy's units, deals and buyers; with
the calls, call QA, file audits and survey answers the KPI board counts."""
    unit_list = sorted(copier.templates.get("unit", set()))
    deals, buyers, units = copier.templates.get("pl_deal", set()), copier.templates.get("pl_buyer", set()), set(unit_list)

    def remap(row, i, k, c: Copier, col: str, table: str, known: set[int]) -> None:
        v = row[i[col]]
        row[i[col]] = (v + k * c.max_ids[table]) if v is not None and v in known else None

    def case_hook(row, k, c: Copier):
        i = c.cols["care_case"]
        row[i["project"]] = places.project(k)
        u = row[i["unit"]]
        if u is not None:
            u = u if u in units else unit_list[u % len(unit_list)]
            row[i["unit"]] = u + k * c.max_ids["unit"]
        remap(row, i, k, c, "deal", "pl_deal", deals)
        remap(row, i, k, c, "buyer", "pl_buyer", buyers)

    def mark_hook(row, k, c: Copier):
        i = c.cols["care_clock_mark"]
        rest = row[i["key"]].split(":", 1)[1] if ":" in row[i["key"]] else row[i["key"]]
        row[i["key"]] = f"{row[i['case']]}:{rest}"

    def project_hook(table: str):
        def hook(row, k, c: Copier):
            i = c.cols[table]
            if row[i["project"]] is not None:
                row[i["project"]] = places.project(k)
            if "buyer" in i:
                remap(row, i, k, c, "buyer", "pl_buyer", buyers)
        return hook

    def invitation_hook(row, k, c: Copier):
        i = c.cols["sv_invitation"]
        row[i["project"]] = places.project(k)
        if row[i["buyer"]] in buyers:
            row[i["buyer"]] += k * c.max_ids["pl_buyer"]
        remap(row, i, k, c, "deal", "pl_deal", deals)
        row[i["key"]] = f"{row[i['questionnaire']]}:{row[i['deal']] or row[i['buyer']]}"

    specs = [
        TableSpec("care_case", where="compensation_request IS NULL AND payment_request IS NULL", hook=case_hook),
        TableSpec("care_case_event"),
        TableSpec("care_case_pause"),
        TableSpec("care_clock_mark", hook=mark_hook),
        TableSpec("care_repair"),
        TableSpec("care_callback", hook=project_hook("care_callback")),
        # what the KPI board reads besides the cases: the phone system's calls and their QA, the file audits, the surveys
        TableSpec("call_record", hook=project_hook("call_record")),
        TableSpec("call_qa"),
        TableSpec("care_record_audit", hook=project_hook("care_record_audit")),
        TableSpec("care_record_audit_item"),
        TableSpec("sv_invitation", hook=invitation_hook),
        TableSpec("sv_answer"),
    ]
    await clone_family(copier, specs, copies)
