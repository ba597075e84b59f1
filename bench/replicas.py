"""Two replicas of `crisisbot serve` on one PostgreSQL database (a script, not a test;
figures and their reading in docs/reliability.md).

    .venv/bin/python bench/replicas.py [--starts 3] [--postgres postgresql://postgres@127.0.0.1:5432/test]

1. Start together: `--starts` times, two replicas started at the same instant on an empty
   database made for the try: how many came up (the migrations must not race).
2. Simultaneous claims: a playbook of 10 tasks, all for the same role, which the 50 people
   of bench/slack_fanout.py's directory all have. ALERTA ROJA; once every card is out,
   the 50 press «Lo tomo» on tasks 1-5 at once, half of each task's presses through each
   replica (250 signed requests). Every task must end with exactly one owner (one «claimed»
   in the bitácora) and every loser must be told who has it («ya la tomó <owner>»).
3. Due timers: tasks 6-10 are left alone; they remind after 2 and 4 s and escalate after
   6 s while both replicas run: each timer must fire once (one bitácora entry each).
4. A replica killed mid-delivery: the fake Slack slows to 1 s a call, 50 «estado» go to
   replica A, and A gets SIGKILL once it has delivered a few of the answers; replica B
   must deliver the rest (rows leased by a process that is gone are free once its
   heartbeat says so). Printed: how long it took, rows lost, duplicates (as in
   bench/reliability_kill.py).

Loopback only; the fake Slack runs in this process; every database made is dropped."""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.reliability_kill import (
    FAST_POLICY,
    POSTGRES,
    Server,
    bench_files,
    bot_env,
    duplicates,
    found_posted,
    fresh_database,
    healthy,
    last_lines,
    launch,
    machine,
    say,
    settle,
    stored,
    track_ts,
    undelivered,
    users,
    wait_until,
)
from bench.slack_fanout import CHANNEL, event_body, press_body
from tests.slack.fake_slack import FakeSlack, Message
from tests.slack.harness import signed_headers

PEOPLE = [f"UP{i:02d}" for i in range(50)]
CLAIMED, LEFT_ALONE = range(5), range(5, 10)


def start_together(args: argparse.Namespace, folder: Path, fake: FakeSlack, url: str) -> tuple[list[Server], str]:
    """Both replicas launched at once; (those that came up, the first error line of the others)."""
    playbook, directory = bench_files(folder, FAST_POLICY, responsibles=["equipo"], steps=10)
    fake.users = users(directory)
    env = bot_env(url, playbook, directory, fake)
    # each replica its own inbox spool, as on two machines
    servers = [launch({**env, "INBOX_DIR": str(folder / f"inbox-{name}")}, folder / f"replica-{name}.log") for name in "ab"]
    up = [healthy(s) for s in servers]
    errors = [last_lines(s.log, 1) for s, ok in zip(servers, up, strict=True) if not ok]
    for server, ok in zip(servers, up, strict=True):
        if not ok:
            server.kill()
    return [s for s, ok in zip(servers, up, strict=True) if ok], "; ".join(errors)


def card(fake: FakeSlack, user: str, number: int) -> Message | None:
    """The user's card of task `number` with «Lo tomo» on it (a copy)."""
    for message in reversed(fake.dms(user)):
        if message.text.startswith("📋") and re.search(rf"\bTarea {number}\b", message.text) and any(
                e.get("text", {}).get("text") == "Lo tomo" for b in message.blocks if b.get("type") == "actions"
                for e in b["elements"]):
            return Message(message.channel, message.ts, message.text, [dict(b) for b in message.blocks])
    return None


async def press_all(servers: list[Server], presses: list[tuple[int, str, bytes]]) -> Counter[int]:
    """Every press at once, press k through replica k % 2; the answers' status codes."""
    statuses: Counter[int] = Counter()
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=len(presses))) as client:
        async def one(replica: int, body: bytes) -> None:
            headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
            response = await client.post(f"{servers[replica].url}/slack/events", content=body, headers=headers)
            statuses[response.status_code] += 1

        await asyncio.gather(*(one(replica, body) for replica, _, body in presses))
    return statuses


