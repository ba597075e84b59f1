"""Webhook fuzzer at volume (a script, not a test).

Starts `crisisbot serve` as its own process on loopback, with Slack, WhatsApp and SMS
configured against the local fakes (tests/slack/fake_slack.py, tests/whatsapp/fake_twilio.py,
run in this process), then posts the fuzz tests' generated requests (tests/fuzz/generators.py:
Slack events, interactivity and slash commands; Twilio WhatsApp messages, status callbacks
and SMS; signed, forged, stale, with broken headers, unsigned; bodies bent, truncated or
replaced) one after another, and prints: requests sent, status counts, 5xx, tracebacks in
the server's log, and the server's log lines per refused request (uvicorn's access lines
left out). Nothing reaches the internet.

Run: .venv/bin/python bench/fuzz_webhooks.py [--requests 5000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.slack_fanout import cpu_model, free_port
from bot.loading import load_all
from tests.fuzz.generators import FuzzRequest, slack_requests, twilio_requests
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack
from tests.slack.harness import CHANNEL, OTHER_CHANNEL, everyone
from tests.support import DIRECTORY, PLAYBOOK
from tests.whatsapp.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, SMS_SENDER, FakeTwilio

PUBLIC = "https://crisis.example.com"
ACCESS_LINE = re.compile(r'^INFO:\s+\S+ - "')  # uvicorn's access log
RECORD = re.compile(r"^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):? +(\S+?):? ")  # a log record's first line
BACKGROUND = ("handlers.slack.context", "handlers.slack.people", "handlers.slack.transport", "handlers.slack.channel",
              "handlers.whatsapp.transport", "handlers.sms", "bot.", "apscheduler")  # deliveries, follow-ups: not the request's


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    crisisbot = str(Path(sys.executable).parent / "crisisbot")
    with log.open("wb") as out:
        process = subprocess.Popen([crisisbot, "serve", "--port", str(port)], env=env, cwd=ROOT,
                                   stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"crisisbot serve exited:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    raise SystemExit("crisisbot serve did not start")


class Tally:
    def __init__(self, log: Path) -> None:
        self.log = log
        self.offset = log.stat().st_size
        self.statuses: collections.Counter[int] = collections.Counter()
        self.by_signing: collections.Counter[tuple[str, int]] = collections.Counter()
        self.refused = 0
        self.refused_lines = 0
        self.most_lines = 0
        self.worst: list[str] = []  # the lines of the refusal that logged most
        self.background: list[str] = []
        self.ours = False  # whether the latest record read was logged by the request being answered
        self.errors: list[str] = []

    def new_lines(self) -> list[str]:
        with self.log.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        return [line for line in data.decode("utf-8", "replace").splitlines() if line and not ACCESS_LINE.match(line)]

    def record(self, request: FuzzRequest, status: int) -> None:
        """A refusal's lines: the records logged while it was answered, but for those of work
        other requests left running (deliveries, Slack follow-ups), counted apart."""
        self.statuses[status] += 1
        self.by_signing[(request.signing, status // 100 * 100)] += 1
        own: list[str] = []
        for line in self.new_lines():
            record = RECORD.match(line)
            if record is not None:
                self.ours = not record.group(1).startswith(BACKGROUND) or line.startswith("ERROR")
            elif not self.ours:  # a continuation goes with its record, which may be in an earlier chunk
                self.background.append(line)
                continue
            (own if self.ours else self.background).append(line)
        if status >= 400:
            self.refused += 1
            self.refused_lines += len(own)
            if len(own) > self.most_lines:
                self.most_lines, self.worst = len(own), [f"{status} {request.kind} ({request.signing})",
                                                         *own]
        if status >= 500 and len(self.errors) < 5:
            self.errors.append(request.describe()[:300])


def fuzz(port: int, count: int, tally: Tally) -> None:
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    requests = st.one_of(slack_requests(SIGNING_SECRET), twilio_requests(AUTH_TOKEN, PUBLIC))

    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(request=requests)
    def post(request: FuzzRequest) -> None:
        headers = [(k.encode(), v if isinstance(v, bytes) else v.encode()) for k, v in request.headers.items()]
        response = client.post(request.path, content=request.body, headers=headers)
        tally.record(request, response.status_code)

    post()
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--database-url", help="the bot's database (default: a fresh SQLite file)")
    args = parser.parse_args()
    _, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    slack = FakeSlack(users=everyone(directory.people)).start()
    slack.add_channel(CHANNEL, "crisis")
    slack.add_channel(OTHER_CHANNEL, "general")
    twilio = FakeTwilio().start()
    folder = Path(tempfile.mkdtemp(prefix="crisisbot-fuzz-"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": args.database_url or f"sqlite+aiosqlite:///{folder / 'fuzz.db'}",
           "PLAYBOOK": str(PLAYBOOK), "DIRECTORY": str(DIRECTORY), "SLACK_BOT_TOKEN": BOT_TOKEN,
           "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CRISIS_CHANNEL": CHANNEL, "SLACK_API_URL": slack.api_url,
           "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_WHATSAPP_FROM": SENDER,
           "TWILIO_SMS_FROM": SMS_SENDER, "TWILIO_API_URL": twilio.url, "PUBLIC_BASE_URL": PUBLIC,
           "LOG_LEVEL": "INFO"}
    env.pop("SLACK_APP_TOKEN", None)
    log = folder / "serve.log"
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}, {platform.system()}")
    server = start(env, port, log)
    tally = Tally(log)
    started = time.monotonic()
    try:
        fuzz(port, args.requests, tally)
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code
    finally:
        server.terminate()
        server.wait(timeout=30)
        slack.stop()
        twilio.stop()
    elapsed = time.monotonic() - started
    text = log.read_text(errors="replace")
    sent = sum(tally.statuses.values())
    print(f"requests sent: {sent} in {elapsed:.0f} s ({env['DATABASE_URL'].split(':', 1)[0]})")
    print("status counts: " + ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())))
    print("by signing: " + ", ".join(f"{k[0]} {k[1] // 100}xx: {n}" for k, n in sorted(tally.by_signing.items())))
    print(f"5xx: {sum(n for s, n in tally.statuses.items() if s >= 500)}")
    serving, _, stopping = text.partition("Shutting down")
    print(f"tracebacks in the server's log: {serving.count('Traceback')} while serving, "
          f"{stopping.count('Traceback')} while shutting down (SIGTERM)")
    per = tally.refused_lines / tally.refused if tally.refused else 0.0
    print(f"log lines per refused request: {per:.2f} on average, at most {tally.most_lines} ({tally.refused} refused)")
    print(f"/healthz afterwards: {health}")
    print(f"lines logged by background work (deliveries, Slack follow-ups): {len(tally.background)}")
    if tally.most_lines > 1:
        print("the refusal that logged most:", *[line[:160] for line in tally.worst], sep="\n  ")
    for line in tally.errors:
        print("  5xx:", line)


if __name__ == "__main__":
    main()
