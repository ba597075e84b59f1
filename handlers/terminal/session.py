"""The terminal chat: speak as any person of the directory, press buttons by number,
move the clock forward. Works typed by hand and from a pipe."""

from __future__ import annotations

import asyncio
from typing import TextIO

from bot.runtime import Runtime
from flows.commands import Press, Say
from flows.render import age, clock_time
from flows.texts import t
from handlers.terminal.inbound import Advance, Control, Line, Malformed, Unknown, parse


class TerminalSession:
    def __init__(self, runtime: Runtime, out: TextIO, echo: bool) -> None:
        self.rt = runtime
        self.out = out
        self.echo = echo  # piped input: repeat each line so the transcript reads like a chat
        self.lang = runtime.settings.lang

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
        await self.rt.outbox.drain()
        return True

    async def line(self, line: Line) -> None:
        person = line.person
        number = line.button_number()
        if number is not None and not await self.rt.service.awaiting_answer(person.id):
            message = await self.rt.service.latest_buttons(person.id, "terminal")
            if message is None:
                self.say(t(self.lang, "term_no_buttons", name=person.name))
            elif not 1 <= number <= len(message.buttons):
                self.say(t(self.lang, "term_bad_button", name=person.name, count=len(message.buttons)))
            else:
                await self.rt.service.handle(Press(person.id, message.buttons[number - 1].action, "terminal"))
            return
        await self.rt.service.handle(Say(person.id, line.text, "terminal", direct=True))

    async def run(self, stdin: TextIO, interactive: bool) -> None:
        self.welcome()
        while True:
            if interactive:
                print("› ", end="", file=self.out, flush=True)
            raw = await asyncio.to_thread(stdin.readline)
            if raw == "" or not await self.process(raw):
                break
        await self.rt.outbox.drain()
        self.say(t(self.lang, "term_bye"))
