"""kill -9 under load, on SQLite and on PostgreSQL: what a crash loses or repeats (a script,
not a test; figures and their reading in docs/reliability.md).

    .venv/bin/python bench/reliability_kill.py [--trials 4] [--databases sqlite,postgresql] [--latency 0.02]
                                               [--spread 3] [--no-kill] [--postgres postgresql://…/test]

Each trial: a fake Slack Web API in this process (tests/slack/fake_slack.py, 20 ms a call),
a 50-person directory and a playbook with one task each (bench/slack_fanout.py's), whose
tasks remind after 2 and 4 s and escalate after 6 s, so timers fall due around the kill.
`crisisbot serve` runs as its own process on a fresh SQLite file or on a PostgreSQL
database made for the trial (dropped after). ALERTA ROJA; once the 50 cards are out, the
50 people press «Lo tomo» over signed HTTP in random order over `--spread` seconds while
the coordinator asks «estado» every 100 ms; at a random moment of that the server gets
SIGKILL. A fresh `crisisbot serve` on the same database then runs until every row is
delivered and every timer has fired. Counted, per trial:

- acks lost: presses answered 200 whose task has another owner (or none) after the restart;
- messages lost: outbox rows never delivered (`delivered_at` empty after the restart);
- duplicates: Slack posts (chat.postMessage answered ok) of the same outbox row and part,
  by the row id each post carries in its message metadata (handlers/slack/dedupe.py); for
  a post without one, a post whose `ts` no row recorded while an identical post (same
  channel, text and blocks) was recorded;
- orphans: posts whose `ts` no row recorded, twin or not (the kill's window; in a trial
  without a kill, `--no-kill`, both must be 0, which is how the counting was checked);
- timers fired twice: bitácora entries of a timer (reminder, escalated, checkin, overdue…)
  repeated for the same step and sequence number;
- 5xx: answers >= 500 to any request.

Loopback only; each trial is bounded (about 30 s; a trial that does not settle within
`--settle` seconds is reported as such)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select

from bench.slack_fanout import CHANNEL, cpu_model, event_body, free_port, press_body, write_files
from persistence import tables as T
from persistence.database import make_engine, reading
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack, Message
from tests.slack.harness import signed_headers

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
TIMER_KINDS = frozenset({"reminder", "escalated", "checkin", "checkin_escalated", "overdue", "nobody_can"})
FAST_POLICY = {"remind_after": ["PT2S", "PT4S"], "escalate_after": "PT6S", "escalate_to": ["coordinacion"]}


def machine() -> str:
    return (f"{os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


# -- files, databases, processes ---------------------------------------------------------


def bench_files(folder: Path, policy: dict[str, Any], responsibles: list[str] | None = None,
                steps: int | None = None) -> tuple[Path, Path]:
    """slack_fanout's 50 people and tasks, with `policy`; with `responsibles`, every task
    goes to those roles instead (the same tasks for everybody), and only `steps` of them."""
    playbook_path, directory_path, _ = write_files(folder)
    playbook = yaml.safe_load(playbook_path.read_text(encoding="utf-8"))
    playbook["policy"] = policy
    if responsibles is not None:
        playbook["roles"]["equipo"] = "x"
        for step in playbook["steps"]:
            step["responsibles"] = responsibles
    if steps is not None:
        playbook["steps"] = playbook["steps"][:steps]
    playbook_path.write_text(yaml.safe_dump(playbook, allow_unicode=True), encoding="utf-8")
    if responsibles is not None:
        directory = yaml.safe_load(directory_path.read_text(encoding="utf-8"))
        for person in directory["people"]:
            person["roles"] = [*person["roles"], "equipo"]
        directory_path.write_text(yaml.safe_dump(directory, allow_unicode=True), encoding="utf-8")
    return playbook_path, directory_path


def users(directory: Path) -> dict[str, str]:
    """e-mail -> Slack user id, as slack_fanout names them (p07 -> UP07)."""
    people = yaml.safe_load(directory.read_text(encoding="utf-8"))["people"]
    return {str(p["email"]): "U" + str(p["id"]).upper() for p in people}


def bot_env(database_url: str, playbook: Path, directory: Path, fake: FakeSlack, **extra: str) -> dict[str, str]:
    """The environment of `crisisbot serve` against the fake; its inbox spool (bot/inbox.py)
    in the run's folder, not the repository's `./inbox`."""
    env = {**os.environ, "DATABASE_URL": database_url, "INBOX_DIR": str(playbook.parent / "inbox"),
           "PLAYBOOK": str(playbook), "DIRECTORY": str(directory),
           "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CRISIS_CHANNEL": CHANNEL,
           "SLACK_API_URL": fake.api_url, "LOG_LEVEL": "INFO", **extra}
    for name in ("SLACK_APP_TOKEN", "TWILIO_ACCOUNT_SID", "HOST", "PORT"):
        env.pop(name, None)
    return env


@dataclass
class Server:
    """`crisisbot serve` as a process of its own on 127.0.0.1, its log in a file."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def launch(env: dict[str, str], log: Path, port: int | None = None) -> Server:
    port = port or free_port()
    crisisbot = str(Path(sys.executable).parent / "crisisbot")
    with log.open("ab") as out:
        process = subprocess.Popen([crisisbot, "serve", "--port", str(port)], env={**env, "HOST": "127.0.0.1"},
                                   cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    return Server(port, process, log)


def healthy(server: Server, timeout: float = 90.0) -> bool:
    """Wait for /healthz; False if the process exited first or never answered."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return True
        time.sleep(0.1)
    return False


def last_lines(path: Path, n: int = 3) -> str:
    """The log's last `n` lines that name an error (any last lines if none does)."""
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines() if path.exists() else []
    errors = [line for line in lines if re.search(r"Error|Exception|error:|refused|failed", line)]
    return " | ".join(line.strip()[:300] for line in (errors or lines)[-n:])


@contextlib.contextmanager
def fresh_database(kind: str, folder: Path, server: str) -> Iterator[str]:
    """A database of the run's own: a SQLite file in `folder`, or a PostgreSQL database on
    `server` (asyncpg, trust auth) dropped afterwards, even if the trial failed."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'crisis.db'}"
        return
    import asyncpg  # type: ignore[import-untyped]

    name = f"crisisbot_rel_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    plain = server.replace("+asyncpg", "")

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(plain)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        yield plain.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + "/" + name
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# -- the database after the fact ---------------------------------------------------------


@dataclass
class Stored:
    owners: dict[str, str | None]  # step id -> owner
    claims: Counter[str]  # step id -> «claimed» entries in the bitácora
    rows: list[Any]  # outbox rows
    timer_entries: Counter[tuple[str, str, str]]  # (kind, step, seq) -> entries
    timers_pending: int
    timers_due: int  # pending and already due
    log: list[Any] = field(default_factory=list)
    pids: dict[str, int] = field(default_factory=dict)  # process id (outbox.leased_by) -> pid


async def _read(url: str) -> Stored:
    db = make_engine(url)
    try:
        async with reading(db) as conn:
            tasks = (await conn.execute(select(T.tasks))).all()
            rows = (await conn.execute(select(T.outbox).order_by(T.outbox.c.id))).all()
            log = (await conn.execute(select(T.log).order_by(T.log.c.id))).all()
            timers = (await conn.execute(select(T.timers))).all()
            processes = (await conn.execute(select(T.processes))).all()
    finally:
        await db.dispose()
    now = time.time()
    pending = [t for t in timers if t.status == "pending"]
    return Stored(
        owners={t.step_id: t.owner for t in tasks},
        claims=Counter(str(e.data.get("step")) for e in log if e.kind == "claimed"),
        rows=list(rows),
        timer_entries=Counter((e.kind, str(e.data.get("step")), str(e.data.get("seq", ""))) for e in log
                              if e.kind in TIMER_KINDS),
        timers_pending=len(pending),
        timers_due=sum(t.due_at.timestamp() <= now for t in pending),
        log=list(log),
        pids={p.id: p.pid for p in processes},
    )


def stored(url: str) -> Stored:
    return asyncio.run(_read(url))


def undelivered(rows: list[Any]) -> list[Any]:
    return [r for r in rows if r.delivered_at is None]


def stuck(rows: list[Any]) -> str:
    """What the undelivered rows wait for (a trial that did not settle says why)."""
    now = time.time()
    waiting = Counter(
        (r.via, r.attempts, "leased" if r.leased_until and r.leased_until.timestamp() > now else "free",
         f"due in {max(0, round(r.next_attempt_at.timestamp() - now))} s", (r.last_error or "")[:60])
        for r in undelivered(rows))
    return "; ".join(f"{n} x {key}" for key, n in waiting.most_common(4))


def settle(url: str, timeout: float, fake: FakeSlack) -> tuple[Stored, bool]:
    """Poll until every row is delivered or failed and no timer is pending, then until
    Slack has been quiet for a second. Returns the state and whether it settled in time."""
    deadline = time.monotonic() + timeout
    while True:
        state = stored(url)
        done = not [r for r in undelivered(state.rows) if r.failed_at is None] and state.timers_pending == 0
        if done or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    while time.monotonic() < deadline:
        with fake.lock:
            last = fake.calls[-1].at if fake.calls else 0.0
        if time.monotonic() - last > 1.0:
            break
        time.sleep(0.2)
    return stored(url), done


# -- what Slack got ----------------------------------------------------------------------


def posts(fake: FakeSlack) -> list[Any]:
    with fake.lock:
        return [c for c in fake.calls if c.method == "chat.postMessage" and c.status == 200 and c.error is None]


def post_key(call: Any) -> str:
    args = call.args
    blocks = args.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return json.dumps([args.get("channel"), args.get("text"), blocks, args.get("thread_ts")], sort_keys=True)


def row_tag(call: Any) -> tuple[int, int] | None:
    """(outbox row, part) from a post's message metadata (handlers/slack/dedupe.py), if any."""
    metadata = call.args.get("metadata")
    with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
        metadata = json.loads(metadata) if isinstance(metadata, str) else metadata
        payload = metadata["event_payload"]
        return int(payload["row"]), int(payload.get("part", 0))
    return None


def duplicates(fake: FakeSlack, rows: list[Any]) -> tuple[int, int]:
    """(duplicates, orphans). Orphans: posts whose ts no outbox row recorded. Duplicates:
    posts of an outbox row (and part) beyond the first, by the row id the post carries in
    its metadata; for posts without one, the orphans with a recorded identical twin."""
    recorded_ts = {r.external_id for r in rows if r.external_id}
    answered = [(str(c.args.get("_ts", "")), post_key(c), row_tag(c)) for c in posts(fake)]
    recorded_keys = {key for ts, key, _ in answered if ts in recorded_ts}
    orphans = [(key, tag) for ts, key, tag in answered if ts not in recorded_ts]
    if os.environ.get("BENCH_DEBUG"):
        for key, _ in orphans:
            print("   orphan:", key[:300])
    tagged = Counter(tag for _, _, tag in answered if tag is not None)
    if os.environ.get("BENCH_DEBUG"):
        print(f"   posts {len(answered)}, carrying their outbox row {sum(tagged.values())}")
    untagged_twins = sum(1 for key, tag in orphans if tag is None and key in recorded_keys)
    return sum(n - 1 for n in tagged.values()) + untagged_twins, len(orphans)


def track_ts(fake: FakeSlack) -> None:
    """Remember, in each chat.postMessage call's arguments, the ts the fake answered (the
    fake keeps the message by ts; the call does not say it)."""
    original = fake._chat_postMessage

    def posting(args: dict[str, Any]) -> dict[str, Any]:
        answer = original(args)
        if answer.get("ok"):
            args["_ts"] = answer.get("ts")
        return answer

    fake._chat_postMessage = posting  # type: ignore[method-assign]


def cards_of(fake: FakeSlack, user: str, label: str) -> list[Message]:
    return [copy.deepcopy(m) for m in fake.dms(user) if m.text.startswith("📋") and any(
        e.get("text", {}).get("text") == label for b in m.blocks if b.get("type") == "actions" for e in b["elements"])]


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.05)


