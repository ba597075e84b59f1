"""Slack benchmark (a script, not a test).

1. Fan-out: ALERTA ROJA to 50 responsibles (a generated 50-person directory and a playbook
   with one task per person) through a local fake Slack Web API that takes 50 ms per call:
   the time from the signed event to the last card delivered.
2. Ack latency: 50 concurrent button presses over HTTP ("Lo tomo", then "Hecho"), each
   handled in full (signature, parsing, the engine, the database commit) before the ack;
   beside a bare Bolt app that only acks the same requests, measured in the same run.

Both are repeated for several crises in one run (FIN DE LA CRISIS, then a new ALERTA ROJA):
a burst of fifty requests on a two-core machine varies from one try to the next, so the
figures are the median of the rounds and all presses pooled.

Both apps run as their own processes (`crisisbot serve` and uvicorn bench.slack_bare:app);
the fake Slack runs in this process. Run: .venv/bin/python bench/slack_fanout.py
[--rounds N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import math
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.settings import Settings
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack.harness import signed_headers

PEOPLE = 50
LATENCY = 0.050
CHANNEL = "C0CRISIS"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_files(folder: Path) -> tuple[Path, Path, dict[str, str]]:
    people: list[dict[str, Any]] = [{"id": "coordinador", "name": "Coordinadora General", "roles": ["declarantes", "coordinacion"],
               "email": "coordinadora@bench.example"}]
    steps = []
    for i in range(PEOPLE):
        people.append({"id": f"p{i:02d}", "name": f"Persona {i:02d}", "roles": [f"r{i:02d}"], "email": f"p{i:02d}@bench.example"})
        steps.append({"id": f"t{i:02d}", "number": str(i + 1), "title": f"Tarea {i + 1}",
                      "instructions": [f"Hacer la tarea {i + 1}."], "responsibles": [f"r{i:02d}"]})
    playbook = {"id": "bench", "name": "Benchmark", "declarers": ["declarantes"], "coordinators": ["coordinacion"],
                "roles": {"declarantes": "x", "coordinacion": "x", **{f"r{i:02d}": "x" for i in range(PEOPLE)}},
                "policy": {"remind_after": ["10m"], "escalate_after": "30m", "escalate_to": ["coordinacion"]},
                "steps": steps}
    directory_path, playbook_path = folder / "directory.yaml", folder / "playbook.yaml"
    directory_path.write_text(yaml.safe_dump({"people": people}, allow_unicode=True), encoding="utf-8")
    playbook_path.write_text(yaml.safe_dump(playbook, allow_unicode=True), encoding="utf-8")
    users = {str(p["email"]): "U" + str(p["id"]).upper() for p in people}
    return playbook_path, directory_path, users


def start(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"{command[0]} exited: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.1)
    raise SystemExit(f"{command} did not start")


def event_body(user: str, text: str) -> bytes:
    return json.dumps({"token": "x", "team_id": "T0BENCH", "api_app_id": "A0BENCH", "type": "event_callback",
                       "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()),
                       "event": {"type": "message", "user": user, "text": text, "ts": f"{time.time():.6f}",
                                 "channel": CHANNEL, "channel_type": "channel", "event_ts": f"{time.time():.6f}"}}).encode()


def press_body(user: str, message: Any, label: str, n: int) -> bytes:
    block, element = next((b, e) for b in message.blocks if b.get("type") == "actions"
                          for e in b["elements"] if e["text"]["text"] == label)
    payload = {
        "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": "T0BENCH"},
        "api_app_id": "A0BENCH", "token": "x", "trigger_id": f"{time.time_ns()}.{n}.bench",
        "container": {"type": "message", "message_ts": message.ts, "channel_id": message.channel, "is_ephemeral": False},
        "team": {"id": "T0BENCH", "domain": "bench"}, "channel": {"id": message.channel, "name": "directmessage"},
        "message": {"type": "message", "text": message.text, "blocks": message.blocks, "ts": message.ts},
        "state": {"values": {}}, "response_url": "http://127.0.0.1/unused",
        "actions": [{"action_id": element["action_id"], "block_id": block["block_id"], "text": element["text"],
                     "value": element["value"], "type": "button", "action_ts": f"{time.time():.6f}"}],
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


async def burst(port: int, bodies: list[bytes]) -> list[float]:
    """All requests at once; each one's latency (send to response) in seconds."""
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=len(bodies))) as client:
        async def one(body: bytes) -> float:
            headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
            started = time.perf_counter()
            response = await client.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.text
            return elapsed

        return list(await asyncio.gather(*(one(b) for b in bodies)))


def send_burst(port: int, bodies: list[bytes]) -> list[float]:
    """`burst` in the client's own process: the fake Slack answers the bot's deliveries in
    this one, and must not slow down the client it is measured with (as Slack's API and
    Slack's servers calling the bot are not one machine)."""
    return asyncio.run(burst(port, bodies))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def fmt(values: list[float]) -> str:
    return f"p50 {pct(values, 0.5) * 1000:6.1f} ms · p99 {pct(values, 0.99) * 1000:6.1f} ms · max {max(values) * 1000:6.1f} ms"


