"""The bot's clock: real time, plus an offset the terminal can move forward (/avanzar)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def to_real(self, at: datetime) -> datetime:
        """The wall-clock moment at which the bot's clock shows `at`."""
        return at - self.offset