def say(server: Server, user: str, text: str) -> int:
    body = event_body(user, text)
    return httpx.post(f"{server.url}/slack/events", content=body, headers=signed_headers(body), timeout=30).status_code


# -- one trial ---------------------------------------------------------------------------


@dataclass
class Trial:
    database: str
    acked: int = 0
    acks_lost: int = 0
    rows: int = 0
    messages_lost: int = 0
    duplicates: int = 0
    orphans: int = 0
    timers_fired: int = 0
    timers_twice: int = 0
    found_posted: int = 0  # rows the restarted process found already in Slack (not posted again)
    errors_5xx: int = 0
    up_s: float = 0.0  # from the restart to /healthz answering
    restart_s: float = 0.0  # from the restart to every row delivered and every timer fired
    settled: bool = True
    note: str = ""


async def load(server: Server, presses: list[tuple[str, bytes]], spread: float, kill_at: float | None,
               ) -> tuple[set[str], int]:
    """The presses spread over `spread` seconds, «estado» every 100 ms, SIGKILL at
    `kill_at` seconds (None: no kill). Returns the people whose press got 200, and the 5xx."""
    acked: set[str] = set()
    errors = 0
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=100)) as client:
        async def post(body: bytes, content_type: str, at: float) -> int | None:
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            try:
                response = await client.post(f"{server.url}/slack/events", content=body,
                                             headers=signed_headers(body, content_type=content_type))
            except httpx.HTTPError:
                return None  # the server is gone: not acknowledged
            return response.status_code

        async def press(person: str, body: bytes, at: float) -> None:
            nonlocal errors
            status = await post(body, "application/x-www-form-urlencoded", at)
            if status == 200:
                acked.add(person)
            elif status is not None and status >= 500:
                errors += 1

        async def estado(at: float) -> None:
            nonlocal errors
            status = await post(event_body("UCOORDINADOR", "estado"), "application/json", at)
            if status is not None and status >= 500:
                errors += 1

        async def killer() -> None:
            if kill_at is not None:
                await asyncio.sleep(kill_at)
                server.kill()

        order = random.sample(presses, len(presses))
        await asyncio.gather(killer(), *(press(p, b, spread * i / len(order)) for i, (p, b) in enumerate(order)),
                             *(estado(0.1 * i) for i in range(int(spread * 10))))
    return acked, errors


