"""Injects: the events scripted into a drill (issue 14 point 3). Pure.

A drill's injects come from its playbook (`drill.injects`) or from a drill file
(bot/drill_script.py `parse_script`, given to `StartDrill.injects`); either way they are frozen into the drill's
copy of the playbook, so `inject #n` is `turn.playbook.drill.injects[n]` for the whole drill.

- `arm`: when the drill starts, one `TimerKind.INJECT` timer per inject, due at the drill's
  start + `at` on the drill's own clock (the terminal's simulated one too), `seq` = its
  position. Timers are rows, claimed once like every timer (docs/design.md).
- `fire`: the inject is due. `text` goes to `to` (a person id, else a role) or to whoever
  holds step `to_step` (its number as people read it, «2», «8b», else its id), or, when
  nobody holds it, to the step's responsibles; `incident` is said to the group; `unavailable`
  (a person id, else a role) is told privately, once, to stay silent, and from then on is
  `unavailable` (below). Each is a bitácora line («Inyección: …»).
- `unavailable`: who an `unavailable` inject took out of the drill by `now`. Messages to
  them are not delivered but written as `delivery_failed` (persistence/writes.py), so the
  contact watcher says «sin contacto» to the coordinators and the escalation ladder runs as
  for anyone unreachable. What they press or write is still taken: a person who acts is
  there (their answer is not delivered either).
- `stop`: the drill ended (closed, or a real crisis): its pending inject timers cancelled.
- `check_steps` / `check_people`: the references `crisisbot check` refuses, by file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.commands import TimerFired
from flows.contact import DRILL_VIA
from flows.crisis import Crisis, CrisisState
from flows.directory import Directory, Person
from flows.messages import GROUP, CancelTimers, LogEntry, OutMessage, SetTimer, TimerKind
from flows.playbook import ALL_STAFF, Inject, Playbook, Step
from flows.texts import t
from flows.world import Turn

TIMER_STEP = "drill-inject"
"""The `step_id` of inject timers: never a step's id (ids are `[a-z0-9_]+`)."""
NOTICE = "drill_unavailable"
"""The message kind of «you are not available from now»: the one message that still
reaches a person an inject made unavailable."""
UNAVAILABLE_ERROR = "no disponible"
"""The `error` of the `delivery_failed` line of a message not delivered for that reason."""


# the drill's timers -----------------------------------------------------------


def arm(turn: Turn) -> None:
    """A timer per inject of the drill just declared, due at its start + `at`."""
    crisis = turn.out.crisis
    assert crisis is not None and crisis.drill
    for seq, inject in enumerate(turn.playbook.drill.injects):
        turn.out.timer_ops.append(SetTimer(crisis.id, TIMER_STEP, TimerKind.INJECT, crisis.declared_at + inject.at, seq))


def stop(turn: Turn) -> None:
    """The drill ended: the injects not yet due never fire."""
    crisis = turn.out.crisis
    if crisis is not None and crisis.drill:
        turn.out.timer_ops.append(CancelTimers(crisis.id, TIMER_STEP))


def fire(turn: Turn, cmd: TimerFired) -> None:
    """Inject `cmd.seq` of the open drill `cmd.crisis_id` is due (nothing once it ended)."""
    crisis = turn.out.crisis
    if crisis is None or crisis.id != cmd.crisis_id or not crisis.drill or crisis.state == CrisisState.CLOSED:
        return
    injects = turn.playbook.drill.injects
    if not 0 <= cmd.seq < len(injects):
        return
    inject = injects[cmd.seq]
    if inject.text is not None:
        _say(turn, inject)
    elif inject.incident is not None:
        incident = inject.incident
        turn.log("inject_incident", None, text=incident.in_lang(turn.world.group_lang), seq=cmd.seq)
        turn.send(GROUP, lambda lang: t(lang, "drill_injects.incident", text=incident), kind="inject")
    elif inject.unavailable is not None:
        away = people_of(turn.directory, inject.unavailable)
        turn.log("inject_unavailable", None, names=_names(away), ids=[p.id for p in away], seq=cmd.seq)
        for person in away:
            turn.send(person.id, lambda lang: t(lang, "drill_injects.unavailable_you"), kind=NOTICE)


def _say(turn: Turn, inject: Inject) -> None:
    assert inject.text is not None
    text = inject.text
    step = find_step(turn.playbook, inject.to_step) if inject.to_step is not None else None
    people = holders(turn, step) if step is not None else people_of(turn.directory, inject.to or "")
    said = text.in_lang(turn.world.group_lang)
    if step is None:
        turn.log("inject_text", None, text=said, names=_names(people))
        message: Callable[[str], str] = lambda lang: t(lang, "drill_injects.text", text=text)  # noqa: E731
    else:
        turn.log("inject_text_step", None, step.id, text=said, names=_names(people))
        message = lambda lang: t(lang, "drill_injects.text_step", number=step.number, title=step.title, text=text)  # noqa: E731
    for person in people:
        turn.send(person.id, message, kind="inject")


