"""The schedule pass: one Invitation per published questionnaire and deal whose trigger date + offset has come.

Triggers (Questionnaire.trigger) and the pipeline date each one counts from (pl_deal):
- after_signing  签约后      — Deal.signed_on
- after_handover 交房后      — Deal.handed_over_on (default offset 90 days: 交房 3 个月)
- after_move_in  入住 1 年   — Deal.handed_over_on as well: the pipeline records no move-in date, so move-in is taken
                               to be the handover (default offset 365 days)
- manual         手动        — never scheduled: the 主管 invites a project's signed customers from the questionnaire page

Set-based and idempotent: per questionnaire one SELECT of the deals that are due and have no invitation yet (NOT IN a
sub-select), then batched INSERT … ON CONFLICT (key) DO NOTHING. Several processes may run it at once: the unique key
keeps one row per questionnaire and deal. Never a query per deal."""
from __future__ import annotations

from datetime import date, timedelta

from app.core.timeutil import now, today_local
from app.pipeline.tables import Deal
from app.surveys import links
from app.surveys.tables import Invitation, Questionnaire

TRIGGER_COLUMNS = {"after_signing": Deal.signed_on, "after_handover": Deal.handed_over_on, "after_move_in": Deal.handed_over_on}
CLOSED_STAGES = ("已作废", "已退订")  # a voided or withdrawn deal gets no survey
BATCH = 500


def invitation_key(questionnaire_id: int, deal_id: int) -> str:
    return f"{questionnaire_id}:{deal_id}"


async def _invite(qid: int, col, where, offset: int, due: date | None = None) -> int:
    """Insert one invitation per deal matched by `where` that has none for this questionnaire yet (batched, idempotent)."""
    existing = Invitation.select(Invitation.deal).where((Invitation.questionnaire == qid) & Invitation.deal.is_not_null())
    rows = await Deal.select(Deal.id, Deal.buyer, Deal.project, col.as_alias("trigger_on")).where(
        where & col.is_not_null() & Deal.stage.not_in(list(CLOSED_STAGES)) & Deal.id.not_in(existing)).order_by(Deal.id)
    at = now()
    created = 0
    for i in range(0, len(rows), BATCH):
        batch = []
        for r in rows[i:i + BATCH]:
            key = invitation_key(qid, r["id"])
            batch.append(Invitation(questionnaire=qid, buyer=r["buyer"], deal=r["id"], project=r["project"], key=key,
                                    token_hash=links.token_hash(links.token_for(key)),
                                    due_on=due or r["trigger_on"] + timedelta(days=offset), created_at=at))
        done = await Invitation.insert(*batch).on_conflict(target=Invitation.key, action="DO NOTHING").returning(Invitation.id)
        created += len(done)
    return created


async def schedule_once(today: date | None = None) -> int:
    """Create the invitations that are due; returns how many were created by this call."""
    today = today or today_local()
    created = 0
    qs = await Questionnaire.select(Questionnaire.id, Questionnaire.trigger, Questionnaire.offset_days).where(
        (Questionnaire.status == "已发布") & Questionnaire.trigger.is_in(list(TRIGGER_COLUMNS)))
    for q in qs:
        col = TRIGGER_COLUMNS[q["trigger"]]
        offset = max(0, int(q["offset_days"] or 0))
        created += await _invite(q["id"], col, col <= today - timedelta(days=offset), offset)
    return created


async def invite_project(questionnaire_id: int, project_id: int, today: date | None = None) -> int:
    """A manual questionnaire: one invitation, due today, per signed deal of the project (idempotent like the schedule)."""
    today = today or today_local()
    return await _invite(questionnaire_id, Deal.signed_on, (Deal.project == project_id) & (Deal.signed_on <= today), 0, due=today)