def trial(kind: str, args: argparse.Namespace, number: int) -> Trial:
    folder = Path(tempfile.mkdtemp(prefix=f"crisisbot-kill-{kind}-"))
    result = Trial(kind)
    fake = FakeSlack(latency=args.latency).start()
    fake.add_channel(CHANNEL, "crisis")
    track_ts(fake)
    try:
        with fresh_database(kind, folder, args.postgres) as url:
            playbook, directory = bench_files(folder, FAST_POLICY)
            fake.users = users(directory)
            env = bot_env(url, playbook, directory, fake)
            kill_at: float | None = None
            first = launch(env, folder / "first.log")
            if not healthy(first):
                raise RuntimeError(f"the server did not start: {last_lines(first.log)}")
            try:
                if say(first, "UCOORDINADOR", "ALERTA ROJA: ensayo de caída") >= 500:
                    result.errors_5xx += 1
                people = [f"UP{i:02d}" for i in range(50)]
                wait_until(lambda: all(cards_of(fake, u, "Lo tomo") for u in people), 60, "the 50 cards")
                presses = [(u, press_body(u, cards_of(fake, u, "Lo tomo")[-1], "Lo tomo", i)) for i, u in enumerate(people)]
                kill_at = None if args.no_kill else random.uniform(0.15, 0.85) * args.spread
                acked, errors = asyncio.run(load(first, presses, args.spread, kill_at))
                result.errors_5xx += errors
                started = time.monotonic()
                if args.no_kill:
                    state, result.settled = settle(url, args.settle, fake)
                    result.restart_s = time.monotonic() - started
            finally:
                if kill_at is None:
                    first.stop()
                else:
                    first.kill()
            if kill_at is not None:
                second = launch(env, folder / "second.log")
                try:
                    if not healthy(second):
                        raise RuntimeError(f"the server did not start again: {last_lines(second.log)}")
                    result.up_s = time.monotonic() - started
                    state, result.settled = settle(url, args.settle, fake)
                    result.restart_s = time.monotonic() - started
                finally:
                    second.stop()
            result.acked = len(acked)
            result.acks_lost = sum(state.owners.get(f"t{u[2:]}") != f"p{u[2:]}" for u in acked)  # UP07: t07, p07
            result.rows = len(state.rows)
            result.messages_lost = len(undelivered(state.rows))
            if not result.settled:
                result.note = stuck(state.rows)
            result.duplicates, result.orphans = duplicates(fake, state.rows)
            result.timers_fired = sum(state.timer_entries.values())
            result.timers_twice = sum(n - 1 for n in state.timer_entries.values() if n > 1)
            result.found_posted = found_posted(folder / "second.log")
    except (RuntimeError, TimeoutError) as exc:
        result.settled, result.note = False, str(exc)[:200]
    finally:
        fake.stop()
    print(f"  {kind:10} trial {number}: acked {result.acked:2}, acks lost {result.acks_lost}, rows {result.rows:4}, "
          f"lost {result.messages_lost}, duplicates {result.duplicates} (orphans {result.orphans}), "
          f"found already posted {result.found_posted}, timers fired {result.timers_fired}, "
          f"twice {result.timers_twice}, 5xx {result.errors_5xx}, up in {result.up_s:.1f} s, "
          f"settled in {result.restart_s:.1f} s"
          f"{'' if result.settled else ' NOT SETTLED ' + result.note}", flush=True)
    return result