def holders(turn: Turn, step: Step) -> list[Person]:
    """Whoever holds the step's task (its owner), else its responsibles."""
    crisis = turn.out.crisis
    task = crisis.tasks.get(step.id) if crisis is not None else None
    if task is not None and task.owner is not None and turn.directory.get(task.owner) is not None:
        return [turn.person(task.owner)]
    return turn.responsibles(step)


def _names(people: list[Person]) -> str:
    return ", ".join(p.name for p in people) or "-"


# who and which ----------------------------------------------------------------


def find_step(playbook: Playbook, ref: str) -> Step | None:
    """The step a `to_step` names: by its number as people read it («2», «8b»), else by id."""
    wanted = ref.strip().lower()
    return next((s for s in playbook.steps if s.number.lower() == wanted), None) or playbook.steps_by_id.get(wanted)


def people_of(directory: Directory, ref: str) -> list[Person]:
    """A `to` or `unavailable`: the person with that id, else everybody holding that role."""
    person = directory.get(ref)
    return [person] if person is not None else directory.with_any_role([ref])


def unavailable(crisis: Crisis | None, directory: Directory, now: datetime) -> frozenset[str]:
    """The ids of the people an `unavailable` inject of the open drill `crisis` has taken
    out by `now` (its start + `at`, on the drill's clock); empty for anything but an open drill."""
    if crisis is None or not crisis.drill or crisis.state == CrisisState.CLOSED:
        return frozenset()
    injects = Playbook.from_frozen(crisis.playbook_json).drill.injects
    return frozenset(p.id for i in injects if i.unavailable is not None and crisis.declared_at + i.at <= now
                     for p in people_of(directory, i.unavailable))


def not_to(messages: Sequence[OutMessage], crisis: Crisis | None, directory: Directory, now: datetime) -> list[frozenset[str]]:
    """For each of one command's `messages`, in order, who must not get it: the people
    `unavailable` by `now`, except those whose notice comes later in `messages` (timers due
    together, a clock jump: what was said to them before the inject made them unavailable
    still reaches them; a person's messages keep their order, flows/engine.py). A message
    without the drill's mark is about a real crisis («¿Es una crisis real…?», the proposal to
    the declarers, the drill's end): it always goes, to anybody."""
    away = unavailable(crisis, directory, now)
    if not away:
        return [frozenset()] * len(messages)
    later = {m.to for m in messages if m.kind == NOTICE}
    found: list[frozenset[str]] = []
    for message in messages:
        if message.kind == NOTICE:
            later.discard(message.to)
            found.append(frozenset())
        elif not message.drill:  # about the real world (flows/drills.unmarked): «¿crisis real…?», its end
            found.append(frozenset())
        else:
            found.append(away - later)
    return found


def not_delivered(now: datetime, crisis_id: str | None, to: str) -> LogEntry:
    """The bitácora line of a message to an unavailable person: a failure, as the fold of
    flows/contact.py reads one (they become «sin contacto»)."""
    return LogEntry(at=now, kind="delivery_failed", channel=None, crisis_id=crisis_id,
                    data={"to": to, "via": DRILL_VIA, "error": UNAVAILABLE_ERROR})


# references (crisisbot check) ---------------------------------------------------


@dataclass(frozen=True)
class BadRef:
    """An inject naming something that is not there: `index` in the list, the `field`, a
    text key (flows/texts/*/drill_injects.py) and its values."""

    index: int
    field: str
    key: str
    values: dict[str, Any]


def check_steps(playbook: Playbook, injects: list[Inject] | tuple[Inject, ...]) -> list[BadRef]:
    """`to_step` names a step of `playbook` (its number or id)."""
    known = ", ".join(s.number for s in playbook.steps)
    return [BadRef(i, "to_step", "drill_injects.check.unknown_step", {"n": i + 1, "ref": inject.to_step, "known": known})
            for i, inject in enumerate(injects) if inject.to_step is not None and find_step(playbook, inject.to_step) is None]


def check_people(playbook: Playbook, directory: Directory, injects: list[Inject] | tuple[Inject, ...]) -> list[BadRef]:
    """`to` and `unavailable` name a person of the directory (by id) or a role of the playbook."""
    roles = set(playbook.roles) | {ALL_STAFF}
    found = []
    for i, inject in enumerate(injects):
        for name in ("to", "unavailable"):
            ref = getattr(inject, name)
            if ref is not None and directory.get(ref) is None and ref not in roles:
                found.append(BadRef(i, name, "drill_injects.check.unknown_who",
                                    {"n": i + 1, "field": name, "ref": ref, "roles": ", ".join(sorted(playbook.roles))}))
    return found
