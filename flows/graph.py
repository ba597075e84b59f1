"""`crisisbot check` proves a case playbook's graph (issue 12; DESIGN.md «check proves the
graph»): every goto names a step, every condition parses and reads defined fields, every
option is routed, every step is reachable from the start, every path can end.

Pure: problems are `flows.validation.Problem`s (a path into the YAML, located by file and
line by bot/loading.py), said with the «graph.*» texts (flows/texts/*/graph.py) in the
playbook's terms, «paso 5». `exits()` is also what `crisisbot recorrer` walks (flows/walk.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flows.condition_errors import ConditionError
from flows.conditions import Compare, Condition, Not, parse
from flows.directory import Directory
from flows.localtext import LocalText
from flows.playbook import ALL_STAFF, FieldKind, Option, Playbook, Step, StepKind
from flows.texts import CATALOGS
from flows.validation import Path, Problem

KEY_FIELDS = ("reiterado", "previos")  # set at opening when the playbook has a `case.key` (DESIGN: opening)


@dataclass(frozen=True)
class Exit:
    """One way out of a step: to `goto`, when `option` is chosen (an ask) and/or `when` holds."""

    goto: str
    option: Option | None = None
    when: str | None = None
    path: Path = ()  # where the goto is written; () for «the following step in the file»


def condition(source: str | None) -> Condition | None:
    """The parsed condition, or None when absent or broken (broken ones are reported)."""
    if source is None:
        return None
    try:
        return parse(source)
    except ConditionError:
        return None


def _proves(source: str | None, field: str, value: str) -> bool | None:
    """True: the transition surely holds when `field` is `value` (no `when`, or a condition over
    that field alone that holds); False: surely not; None: it depends on other fields."""
    if source is None:
        return True
    parsed = condition(source)
    if parsed is None:
        return False
    if parsed.names - {field}:
        return None
    return parsed.evaluate({field: value})


def exits(playbook: Playbook, step: Step) -> list[Exit]:
    """Where `step` may lead, in the engine's order (DESIGN: an ask's option `goto` first, else
    the first `next` whose `when` holds; no `next`: the following step in the file)."""
    index = playbook.steps.index(step)
    following = playbook.following(step)
    tail = [Exit(following.id)] if following is not None else []
    if step.kind == StepKind.END:
        return []
    found: list[Exit] = []
    if step.kind == StepKind.ASK:
        for k, option in enumerate(step.options):
            if option.goto is not None:
                found.append(Exit(option.goto, option, None, ("steps", index, "options", k, "goto")))
                continue
            if not step.next:
                found += [Exit(e.goto, option) for e in tail]
            for j, move in enumerate(step.next):
                holds = _proves(move.when, step.answer_field, option.value)
                if holds is not False:
                    found.append(Exit(move.goto, option, move.when, ("steps", index, "next", j, "goto")))
                if holds:
                    break
        return found
    if not step.next:
        return tail
    for j, move in enumerate(step.next):
        found.append(Exit(move.goto, None, move.when, ("steps", index, "next", j, "goto")))
        if move.when is None:
            break
    return found


def _choices(playbook: Playbook) -> dict[str, set[str]]:
    """Field -> the values it may take: a choice field's options, an ask's options."""
    found = {f.id: {o.value for o in f.options} for f in playbook.fields if f.kind == FieldKind.CHOICE}
    for step in playbook.steps:
        if step.kind == StepKind.ASK:
            found.setdefault(step.answer_field, set()).update(o.value for o in step.options)
    return found


def defined_fields(playbook: Playbook) -> set[str]:
    """Fields a condition may read: the playbook's, those steps record, and «reiterado» /
    «previos» when the playbook has a key."""
    names = {f.id for f in playbook.fields}
    names |= {s.answer_field for s in playbook.steps if s.kind == StepKind.ASK or s.input is not None}
    if playbook.case is not None and playbook.case.key is not None:
        names |= set(KEY_FIELDS)
    return names


def _in_every_language(error: ConditionError) -> LocalText:
    return LocalText(error.render("es"), {lang: error.render(lang) for lang in CATALOGS})


def _complementary(conditions: list[Condition], choices: dict[str, set[str]]) -> bool:
    """Whether some condition surely holds, whatever the fields (conservative)."""
    exprs = [c.expr for c in conditions]
    for a in exprs:
        if Not(a) in exprs:
            return True
        if isinstance(a, Compare) and a.op == "==" and Compare("!=", a.left, a.right) in exprs:
            return True
    names = {n for c in conditions for n in c.names}
    if len(names) == 1 and (name := next(iter(names))) in choices and choices[name]:
        return all(any(c.evaluate({name: v}) for c in conditions) for v in choices[name])
    return False


def check_graph(playbook: Playbook) -> list[Problem]:
    """Every problem of a case playbook's graph (nothing for a crisis playbook)."""
    if not playbook.is_case:
        return []
    problems: list[Problem] = []

    def bad(path: Path, key: str, **values: Any) -> None:
        problems.append(Problem("playbook", path, key, values))

    ids = {s.id for s in playbook.steps}
    fields, choices = defined_fields(playbook), _choices(playbook)
    known = ", ".join(sorted(fields)) or "-"
    for i, step in enumerate(playbook.steps):
        _check_shape(playbook, i, step, bad)
        for e in exits(playbook, step):
            if e.goto not in ids and e.path:
                bad(e.path, "graph.goto_unknown", number=step.number, ref=e.goto)
        parsed: list[Condition] = []
        for j, move in enumerate(step.next):
            if move.when is None:
                continue
            path: Path = ("steps", i, "next", j, "when")
            try:
                cond = parse(move.when)
            except ConditionError as error:
                bad(path, "graph.bad_condition", number=step.number, reason=_in_every_language(error))
                continue
            parsed.append(cond)
            for name in sorted(cond.names):
                if name not in fields:
                    bad(path, "graph.field_unknown", number=step.number, field=name, known=known)
                elif name in choices:
                    for value in sorted(map(_literal, cond.literals(name) - {None})):
                        if value not in choices[name]:
                            bad(path, "graph.not_an_option", number=step.number, field=name, value=value,
                                options=", ".join(sorted(choices[name])))
        if step.kind in (StepKind.TASK, StepKind.WAIT) and step.next and all(m.when for m in step.next):
            if not _complementary(parsed, choices):
                bad(("steps", i, "next"), "graph.may_stall", number=step.number)
    problems += _check_case_settings(playbook, fields, choices)
    from flows.graph_review import check_words  # numbers and option values name one thing

    problems += check_words(playbook)
    return problems + _check_paths(playbook)