def found_posted(log: Path) -> int:
    """Rows the process found already posted after the crash (handlers/slack/dedupe.py logs
    each one at INFO): the crash window was there and was closed."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return sum("not posted again" in line for line in text.splitlines())


def table(results: list[Trial]) -> None:
    print("\n| database | trials | acked presses | acks lost | outbox rows | messages lost | duplicates | "
          "orphan posts | found already posted | timers fired | timers fired twice | 5xx | settled |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for kind in dict.fromkeys(r.database for r in results):
        mine = [r for r in results if r.database == kind]
        total = {name: sum(getattr(r, name) for r in mine) for name in
                 ("acked", "acks_lost", "rows", "messages_lost", "duplicates", "orphans", "found_posted", "timers_fired",
                  "timers_twice", "errors_5xx")}
        print(f"| {kind} | {len(mine)} | {total['acked']} | {total['acks_lost']} | {total['rows']} | "
              f"{total['messages_lost']} | {total['duplicates']} | {total['orphans']} | {total['found_posted']} | "
              f"{total['timers_fired']} | {total['timers_twice']} | "
              f"{total['errors_5xx']} | {sum(r.settled for r in mine)}/{len(mine)} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=4, help="per database")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", POSTGRES),
                        help="a PostgreSQL server (URL of any database on it); a database is made per trial")
    parser.add_argument("--spread", type=float, default=3.0, help="seconds over which the presses arrive")
    parser.add_argument("--latency", type=float, default=0.02, help="the fake Slack's seconds per call")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds the restarted server gets to finish")
    parser.add_argument("--no-kill", action="store_true", help="the same load without the kill (checks the counting)")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    random.seed(args.seed)
    print(f"machine: {machine()}")
    print(f"fake Slack {args.latency * 1000:.0f} ms a call; 50 presses over {args.spread:.1f} s + «estado» every 100 ms; "
          f"{'no kill' if args.no_kill else 'SIGKILL at a random moment of the load'}; {args.trials} trials each", flush=True)
    results = [trial(kind, args, n) for kind in args.databases.split(",") for n in range(1, args.trials + 1)]
    table(results)


if __name__ == "__main__":
    main()
