"""The terminal as a transport: delivering a message is printing it."""

from __future__ import annotations

from typing import TextIO
from zoneinfo import ZoneInfo

from flows.clock import Clock
from flows.directory import Directory, Person
from flows.messages import OutMessage
from handlers.terminal.render import render


class TerminalTransport:
    """Everybody is at the same terminal: it reaches every person and prints group messages once."""

    name = "terminal"
    group_mode = "post"
    edits_in_place = False  # a redraw would be a new message: bot/compact.py leaves it out or folds it in a digest

    def __init__(self, out: TextIO, directory: Directory, clock: Clock, tz: ZoneInfo, lang: str = "es") -> None:
        self.out = out
        self.directory = directory
        self.clock = clock
        self.tz = tz
        self.lang = lang
        self._seen: set[tuple[str, str]] = set()  # (person, ref) of cards already shown

    def reaches(self, person: Person) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        key = (recipient, message.ref or "")
        update = message.kind == "card" and key in self._seen and not message.fresh  # fresh: asks to act, in full
        if message.kind == "card":
            self._seen.add(key)
        text = render(message, self.directory, self.clock.now(), self.tz, self.lang, update=update)
        print(text, file=self.out, flush=True)
        return None