def _literal(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _check_shape(playbook: Playbook, i: int, step: Step, bad: Any) -> None:
    """What each kind of step needs, and options routed."""
    n = step.number
    if step.kind == StepKind.END:
        if step.next or step.options:
            bad(("steps", i, "next" if step.next else "options"), "graph.end_moves", number=n)
        if step.outcome is None:
            bad(("steps", i), "graph.end_no_outcome", number=n)
        return
    if step.kind == StepKind.ASK:
        if not step.options:
            bad(("steps", i), "graph.ask_no_options", number=n)
        for k, option in enumerate(step.options):
            routed = option.goto is not None or any(_proves(m.when, step.answer_field, option.value) for m in step.next)
            if not routed:
                bad(("steps", i, "options", k), "graph.unrouted", number=n, value=option.value, field=step.answer_field)
        return
    if step.options:
        bad(("steps", i, "options"), "graph.options_not_ask", number=n)
    if step.kind == StepKind.WAIT and step.wait is None:
        bad(("steps", i), "graph.wait_no_time", number=n)
    if not step.next and playbook.following(step) is None:
        bad(("steps", i), "graph.no_following", number=n)


def _check_case_settings(playbook: Playbook, fields: set[str], choices: dict[str, set[str]]) -> list[Problem]:
    case = playbook.case
    assert case is not None
    problems: list[Problem] = []
    own = ", ".join(f.id for f in playbook.fields) or "-"
    if case.start is not None and case.start not in {s.id for s in playbook.steps}:
        problems.append(Problem("playbook", ("case", "start"), "graph.start_unknown", {"ref": case.start}))
    if case.key is not None and case.key.field not in playbook.fields_by_id:
        problems.append(Problem("playbook", ("case", "key", "field"), "graph.key_field_unknown",
                                {"field": case.key.field, "known": own}))
    if case.due is not None:
        name = case.due.field
        if name not in fields:
            problems.append(Problem("playbook", ("case", "due", "field"), "graph.due_field_unknown",
                                    {"field": name, "known": ", ".join(sorted(fields)) or "-"}))
        elif name in choices:
            for value in case.due.table:
                if value not in choices[name]:
                    problems.append(Problem("playbook", ("case", "due", "table", value), "graph.due_not_option",
                                            {"field": name, "value": value, "options": ", ".join(sorted(choices[name]))}))
    return problems


def _reach(start: Iterable[str], edges: dict[str, list[str]]) -> list[str]:
    seen: dict[str, None] = dict.fromkeys(start)
    queue = list(seen)
    while queue:
        for nxt in edges.get(queue.pop(0), []):
            if nxt in edges and nxt not in seen:
                seen[nxt] = None
                queue.append(nxt)
    return list(seen)


def _check_paths(playbook: Playbook) -> list[Problem]:
    """Unreachable steps, and cycles a case can never leave (no `end` after them)."""
    by_id = playbook.steps_by_id
    start = playbook.case.start if playbook.case is not None else None
    if start is not None and start not in by_id:
        return []  # said by graph.start_unknown
    forward = {s.id: [e.goto for e in exits(playbook, s)] for s in reversed(playbook.steps)}
    backward: dict[str, list[str]] = {sid: [] for sid in forward}
    for sid, targets in forward.items():
        for target in targets:
            if target in backward:
                backward[target].append(sid)
    index = {sid: playbook.steps.index(step) for sid, step in by_id.items()}
    reached = set(_reach([playbook.first_step().id], forward))
    problems = [Problem("playbook", ("steps", i), "graph.unreachable", {"number": s.number})
                for i, s in enumerate(playbook.steps) if s.id not in reached and index[s.id] == i]
    ending = set(_reach([s.id for s in playbook.steps if s.kind == StepKind.END], backward))
    stuck = {sid for sid in reached if sid not in ending}
    inside = {sid: [t for t in forward[sid] if t in stuck] for sid in stuck}
    told: set[str] = set()
    for sid in sorted(stuck, key=index.__getitem__):
        if sid in told:
            continue
        cycle = _cycle_through(sid, inside)
        if cycle:
            reached_from = set(_reach([sid], inside))
            told.update(s for s in reached_from if sid in _reach([s], inside))  # its whole component
            numbers = " → ".join(by_id[s].number for s in [*cycle, cycle[0]])
            problems.append(Problem("playbook", ("steps", index[sid]), "graph.cycle", {"cycle": numbers}))
    return problems


def _cycle_through(start: str, edges: dict[str, list[str]]) -> list[str]:
    """The shortest cycle from `start` back to itself (its steps, `start` first), or []."""
    parents: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in edges.get(node, []):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return path[::-1]
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return []


def check_roles_held(playbook: Playbook, directory: Directory) -> list[Problem]:
    """A case playbook's roles nobody in the directory holds: said at each step that needs one
    (the case would wait there for nobody), else at the role's definition."""
    problems: list[Problem] = []
    used: dict[str, list[tuple[Path, str]]] = {}  # role -> (where, step number) of each step needing it
    for i, step in enumerate(playbook.steps):
        for j, role in enumerate(step.responsibles):
            used.setdefault(role, []).append((("steps", i, "responsibles", j), step.number))
    for role, steps in used.items():
        if (role in playbook.roles or role == ALL_STAFF) and not directory.with_role(role):
            (path, number), others = steps[0], [n for _, n in steps[1:]]
            key = "graph.role_unheld_more" if others else "graph.role_unheld"
            problems.append(Problem("playbook", path, key, {"number": number, "role": role, "others": ", ".join(others)}))
    for role in playbook.roles:
        if role not in used and not directory.with_role(role):
            problems.append(Problem("playbook", ("roles", role), "config.role_unassigned", {"role": role}))
    return problems

