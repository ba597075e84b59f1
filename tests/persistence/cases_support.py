"""A small case playbook and cases written by hand through PendingWrites (as the engine's
outcomes would be), shared by the case query tests and the dashboard's queue tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.messages import LogEntry
from flows.playbook import Playbook
from flows.world import Outcome, World
from persistence.writes import PendingWrites


def case_playbook(playbook_id: str = "danos", prefix: str = "R") -> Playbook:
    return Playbook.model_validate({
        "id": playbook_id, "name": "Daños reiterados", "kind": "case", "case": {"prefix": prefix},
        "fields": [{"id": "contrato", "label": {"es": "Contrato", "en": "Contract"}, "required": True}],
        "declarers": ["declarantes"], "coordinators": ["coordinacion"],
        "roles": {"entel": "Call center", "coordinacion": "Coordinación", "declarantes": "Declarantes"},
        "steps": [
            {"id": "registrar", "number": "1", "title": {"es": "Registrar reclamo", "en": "Record the complaint"},
             "responsibles": ["entel"]},
            {"id": "revisar", "number": "2", "title": {"es": "Revisar orden", "en": "Check the order"},
             "responsibles": ["coordinacion"]},
            {"id": "fin", "number": "3", "title": "Fin", "kind": "end", "responsibles": ["coordinacion"],
             "outcome": "Resuelto"},
        ],
    })


def make_case(
    playbook: Playbook, number: int, opened_at: datetime, *, by: str = "jaime", due_at: datetime | None = None,
    step: str = "registrar", owner: str | None = None, key: str | None = None, closed: bool = False,
    done: Sequence[tuple[str, str, str | None]] = (), asking: str | None = None, fields: dict[str, Any] | None = None,
) -> Crisis:
    """A case «<prefix>-<number>» at `step` (taken by `owner` when given); `done`: earlier
    steps finished as (step id, by, value), one minute after opening each."""
    assert playbook.case is not None
    case = Crisis(
        id=f"case-{playbook.id}-{number}", playbook_id=playbook.id,
        state=CrisisState.CLOSED if closed else CrisisState.ACTIVE, declared_at=opened_at, declared_by=by,
        playbook_json=playbook.model_dump_json(), kind="case", short_id=f"{playbook.case.prefix}-{number}",
        fields=dict(fields or {"contrato": key or str(4452200 + number)}), case_key=key, due_at=due_at,
        closed_at=opened_at + timedelta(hours=1) if closed else None,
    )
    for index, (step_id, who, value) in enumerate(done, start=1):
        at = opened_at + timedelta(minutes=index)
        case.tasks[step_id] = Task(step_id=step_id, state=TaskState.DONE, activated_at=opened_at, done_at=at,
                                   done_by=who, value=value, owner=who, claimed_at=at)
    if not closed:
        case.tasks[step] = Task(step_id=step, state=TaskState.CLAIMED if owner else TaskState.OPEN,
                                activated_at=opened_at, owner=owner, claimed_at=opened_at if owner else None,
                                asking=asking, asked_at=opened_at if asking else None)
    return case


async def write_cases(db: AsyncEngine, cases: Sequence[Crisis], now: datetime, log: Sequence[LogEntry] = ()) -> None:
    """Insert the cases (rows, tasks and their bitácora `log`) in one transaction, as the service would."""
    writes = PendingWrites(plan=lambda message: [])
    for case in cases:
        playbook = Playbook.from_frozen(case.playbook_json)
        world = World(playbook=playbook, directory=None, now=now, crisis=None, proposals=[],  # type: ignore[arg-type]
                      new_id=lambda: "unused")
        writes.add(world, Outcome(crisis=case, log=[e for e in log if e.crisis_id == case.id]))
    async with db.begin() as conn:
        await writes.flush(conn)
