"""Slack benchmark (a script, not a test).

1. Fan-out: ALERTA ROJA to 50 responsibles (a generated 50-person directory and a playbook
   with one task per person) through a local fake Slack Web API that takes 50 ms per call:
   the time from the signed event to the last card delivered.
2. Ack latency: 50 concurrent button presses over HTTP ("Lo tomo", then "Hecho"), each
   handled in full (signature, parsing, the engine, the database commit) before the ack;
   beside a bare Bolt app that only acks the same requests, measured in the same run.

Both apps run as their own processes (`crisisbot serve` and uvicorn bench.slack_bare:app);
the fake Slack runs in this process. Run: .venv/bin/python bench/slack_fanout.py
"""

from __future__ import annotations

import asyncio
import copy
import json
import math
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack  # noqa: E402
from tests.slack.harness import signed_headers  # noqa: E402

PEOPLE = 50
LATENCY = 0.050
CONCURRENCY = 8  # the outbox's, as bot/app.py builds the runtime
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
    fake = FakeSlack(latency=LATENCY).start()
    folder = Path(tempfile.mkdtemp(prefix="crisisbot-bench-"))
    playbook, directory, users = write_files(folder)
    fake.users = users
    bot_port, bare_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bench.db'}", "PLAYBOOK": str(playbook),
           "DIRECTORY": str(directory), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_CRISIS_CHANNEL": CHANNEL, "SLACK_API_URL": fake.api_url, "LOG_LEVEL": "WARNING"}
    for name in ("SLACK_APP_TOKEN", "TWILIO_ACCOUNT_SID"):
        env.pop(name, None)
    crisisbot = str(Path(sys.executable).parent / "crisisbot")
    bot = start([crisisbot, "serve", "--port", str(bot_port)], env, bot_port)
    bare = start([sys.executable, "-m", "uvicorn", "bench.slack_bare:app", "--port", str(bare_port), "--log-level", "warning"],
                 env, bare_port)
    try:
        run(fake, bot_port, bare_port)
    finally:
        for process in (bot, bare):
            process.terminate()
            process.wait(10)
        fake.stop()


def run(fake: FakeSlack, bot_port: int, bare_port: int) -> None:
    print(f"machine: {os.cpu_count()} CPUs ({cpu_model()}), Python {platform.python_version()}, {platform.system()}")
    print(f"fake Slack Web API latency: {LATENCY * 1000:.0f} ms per call; outbox concurrency {CONCURRENCY}")

    # warm up both apps (Bolt's auth.test, connections, the first query)
    with httpx.Client() as client:
        for port in (bot_port, bare_port):
            body = event_body("UCOORDINADOR", "ayuda")
            client.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=signed_headers(body))
    wait_for(lambda: fake.dms("UCOORDINADOR"))

    # 1. fan-out
    cards_before = len(fake.called("chat.postMessage"))
    body = event_body("UCOORDINADOR", "ALERTA ROJA: benchmark")
    started = time.monotonic()
    response = httpx.post(f"http://127.0.0.1:{bot_port}/slack/events", content=body, headers=signed_headers(body))
    acked = time.monotonic() - started
    assert response.status_code == 200

    def cards() -> list[Any]:
        return [c for c in fake.called("chat.postMessage") if str(c.args.get("text", "")).startswith("📋")]

    wait_for(lambda: len(cards()) >= PEOPLE)
    last_card = max(c.at for c in cards()) - started
    wait_for(lambda: fake.in_channel(CHANNEL))
    announcement = min(c.at for c in fake.called("chat.postMessage") if c.args.get("channel") == CHANNEL) - started
    per_person = {c.args["channel"] for c in cards()}
    assert len(per_person) == PEOPLE, "a card went twice or not at all"
    posts = len(fake.called("chat.postMessage")) - cards_before
    rounds = math.ceil((PEOPLE + 1) / CONCURRENCY)
    print("\n1. Fan-out: ALERTA ROJA to 50 responsibles")
    print(f"   event acked (committed) in {acked * 1000:.1f} ms")
    print(f"   announcement in the channel after {announcement * 1000:.0f} ms")
    print(f"   all {PEOPLE} cards delivered after {last_card * 1000:.0f} ms ({posts} chat.postMessage calls)")
    print(f"   parallel floor: {rounds} rounds x {LATENCY * 1000:.0f} ms = {rounds * LATENCY * 1000:.0f} ms with "
          f"{CONCURRENCY} senders; {LATENCY * 1000:.0f} ms if unbounded")

    # 2. ack latency of 50 concurrent presses, full handling vs bare ack
    quiet(fake)  # the fan-out's tail (live summary, bookkeeping) is over
    print("\n2. Ack latency, 50 concurrent button presses over HTTP")
    results: dict[str, list[float]] = {"bare": [], "full": []}
    snapshots: list[Any] = []
    for label in ("Lo tomo", "Hecho"):
        def card_of(i: int) -> Any:
            user = f"UP{i:02d}"
            return next(m for m in reversed(fake.dms(user)) if m.text.startswith("📋") and any(
                e["text"]["text"] == label for b in m.blocks if b.get("type") == "actions" for e in b["elements"]))

        wait_for(lambda: all(_has(fake, f"UP{i:02d}", label) for i in range(PEOPLE)))
        snapshots = [copy.deepcopy(card_of(i)) for i in range(PEOPLE)]  # the fake updates messages in place
        bodies = [press_body(f"UP{i:02d}", snapshots[i], label, i) for i in range(PEOPLE)]
        bare = asyncio.run(burst(bare_port, bodies))
        full = asyncio.run(burst(bot_port, bodies))
        bare_after = asyncio.run(burst(bare_port, bodies))
        results["bare"] += bare + bare_after
        results["full"] += full
        print(f"   «{label}»  bare Bolt ack : {fmt(bare + bare_after)}")
        print(f"   «{label}»  crisisbot     : {fmt(full)}")
        quiet(fake)
    ratio50 = pct(results["full"], 0.5) / pct(results["bare"], 0.5)
    ratio99 = pct(results["full"], 0.99) / pct(results["bare"], 0.99)
    print(f"   all presses: bare {fmt(results['bare'])}")
    print(f"                full {fmt(results['full'])}")
    print(f"   full / bare: p50 x{ratio50:.2f} · p99 x{ratio99:.2f} (aim: within x1.5)")
    wait_for(lambda: all(any("✅ Hecha por" in str(c.args.get("text", "")) for c in fake.called("chat.update")
                             if c.args.get("channel") == f"DP{i:02d}") for i in range(PEOPLE)))

    # 3. one press at a time: what a press costs by itself
    quiet(fake)
    single: dict[str, list[float]] = {"bare": [], "full": []}
    for i in range(20):
        body = press_body(f"UP{i:02d}", snapshots[i], "Hecho", i)  # the task is done: the engine says so
        for name, port in (("bare", bare_port), ("full", bot_port)):
            single[name] += asyncio.run(burst(port, [body]))
        quiet(fake, 0.2)
    print("\n3. One press at a time (20 presses, nothing else running)")
    print(f"   bare Bolt ack : {fmt(single['bare'])}")
    print(f"   crisisbot     : {fmt(single['full'])}")
    print(f"   full / bare: p50 x{pct(single['full'], 0.5) / pct(single['bare'], 0.5):.2f}")


def _has(fake: FakeSlack, user: str, label: str) -> bool:
    return any(m.text.startswith("📋") and any(e["text"]["text"] == label for b in m.blocks if b.get("type") == "actions"
                                               for e in b["elements"]) for m in fake.dms(user))


if __name__ == "__main__":
    main()
