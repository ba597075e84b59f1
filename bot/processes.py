"""This process among those that deliver the outbox: an identity, a heartbeat, and who
else is gone.

An outbox lease names the process that holds it (`outbox.leased_by`). Every process
refreshes its row of `processes` every few seconds (`OUTBOX_HEARTBEAT_SECONDS`); a lease
whose holder has not been seen for `OUTBOX_PROCESS_TIMEOUT_SECONDS` is free, so a replica
on another machine takes over what a dead one left within that time. On this machine we
need not wait: a holder whose pid no longer exists, is a zombie, was started after the
holder registered (the pid was reused), or is this very process (a container restarted
as pid 1 again) is gone, and its row is dropped at once, which frees its leases. Hosts
are told apart by hostname and pid namespace, so two containers never judge each
other's pids."""

from __future__ import annotations

import functools
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.settings import Settings
from persistence.repository import ProcessRow

log = logging.getLogger(__name__)

Wall = Callable[[], datetime]


def wall_now() -> datetime:
    """Real time (aware UTC): liveness is about real seconds, not the bot's clock, which
    the terminal may move forward and tests hold still."""
    return datetime.now(UTC)


@functools.cache
def host_id() -> str:
    """The hostname and, on Linux, the pid namespace: pids mean something only within it."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}/{namespace}"[:255]


@dataclass(frozen=True)
class Heartbeat:
    """How often a process says it is alive, and after how long without news it is
    presumed dead (seconds; settings OUTBOX_HEARTBEAT_SECONDS, OUTBOX_PROCESS_TIMEOUT_SECONDS)."""

    heartbeat: float = 5.0
    timeout: float = 15.0
    wall: Wall = field(default=wall_now)

    @classmethod
    def from_settings(cls, settings: Settings) -> Heartbeat:
        return cls(settings.outbox_heartbeat_seconds, settings.outbox_process_timeout_seconds)

    def alive_since(self) -> datetime:
        """A process seen before this moment (wall clock) is presumed dead."""
        return self.wall() - timedelta(seconds=self.timeout)


@dataclass(frozen=True)
class Identity:
    """Who this process is in the `processes` table. One per OS process (`this_process`):
    runtimes built side by side in one process (tests) share it, and so never take each
    other's leases."""

    id: str
    host: str
    pid: int
    started_at: datetime

    def row(self, vias: str, seen_at: datetime) -> ProcessRow:
        return ProcessRow(self.id, self.host, self.pid, vias, self.started_at, seen_at)


@functools.cache
def this_process() -> Identity:
    return Identity(uuid.uuid4().hex[:16], host_id(), os.getpid(), wall_now())


_senders_here: dict[int, tuple[str, frozenset[str]]] = {}
"""(database, transports) of each outbox sender running in this OS process ("*" for one
taking any row): they share its Identity, so its `processes` row advertises them all."""


def advertise(sender: int, database: str, vias: frozenset[str] | None) -> None:
    """Add (vias given) or withdraw (None) the transports of a sender of this process that
    delivers the outbox of `database` (its URL)."""
    if vias is None:
        _senders_here.pop(sender, None)
    else:
        _senders_here[sender] = (database, vias)


def vias_here(database: str) -> frozenset[str]:
    """The transports of every sender running in this OS process on `database`."""
    return frozenset().union(*(vias for db, vias in _senders_here.values() if db == database))


def _proc_start(pid: int) -> tuple[str, datetime] | None:
    """(state, start time in UTC) of a pid on Linux from /proc; None when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        boot = next(line for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
    except (OSError, StopIteration):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3, starttime field 22
    ticks = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return fields[0], datetime.fromtimestamp(int(boot.split()[1]) + ticks, UTC)


def is_gone(other: ProcessRow, me: Identity) -> bool:
    """Whether a process registered on this host (same `host_id`) is certainly dead."""
    if other.id == me.id:
        return False
    if other.pid == me.pid:
        return True  # its pid is this process now
    try:
        os.kill(other.pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # exists, owned by somebody else
    known = _proc_start(other.pid)
    if known is None:
        return False
    state, started = known
    # A zombie is dead but not yet reaped; a process started after the row was written
    # (the row's started_at is taken once the interpreter runs, after the real start) is
    # another program that got the pid.
    return state in ("Z", "X") or started > other.started_at + timedelta(seconds=2)
