"""Replicas starting together on an empty database all come up: four processes migrate the
same fresh database at the same moment (each imports first, then all start on one signal)
and every one succeeds, with the schema at head. Without the migration lock PostgreSQL
fails them with `UniqueViolationError ... alembic_version` / `pg_type_typname_nsp_index`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from persistence.database import MIGRATIONS, make_engine
from persistence.tables import metadata
from tests.persistence.conftest import _drop_pg_database, _fresh_pg_database

REPLICAS = 4

# One replica: import everything, say "ready", wait for the start signal, open the database
# as `crisisbot serve` does. The SQLite busy timeout is 0, so only the migration lock (not
# SQLite's busy handler) can keep the replicas from failing on each other's write lock.
REPLICA = """
import asyncio, sys, time
from pathlib import Path
from persistence.startup import open_database
url, go = sys.argv[1], Path(sys.argv[2])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
async def main():
    engine = await open_database(url, busy_timeout_ms=0)
    await engine.dispose()
asyncio.run(main())
"""


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'replicas.db'}"
        return
    url = await _fresh_pg_database()  # skips with the reason when PostgreSQL is unreachable
    try:
        yield url
    finally:
        await _drop_pg_database(url)


async def test_replicas_starting_together_all_migrate(empty_database: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    root = Path(__file__).resolve().parents[2]
    replicas = [await asyncio.create_subprocess_exec(
        sys.executable, "-c", REPLICA, empty_database, str(go), cwd=root,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(REPLICAS)]
    try:
        for replica in replicas:
            assert replica.stdout is not None
            assert await asyncio.wait_for(replica.stdout.readline(), 60) == b"ready\n"
        go.touch()
        results = [await asyncio.wait_for(replica.communicate(), 60) for replica in replicas]
    finally:
        for replica in replicas:
            if replica.returncode is None:
                replica.kill()
    failures = [(replica.returncode, err.decode()[-600:]) for replica, (_, err) in zip(replicas, results, strict=True)
                if replica.returncode != 0]
    assert failures == []
    engine = make_engine(empty_database)
    try:
        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
            tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    assert versions == ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert set(metadata.tables) <= tables
