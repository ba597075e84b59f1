"""Scale of cases (issue 12 point 8): 10,000 open cases with 50,000 pending timers.

    .venv/bin/python bench/cases_scale.py [--db sqlite|postgres] [--cases 10000] [--timers-per-case 5]
                                          [--window 60] [--rate 20] [--timer-rate 50] [--postgres postgresql://…]

A real runtime (bot/runtime.py `Runtime.build`, the shipped playbooks `playbooks/*.yaml`
and directory, the real clock, the outbox with 16 senders as `crisisbot serve` runs it, the
real `TimerScheduler` started by `runtime.start()`, what start-up built kept out of the
garbage collector's full collections as `serve` keeps it) delivering to a recording transport that
notes the wall-clock moment each message is handed to it. On a fresh database: a SQLite
file in a temporary folder, or a PostgreSQL database made on `--postgres` and dropped after.

Seeding: one case of seed 001 («RECLAMO REITERADO 5000000 vulnerabilidad=3») is opened
through the service; its rows (crises row kind «case» naming the frozen playbook «@sha»,
its task row, its timer) are the template, cloned by bulk inserts (1,000 rows a statement)
into «R-2» … «R-<cases>», each with its own contract, and `--timers-per-case` pending timer
rows each (the service's DEADLINE of the live step plus reminder rows, all due days ahead).
The short-id counter is set past the last one, as the service would have left it.

Phases, printed as a table at the end:

1. press latency with `--small` (100) open cases: `--quiet-commands` commands one after
   another (the mix below), wall time of `service.handle` each;
2. the same with all the cases open (unaffected by how many are open);
3. the measured window (`--window` s): the DEADLINE timers of `--timer-rate` × window cases
   (none of those pressed) moved to fall due at `--timer-rate` a second from the window's
   start, while commands arrive at `--rate` a second, open loop (each in its own task, so a
   slow one does not hold the next back). Timer lateness: the first message about that
   case handed to the transport − the timer's due_at (p50/p99/max); also the claim (timer
   row `fired_at` − due_at). Every 2 s the dashboard's first page is read
   (persistence.cases.queue + count_open, what /panel/casos runs).
4. after the window, quiet: «estado R-n» and the dashboard's first page, 20 times each.

The command mix: 4 of 5 are presses on the case's live step (an `ask`: an option, chosen by
the step's first responsible in the directory; a `task`: «Lo tomo», then «Hecho», and the
answer when it asks for a value), 1 of 5 is «estado R-n» from a random person.

Memory: VmRSS (/proc/self/status) after start-up, with 100, 1,000 and all the cases
seeded, and at the end; VmHWM is the peak. Exits 1 when a target is missed: timer
lateness p99 ≤ 1 s, press p99 ≤ 20 ms, «estado» and dashboard p99 ≤ 100 ms, RSS with all
cases ≤ RSS with 1,000 + 64 MB. Figures and the machine: docs/scale.md."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import and_, bindparam, insert, select, update  # noqa: E402

from bench.reliability_kill import POSTGRES, fresh_database  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from bot.settings import Settings  # noqa: E402
from flows.commands import Command, Press, Say  # noqa: E402
from flows.crisis import CrisisState, TaskState  # noqa: E402
from flows.directory import Person  # noqa: E402
from flows.messages import Action, ActionKind, OutMessage, TimerKind  # noqa: E402
from flows.playbook import Playbook, StepKind  # noqa: E402
from persistence import cases as case_queries  # noqa: E402
from persistence import tables as T  # noqa: E402
from persistence.database import reading  # noqa: E402

PLAYBOOK_ID = "comteco_danos_reiterados"
OPENER = "ximena_quispe"
# who opened (and holds the first step of) each seeded case: the openers of seed 001 in the
# shipped directory, in turn, so that the messages of the window go to several people
OPENERS = ("ximena_quispe", "rodrigo_mamani", "daniela_vargas", "marco_flores", "gonzalo_choque", "lucia_gutierrez")
FIRST_KEY = 5_000_000
CHUNK = 1000
CASE_ID = re.compile(r"\bR-\d+\b")  # a case's id is its short id, as the service gives it
TARGETS = {"timer_p99_s": 1.0, "press_p99_ms": 20.0, "estado_p99_ms": 100.0, "dashboard_p99_ms": 100.0, "rss_growth_mb": 64.0}


@dataclass
class StampingTransport:
    """The outbox's transport protocol; notes when each message was handed over (UTC)."""

    name: str = "bench"
    group_mode: str = "post"
    edits_in_place: bool = True
    sent: list[tuple[datetime, str, OutMessage]] = field(default_factory=list)

    def reaches(self, person: Person) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        self.sent.append((datetime.now(UTC), recipient, message))
        return None


