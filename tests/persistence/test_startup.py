"""A database that is wrong at start-up: `crisisbot run`, `serve` and `informe` print one line
saying what is wrong and what to do (never a traceback, never the password) and exit 1; a
plain URL gets its async driver; a server that does not answer is tried again for a
bounded time, a line per try; `serve` listens on HOST / --host."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import bot.app
from bot.cli import main
from bot.settings import Settings
from persistence.database import DatabaseProblem
from persistence.startup import open_database
from tests.doctor_helpers import line_with, migrated_database, run_doctor
from tests.persistence.conftest import PG_URL, _drop_pg_database, _fresh_pg_database
from tests.support import DIRECTORY, PLAYBOOK

PASSWORD = "hunter2-Secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_reachable() -> None:
    """Skip (with the reason) when the test PostgreSQL server cannot be reached."""
    try:
        socket.create_connection(("127.0.0.1", int(PG_URL.rsplit(":", 1)[1].split("/")[0])), timeout=2).close()
    except OSError as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {exc}")


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this user cannot create files in (root ignores permissions: /proc refuses it)."""
    if os.geteuid() == 0:
        return Path("/proc")
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return folder


def _not_sqlite(tmp_path: Path) -> str:
    (tmp_path / "notes.db").write_text("these are notes, not a database\n" * 200)
    return f"sqlite:///{tmp_path / 'notes.db'}"


def _file_as_folder(tmp_path: Path) -> str:
    (tmp_path / "file.txt").write_text("x")
    return f"sqlite:///{tmp_path / 'file.txt' / 'crisis.db'}"


# (DATABASE_URL made for tmp_path, what the line must say in Spanish, needs PostgreSQL)
CASES: dict[str, tuple[Callable[[Path], str], str, bool]] = {
    "garbage": (lambda _: "garbage", "no es una URL de base de datos", False),
    "garbage with a password": (lambda _: f"postgres//bob:{PASSWORD}@db.example/crisis", "no es una URL", False),
    "unsupported": (lambda _: f"mysql://bob:{PASSWORD}@db.example/crisis", "«mysql», que el bot no admite", False),
    "in memory": (lambda _: "sqlite://", "en memoria", False),
    "missing folder": (lambda p: f"sqlite:///{p / 'no' / 'such' / 'crisis.db'}", "no existe; créala", False),
    "file as folder": (_file_as_folder, "no es una carpeta", False),
    "unwritable folder": (lambda p: f"sqlite:///{_unwritable_folder(p) / 'crisis.db'}", "no se puede crear ni escribir", False),
    "not a sqlite file": (_not_sqlite, "no es una base de datos SQLite", False),
    "server down": (lambda _: f"postgresql://bob:{PASSWORD}@127.0.0.1:{_free_port()}/crisis", "el servidor no responde", False),
    "no such database": (lambda _: PG_URL.rsplit("/", 1)[0] + f"/nope_{uuid.uuid4().hex[:8]}", "no existe en el servidor", True),
    "no such role": (lambda _: f"postgres://nobody_{uuid.uuid4().hex[:6]}:{PASSWORD}@" + PG_URL.split("@", 1)[1],
                     "no acepta al usuario", True),
}


