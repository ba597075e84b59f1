"""kill -9 of a real `crisisbot serve` (Slack over HTTP) while deliveries are in flight,
started again within a second: what each person got, counted where Slack would show it.

    .venv/bin/python bench/kill9_serve.py [--requests 50] [--latency 0.25] [--kill-after 8]
                                          [--rounds 3] [--no-kill]

A fake Slack Web API (tests/slack/fake_slack.py) runs in this process, `--latency` seconds
a call, so that deliveries stay in flight. `crisisbot serve` runs as its own process on a
fresh SQLite file with the example directory (9 people). Jaime declares ALERTA ROJA in the
channel; once every row of it is out, `--requests` «estado» are written by DM, spread over
the 9 people, all at once, each a signed Slack event with its own `event_id`. Once the
fake has been handed `--kill-after` answers, the server gets SIGKILL and a new one is
started on the same database at once (the gap is printed). An event whose request failed
(connection cut by the kill) is sent again, as Slack retries events (same `event_id`,
`X-Slack-Retry-Num: 1`).

Counted per person: «estado» written, answers posted to their DM (chat.postMessage ok);
lost = written - answered (must be 0), duplicates = answered - written (only within the
documented window: a post handed to Slack but not yet recorded when the kill came,
docs/design.md «Outbox after a crash»). Printed with the seconds from the kill to the last
answer, the new server's start-up (until /healthz answers; it delivers what the dead one
left before that), and the machine. `--no-kill` runs the same without the kill: both
counts must be 0, which is how the counting was checked.

`--spool` then tries the durable inbox: another process holds SQLite's write lock while
each of the 9 people writes «estado» by DM and Jaime types `/crisis estado`; every one is
acked («📥 Recibido…», kept in the spool), the server is killed before it could commit
any, the lock is let go and a new server starts: printed, the answers each DM got (one per
command: 1 each, 2 for Jaime)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.loading import load_all  # noqa: E402
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack  # noqa: E402
from tests.slack.harness import CHANNEL, everyone, signed_headers, user_id  # noqa: E402
from tests.support import DIRECTORY, PLAYBOOK  # noqa: E402
from tests.web.server import free_port  # noqa: E402


def machine() -> str:
    model = "?"
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()} {platform.release()}"


def event_body(user: str, text: str, event_id: str, channel: str | None = None) -> bytes:
    im = channel is None
    event = {"client_msg_id": secrets.token_hex(8), "type": "message", "text": text, "user": user,
             "ts": f"{time.time():.6f}", "team": TEAM, "channel": FakeSlack.im_of(user) if im else channel,
             "event_ts": f"{time.time():.6f}", "channel_type": "im" if im else "channel"}
    return json.dumps({"token": "unused", "team_id": TEAM, "api_app_id": "A0CRISIS", "event": event,
                       "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
                       "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}]}).encode()


class Server:
    def __init__(self, folder: Path, fake: FakeSlack) -> None:
        self.folder, self.port = folder, free_port()
        self.env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'crisis.db'}",
                    "PLAYBOOK": str(PLAYBOOK), "DIRECTORY": str(DIRECTORY), "SLACK_BOT_TOKEN": BOT_TOKEN,
                    "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_CRISIS_CHANNEL": CHANNEL,
                    "SLACK_API_URL": fake.api_url, "LOG_LEVEL": "WARNING"}
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start `crisisbot serve`; seconds until /healthz answers."""
        started = time.monotonic()
        log = open(self.folder / "serve.log", "ab")  # noqa: SIM115 -- the child keeps it
        self.proc = subprocess.Popen([str(ROOT / ".venv/bin/crisisbot"), "serve", "--port", str(self.port)],
                                     cwd=self.folder, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() - started < 30:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code in (200, 503):
                    return time.monotonic() - started
            except httpx.HTTPError:
                time.sleep(0.05)
        self.stop()
        raise SystemExit("crisisbot serve did not start within 30 s:\n"
                         + (self.folder / "serve.log").read_text(errors="replace")[-3000:])

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def post(self, body: bytes, retry: bool = False) -> int:
        headers = signed_headers(body)
        if retry:
            headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
        try:
            return httpx.post(self.url + "/slack/events", content=body, headers=headers, timeout=10).status_code
        except httpx.HTTPError:
            return 0


def undelivered(folder: Path) -> int:
    with sqlite3.connect(folder / "crisis.db") as conn:
        return int(conn.execute("SELECT count(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0])


def posts_to_dms(fake: FakeSlack, since: int) -> Counter[str]:
    with fake.lock:
        calls = fake.calls[since:]
    return Counter(c.args["channel"] for c in calls if c.method == "chat.postMessage" and c.status == 200
                   and c.error is None and str(c.args.get("channel", "")).startswith("D"))


def slack_workspace() -> FakeSlack:
    """The fake Slack, started, with everybody of the directory and the crisis channel."""
    _, directory = load_all(PLAYBOOK, DIRECTORY)
    assert directory is not None
    fake = FakeSlack(users=everyone(directory.people)).start()
    fake.add_channel(CHANNEL, "crisis")
    return fake


def one_round(args: argparse.Namespace, people: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kill9-") as tmp:
        folder = Path(tmp)
        fake = slack_workspace()
        server = Server(folder, fake)
        try:
            first_startup = server.start()
            assert server.post(event_body(user_id("jaime"), "ALERTA ROJA", "EvDECLARE", CHANNEL)) == 200
            deadline = time.monotonic() + 30
            while undelivered(folder) and time.monotonic() < deadline:
                time.sleep(0.1)
            fake.latency = args.latency
            mark = len(fake.calls)
            written = Counter[str]()
            bodies = []
            for n in range(args.requests):
                person = people[n % len(people)]
                written[FakeSlack.im_of(user_id(person))] += 1
                bodies.append(event_body(user_id(person), "estado", f"EvESTADO{n:04d}"))
            with ThreadPoolExecutor(args.requests) as pool:
                answers = [pool.submit(server.post, body) for body in bodies]
                gap = 0.0
                if not args.no_kill:
                    while sum(posts_to_dms(fake, mark).values()) < args.kill_after:
                        time.sleep(0.005)
                    killed_at = time.monotonic()
                    server.kill()
                    changes: list[tuple[float, int]] = []
                    watching = threading.Event()

                    def watch() -> None:  # when each further answer reached the fake
                        while not watching.is_set():
                            count = sum(posts_to_dms(fake, mark).values())
                            if not changes or changes[-1][1] != count:
                                changes.append((time.monotonic(), count))
                            time.sleep(0.01)

                    watcher = threading.Thread(target=watch, daemon=True)
                    watcher.start()
                    in_flight = len([c for c in fake.calls[mark:] if c.method == "chat.postMessage"])
                    if args.fail_after_restart:  # Slack has a bad moment too: 503, then 429
                        fake.fail_next("chat.postMessage", 503, "service_unavailable", None, args.fail_after_restart)
                        fake.fail_next("chat.postMessage", 429, "ratelimited", str(args.retry_after),
                                       args.fail_after_restart)
                    server.port = free_port()
                    server.url = f"http://127.0.0.1:{server.port}"
                    gap = time.monotonic() - killed_at
                    startup = server.start()
                    restarted = time.monotonic()
                statuses = [a.result() for a in answers]
            failed = [body for body, status in zip(bodies, statuses, strict=True) if status != 200]
            for body in failed:  # Slack retries an event it got no 200 for
                server.post(body, retry=True)
            if args.no_kill:
                restarted, startup, in_flight = time.monotonic(), 0.0, 0
            last = restarted
            deadline = time.monotonic() + args.settle
            seen = 0
            while time.monotonic() < deadline:
                now = sum(posts_to_dms(fake, mark).values())
                if now != seen:
                    seen, last = now, time.monotonic()
                if now >= args.requests and not undelivered(folder) and time.monotonic() - last > 1.0:
                    break
                time.sleep(0.05)
            got = posts_to_dms(fake, mark)
            after_kill = None
            if not args.no_kill:
                watching.set()
                watcher.join()
                after_kill = round(changes[-1][0] - killed_at, 2)
            with fake.lock:
                refused = sum(1 for c in fake.calls[mark:] if c.status != 200)
            lost = sum(max(written[c] - got[c], 0) for c in written)
            twice = sum(max(got[c] - written[c], 0) for c in got)
            return {"lost": lost, "duplicates": twice, "resent_events": len(failed),
                    "slack_refused": refused, "undelivered_rows": undelivered(folder),
                    "restart_gap_s": round(gap, 3), "first_startup_s": round(first_startup, 2),
                    "restart_startup_s": round(startup, 2),
                    "answers_out_before_kill": in_flight,
                    "last_answer_after_restart_s": round(last - restarted, 2), "all_answered_after_kill_s": after_kill,
                    "per_person": {c: (written[c], got[c]) for c in sorted(written)}}
        finally:
            server.stop()
            fake.stop()


def command_body(user: str, text: str) -> bytes:
    return urlencode({"token": "unused", "team_id": TEAM, "team_domain": "fullpyme", "channel_id": CHANNEL,
                      "channel_name": "crisis", "user_id": user, "user_name": user.lower(), "command": "/crisis",
                      "text": text, "api_app_id": "A0CRISIS", "response_url": "http://127.0.0.1:9/unused",
                      "trigger_id": f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(8)}"}).encode()


def spool_round(people: list[str]) -> dict[str, Any]:
    """Another process holds SQLite's write lock while each person writes «estado» by DM
    and Jaime types `/crisis estado`: each is acked (kept in the inbox's spool), then the
    server is killed before it could commit any, the lock is let go, and a new server
    starts: each must be answered once."""
    with tempfile.TemporaryDirectory(prefix="kill9-spool-") as tmp:
        folder = Path(tmp)
        fake = slack_workspace()
        server = Server(folder, fake)
        try:
            server.start()
            assert server.post(event_body(user_id("jaime"), "ALERTA ROJA", "EvDECLARE", CHANNEL)) == 200
            deadline = time.monotonic() + 30
            while undelivered(folder) and time.monotonic() < deadline:
                time.sleep(0.1)
            mark = len(fake.calls)
            lock = sqlite3.connect(folder / "crisis.db", isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")
            with ThreadPoolExecutor(len(people)) as pool:
                acks = list(pool.map(lambda p: server.post(event_body(user_id(p), "estado", f"EvSPOOL{p}")), people))
            body = command_body(user_id("jaime"), "estado")
            headers = signed_headers(body, content_type="application/x-www-form-urlencoded")
            slash = httpx.post(server.url + "/slack/events", content=body, headers=headers, timeout=10)
            server.kill()
            lock.execute("ROLLBACK")
            lock.close()
            server.port = free_port()
            server.url = f"http://127.0.0.1:{server.port}"
            server.start()
            deadline = time.monotonic() + 20
            while sum(posts_to_dms(fake, mark).values()) < len(people) + 1 and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.0)
            got = posts_to_dms(fake, mark)
            with fake.lock:
                ephemeral = [c.args.get("text", "")[:60] for c in fake.calls[mark:] if c.method == "chat.postEphemeral"]
            return {"acks": Counter(acks), "slash_ack": slash.status_code, "slash_text": slash.text[:80],
                    "dm_answers": {c: got[c] for c in sorted(got)}, "ephemeral_notes": ephemeral}
        finally:
            server.stop()
            fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--kill-after", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settle", type=float, default=45.0)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--retry-after", type=int, default=1, help="seconds, in the injected 429s")
    parser.add_argument("--fail-after-restart", type=int, default=0,
                        help="the fake answers this many 503, then as many 429, to the new server's first posts")
    parser.add_argument("--spool", action="store_true", help="then: webhooks kept during a write lock, kill -9, restart")
    args = parser.parse_args()
    print("machine:", machine())
    people = ["juan_pablo", "cecilia", "catalina", "jaime", "luis", "valeria", "claudia_riveros",
              "claudia_martinez", "marcelo"]
    for n in range(args.rounds):
        result = one_round(args, people)
        per_person = result.pop("per_person")
        print(f"round {n + 1}:", json.dumps(result))
        print("   written/answered per DM:", " ".join(f"{c}={w}/{g}" for c, (w, g) in per_person.items()))
    if args.spool:
        print("spool:", json.dumps(spool_round(people), default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
