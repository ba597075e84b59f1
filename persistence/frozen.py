"""A case's frozen playbook, stored once per version (issue 12).

A crisis row keeps its playbook's JSON inline, as before. A case row keeps «@<sha256 of the
JSON>» and the JSON lives once in `frozen_playbooks`: 10,000 open cases of one playbook
share one copy. Refs are resolved through a process-wide cache (a version never changes)."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from persistence import tables as T

_PREFIX = "@"
_known: dict[str, str] = {}  # ref -> JSON, both ways proven stored in this database's lifetime


def ref_of(playbook_json: str) -> str:
    return _PREFIX + hashlib.sha256(playbook_json.encode()).hexdigest()


def is_ref(value: str) -> bool:
    return value.startswith(_PREFIX)


async def store(conn: AsyncConnection, playbook_json: str) -> str:
    """The ref of `playbook_json`, its row written first if this process has not seen it."""
    ref = ref_of(playbook_json)
    if _known.get(ref) != playbook_json:
        dialect = sqlite if conn.dialect.name == "sqlite" else postgresql
        await conn.execute(dialect.insert(T.frozen_playbooks).values(ref=ref, json=playbook_json).on_conflict_do_nothing())
        _known[ref] = playbook_json
    return ref


async def resolve(conn: AsyncConnection, value: str) -> str:
    """The playbook JSON a row's `playbook_json` holds or names. Raises LookupError for a ref
    with no row (a database edited by hand)."""
    if not is_ref(value):
        return value
    cached = _known.get(value)
    if cached is not None:
        return cached
    found = (await conn.execute(select(T.frozen_playbooks.c.json).where(T.frozen_playbooks.c.ref == value))).scalar()
    if found is None:
        raise LookupError(f"frozen playbook {value} is missing")
    _known[value] = found
    return str(found)
