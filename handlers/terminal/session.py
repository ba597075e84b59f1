"""The terminal chat: speak as any person of the directory, press buttons by number,
move the clock forward. Works typed by hand and from a pipe."""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.choices import read_choice
from bot.runtime import Runtime
from flows.commands import Press, Say
from flows.messages import OutMessage
from flows.render import age, clock_time
from flows.texts import t
from handlers.terminal.drill import DrillClock
from handlers.terminal.inbound import Advance, Control, Line, Malformed, Unknown, parse
from handlers.terminal.lines import LineReader
from handlers.terminal.render import render


class TerminalSession:
    def __init__(self, runtime: Runtime, out: TextIO, echo: bool, drill: DrillClock | None = None) -> None:
        self.rt = runtime
        self.out = out
        self.echo = echo  # piped input: repeat each line so the transcript reads like a chat
        self.lang = runtime.settings.lang
        self.drill = drill  # keeps the simulated time with the open crisis (handlers/terminal/drill.py)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def welcome(self) -> None:
        people = ", ".join(p.name for p in self.rt.directory.people)
        self.say(t(self.lang, "term_welcome", playbook=self.rt.playbook.name, people=people))

    async def process(self, raw: str) -> bool:
        """Handle one line; False when the session should end."""
        parsed = parse(raw, self.rt.directory)
        if parsed is None:
            if self.echo and raw.strip():
                self.say(raw.rstrip())
            return True
        if self.echo:
            self.say(f"> {raw.strip()}")
        if isinstance(parsed, Advance):
            if parsed.delta is None or not parsed.delta:
                self.say(t(self.lang, "term_bad_duration", text=parsed.raw))
            else:
                self.rt.clock.advance(parsed.delta)
                at = clock_time(self.rt.clock.now(), self.rt.service.tz)
                self.say(t(self.lang, "term_advanced", delta=age(parsed.delta, self.lang), at=at))
                await self.keep_clock()  # before the timers fire: a `serve` must leave them alone now
                await self.rt.timers.sweep()
        elif isinstance(parsed, Control):
            if parsed.name in ("salir", "exit", "quit"):
                return False
            if parsed.name in ("ayuda", "help"):
                self.welcome()
            else:
                self.say(t(self.lang, "term_unknown_command", text=raw.strip()))
        elif isinstance(parsed, Unknown):
            if parsed.candidates:
                self.say(t(self.lang, "ambiguous_person", names=", ".join(p.name for p in parsed.candidates)))
            else:
                self.say(t(self.lang, "unknown_person", name=parsed.name))
        elif isinstance(parsed, Malformed):
            self.say(t(self.lang, "term_usage"))
        elif isinstance(parsed, Line):
            await self.line(parsed)
            await self.keep_clock()  # a crisis declared after an /avanzar carries it
        await self.settle()
        return True

    async def settle(self) -> None:
        """Everything this line caused is shown before the next one is read: the messages,
        and what the contact watcher (bot/contact.py, poked by each delivery round) found
        about them, e.g. «No consigo contactar a …» right after the /avanzar that made it
        true, not a few lines later (a scripted drill reads the same on every run)."""
        await self.rt.outbox.drain()
        for _ in range(2):  # its warnings are deliveries too, which poke it once more
            await self.rt.contact.settle()
            await self.rt.outbox.drain()

    async def keep_clock(self) -> None:
        if self.drill is not None and (notice := await self.drill.keep()):
            self.say(notice)

    async def line(self, line: Line) -> None:
        person = line.person
        choice = await read_choice(self.rt, person, "terminal", line.text)  # «2»: a button (bot/choices.py)
        if isinstance(choice, Press):
            await self.rt.service.handle(choice)
        elif isinstance(choice, str):  # on several cards, or on none: the bot asks
            self.say(render(OutMessage(to=person.id, text=choice), self.rt.directory, self.rt.clock.now(),
                            self.rt.service.tz, person.lang))
        else:
            await self.rt.service.handle(Say(person.id, line.text, "terminal", direct=True))

    async def run(self, stdin: TextIO, interactive: bool, welcome: bool = True) -> None:
        """Until /salir or the end of the input. Ctrl-C (the task cancelled) leaves at once:
        what was recorded is committed; what was not shown yet is shown next session."""
        if welcome:
            self.welcome()
        reader = LineReader(stdin)
        try:
            while True:
                if interactive:
                    print("› ", end="", file=self.out, flush=True)
                raw = await reader.readline()
                if raw == "" or not await self.process(raw):
                    break
        except asyncio.CancelledError:
            self.say(("\n" if interactive else "") + t(self.lang, "drill.interrupted"))
            raise
        await self.rt.outbox.drain()
        self.say(t(self.lang, "term_bye"))
