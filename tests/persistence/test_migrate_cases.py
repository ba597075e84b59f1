"""Existing crises migrate to the case model with Alembic (issue 12, point 2): a database at
revision 0004 holding an open crisis is upgraded; the crisis is of kind «crisis», keeps its
tasks and playbook, and the bot goes on with it (a task taken after the upgrade)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.loading import load_all
from flows.commands import Say
from flows.crisis import TaskState
from flows.engine import handle
from persistence.database import MIGRATIONS, make_engine, migrate
from persistence.repository import load_world
from persistence.writes import apply
from tests.support import DIRECTORY, PLAYBOOK

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _upgrade_to(revision: str) -> object:
    def run(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    return run


async def test_an_open_crisis_of_revision_0004_goes_on_after_the_upgrade(database_url: str) -> None:
    playbook, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    engine: AsyncEngine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_upgrade_to("0004"))
            await conn.execute(text(
                "INSERT INTO crises (id, playbook_id, state, open_key, declared_at, declared_by, playbook_json) "
                "VALUES ('20261129-ab12', :pb, 'active', :pb, :at, 'jaime', :json)"),
                {"pb": playbook.id, "at": NOW.replace(tzinfo=None), "json": playbook.model_dump_json()})
            await conn.execute(text(
                "INSERT INTO tasks (crisis_id, step_id, position, state, acks, declined, reminders, escalations, "
                "checkin_pending) VALUES ('20261129-ab12', 'entel', 1, 'open', '[]', '[]', 0, 0, false)"))
        await migrate(engine)  # to head, as `crisisbot run` does at start-up
        async with engine.begin() as conn:
            world = await load_world(conn, playbook, directory, NOW, lambda: "x1")
            assert world.crisis is not None and world.crisis.id == "20261129-ab12"
            assert world.crisis.kind == "crisis" and not world.crisis.is_case and world.crisis.short_id is None
            assert world.crisis.tasks["entel"].visit == 1 and not world.crisis.tasks["entel"].kept
            outcome = handle(world, Say("cecilia", "tomo 2", "test"))
            await apply(conn, world, outcome, lambda message: [])
        async with engine.connect() as conn:
            again = await load_world(conn, playbook, directory, NOW, lambda: "x2")
            assert again.crisis is not None and again.crisis.tasks["entel"].state == TaskState.CLAIMED
            assert again.crisis.tasks["entel"].owner == "cecilia"
    finally:
        await engine.dispose()
