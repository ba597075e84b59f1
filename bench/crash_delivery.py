"""kill -9 under load, then start again: how long until every message is out, and how
many were sent twice (the at-least-once window, docs/design.md «Outbox after a crash»).

    .venv/bin/python bench/crash_delivery.py [--commands 300] [--latency 0.02] [--kill-after 60]
                                             [--database-url postgresql://…  (a fresh database is made there)]

A bot process (this script with --victim) declares a crisis and takes `--commands`
«estado» from the directory's people, delivering through a stand-in platform that takes
`--latency` seconds per message (16 at once, as `crisisbot serve`) and writes each message
it was handed to a file. Once it has handed over `--kill-after` messages it is killed
with SIGKILL; a fresh runtime on the same database then delivers the rest. Printed: rows,
delivered by the dead process (recorded / handed over), sent again by the fresh one, any
message nobody got (must be 0), and the seconds from the fresh start to the last delivery."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from bot.clock import SystemClock
from bot.runtime import Runtime
from flows.commands import Say
from flows.directory import Person
from flows.messages import OutMessage
from persistence import tables as T
from persistence.database import make_engine, reading
from tests.support import settings_for


class SlowPlatform:
    name, group_mode = "test", "post"

    def __init__(self, latency: float, log: Path | None = None) -> None:
        self.latency, self.log = latency, log
        self.got: list[tuple[str, str]] = []

    def reaches(self, person: Person) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> None:
        await asyncio.sleep(self.latency)
        self.got.append((recipient, message.text))
        if self.log is not None:
            with self.log.open("a", encoding="utf-8") as out:
                out.write(json.dumps([recipient, message.text]) + "\n")


async def victim(args: argparse.Namespace) -> None:
    settings = settings_for(args.folder, database_url=args.database_url)
    rt = await Runtime.build(settings, transports={"test": SlowPlatform(args.latency, args.folder / "handed.jsonl")},
                             clock=SystemClock(), concurrency=16)
    await rt.start()
    await rt.service.handle(Say("jaime", "ALERTA ROJA: caída total", "test"))
    people = [p.id for p in rt.directory.people]
    await asyncio.gather(*(rt.service.handle(Say(people[i % len(people)], "estado", "test"))
                           for i in range(args.commands)))
    await asyncio.Event().wait()


async def rows(url: str) -> list[tuple[str, str, bool]]:
    db = make_engine(url)
    try:
        async with reading(db) as conn:
            found = (await conn.execute(select(T.outbox).order_by(T.outbox.c.id))).all()
    finally:
        await db.dispose()
    return [(r.recipient, OutMessage.from_json(r.payload).text, r.delivered_at is not None) for r in found]


def handed(folder: Path) -> Counter[tuple[str, str]]:
    path = folder / "handed.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return Counter(tuple(json.loads(line)) for line in lines)


async def on_a_fresh_database(args: argparse.Namespace) -> None:
    """PostgreSQL: the run gets a database of its own on that server, dropped afterwards."""
    if not args.database_url.startswith("postgres"):
        return await main(args)
    import asyncpg  # type: ignore[import-untyped]

    server, name = args.database_url, f"crisisbot_bench_{os.getpid()}"
    admin = await asyncpg.connect(server.replace("+asyncpg", ""))
    await admin.execute(f'CREATE DATABASE "{name}"')
    args.database_url = server.rsplit("/", 1)[0] + "/" + name
    try:
        await main(args)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main(args: argparse.Namespace) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--victim", "--folder", str(args.folder), "--database-url", args.database_url,
        "--commands", str(args.commands), "--latency", str(args.latency), cwd=ROOT)
    deadline = time.monotonic() + 60
    while sum(handed(args.folder).values()) < args.kill_after:
        if time.monotonic() > deadline or child.returncode is not None:
            raise SystemExit("the bot never got that far")
        await asyncio.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)
    await child.wait()
    before, by_dead = await rows(args.database_url), handed(args.folder)
    owed = Counter((to, text) for to, text, delivered in before if not delivered)

    platform = SlowPlatform(args.latency)
    started = time.monotonic()
    rt = await Runtime.build(settings_for(args.folder, database_url=args.database_url),
                             transports={"test": platform}, clock=SystemClock(), concurrency=16)
    await rt.start()
    while Counter(platform.got) != owed and time.monotonic() - started < 300:
        await asyncio.sleep(0.01)
    elapsed = time.monotonic() - started
    await rt.stop()
    got = Counter(platform.got)
    everything = Counter((to, text) for to, text, _ in before)
    print(f"rows: {len(before)}; the killed process handed over {sum(by_dead.values())}, "
          f"recorded {len(before) - sum(owed.values())} as delivered")
    print(f"the fresh process delivered {sum(got.values())} in {elapsed:.2f} s "
          f"(startup included; {args.latency * 1000:.0f} ms per message, 16 at once)")
    received = got + by_dead  # many messages repeat a text to a person («estado»): counted, not matched
    print(f"sent twice: {sum((received - everything).values())}; never delivered: {sum((everything - received).values())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--commands", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--kill-after", type=int, default=60)
    parser.add_argument("--database-url")
    parser.add_argument("--folder", type=Path)
    parser.add_argument("--victim", action="store_true")
    arguments = parser.parse_args()
    if arguments.folder is None:
        arguments.folder = Path(tempfile.mkdtemp(prefix="crash-"))
    arguments.database_url = arguments.database_url or f"sqlite+aiosqlite:///{arguments.folder / 'crisis.db'}"
    asyncio.run(victim(arguments) if arguments.victim else on_a_fresh_database(arguments))
