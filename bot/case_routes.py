"""Which case a command is for (issue 12): the service runs it on that case's world.

A crisis command goes on as before (no route). A case is named by the action's ref (its
buttons carry the case id), by a timer's case id, by its short id in a line («estado R-12»),
or by the question it asked the person (their next line answers it); «/caso …» or a case
playbook's open phrase opens one. Runs inside the command's transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.case_words import CaseIntent, read_case_words
from flows.commands import (
    CaseHelp,
    Command,
    ContactLost,
    ContactRestored,
    MyCases,
    OpenCase,
    Press,
    Say,
    TimerFired,
    TimersFired,
)
from flows.matching import Intent, read
from flows.messages import ActionKind
from flows.playbook import Playbook
from persistence import cases as case_queries
from persistence import tables as T

SHORT_ID = re.compile(r"^([A-Z]{1,3})-\d+$")  # a case's id («R-12»); a crisis's is «20261130-ab12»
_BY_CRISIS_REF = frozenset({ActionKind.STATUS, ActionKind.PANEL, ActionKind.NOTE})


@dataclass(frozen=True)
class Route:
    """Run the command on case `case_id` of `playbook_id`; None `case_id`: a new case (OpenCase)."""

    playbook_id: str
    case_id: str | None = None


class CaseRoutes:
    """`cases`: the case playbooks running, by id. Remembers which crisis ids are cases (an
    id never changes playbook), so most routes cost no query."""

    def __init__(self, cases: dict[str, Playbook], crisis: Playbook | None = None) -> None:
        """`crisis`: the crisis playbook, whose words («ALERTA ROJA», «FIN …») stay the crisis's."""
        self.cases = cases
        self.crisis = crisis
        self._known: dict[str, str | None] = {}  # crisis id -> case playbook id, None for a crisis
        self._prefixes = {p.case.prefix: p.id for p in cases.values() if p.case is not None}

    async def route(self, conn: AsyncConnection, command: Command) -> tuple[Command, Route | None]:
        """The command to run (a line naming a case loses the short id) and where."""
        if not self.cases:
            return command, None
        if isinstance(command, Say):
            return await self._say(conn, command)
        crisis_id: str | None = None
        if isinstance(command, Press):
            action = command.action
            if action.kind in (ActionKind.CONFIRM, ActionKind.DISMISS):
                crisis_id = (await conn.execute(select(T.proposals.c.crisis_id).where(
                    T.proposals.c.id == action.ref))).scalar()
            elif action.kind in _BY_CRISIS_REF:
                crisis_id = action.ref
            else:
                crisis_id = action.task_ref()[0]
        elif isinstance(command, TimersFired) and command.timers:
            crisis_id = command.timers[0].crisis_id
        elif isinstance(command, TimerFired | ContactLost | ContactRestored):
            crisis_id = command.crisis_id
        return command, await self._route_of(conn, crisis_id)

    def is_case_id(self, crisis_id: str) -> bool:
        """Whether `crisis_id` is known, without a query, to be a case of a running playbook."""
        prefix = SHORT_ID.match(crisis_id)
        return bool(prefix and prefix.group(1) in self._prefixes) or self._known.get(crisis_id) in self.cases

    async def _route_of(self, conn: AsyncConnection, crisis_id: str | None) -> Route | None:
        if not crisis_id or crisis_id == "-":
            return None
        prefix = SHORT_ID.match(crisis_id)
        by_prefix = self._prefixes.get(prefix.group(1)) if prefix else None
        if by_prefix is not None:  # a case's id is its short id: its prefix names the playbook
            return Route(by_prefix, crisis_id)
        if crisis_id not in self._known:
            row = (await conn.execute(select(T.crises.c.kind, T.crises.c.playbook_id).where(
                T.crises.c.id == crisis_id))).first()
            if row is None:
                return None  # not yet written (or never): the crisis engine says it is over
            self._known[crisis_id] = row.playbook_id if row.kind == case_queries.CASE else None
        playbook_id = self._known[crisis_id]
        if playbook_id is None:
            return None
        return Route(playbook_id, crisis_id)  # (a playbook no longer loaded: its case runs its frozen copy)

    async def _say(self, conn: AsyncConnection, say: Say) -> tuple[Command, Route | None]:
        words = read_case_words(say.text, self.cases.values())
        if words.intent == CaseIntent.OPEN:
            return OpenCase(say.person, words.rest, say.channel, say.direct), Route(words.playbook)
        if words.intent == CaseIntent.UNKNOWN_PLAYBOOK:
            return CaseHelp(say.person, say.channel, asked=words.rest), None
        if words.intent == CaseIntent.MY_CASES:
            return MyCases(say.person, say.channel), None
        if words.intent == CaseIntent.NAMED:
            found = await case_queries.find_by_short_id(conn, words.short_id)
            if found is None:
                return CaseHelp(say.person, say.channel, unknown=words.short_id), None
            case_id, playbook_id = found
            self._known[case_id] = playbook_id
            return replace(say, text=words.rest or "estado"), Route(playbook_id, case_id)
        asked = (await conn.execute(
            select(T.tasks.c.crisis_id).join(T.crises, T.crises.c.id == T.tasks.c.crisis_id)
            .where(T.tasks.c.asking == say.person, T.crises.c.state != "closed")
            .order_by(T.tasks.c.asked_at.desc().nulls_last()).limit(1))).scalar()
        if asked is not None:  # the answer to the newest question the bot asked them, a case's or the crisis's
            return say, await self._route_of(conn, asked)
        phrases = (self.crisis.declare_phrase, self.crisis.close_phrase) if self.crisis else ("", "")
        intent = read(say.text, *phrases).intent
        if intent in (Intent.TASK, Intent.CORRECT) or (intent == Intent.OTHER and say.direct):
            # «hecho», or an answer typed as the option's label or letter («C», «Cerrada»): the one
            # case whose step the person holds, when they hold nothing of the crisis
            return say, await self._held_case(conn, say.person)
        return say, None

    async def _held_case(self, conn: AsyncConnection, person: str) -> Route | None:
        """«hecho», «hecho 3», «corregir 3» without a case id: the one case where the person
        holds tasks, when they hold none of the crisis's (otherwise the crisis, as before)."""
        rows = (await conn.execute(
            select(T.crises.c.id, T.crises.c.kind).distinct().join(T.tasks, T.tasks.c.crisis_id == T.crises.c.id)
            .where(T.tasks.c.owner == person, T.tasks.c.state == "claimed", T.crises.c.state != "closed").limit(3))).all()
        if len(rows) != 1 or rows[0].kind != case_queries.CASE:
            return None
        return await self._route_of(conn, rows[0].id)
