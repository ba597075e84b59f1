"""Checks across the playbook and the directory that a single model cannot see.

Each problem carries the path of the offending value, so the loader can point at
its file and line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.directory import Directory
from flows.playbook import ALL_STAFF, Playbook
from flows.texts import CATALOGS

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    source: str  # "playbook" or "directory"
    path: Path
    message: str


def _valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def check_playbook(playbook: Playbook) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: Path, message: str) -> None:
        problems.append(Problem("playbook", path, message))

    known = set(playbook.roles) | {ALL_STAFF}

    def roles(path: Path, names: list[str]) -> None:
        for i, role in enumerate(names):
            if role not in known:
                bad((*path, i), f"rol desconocido '{role}' (roles definidos: {', '.join(sorted(playbook.roles))})")

    roles(("declarers",), playbook.declarers)
    roles(("coordinators",), playbook.coordinators)
    roles(("policy", "escalate_to"), playbook.policy.escalate_to)
    if not _valid_zone(playbook.timezone):
        bad(("timezone",), f"zona horaria desconocida '{playbook.timezone}'")
    counts = Counter(step.id for step in playbook.steps)
    seen: list[str] = []
    for i, step in enumerate(playbook.steps):
        if counts[step.id] > 1 and step.id in seen:
            bad(("steps", i, "id"), f"id de paso duplicado '{step.id}'")
        roles(("steps", i, "responsibles"), step.responsibles)
        if step.policy and step.policy.escalate_to:
            roles(("steps", i, "policy", "escalate_to"), step.policy.escalate_to)
        for field in ("after", "checks"):
            for j, ref in enumerate(getattr(step, field)):
                if ref not in seen:
                    where = "desconocido" if ref not in counts else "posterior (debe ir antes)"
                    bad(("steps", i, field, j), f"el paso '{ref}' es {where}")
        seen.append(step.id)
    for i, recurring in enumerate(playbook.recurring):
        roles(("recurring", i, "roles"), recurring.roles)
    for j, ref in enumerate(playbook.banner.auto_steps):
        if ref not in counts:
            bad(("banner", "auto_steps", j), f"el paso '{ref}' es desconocido")
    return problems


def check_directory(directory: Directory, playbook: Playbook) -> list[Problem]:
    problems: list[Problem] = []

    def bad(path: Path, message: str) -> None:
        problems.append(Problem("directory", path, message))

    ids: set[str] = set()
    for i, person in enumerate(directory.people):
        if person.id in ids:
            bad(("people", i, "id"), f"id de persona duplicado '{person.id}'")
        ids.add(person.id)
        if not person.has_channel():
            bad(("people", i), f"{person.name} no tiene ningún canal (slack_id, email o whatsapp)")
        for j, role in enumerate(person.roles):
            if role not in playbook.roles:
                bad(("people", i, "roles", j), f"rol desconocido '{role}' (roles del playbook: {', '.join(sorted(playbook.roles))})")
        if not _valid_zone(person.timezone):
            bad(("people", i, "timezone"), f"zona horaria desconocida '{person.timezone}'")
        if person.lang not in CATALOGS:
            bad(("people", i, "lang"), f"idioma '{person.lang}' no disponible ({', '.join(CATALOGS)})")
    for role in playbook.roles:
        if not directory.with_role(role):
            problems.append(Problem("playbook", ("roles", role), f"nadie en el directorio tiene el rol '{role}'"))
    return problems