def told(fake: FakeSlack, user: str, number: int, owner: str) -> bool:
    """Whether the loser got «La tarea N ya la tomó <owner>» (a DM or an ephemeral)."""
    texts = [m.text for m in fake.dms(user)]
    with fake.lock:
        texts += [str(c.args.get("text")) for c in fake.calls if c.method == "chat.postEphemeral"
                  and c.args.get("user") == user]
    return any(f"tarea {number} ya la tomó" in text.lower() and owner in text for text in texts)


def claims(fake: FakeSlack, servers: list[Server], url: str, settle_s: float) -> dict[str, Any]:
    if say(servers[0], "UCOORDINADOR", "ALERTA ROJA: dos réplicas") >= 500:
        raise RuntimeError("ALERTA ROJA answered 5xx")
    wait_until(lambda: all(card(fake, u, n + 1) for u in PEOPLE for n in CLAIMED), 120, "every card")
    presses: list[tuple[int, str, bytes]] = []
    for i, user in enumerate(PEOPLE):
        for n in CLAIMED:
            message = card(fake, user, n + 1)
            assert message is not None
            presses.append(((i + n) % 2, f"{user}:{n}", press_body(user, message, "Lo tomo", len(presses))))
    started = time.monotonic()
    statuses = asyncio.run(press_all(servers, presses))
    pressed_s = time.monotonic() - started
    state, settled = settle(url, settle_s, fake)
    names = {f"p{i:02d}": f"Persona {i:02d}" for i in range(50)}
    owners = {n: state.owners.get(f"t{n:02d}") for n in CLAIMED}
    not_told = sum(1 for user in PEOPLE for n in CLAIMED if owners[n] != user[1:].lower()
                   and not told(fake, user, n + 1, names.get(owners[n] or "", "?")))
    timer_entries = {key: count for key, count in state.timer_entries.items() if key[1] in {f"t{n:02d}" for n in LEFT_ALONE}}
    dup, orphans = duplicates(fake, state.rows)
    return {"presses": len(presses), "statuses": dict(statuses), "pressed_s": pressed_s,
            "one_owner": sum(1 for n in CLAIMED if owners[n] and state.claims[f"t{n:02d}"] == 1),
            "losers": sum(1 for user in PEOPLE for n in CLAIMED if owners[n] != user[1:].lower()),
            "not_told": not_told, "timers_fired": sum(timer_entries.values()), "timer_keys": len(timer_entries),
            "timers_twice": sum(c - 1 for c in state.timer_entries.values() if c > 1),
            "rows": len(state.rows), "lost": len(undelivered(state.rows)), "duplicates": dup, "orphans": orphans,
            "settled": settled}


async def ask_all(server: Server, users: list[str], text: str) -> None:
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=len(users))) as client:
        async def one(user: str) -> None:
            body = event_body(user, text)
            await client.post(f"{server.url}/slack/events", content=body, headers=signed_headers(body))

        await asyncio.gather(*(one(u) for u in users))