def wait_for(condition: Any, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the bot")
        time.sleep(0.002)


def quiet(fake: FakeSlack, for_seconds: float = 0.5) -> None:
    """Wait until the bot has made no Slack call for a while (its outbox is idle)."""
    def idle() -> bool:
        with fake.lock:
            last = fake.calls[-1].at if fake.calls else 0.0
        return time.monotonic() - last > for_seconds
    wait_for(idle)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="crises declared, pressed and closed in the run")
    parser.add_argument("--database-url", help="the bot's database (default: a fresh SQLite file)")
    args = parser.parse_args()
    fake = FakeSlack(latency=LATENCY).start()
    folder = Path(tempfile.mkdtemp(prefix="crisisbot-bench-"))
    playbook, directory, users = write_files(folder)
    fake.users = users
    bot_port, bare_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": args.database_url or f"sqlite+aiosqlite:///{folder / 'bench.db'}",
           "PLAYBOOK": str(playbook), "DIRECTORY": str(directory), "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CRISIS_CHANNEL": CHANNEL, "SLACK_API_URL": fake.api_url,
           "LOG_LEVEL": "WARNING"}
    for name in ("SLACK_APP_TOKEN", "TWILIO_ACCOUNT_SID"):
        env.pop(name, None)
    concurrency = int(env.get("OUTBOX_CONCURRENCY") or Settings.model_fields["outbox_concurrency"].default)
    crisisbot = str(Path(sys.executable).parent / "crisisbot")
    bot = start([crisisbot, "serve", "--port", str(bot_port)], env, bot_port)
    bare = start([sys.executable, "-m", "uvicorn", "bench.slack_bare:app", "--port", str(bare_port), "--log-level", "warning"],
                 env, bare_port)
    try:
        run(fake, bot_port, bare_port, args.rounds, concurrency, env["DATABASE_URL"].split(":", 1)[0])
    finally:
        for process in (bot, bare):
            process.terminate()
            process.wait(10)
        fake.stop()


def run(fake: FakeSlack, bot_port: int, bare_port: int, rounds: int, concurrency: int, database: str) -> None:
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as client:
        measure(fake, client, bot_port, bare_port, rounds, concurrency, database)


def measure(fake: FakeSlack, client: Executor, bot_port: int, bare_port: int, rounds: int, concurrency: int,
            database: str) -> None:
    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, {platform.system()}")
    print(f"fake Slack Web API latency: {LATENCY * 1000:.0f} ms per call; outbox concurrency {concurrency}; "
          f"database {database}; {rounds} rounds")

    # warm up both apps (Bolt's auth.test, connections, the first query)
    with httpx.Client() as http:
        for port in (bot_port, bare_port):
            body = event_body("UCOORDINADOR", "ayuda")
            http.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=signed_headers(body))
    wait_for(lambda: fake.dms("UCOORDINADOR"))

    fanouts: list[float] = []
    results: dict[str, list[float]] = {"bare": [], "full": []}
    warm: dict[str, list[float]] = {"bare": [], "full": []}  # after the first round
    ratios: list[tuple[float, float]] = []
    snapshots: list[Any] = []
    for number in range(1, rounds + 1):
        print(f"\nround {number}")
        fanouts.append(fan_out(fake, bot_port, concurrency))
        quiet(fake)  # the fan-out's tail (live summary, bookkeeping) is over
        round_results: dict[str, list[float]] = {"bare": [], "full": []}
        for label in ("Lo tomo", "Hecho"):
            snapshots = press_snapshots(fake, label)
            bodies = [press_body(f"UP{i:02d}", snapshots[i], label, i) for i in range(PEOPLE)]
            bare = client.submit(send_burst, bare_port, bodies).result()
            full = client.submit(send_burst, bot_port, bodies).result()
            quiet(fake)  # the bot's deliveries go to the fake in this process: not beside the bare burst
            bare_after = client.submit(send_burst, bare_port, bodies).result()
            round_results["bare"] += bare + bare_after
            round_results["full"] += full
            print(f"   50 concurrent «{label}»: bare Bolt ack {fmt(bare + bare_after)}")
            print(f"   {' ' * (19 + len(label))}crisisbot     {fmt(full)}")
            quiet(fake)
        wait_for(lambda: all(any("✅ Hecha por" in str(c.args.get("text", "")) for c in fake.called("chat.update")
                                 if c.args.get("channel") == f"DP{i:02d}") for i in range(PEOPLE)))
        ratios.append((pct(round_results["full"], 0.5) / pct(round_results["bare"], 0.5),
                       pct(round_results["full"], 0.99) / pct(round_results["bare"], 0.99)))
        print(f"   full / bare this round: p50 x{ratios[-1][0]:.2f} · p99 x{ratios[-1][1]:.2f}")
        for side in results:
            results[side] += round_results[side]
            if number > 1:
                warm[side] += round_results[side]
        if number < rounds:
            close_crisis(fake, bot_port)

    print("\n1. Fan-out: ALERTA ROJA to 50 responsibles, until the last card is delivered")
    rounds_floor = math.ceil((PEOPLE + 1) / concurrency)
    print(f"   each round: {', '.join(f'{f * 1000:.0f} ms' for f in fanouts)}; median {statistics.median(fanouts) * 1000:.0f} ms")
    print(f"   parallel floor: {rounds_floor} rounds x {LATENCY * 1000:.0f} ms = {rounds_floor * LATENCY * 1000:.0f} ms with "
          f"{concurrency} senders, after the event's own commit; {LATENCY * 1000:.0f} ms if unbounded")
    print("\n2. Ack latency, 50 concurrent button presses over HTTP, all rounds")
    print(f"   bare Bolt ack : {fmt(results['bare'])}")
    print(f"   crisisbot     : {fmt(results['full'])}")
    ratio50 = pct(results["full"], 0.5) / pct(results["bare"], 0.5)
    ratio99 = pct(results["full"], 0.99) / pct(results["bare"], 0.99)
    print(f"   full / bare, all presses: p50 x{ratio50:.2f} · p99 x{ratio99:.2f} (aim: within x1.5)")
    print(f"   full / bare, median of the rounds: p50 x{statistics.median(r[0] for r in ratios):.2f} · "
          f"p99 x{statistics.median(r[1] for r in ratios):.2f}")
    if warm["full"]:
        print(f"   full / bare, rounds 2-{rounds} (the first presses after start-up left out): "
              f"p50 x{pct(warm['full'], 0.5) / pct(warm['bare'], 0.5):.2f} · "
              f"p99 x{pct(warm['full'], 0.99) / pct(warm['bare'], 0.99):.2f}")

    # 3. one press at a time: what a press costs by itself
    quiet(fake)
    single: dict[str, list[float]] = {"bare": [], "full": []}
    for i in range(20):
        body = press_body(f"UP{i:02d}", snapshots[i], "Hecho", i)  # the task is done: the engine says so
        for name, port in (("bare", bare_port), ("full", bot_port)):
            single[name] += client.submit(send_burst, port, [body]).result()
        quiet(fake, 0.2)
    print("\n3. One press at a time (20 presses, nothing else running)")
    print(f"   bare Bolt ack : {fmt(single['bare'])}")
    print(f"   crisisbot     : {fmt(single['full'])}")
    print(f"   full / bare: p50 x{pct(single['full'], 0.5) / pct(single['bare'], 0.5):.2f}")


