"""`crisisbot recorrer`: a dry run of a case playbook, every path from its start to an `end`
step, with the choices and conditions that lead along it (issue 12: «check proves the graph»,
and people reviewing a playbook want to read it as the routes a case can take).

Pure. A path takes each way out of a step (flows/graph.py `exits`) at most once, so every
loop is taken at most once; at most `limit` paths (200) are listed, and `Walk.capped` says
when there were more. A path remembers what its questions answered: a condition that those
answers make false is not taken (after «A. Venta» at step 5, «tipo == 'baja'» cannot hold at
step 8), nor a later way out of a step whose earlier condition they make true.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flows import conditions
from flows.graph import exits
from flows.playbook import Option, Playbook, Step, StepKind
from flows.texts import t, tn

LIMIT = 200


@dataclass(frozen=True)
class Leg:
    """A step of a path and the way the path leaves it (None for the `end` step)."""

    step: Step
    way: Way | None = None


@dataclass(frozen=True)
class Way:
    """Where a path goes from a step: `goto`, when one of `options` is chosen (an ask; the
    options that lead to the same step alike are one way) and/or `when` holds."""

    goto: str
    options: tuple[Option, ...] = ()
    when: str | None = None


def ways(playbook: Playbook, step: Step) -> list[Way]:
    """`exits` of the step, the options that lead alike merged (13 reasons to go to step 8
    are one way, not 13 paths)."""
    merged: dict[tuple[str, str | None], list[Option]] = {}
    for way in exits(playbook, step):
        merged.setdefault((way.goto, way.when), []).extend([way.option] if way.option else [])
    return [Way(goto, tuple(options), when) for (goto, when), options in merged.items()]


@dataclass(frozen=True)
class Walk:
    paths: list[list[Leg]]  # each ends on an `end` step
    capped: bool  # more than `limit` paths exist; only the first `limit` are in `paths`


def walk(playbook: Playbook, limit: int = LIMIT) -> Walk:
    """Every path from `playbook.first_step()` to an end step, in the file's order of options
    and transitions (depth first). A goto to an unknown step is skipped (`check` reports it)."""
    by_id = playbook.steps_by_id
    out = {step.id: ways(playbook, step) for step in playbook.steps}
    paths: list[list[Leg]] = []
    used: set[tuple[str, int]] = set()
    legs: list[Leg] = []

    def go(step: Step, fields: Known) -> bool:  # False once more than `limit` paths are found
        if step.kind == StepKind.END:
            paths.append([*legs, Leg(step)])
            return len(paths) <= limit
        # per answer (an ask's option; "" elsewhere): a way before this one holds for sure on
        # this path, so the later ones are never taken
        settled: set[tuple[str, ...]] = set()
        for n, way in enumerate(out[step.id]):
            answer = tuple(option.value for option in way.options)
            if (step.id, n) in used or way.goto not in by_id or answer in settled:
                continue
            known = _answered(step, way, fields)
            verdict = _verdict(way.when, known)
            if verdict is False:
                continue
            if verdict is True:
                settled.add(answer)
            used.add((step.id, n))
            legs.append(Leg(step, way))
            going = go(by_id[way.goto], known)
            legs.pop()
            used.discard((step.id, n))
            if not going:
                return False
        return True

    complete = go(playbook.first_step(), {})
    return Walk(paths[:limit], capped=not complete)


Known = dict[str, frozenset[object]]
"""What a path knows of a field: the values its answers allow (one option, or the options
that lead alike)."""


def _answered(step: Step, way: Way, fields: Known) -> Known:
    """The fields known along the path once `step` is left by `way`: an ask's answer is one
    of the way's options; a value typed at a task is not known."""
    known = dict(fields)
    if step.kind == StepKind.ASK and way.options:
        known[step.answer_field] = frozenset(option.value for option in way.options)
    else:
        known.pop(step.answer_field, None)
    return known


def _verdict(when: str | None, known: Known) -> bool | None:
    """Whether `when` holds whatever the path's answers were: True or False when it does for
    every value they allow, None when it depends, reads a field the path does not know, or
    does not parse (`check` says so)."""
    if when is None:
        return True
    try:
        condition = conditions.parse(when)
    except conditions.ConditionError:
        return None
    names = sorted(condition.names)
    if not set(names) <= known.keys():
        return None
    outcomes = {condition.evaluate(dict(zip(names, values, strict=True)))
                for values in itertools.islice(itertools.product(*(known[n] for n in names)), 256)}
    return outcomes.pop() if len(outcomes) == 1 else None


def _leg_text(leg: Leg, lang: str, first: bool) -> str:
    said = t(lang, "walk.step", number=leg.step.number) if first else leg.step.number
    way = leg.way
    if way is None:
        return said
    labels = [option.label.in_lang(lang) for option in way.options]
    chosen = " / ".join(labels) if len(labels) <= 3 else t(lang, "walk.more", first=" / ".join(labels[:2]), n=len(labels) - 2)
    why = [text for text in (chosen, way.when) if text]
    return f"{said} [{' · '.join(why)}]" if why else said


def path_text(path: list[Leg], lang: str) -> str:
    """`paso 1 [Call Center] → 2 → 3 [estado == 'cerrada'] → 8 → fin: Gestión técnica`."""
    parts = [_leg_text(leg, lang, i == 0) for i, leg in enumerate(path)]
    last = path[-1].step
    if last.outcome is not None:
        parts.append(t(lang, "walk.end", outcome=last.outcome))
    return " → ".join(parts)


def walk_lines(playbook: Playbook, lang: str, limit: int = LIMIT) -> list[str]:
    """What `crisisbot recorrer` prints: a header, one numbered line per path, the count."""
    found = walk(playbook, limit)
    lines = [t(lang, "walk.header", name=playbook.name, id=playbook.id, start=playbook.first_step().number)]
    lines += [f"{n}. {path_text(path, lang)}" for n, path in enumerate(found.paths, 1)]
    if found.capped:
        lines.append(t(lang, "walk.capped", n=limit))
    elif found.paths:
        lines.append(tn(lang, "walk.count", len(found.paths)))
    else:
        lines.append(t(lang, "walk.none"))
    return lines
