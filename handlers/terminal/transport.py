"""The terminal as a transport: delivering a message is printing it."""

from __future__ import annotations

from typing import TextIO
from zoneinfo import ZoneInfo

from flows.clock import Clock
from flows.directory import Directory
from flows.messages import OutMessage
from handlers.terminal.render import render


class TerminalTransport:
    name = "terminal"

    def __init__(self, out: TextIO, directory: Directory, clock: Clock, tz: ZoneInfo, lang: str = "es") -> None:
        self.out = out
        self.directory = directory
        self.clock = clock
        self.tz = tz
        self.lang = lang
        self._seen: set[tuple[str, str]] = set()  # (person, ref) of cards already shown

    async def deliver(self, message: OutMessage) -> None:
        key = (message.to, message.ref or "")
        update = message.kind == "card" and key in self._seen
        if message.kind == "card":
            self._seen.add(key)
        text = render(message, self.directory, self.clock.now(), self.tz, self.lang, update=update)
        print(text, file=self.out, flush=True)
