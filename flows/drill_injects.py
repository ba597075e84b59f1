"""Injects: the events scripted into a drill (issue 14 point 3). Pure.

A drill's injects come from its playbook (`drill.injects`) or from a drill file
(`parse_script`, given to `StartDrill.injects`); either way they are frozen into the drill's
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

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    still reaches them; a person's messages keep their order, flows/engine.py)."""
    away = unavailable(crisis, directory, now)
    if not away:
        return [frozenset()] * len(messages)
    later = {m.to for m in messages if m.kind == NOTICE}
    found: list[frozenset[str]] = []
    for message in messages:
        if message.kind == NOTICE:
            later.discard(message.to)
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


# a drill file -----------------------------------------------------------------


class ScriptProblem(Exception):
    """A drill file that cannot be used. Its message is one line per problem,
    «file:line: what is wrong», in the reader's language; `problems` holds them as
    (line, text)."""

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}:{line}: {text}" for line, text in problems))


class DrillScript(BaseModel):
    """A drill file: `injects:`, the list of events (docs/drills.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    injects: list[Inject] = Field(min_length=1)


def parse_script(text: str, source: str, *, lang: str = "es") -> tuple[Inject, ...]:
    """The injects of a drill file (YAML: `injects: [{at: 5m, to_step: "2", text: …}, …]`).
    `source` names the file in the messages. Raises `ScriptProblem` (file, line, what is
    wrong, in `lang`) for a file that is not YAML, has no `injects:`, or an inject the model
    refuses; references to steps and people are `check_script`'s (they need the playbook)."""
    return _parse(text, source, lang)[0]


def check_script(text: str, source: str, playbook: Playbook, directory: Directory, *,
                 lang: str = "es") -> tuple[Inject, ...]:
    """`parse_script`, and every `to_step`, `to` and `unavailable` found in `playbook` and
    `directory`: what `crisisbot simulacro --guion` should call before starting the drill."""
    injects, node = _parse(text, source, lang)
    bad = check_steps(playbook, injects) + check_people(playbook, directory, injects)
    if bad:
        raise ScriptProblem(source, [(_line_of(node, ("injects", b.index, b.field)), t(lang, b.key, **b.values))
                                     for b in sorted(bad, key=lambda b: b.index)])
    return injects


def _parse(text: str, source: str, lang: str) -> tuple[tuple[Inject, ...], yaml.Node | None]:
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else text[: getattr(exc, "position", 0)].count("\n") + 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScriptProblem(source, [(line, t(lang, "drill_injects.script.yaml", problem=problem))]) from None
    if data is None:
        raise ScriptProblem(source, [(1, t(lang, "drill_injects.script.empty"))])
    if not isinstance(data, dict) or "injects" not in data:
        raise ScriptProblem(source, [(1, t(lang, "drill_injects.script.no_injects"))])
    try:
        script = DrillScript.model_validate(data)
    except ValidationError as exc:
        problems = [_schema_problem(dict(error), node, lang) for error in exc.errors()]
        raise ScriptProblem(source, sorted(problems)) from None
    return tuple(script.injects), node


def _schema_problem(error: dict[str, Any], node: yaml.Node | None, lang: str) -> tuple[int, str]:
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind, ctx = str(error["type"]), dict(error.get("ctx") or {})
    if kind == "missing" and loc:
        message, loc = t(lang, "config.missing", field=loc[-1]), loc[:-1]
    elif kind == "extra_forbidden" and loc:
        message = t(lang, "config.extra", field=loc[-1])
    elif kind == "string_type" and loc:
        message = t(lang, "drill_injects.script.not_text", field=loc[-1])
    elif kind == "too_short":
        message = t(lang, "drill_injects.script.none")
    elif kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        message = t(lang, "drill_injects.script.shape")
    else:
        try:
            message = t(lang, kind, **ctx)
        except KeyError:
            message = str(error["msg"]).removeprefix("Value error, ")
    index = loc[1] if len(loc) > 1 and loc[0] == "injects" and isinstance(loc[1], int) else None
    field = next((str(part) for part in loc[2:] if isinstance(part, str)), "")
    if index is not None:
        where = t(lang, "drill_injects.where", n=index + 1, field=field) if field else t(
            lang, "drill_injects.where_inject", n=index + 1)
        message = where + message
    return _line_of(node, loc), message


def _line_of(node: yaml.Node | None, path: tuple[str | int, ...]) -> int:
    """1-based line of the value at `path`, or of the deepest part of it that exists."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            return line
        node, line = child, child.start_mark.line + 1
    return line