def cards(fake: FakeSlack, since: int) -> list[Any]:
    return [c for c in fake.called("chat.postMessage")[since:] if str(c.args.get("text", "")).startswith("📋")]


def fan_out(fake: FakeSlack, bot_port: int, concurrency: int) -> float:
    """ALERTA ROJA; the time until the last of the fifty cards is delivered."""
    since = len(fake.called("chat.postMessage"))
    body = event_body("UCOORDINADOR", "ALERTA ROJA: benchmark")
    started = time.monotonic()
    response = httpx.post(f"http://127.0.0.1:{bot_port}/slack/events", content=body, headers=signed_headers(body))
    acked = time.monotonic() - started
    assert response.status_code == 200
    wait_for(lambda: len(cards(fake, since)) >= PEOPLE)
    last_card: float = max(c.at for c in cards(fake, since)) - started
    per_person = {c.args["channel"] for c in cards(fake, since)}
    assert len(per_person) == PEOPLE, "a card went twice or not at all"
    print(f"   ALERTA ROJA acked (committed) in {acked * 1000:.0f} ms; all {PEOPLE} cards delivered after "
          f"{last_card * 1000:.0f} ms")
    return last_card


def press_snapshots(fake: FakeSlack, label: str) -> list[Any]:
    """Each person's newest card with the button, as Slack shows it now (the fake updates
    messages in place, so a copy)."""
    def card_of(i: int) -> Any:
        return next(m for m in reversed(fake.dms(f"UP{i:02d}")) if m.text.startswith("📋") and any(
            e["text"]["text"] == label for b in m.blocks if b.get("type") == "actions" for e in b["elements"]))

    wait_for(lambda: all(_has(fake, f"UP{i:02d}", label) for i in range(PEOPLE)))
    return [copy.deepcopy(card_of(i)) for i in range(PEOPLE)]


def close_crisis(fake: FakeSlack, bot_port: int) -> None:
    """FIN DE LA CRISIS (the benchmark's playbook has no closing tasks): the next round
    declares a new crisis."""
    reports = len([c for c in fake.called("chat.postMessage") if c.args.get("channel") == CHANNEL])
    body = event_body("UCOORDINADOR", "FIN DE LA CRISIS")
    response = httpx.post(f"http://127.0.0.1:{bot_port}/slack/events", content=body, headers=signed_headers(body))
    assert response.status_code == 200
    wait_for(lambda: len([c for c in fake.called("chat.postMessage") if c.args.get("channel") == CHANNEL]) > reports)
    quiet(fake)


def _has(fake: FakeSlack, user: str, label: str) -> bool:
    return any(m.text.startswith("📋") and any(e["text"]["text"] == label for b in m.blocks if b.get("type") == "actions"
                                               for e in b["elements"]) for m in fake.dms(user))


if __name__ == "__main__":
    main()
