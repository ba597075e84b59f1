"""The clock the engine's callers inject. `flows/` never reads the time itself."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, delta: timedelta) -> None: ...

    def to_real(self, at: datetime) -> datetime: ...


NEVER = timedelta(days=365 * 100)


def crisis_now(real_now: datetime, clock_offset: int | None, last_at: datetime | None = None) -> datetime:
    """The time on a crisis's own clock, for a process that reads the wall clock (a report,
    the dashboard): `real_now`, plus `clock_offset` seconds for a drill the terminal runs on
    simulated time (`Crisis.clock_offset`, handlers/terminal/drill.py), and never earlier
    than `last_at` (its newest bitácora entry), so that its times never go backwards."""
    now = real_now + timedelta(seconds=clock_offset or 0)
    return max(now, last_at) if last_at is not None else now


class ManualClock:
    """A clock that moves only when told (tests, benchmarks)."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def to_real(self, at: datetime) -> datetime:
        """When a scheduler should wake up for `at`. This clock moves only when told, so a
        moment it has not reached never comes by itself (whoever moves it also sweeps),
        whatever the date on the wall; one it has reached is due now."""
        return at if at <= self._now else at + NEVER