def kill_mid_delivery(fake: FakeSlack, servers: list[Server], url: str, settle_s: float) -> dict[str, Any]:
    a, b = servers
    before = len(stored(url).rows)
    fake.latency = 1.0  # 16 at a time: the 50 answers take about 4 s to go out
    for start in range(0, len(PEOPLE), 10):  # a few at a time: each committed within the inbox's budget
        asyncio.run(ask_all(a, PEOPLE[start:start + 10], "estado"))

    def delivered_new() -> int:
        return sum(r.delivered_at is not None for r in stored(url).rows[before:])

    wait_until(lambda: delivered_new() >= 5, 60, "replica A delivering")
    a.kill()
    killed_at = time.monotonic()
    state, settled = settle(url, settle_s, fake)
    taken_over_s = time.monotonic() - killed_at
    fake.latency = 0.02
    dup, orphans = duplicates(fake, state.rows)
    new = state.rows[before:]
    delivered = [r for r in new if r.delivered_at is not None]
    by_b = sum(state.pids.get(r.leased_by or "") == b.process.pid for r in delivered)  # A's row is gone with A
    return {"rows": len(new), "by_a": len(delivered) - by_b, "by_b": by_b,
            "lost": len(undelivered(new)), "duplicates": dup, "orphans": orphans, "taken_over_s": taken_over_s,
            "found_posted": found_posted(b.log), "settled": settled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="tries of starting two replicas at once")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", POSTGRES))
    parser.add_argument("--settle", type=float, default=90.0, help="seconds the replicas get to finish a phase")
    args = parser.parse_args()
    print(f"machine: {machine()}", flush=True)
    rows: list[tuple[str, str, str]] = []

    came_up = []
    for attempt in range(1, args.starts + 1):
        folder = Path(tempfile.mkdtemp(prefix="crisisbot-replicas-"))
        fake = FakeSlack(latency=0.02).start()
        fake.add_channel(CHANNEL, "crisis")
        try:
            with fresh_database("postgresql", folder, args.postgres) as url:
                servers, error = start_together(args, folder, fake, url)
                came_up.append(len(servers))
                print(f"  start {attempt}: {len(servers)} of 2 replicas up{'; ' + error if error else ''}", flush=True)
                for server in servers:
                    server.stop()
        finally:
            fake.stop()
    rows.append(("replicas started at once, both up", f"{came_up.count(2)} of {len(came_up)} tries", "every try"))

    folder = Path(tempfile.mkdtemp(prefix="crisisbot-replicas-"))
    fake = FakeSlack(latency=0.02).start()
    fake.add_channel(CHANNEL, "crisis")
    track_ts(fake)
    try:
        with fresh_database("postgresql", folder, args.postgres) as url:
            servers, error = start_together(args, folder, fake, url)
            if len(servers) < 2:  # the race of issue 10: start the missing one now that the schema is there
                print(f"  (one replica failed to start: {error}; started again after the other)", flush=True)
                for server in servers:
                    server.stop()
                servers, error = start_together(args, folder, fake, url)
                if len(servers) < 2:
                    raise SystemExit(f"two replicas could not run: {error}")
            try:
                c = claims(fake, servers, url, args.settle)
                print(f"  claims: {c}", flush=True)
                k = kill_mid_delivery(fake, servers, url, args.settle)
                print(f"  kill mid-delivery: {k}", flush=True)
            finally:
                for server in servers:
                    server.stop()
    finally:
        fake.stop()
    fivexx = sum(n for status, n in c["statuses"].items() if status >= 500)
    rows += [
        ("«Lo tomo» presses, through both replicas at once", f"{c['presses']} in {c['pressed_s']:.1f} s; "
         f"answers {c['statuses']}", "all 200"),
        ("tasks with exactly one owner", f"{c['one_owner']} of {len(CLAIMED)}", f"{len(CLAIMED)} of {len(CLAIMED)}"),
        ("losers told who has the task", f"{c['losers'] - c['not_told']} of {c['losers']}", "all"),
        ("timers fired (tasks 6-10: 2 reminders, 1 escalation)", f"{c['timers_fired']} entries for {c['timer_keys']} timers",
         "one each"),
        ("timers fired twice", str(c["timers_twice"]), "0"),
        ("messages lost / duplicates (orphan posts)", f"{c['lost']} / {c['duplicates']} ({c['orphans']}) of {c['rows']} rows",
         "0 / 0"),
        ("5xx", str(fivexx), "0"),
        ("replica A killed mid-delivery: rows", f"{k['rows']}: {k['by_a']} by A, {k['by_b']} by B", "all delivered"),
        ("  B took over, all delivered after", f"{k['taken_over_s']:.1f} s" + ("" if k["settled"] else " (NOT settled)"),
         "within the heartbeat timeout"),
        ("  messages lost / duplicates (orphan posts)", f"{k['lost']} / {k['duplicates']} ({k['orphans']})", "0 / 0"),
        ("  rows B found already posted by A (not posted again)", str(k["found_posted"]), "-"),
    ]
    print("\n| what | measured | goal |\n|---|---|---|")
    for what, measured, goal in rows:
        print(f"| {what} | {measured} | {goal} |")


if __name__ == "__main__":
    main()
