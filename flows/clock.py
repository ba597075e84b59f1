"""The clock the engine's callers inject. `flows/` never reads the time itself."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, delta: timedelta) -> None: ...

    def to_real(self, at: datetime) -> datetime: ...


NEVER = timedelta(days=365 * 100)


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