def _run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
         **env: str) -> tuple[int, str, str]:
    """`crisisbot <argv>` with exactly these settings; exit code, stdout, stderr."""
    monkeypatch.chdir(tmp_path)  # no .env
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    values = {"PLAYBOOK": str(PLAYBOOK), "DIRECTORY": str(DIRECTORY), "DATABASE_STARTUP_RETRY_SECONDS": "0", **env}
    for name, value in values.items():
        monkeypatch.setenv(name, value)

    def no_server(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the server started with a broken database")

    monkeypatch.setattr(bot.app, "run_server", no_server)
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["informe", "run", "serve"])
@pytest.mark.parametrize("case", list(CASES))
def test_a_broken_database_is_one_line_saying_what_to_do(case: str, command: str, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make_url, expected, needs_pg = CASES[case]
    if needs_pg:
        _pg_reachable()
    code, out, err = _run(monkeypatch, tmp_path, capsys, [command], DATABASE_URL=make_url(tmp_path))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert expected in lines[0] and "DATABASE_URL" in lines[0]
    assert "Traceback" not in err + out and PASSWORD not in err + out


def test_the_line_is_in_the_configured_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(monkeypatch, tmp_path, capsys, ["informe"], CRISISBOT_LANG="en",
                        DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'crisis.db'}")
    assert code == 1
    assert err.strip() == (f"Database sqlite:///{tmp_path / 'missing' / 'crisis.db'}: the folder {tmp_path / 'missing'} "
                           f"does not exist; create it (mkdir -p {tmp_path / 'missing'}) or change the path in DATABASE_URL")


def test_a_plain_sqlite_url_gets_its_async_driver(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(monkeypatch, tmp_path, capsys, ["informe"], DATABASE_URL="sqlite:///plain.db")
    assert (code, out.strip(), err) == (0, "No hay crisis registradas.", "")
    assert (tmp_path / "plain.db").stat().st_size > 0


@pytest.mark.parametrize(("scheme", "query"), [("postgresql", ""), ("postgres", "?sslmode=disable"),
                                               ("postgresql+psycopg2", "?sslmode=prefer")])
async def test_a_plain_postgresql_url_gets_asyncpg(scheme: str, query: str) -> None:
    """Also with libpq's `sslmode` (as hosting platforms give it), which asyncpg calls `ssl`."""
    url = await _fresh_pg_database()
    try:
        engine = await open_database(scheme + "://" + url.split("://", 1)[1] + query)
        try:
            assert engine.url.drivername == "postgresql+asyncpg"
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT count(*) FROM alembic_version"))).scalar() == 1
        finally:
            await engine.dispose()
    finally:
        await _drop_pg_database(url)


class FakeTime:
    """monotonic() and sleep() for open_database: sleeping moves the time, nothing waits."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_a_server_that_does_not_answer_is_retried_for_a_bounded_time(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeTime()
    url = f"postgresql://bob:{PASSWORD}@127.0.0.1:{_free_port()}/crisis"
    with caplog.at_level(logging.WARNING), pytest.raises(DatabaseProblem) as raised:
        await open_database(url, retry_seconds=30, sleep=fake.sleep, monotonic=fake.monotonic)
    assert fake.slept == [1, 2, 4, 5, 5, 5, 5]  # 27 s of waiting; one more 5 s would pass 30 s
    tries = [r.getMessage() for r in caplog.records if r.name == "persistence.startup"]
    assert [f"intento {n}," in line for n, line in enumerate(tries, 1)] == [True] * 7
    assert all("el servidor no responde" in line and PASSWORD not in line for line in tries)
    line = raised.value.text("es")
    assert "no responde tras 8 intento(s) en 27 s" in line and PASSWORD not in line and "bob:***@" in line


async def test_a_server_that_comes_up_meanwhile_is_used(tmp_path: Path) -> None:
    """The database's port opens on the second wait (a proxy to the test server): start-up goes on."""
    url = await _fresh_pg_database()
    port, proxies = _free_port(), []
    target_host, target_port = "127.0.0.1", int(url.rsplit(":", 1)[1].split("/")[0])

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def forward(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(target_host, target_port)
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer), return_exceptions=True)

    fake = FakeTime()

    async def sleep(seconds: float) -> None:
        await fake.sleep(seconds)
        if len(fake.slept) == 2:
            proxies.append(await asyncio.start_server(forward, "127.0.0.1", port))

    proxied = url.replace(f":{target_port}/", f":{port}/")
    try:
        engine = await open_database(proxied, retry_seconds=30, sleep=sleep, monotonic=fake.monotonic)
        await engine.dispose()
        assert fake.slept == [1, 2]
    finally:
        for proxy in proxies:
            proxy.close()
        await _drop_pg_database(url)


async def test_a_server_that_accepts_and_never_answers_times_out() -> None:
    """A port that accepts the connection and then says nothing (a hung server, a firewall
    that swallows): each try ends after the connect timeout, not asyncpg's 60 s."""
    silent = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    try:
        with pytest.raises(DatabaseProblem) as raised:
            await asyncio.wait_for(open_database(f"postgresql://bob@127.0.0.1:{port}/crisis", connect_timeout=0.3), 5)
    finally:
        silent.close()
    assert raised.value.key == "unreachable" and "no responde" in str(raised.value)


@pytest.mark.parametrize(("argv", "env", "host"), [
    (["serve"], {}, "0.0.0.0"),
    (["serve"], {"HOST": "127.0.0.1"}, "127.0.0.1"),
    (["serve", "--host", "::1", "--port", "9123"], {"HOST": "127.0.0.1"}, "::1"),
])
def test_serve_listens_on_host(argv: list[str], env: dict[str, str], host: str, monkeypatch: pytest.MonkeyPatch,
                               tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    for name, value in {"PLAYBOOK": str(PLAYBOOK), "DIRECTORY": str(DIRECTORY), **env}.items():
        monkeypatch.setenv(name, value)
    listened: list[tuple[str, int]] = []
    monkeypatch.setattr(bot.app, "run_server", lambda app, host, port, log_level: listened.append((host, port)))
    assert main(argv) == 0
    assert listened == [(host, 9123 if "--port" in argv else 8000)]
    assert (tmp_path / "crisisbot.db").exists()  # migrated before listening


@pytest.mark.parametrize(("url", "expected"), [
    ("garbage", "❌ DATABASE_URL no es una URL de base de datos («garbage»)"),
    (f"mysql://bob:{PASSWORD}@db.example/crisis", "❌ DATABASE_URL usa «mysql», que el bot no admite"),
    ("sqlite://", "❌ DATABASE_URL apunta a una base SQLite en memoria"),
])
def test_doctor_gives_the_same_line(url: str, expected: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_doctor(monkeypatch, tmp_path, capsys, DATABASE_URL=url)
    assert code == 1
    assert line_with(out, "DATABASE_URL").startswith(expected)
    assert "Traceback" not in out and PASSWORD not in out


def test_doctor_reads_a_plain_sqlite_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    migrated = migrated_database(tmp_path)  # sqlite+aiosqlite:///<tmp>/crisis.db
    code, out = run_doctor(monkeypatch, tmp_path, capsys, DATABASE_URL=migrated.replace("+aiosqlite", ""))
    assert line_with(out, "Base de datos").startswith("✅") and "migrada" in out
