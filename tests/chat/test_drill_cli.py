"""`crisisbot simulacro <playbook> --como <id> [texto] [--el …] [--sorpresa] [--guion …]`
(issue 14 point 1), run beside a live bot on the same database (a terminal runtime): the
command line records the drill, the running bot delivers it and starts a scheduled one at
its time. Everything it refuses gets one clear line, exit 1, no traceback, nothing written."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.cli import main
from flows.clock import ManualClock
from flows.playbook import Playbook
from persistence import tables as T
from persistence.database import reading
from persistence.repository import load_world
from tests.support import DIRECTORY, PLAYBOOK, Chat, RecordingTransport, migrated_copy, settings_for


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    migrated_copy(tmp_path / "crisis.db")
    for name, value in {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'crisis.db'}", "PLAYBOOK": str(PLAYBOOK),
                        "DIRECTORY": str(DIRECTORY), "CRISISBOT_LANG": "es"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PLAYBOOKS", raising=False)
    return tmp_path


@pytest.fixture
async def bot(env: Path) -> AsyncIterator[Chat]:
    """A live `crisisbot run` on the same database (its transport is the terminal's), on the real clock."""
    chat = await Chat.open(settings_for(env), clock=ManualClock(datetime.now(UTC).replace(microsecond=0)),
                           transport=RecordingTransport(name="terminal"))
    try:
        yield chat
    finally:
        await chat.close()


async def crisisbot(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = await asyncio.to_thread(main, ["simulacro", *args])
    out, err = capsys.readouterr()
    return code, out, err


async def open_crisis(chat: Chat):  # type: ignore[no-untyped-def]
    async with reading(chat.rt.db) as conn:
        world = await load_world(conn, chat.rt.playbook, chat.rt.directory, chat.clock.now(), lambda: "x")
    return world.crisis


async def rows(chat: Chat, table: str) -> int:
    async with reading(chat.rt.db) as conn:
        return int((await conn.execute(select(func.count()).select_from(T.metadata.tables[table]))).scalar_one())


async def test_a_drill_started_from_the_command_line_is_delivered_by_the_running_bot(
        bot: Chat, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = await crisisbot(capsys, "fullpyme_contingencia", "--como", "jaime", "se", "cae", "la", "web")
    assert code == 0, err
    assert out.startswith("🧪 Simulacro ") and "iniciado como Jaime" in out
    assert "Los mensajes salen por el crisisbot serve/run en marcha (canales: terminal)" in out
    bot.clock.advance(timedelta(seconds=5))  # the bot's clock, held still, to the moment they were written
    await bot.rt.outbox.drain()
    assert bot.received("grupo", "Simulacro iniciado por Jaime")
    assert bot.inbox("Cecilia") and all(m.text.startswith("🧪 SIMULACRO · ") for m in bot.inbox("Cecilia"))
    crisis = await open_crisis(bot)
    assert crisis is not None and crisis.drill and crisis.description == "se cae la web"


async def test_a_surprise_drill_with_a_drill_file_starts_at_its_time_with_its_injects(
        bot: Chat, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = env / "guion.yaml"
    script.write_text('injects:\n  - at: 5m\n    to_step: "2"\n    text: Entel no contesta\n', encoding="utf-8")
    local = (bot.clock.now() + timedelta(days=1)).astimezone(ZoneInfo("America/Santiago")).replace(second=0)
    code, out, err = await crisisbot(capsys, str(PLAYBOOK), "--como", "catalina", "--el", f"{local:%Y-%m-%d %H:%M}",
                                     "--sorpresa", "--guion", str(script))
    assert code == 0, err
    assert "(sorpresa: solo se le avisó a Catalina)" in out and "ese proceso lo inicia a su hora" in out
    bot.clock.advance(timedelta(seconds=5))
    await bot.rt.outbox.drain()
    assert [to for to, _ in bot.new()] == [bot.pid("Catalina")]
    assert bot.inbox("Catalina")[-1].text.startswith("🤫 Simulacro sorpresa programado para el ")
    bot.clock.advance(local - bot.clock.now() - timedelta(minutes=1))
    await bot.rt.timers.sweep()
    assert await open_crisis(bot) is None
    await bot.advance("1m")
    crisis = await open_crisis(bot)
    assert crisis is not None and crisis.drill
    injects = Playbook.from_frozen(crisis.playbook_json).drill.injects
    assert [(i.at, i.to_step, str(i.text)) for i in injects] == [(timedelta(minutes=5), "2", "Entel no contesta")]


@pytest.mark.parametrize(("args", "said"), [
    (("otro_plan", "--como", "jaime"), "No hay ningún playbook «otro_plan». Los que hay: fullpyme_contingencia."),
    (("fullpyme_contingencia", "--como", "nadie"), "--como nadie: no hay nadie con ese id en el directorio"),
    (("fullpyme_contingencia", "--como", "luis"), "--como luis: Luis no puede iniciar un simulacro; solo quienes decretan"),
    (("fullpyme_contingencia", "--como", "jaime", "--sorpresa"), "--sorpresa va con --el"),
    (("fullpyme_contingencia", "--como", "jaime", "--el", "3/12 10:00"), "--el «3/12 10:00»: no es una fecha y hora AAAA-MM-DD HH:MM"),
    (("fullpyme_contingencia", "--como", "jaime", "--el", "2020-01-01 10:00"), "--el «2020-01-01 10:00»: esa hora ya pasó"),
    (("fullpyme_contingencia", "--como", "jaime", "--guion", "no-existe.yaml"), "--guion no-existe.yaml: no se puede leer"),
])
async def test_what_it_refuses_is_one_line_and_nothing_is_written(
        bot: Chat, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], said: str) -> None:
    code, out, err = await crisisbot(capsys, *args)
    assert (code, out) == (1, "")
    assert err.startswith(said) and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert await rows(bot, "outbox") == 0 and await rows(bot, "crises") == 0 and await rows(bot, "drill_schedule") == 0


async def test_a_drill_file_with_a_mistake_is_refused_with_its_line(
        bot: Chat, env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = env / "guion.yaml"
    script.write_text('injects:\n  - at: 5m\n    to_step: "99"\n    text: Entel no contesta\n', encoding="utf-8")
    code, _, err = await crisisbot(capsys, "fullpyme_contingencia", "--como", "jaime", "--guion", str(script))
    assert code == 1 and err.startswith(f"{script}:3: ") and "Traceback" not in err
    assert await rows(bot, "crises") == 0


async def test_an_open_crisis_is_refused(bot: Chat, capsys: pytest.CaptureFixture[str]) -> None:
    await bot.say("Jaime", "ALERTA ROJA: se cayó la web")
    outbox = await rows(bot, "outbox")
    code, _, err = await crisisbot(capsys, "fullpyme_contingencia", "--como", "cecilia")
    assert code == 1 and err.startswith("Hay una crisis real abierta (") and "no se puede iniciar ni programar" in err
    assert await rows(bot, "outbox") == outbox


async def test_with_no_bot_running_nothing_is_recorded(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = await crisisbot(capsys, "fullpyme_contingencia", "--como", "jaime")
    assert (code, out) == (1, "")
    assert err.strip() == ("Ningún «crisisbot serve» ni «crisisbot run» está en marcha con esta base de datos: nadie "
                           "entregaría los mensajes. Inícialo y vuelve a intentarlo.")
