"""Checks across the playbook and the directory that a single model cannot see.

Each problem carries the path of the offending value, so the loader can point at its file
and line, and a text key (flows/texts/*/config.py) with its values, so it is said in the
reader's language."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flows.directory import Directory
from flows.matching import drill_phrase_clashes, normalize
from flows.playbook import ALL_STAFF, Phase, Playbook
from flows.texts import CATALOGS

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    source: str  # "playbook" or "directory"
    path: Path
    key: str  # a text key, "config.unknown_role"
    values: dict[str, Any] = field(default_factory=dict)
    other: Path | None = None  # a second place the problem involves: its line is given as `other`


def check_playbook(playbook: Playbook) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: Path, key: str, **values: Any) -> None:
        problems.append(Problem("playbook", path, key, values))

    known = set(playbook.roles) | {ALL_STAFF}
    defined = ", ".join(sorted(playbook.roles))

    def roles(path: Path, names: list[str]) -> None:
        for i, role in enumerate(names):
            if role not in known:
                bad((*path, i), "config.unknown_role", role=role, known=defined)

    roles(("declarers",), playbook.declarers)
    roles(("coordinators",), playbook.coordinators)
    roles(("policy", "escalate_to"), playbook.policy.escalate_to)
    counts = Counter(step.id for step in playbook.steps)
    seen: list[str] = []
    for i, step in enumerate(playbook.steps):
        if counts[step.id] > 1 and step.id in seen:
            bad(("steps", i, "id"), "config.duplicate_step", id=step.id)
        roles(("steps", i, "responsibles"), step.responsibles)
        if step.policy and step.policy.escalate_to:
            roles(("steps", i, "policy", "escalate_to"), step.policy.escalate_to)
        for name in ("after", "checks"):
            for j, ref in enumerate(getattr(step, name)):
                if ref not in seen:
                    bad(("steps", i, name, j), "config.step_unknown" if ref not in counts else "config.step_later", ref=ref)
        seen.append(step.id)
    problems += _check_undoes(playbook, counts)
    for i, recurring in enumerate(playbook.recurring):
        roles(("recurring", i, "roles"), recurring.roles)
    for j, ref in enumerate(playbook.banner.auto_steps):
        if ref not in counts:
            bad(("banner", "auto_steps", j), "config.step_unknown", ref=ref)
    from flows.drill_injects import check_steps  # a drill's injects name steps (issue 14 point 3)

    problems += [Problem("playbook", ("drill", "injects", b.index, b.field), b.key, b.values)
                 for b in check_steps(playbook, playbook.drill.injects)]
    for form, other in drill_phrase_clashes(playbook.drill.phrase, playbook.declare_phrase, playbook.close_phrase):
        bad(("drill", "phrase"), "config.drill_phrase_clash", phrase=form.upper(), other=other.upper())
    if playbook.is_case:  # gotos, conditions, reachability, endings (flows/graph.py imports this module)
        from flows.graph import check_graph

        problems += check_graph(playbook)
    return problems


def _check_undoes(playbook: Playbook, counts: Counter[str]) -> list[Problem]:
    """`undoes` names a crisis-phase step, and only a closing step undoes one."""
    problems: list[Problem] = []
    phases = {step.id: step.phase for step in playbook.steps}
    for i, step in enumerate(playbook.steps):
        if step.undoes is None:
            continue
        path: Path = ("steps", i, "undoes")
        if step.undoes not in counts:
            problems.append(Problem("playbook", path, "config.step_unknown", {"ref": step.undoes}))
        elif phases[step.undoes] != Phase.CRISIS:
            problems.append(Problem("playbook", path, "config.undoes_not_crisis", {"ref": step.undoes}))
        elif step.phase != Phase.CLOSING:
            problems.append(Problem("playbook", path, "config.undoes_not_closing", {"ref": step.undoes}))
    return problems


def check_names(directory: Directory) -> list[Problem]:
    """Every name and alias says one person: `Directory.find` could never single out one
    of two people called «Luis». First names may be shared when the full names differ
    (the full name tells them apart)."""
    problems: list[Problem] = []
    owner: dict[str, tuple[str, Path]] = {}  # normalized name or alias -> (person id, its path)
    for i, person in enumerate(directory.people):
        names: list[tuple[str, Path, str]] = [(normalize(person.name), ("people", i, "name"), person.name)]
        names += [(normalize(alias), ("people", i, "aliases", j), alias) for j, alias in enumerate(person.aliases)]
        for wanted, path, shown in names:
            if not wanted:
                continue
            first = owner.setdefault(wanted, (person.id, path))
            if first[0] != person.id:
                problems.append(Problem("directory", path, "config.same_name", {"name": shown}, other=first[1]))
    return problems


def check_directory(directory: Directory, playbook: Playbook) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: Path, key: str, **values: Any) -> None:
        problems.append(Problem("directory", path, key, values))

    ids: set[str] = set()
    defined = ", ".join(sorted(playbook.roles))
    for i, person in enumerate(directory.people):
        if person.id in ids:
            bad(("people", i, "id"), "config.duplicate_person", id=person.id)
        ids.add(person.id)
        if not person.has_channel():
            bad(("people", i), "config.no_channel", name=person.name)
        for j, role in enumerate(person.roles):
            if role not in playbook.roles:
                bad(("people", i, "roles", j), "config.unknown_role_dir", role=role, known=defined)
        if person.lang not in CATALOGS:
            bad(("people", i, "lang"), "config.bad_lang", lang=person.lang, known=", ".join(CATALOGS))
    problems += check_names(directory)
    for role in playbook.roles:
        if not directory.with_role(role) and not playbook.is_case:
            problems.append(Problem("playbook", ("roles", role), "config.role_unassigned", {"role": role}))
    from flows.drill_injects import check_people  # a drill's injects name people or roles (issue 14 point 3)

    problems += [Problem("playbook", ("drill", "injects", b.index, b.field), b.key, b.values)
                 for b in check_people(playbook, directory, playbook.drill.injects)]
    if playbook.is_case:  # said at each step that needs the role (flows/graph.py)
        from flows.graph import check_roles_held

        problems += check_roles_held(playbook, directory)
    return problems