def case_ids_of(message: OutMessage) -> set[str]:
    refs = [message.ref or ""] + [b.action.ref for b in message.buttons]
    return {m.group(0) for ref in refs for m in CASE_ID.finditer(ref)}


def rss_mb() -> tuple[float, float]:
    """(VmRSS, VmHWM) of this process, MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def pct(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


# seeding --------------------------------------------------------------------


@dataclass
class Template:
    crisis: dict[str, Any]
    tasks: list[dict[str, Any]]
    timer: dict[str, Any]


async def open_template(rt: Runtime) -> Template:
    """Open one case through the service and read back its rows."""
    await rt.service.handle(Say(OPENER, f"RECLAMO REITERADO {FIRST_KEY} vulnerabilidad=3", "bench"))
    async with reading(rt.db) as conn:
        crisis = dict((await conn.execute(select(T.crises).where(T.crises.c.kind == "case"))).one()._mapping)
        tasks = [dict(r._mapping) for r in (await conn.execute(select(T.tasks).where(T.tasks.c.crisis_id == crisis["id"]))).all()]
        timer = dict((await conn.execute(select(T.timers).where(T.timers.c.crisis_id == crisis["id"]))).one()._mapping)
    return Template(crisis, tasks, timer)


async def seed(rt: Runtime, template: Template, first: int, last: int, timers_per_case: int) -> float:
    """Cases R-<first> … R-<last> (inclusive) cloned from the template; seconds taken."""
    started = time.perf_counter()
    far = template.crisis["declared_at"] + timedelta(days=2)
    kinds = [(TimerKind.DEADLINE, 0), (TimerKind.REMIND, 1), (TimerKind.REMIND, 2), (TimerKind.ESCALATE, 0), (TimerKind.CHECKIN, 0)]
    for lo in range(first, last + 1, CHUNK):
        numbers = range(lo, min(last, lo + CHUNK - 1) + 1)
        crises, tasks, timers = [], [], []
        for n in numbers:
            case_id, key, opener = f"R-{n}", str(FIRST_KEY + n), OPENERS[n % len(OPENERS)]
            crises.append({**template.crisis, "id": case_id, "short_id": f"R-{n}", "case_key": key, "declared_by": opener,
                           "fields": {**template.crisis["fields"], "contrato": key}})
            tasks += [{**row, "crisis_id": case_id, "owner": opener if row["owner"] else None} for row in template.tasks]
            for i in range(timers_per_case):
                kind, seq = kinds[i % len(kinds)]
                timers.append({"crisis_id": case_id, "step_id": template.timer["step_id"], "kind": kind.value,
                               "seq": seq + i // len(kinds), "due_at": far + timedelta(seconds=n + i * 3600),
                               "status": "pending", "fired_at": None})
        async with rt.db.begin() as conn:
            await conn.execute(insert(T.crises), crises)
            await conn.execute(insert(T.tasks), tasks)
            await conn.execute(insert(T.timers), timers)
    async with rt.db.begin() as conn:
        await conn.execute(update(T.revisions).where(T.revisions.c.playbook_id == "#R").values(n=last))
    return time.perf_counter() - started


# commands -------------------------------------------------------------------


@dataclass
class Driver:
    """Picks the next command on a case from what the service last said of it."""

    rt: Runtime
    rng: random.Random
    pool: list[int]  # case numbers pressed (none of them has a timer in the window)
    playbook: Playbook = field(init=False)
    live: dict[int, tuple[str, str, str | None, str | None]] = field(default_factory=dict)  # step, state, owner, asking
    busy: set[int] = field(default_factory=set)
    press_ms: list[float] = field(default_factory=list)
    estado_ms: list[float] = field(default_factory=list)
    errors: int = 0

    def __post_init__(self) -> None:
        self.playbook = self.rt.playbooks[PLAYBOOK_ID]

    def _person_for(self, step_id: str) -> str:
        step = self.playbook.steps_by_id[step_id]
        people = self.rt.directory.with_any_role(list(step.responsibles)) or self.rt.directory.with_any_role(list(self.playbook.coordinators))
        return people[0].id

    def _command(self, n: int) -> tuple[Command, bool]:
        case_id = f"R-{n}"
        if self.rng.random() < 0.2:
            person = self.rng.choice(list(self.rt.directory.people)).id
            return Say(person, f"estado R-{n}", "bench"), True
        step_id, state, owner, asking = self.live.get(n, ("recepcion", TaskState.CLAIMED.value, OPENERS[n % len(OPENERS)], None))
        step = self.playbook.steps_by_id[step_id]
        if step.kind == StepKind.ASK:
            option = self.rng.choice(step.options)
            return Press(owner or self._person_for(step_id), Action.for_choice(case_id, step_id, option.value), "bench"), False
        if asking:
            return Say(asking, "4425221", "bench"), False
        if state == TaskState.OPEN.value:
            return Press(self._person_for(step_id), Action.for_task(ActionKind.CLAIM, case_id, step_id), "bench"), False
        return Press(owner or self._person_for(step_id), Action.for_task(ActionKind.COMPLETE, case_id, step_id), "bench"), False

    def _note(self, n: int, outcome: Any) -> None:
        case = getattr(outcome, "crisis", None)
        if case is None or case.id != f"R-{n}":
            return
        if case.state == CrisisState.CLOSED:
            self.live.pop(n, None)
            if n in self.pool:
                self.pool.remove(n)
            return
        for step_id, task in case.tasks.items():
            if "@" not in step_id and task.state in (TaskState.OPEN, TaskState.CLAIMED):
                if self.playbook.steps_by_id[step_id].kind == StepKind.WAIT and n in self.pool:
                    self.pool.remove(n)  # nothing to press until its timer fires
                self.live[n] = (step_id, task.state.value, task.owner, task.asking)
                return

    async def one(self) -> None:
        free = [n for n in self.rng.sample(self.pool, min(len(self.pool), 8)) if n not in self.busy]
        if not free:
            return
        n = free[0]
        self.busy.add(n)
        try:
            command, estado = self._command(n)
            started = time.perf_counter()
            try:
                outcome = await self.rt.service.handle(command)
            except Exception as exc:  # noqa: BLE001 -- counted and printed; the bench goes on
                self.errors += 1
                print(f"  command failed: {type(exc).__name__}: {exc}"[:200], file=sys.stderr)
                return
            ms = (time.perf_counter() - started) * 1000
            (self.estado_ms if estado else self.press_ms).append(ms)
            self._note(n, outcome)
        finally:
            self.busy.discard(n)

    async def sequential(self, count: int) -> None:
        for _ in range(count):
            await self.one()

    async def paced(self, rate: float, seconds: float) -> None:
        start, tasks = time.perf_counter(), []
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one()))
        await asyncio.gather(*tasks)


async def dashboard_ms(rt: Runtime) -> float:
    started = time.perf_counter()
    async with reading(rt.db) as conn:
        await case_queries.queue(conn, [PLAYBOOK_ID], datetime.now(UTC), limit=50)
        await case_queries.count_open(conn, [PLAYBOOK_ID])
    return (time.perf_counter() - started) * 1000


# the run --------------------------------------------------------------------


async def run(args: argparse.Namespace, url: str, folder: Path) -> dict[str, Any]:
    settings = Settings(database_url=url, playbook=ROOT / "playbooks" / "fullpyme_contingencia.yaml",
                        playbooks=str(ROOT / "playbooks" / "*.yaml"), directory=ROOT / "playbooks" / "directory.example.yaml",
                        inbox_path=folder / "inbox", directory_reload_seconds=0)
    transport = StampingTransport()
    rt = await Runtime.build(settings, transports={transport.name: transport}, concurrency=16)
    await rt.start()
    gc.collect()  # as `crisisbot serve` does once started (bot/app.py create_app, freeze=True)
    gc.freeze()
    figures: dict[str, Any] = {"rss": {}}
    rng = random.Random(args.seed)
    try:
        figures["rss"]["start"] = rss_mb()
        template = await open_template(rt)
        await rt.outbox.drain()
        small = args.small
        seconds = await seed(rt, template, 2, small, args.timers_per_case)
        quiet = Driver(rt, rng, pool=list(range(2, small + 1)))
        await quiet.sequential(args.quiet_commands)
        figures["press_small"] = quiet.press_ms
        figures["rss"][small] = rss_mb()
        seconds += await seed(rt, template, small + 1, min(1000, args.cases), args.timers_per_case)
        figures["rss"][min(1000, args.cases)] = rss_mb()
        seconds += await seed(rt, template, 1001, args.cases, args.timers_per_case)
        figures["seed_s"] = seconds
        figures["rss"][args.cases] = rss_mb()
        async with reading(rt.db) as conn:
            figures["open"] = await case_queries.count_open(conn, [PLAYBOOK_ID])
            figures["pending"] = len((await conn.execute(select(T.timers.c.id).where(T.timers.c.status == "pending"))).all())
        # the cases pressed, and those whose timer falls due in the window, apart
        due_count = int(args.timer_rate * args.window)
        timed = list(range(args.cases - due_count + 1, args.cases + 1))
        big = Driver(rt, rng, pool=list(range(small + 1, args.cases - due_count + 1)))
        await big.sequential(20)  # not counted: the first commands after the bulk insert (SQLite's WAL checkpoint)
        big.press_ms.clear()
        big.estado_ms.clear()
        await big.sequential(args.quiet_commands)
        figures["press_big"] = big.press_ms
        await rt.outbox.drain()
        # the window
        window_start = datetime.now(UTC) + timedelta(seconds=2)
        due = {f"R-{n}": window_start + timedelta(seconds=i / args.timer_rate) for i, n in enumerate(timed)}
        async with rt.db.begin() as conn:  # one DEADLINE timer of each of those cases moved into the window
            await conn.execute(update(T.timers).where(and_(
                T.timers.c.crisis_id == bindparam("b_case"), T.timers.c.kind == TimerKind.DEADLINE.value,
            )).values(due_at=bindparam("b_due")), [{"b_case": c, "b_due": at} for c, at in due.items()])
        await rt.timers.rearm()
        first_message = len(transport.sent)
        window = Driver(rt, rng, pool=big.pool, live=big.live)
        dashboards: list[float] = []

        async def watch() -> None:
            while True:
                await asyncio.sleep(2)
                dashboards.append(await dashboard_ms(rt))

        await asyncio.sleep(max(0.0, (window_start - datetime.now(UTC)).total_seconds()))
        watcher = asyncio.create_task(watch())
        await window.paced(args.rate, args.window)
        watcher.cancel()
        # let the last timers fire and their messages out
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            await rt.outbox.drain()
            got = {c for _, _, m in transport.sent[first_message:] for c in case_ids_of(m)} & due.keys()
            if len(got) == len(due):
                break
            await asyncio.sleep(0.5)
        handed: dict[str, datetime] = {}
        for at, _, message in transport.sent[first_message:]:
            for case_id in case_ids_of(message) & due.keys():
                handed.setdefault(case_id, at)
        figures["lateness"] = [(handed[c] - due[c]).total_seconds() for c in handed]
        figures["unfired"] = len(due) - len(handed)
        async with reading(rt.db) as conn:
            rows = (await conn.execute(select(T.timers.c.crisis_id, T.timers.c.fired_at).where(and_kind(list(due))))).all()
        figures["claim"] = [(r.fired_at - due[r.crisis_id]).total_seconds() for r in rows if r.fired_at is not None]
        figures["press_window"] = window.press_ms
        figures["estado_window"] = window.estado_ms
        figures["dashboard_window"] = dashboards
        figures["errors"] = quiet.errors + big.errors + window.errors
        figures["messages"] = len(transport.sent)
        # quiet reads after the window
        after = Driver(rt, rng, pool=big.pool, live=big.live)
        for _ in range(20):
            n = rng.choice(after.pool)
            started = time.perf_counter()
            await rt.service.handle(Say(OPENER, f"estado R-{n}", "bench"))
            after.estado_ms.append((time.perf_counter() - started) * 1000)
        figures["estado_quiet"] = after.estado_ms + quiet.estado_ms + big.estado_ms
        figures["dashboard_quiet"] = [await dashboard_ms(rt) for _ in range(20)]
        figures["rss"]["end"] = rss_mb()
    finally:
        await rt.stop()
    return figures


def and_kind(case_ids: list[str]) -> Any:
    return and_(T.timers.c.crisis_id.in_(case_ids), T.timers.c.kind == TimerKind.DEADLINE.value)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} CPUs, {model}, {mem / 1024:.1f} GB RAM, load {os.getloadavg()[0]:.2f} at the start"


def report(args: argparse.Namespace, f: dict[str, Any]) -> list[str]:
    """Prints the table; returns the targets missed."""
    def ms(values: Sequence[float]) -> str:
        return f"p50 {pct(values, 50):7.1f}  p99 {pct(values, 99):7.1f}  max {max(values, default=float('nan')):7.1f}  (n={len(values)})"

    late_ms = [x * 1000 for x in f["lateness"]]
    claim_ms = [x * 1000 for x in f["claim"]]
    print(f"\n{args.db}: {f['open']} open cases, {f['pending']} pending timers, seeded in {f['seed_s']:.1f} s")
    print(f"window {args.window:.0f} s: {args.rate:g} commands/s, timers due at {args.timer_rate:g}/s; "
          f"{f['messages']} messages handed over; command errors {f['errors']}")
    print(f"{'':34} {'ms':>6}")
    print(f"{'timer lateness (handed over)':34} {ms(late_ms)}  unfired {f['unfired']}")
    print(f"{'timer claimed (fired_at − due)':34} {ms(claim_ms)}")
    small, big = f"press, {args.small} open, quiet", f"press, {f['open']} open, quiet"
    print(f"{small:34} {ms(f['press_small'])}")
    print(f"{big:34} {ms(f['press_big'])}")
    print(f"{'press, in the window':34} {ms(f['press_window'])}")
    print(f"{'estado, in the window':34} {ms(f['estado_window'])}")
    print(f"{'estado, quiet':34} {ms(f['estado_quiet'])}")
    print(f"{'dashboard page 1, in the window':34} {ms(f['dashboard_window'])}")
    print(f"{'dashboard page 1, quiet':34} {ms(f['dashboard_quiet'])}")
    print("RSS MB (VmRSS / VmHWM): " + ", ".join(f"{k}: {v[0]:.0f}/{v[1]:.0f}" for k, v in f["rss"].items()))
    missed = []
    if f["unfired"] or pct(f["lateness"], 99) > TARGETS["timer_p99_s"]:
        missed.append(f"timer lateness p99 {pct(f['lateness'], 99):.3f} s (unfired {f['unfired']}) > {TARGETS['timer_p99_s']} s")
    for name in ("press_small", "press_big", "press_window"):
        if pct(f[name], 99) > TARGETS["press_p99_ms"]:
            missed.append(f"{name} p99 {pct(f[name], 99):.1f} ms > {TARGETS['press_p99_ms']} ms")
    for name in ("estado_window", "estado_quiet", "dashboard_window", "dashboard_quiet"):
        target = TARGETS["estado_p99_ms"] if name.startswith("estado") else TARGETS["dashboard_p99_ms"]
        if pct(f[name], 99) > target:
            missed.append(f"{name} p99 {pct(f[name], 99):.1f} ms > {target} ms")
    grown = f["rss"][args.cases][0] - f["rss"][min(1000, args.cases)][0]
    if grown > TARGETS["rss_growth_mb"]:
        missed.append(f"RSS grew {grown:.0f} MB from 1,000 to {args.cases} cases")
    if f["errors"]:
        missed.append(f"{f['errors']} commands failed")
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL", POSTGRES),
                        help="server to make the fresh database on (postgres)")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--timers-per-case", type=int, default=5)
    parser.add_argument("--small", type=int, default=100, help="open cases for the first press figures")
    parser.add_argument("--quiet-commands", type=int, default=300, help="commands in each quiet press run")
    parser.add_argument("--window", type=float, default=60.0, help="seconds")
    parser.add_argument("--rate", type=float, default=20.0, help="commands a second in the window")
    parser.add_argument("--timer-rate", type=float, default=50.0, help="timers falling due a second in the window")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    if args.timer_rate * args.window > args.cases - args.small - 500:
        parser.error("not enough cases for the timers of the window and the presses")
    print(machine())
    with tempfile.TemporaryDirectory() as tmp:
        with fresh_database("sqlite" if args.db == "sqlite" else "postgresql", Path(tmp), args.postgres) as url:
            figures = asyncio.run(run(args, url, Path(tmp)))
    missed = report(args, figures)
    for line in missed:
        print("MISSED:", line)
    print("median lateness", statistics.median(figures["lateness"]) if figures["lateness"] else "-")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
