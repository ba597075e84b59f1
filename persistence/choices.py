"""What a typed button number is read against (bot/choices.py): the messages a person got
on a channel, from the outbox, so that it holds across restarts and processes; and which
case questions (`ask` steps, issue 12) still wait for an answer, so that their options
stay on offer (`open_questions`)."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.crisis import CrisisState, ProposalState, TaskState
from flows.messages import OutMessage
from persistence import tables as T

RECENT = 500  # rows per person and channel: a whole crisis's cards, reminders and updates


async def delivered_to(conn: AsyncConnection, person_id: str, via: str, limit: int = RECENT
                       ) -> list[tuple[OutMessage, str | None]]:
    """The messages delivered to the person on `via`, newest first, each with the
    platform's id of it (Twilio's MessageSid; None on the terminal)."""
    rows = (await conn.execute(select(T.outbox.c.payload, T.outbox.c.external_id).where(and_(
        T.outbox.c.recipient == person_id, T.outbox.c.via == via, T.outbox.c.delivered_at.is_not(None),
    )).order_by(T.outbox.c.id.desc()).limit(limit))).all()
    return [(OutMessage.from_json(payload), external_id) for payload, external_id in rows]


async def delivered_by_id(conn: AsyncConnection, person_id: str, via: str, external_id: str) -> OutMessage | None:
    """The message the platform knows as `external_id`, if it was sent to this person."""
    payload = (await conn.execute(select(T.outbox.c.payload).where(and_(
        T.outbox.c.via == via, T.outbox.c.external_id == external_id, T.outbox.c.recipient == person_id,
    )).limit(1))).scalar_one_or_none()
    return OutMessage.from_json(payload) if payload is not None else None


class Pending(NamedTuple):
    """A question still waiting: its kind (flows.crisis.ProposalKind value), who it came
    from (the person whose command raised it) and its text ("complete:<step id>:<holder>"
    for a question about a task someone else holds)."""

    kind: str
    proposed_by: str
    text: str


async def pending_proposals(conn: AsyncConnection, playbook_id: str) -> dict[str, Pending]:
    """The proposals (ALERTA ROJA or FIN from someone who may not, the bot's yes/no
    questions) still waiting, by id."""
    rows = await conn.execute(select(T.proposals.c.id, T.proposals.c.kind, T.proposals.c.proposed_by,
                                     T.proposals.c.text).where(and_(
        T.proposals.c.playbook_id == playbook_id, T.proposals.c.state == ProposalState.PENDING.value)))
    return {pid: Pending(kind, by, text) for pid, kind, by, text in rows.all()}


_ANSWERED = (TaskState.DONE.value, TaskState.CANCELLED.value, TaskState.SKIPPED.value)


async def open_questions(conn: AsyncConnection, questions: set[str]) -> set[str]:
    """Of `questions` ('<case id>/<step id>', the thing of a CHOOSE button), those whose
    live task is not finished in a case not closed: their options are still on offer."""
    if not questions:
        return set()
    cases = {q.partition("/")[0] for q in questions}
    rows = (await conn.execute(select(T.tasks.c.crisis_id, T.tasks.c.step_id).join(
        T.crises, T.crises.c.id == T.tasks.c.crisis_id).where(and_(
            T.tasks.c.crisis_id.in_(cases), T.tasks.c.state.not_in(_ANSWERED),
            T.crises.c.state != CrisisState.CLOSED.value)))).all()
    return {f"{case}/{step}" for case, step in rows} & questions
