"""How many messages a scripted crisis sends, per person and per 10-minute window.

    .venv/bin/python bench/message_count.py [examples/simulacro.txt] [--pace 30] [--mode phone|whatsapp|terminal|slack]

Plays a terminal script (`Nombre: texto`, `Nombre: 2` presses a button, `/avanzar 10m`)
through the real runtime (engine, SQLite database, outbox, timer sweep) with the
terminal's own line reader (handlers/terminal/session.py) and a recording transport in
place of the screen. Between two chat lines the clock moves `--pace` seconds (a person
reading and typing) and due timers fire, as they would by hand.

`--mode` says what the recording transport stands for:

- `phone` (default): a channel that cannot edit a message it sent and has no group, so the
  group's messages reach every person one by one (WhatsApp, SMS): what a phone receives;
- `whatsapp`: `phone`, each message rendered as WhatsApp sends it inside the 24-hour window
  (handlers/whatsapp/render.py `Renderer.session`, the session quick-reply templates
  configured): what counts is each Twilio message to a phone, a text longer than 1,600
  characters being several;
- `terminal`: the same as `phone`, but the group's messages are printed once (the terminal chat);
- `slack`: a channel that edits cards in place and posts the group's messages to a channel.

A message «asks to act» (`asks_to_act`) when it is marked fresh (a reminder, an
escalation, «mis tareas»), is a nudge, a proposal or a question (kinds `nudge`,
`proposal`, `question`), has a button that changes something
(anything but a link or «estado»), or asks a question in its text («¿…?»). Everything
else is news. `--json` prints the figures as JSON. Figures and their reading:
docs/messages.md."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flows.messages import GROUP, ActionKind, OutMessage  # noqa: E402

if TYPE_CHECKING:
    from handlers.whatsapp.render import Renderer

START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 09:00 in Santiago
WINDOW = timedelta(minutes=10)
ASKING_KINDS = frozenset({"nudge", "proposal", "question"})
NOT_ACTING = frozenset({ActionKind.PANEL, ActionKind.STATUS})


def asks_to_act(message: OutMessage) -> bool:
    """Whether the message asks its recipient to act (see the module's docstring)."""
    if message.fresh or message.kind in ASKING_KINDS:
        return True
    if any(button.action.kind not in NOT_ACTING and button.url is None for button in message.buttons):
        return True
    return "¿" in message.text


@dataclass(frozen=True)
class Received:
    at: datetime
    to: str  # a person id, or GROUP where the transport posts to the group
    message: OutMessage
    reply: bool  # an answer to what this person just typed or pressed
    edit: bool = False  # a redraw in place of a message already shown (`slack` mode): no new message
    piece: int = 0  # `whatsapp` mode: the n-th Twilio message of a text split in several (0: the first)

    @property
    def acts(self) -> bool:
        return asks_to_act(self.message)


def max_in_window(times: Iterable[datetime], window: timedelta = WINDOW) -> int:
    """The most of `times` that fall in any window of length `window` (start included,
    end excluded)."""
    ordered = sorted(times)
    best, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= window:
            first += 1
        best = max(best, last - first + 1)
    return best


@dataclass
class Counts:
    everything: list[Received] = field(default_factory=list)

    @property
    def received(self) -> list[Received]:
        """New messages (edits in place left out)."""
        return [r for r in self.everything if not r.edit]

    @property
    def edits(self) -> int:
        return sum(r.edit for r in self.everything)

    @property
    def total(self) -> int:
        return len(self.received)

    @property
    def acting(self) -> int:
        return sum(r.acts for r in self.received)

    def per_person(self) -> dict[str, int]:
        return dict(Counter(r.to for r in self.received))

    def asked(self) -> set[tuple[str, str]]:
        """(recipient, what) for everything somebody was asked to act on: a task's step id for
        a button that acts on it, «proposal» for a proposal's buttons, «question» for a
        question in words. A digest that lists several tasks asks for each of them."""
        pairs = set()
        for r in self.received:
            for button in r.message.buttons:
                if button.action.kind in NOT_ACTING or button.url is not None:
                    continue
                crisis, sep, step = button.action.ref.partition("/")
                pairs.add((r.to, step if sep else "proposal"))
            if "¿" in r.message.text and not r.message.buttons:
                pairs.add((r.to, "question"))
        return pairs

    def worst_window(self, replies: bool = True) -> tuple[int, str | None]:
        """The most messages that do not ask to act any one person got in a 10-minute
        window, and who (`replies=False`: answers to their own commands left out)."""
        by_person: dict[str, list[datetime]] = defaultdict(list)
        for r in self.received:
            if not r.acts and (replies or not r.reply):
                by_person[r.to].append(r.at)
        worst = max(((max_in_window(times), person) for person, times in by_person.items()), default=(0, None))
        return worst[0], worst[1]

    def figures(self) -> dict[str, object]:
        worst, who = self.worst_window()
        unsolicited, who_unsolicited = self.worst_window(replies=False)
        return {"total": self.total, "edits": self.edits, "asks_to_act": self.acting, "asked_pairs": len(self.asked()), "per_person": self.per_person(),
                "max_news_in_10_min": worst, "who": who,
                "max_unsolicited_news_in_10_min": unsolicited, "who_unsolicited": who_unsolicited}


class Recorder:
    """The outbox's transport protocol (bot/outbox.py), keeping what it was given."""

    def __init__(self, mode: str, clock: object) -> None:
        self.name = "terminal"  # the terminal's line reader presses buttons of this channel
        self.group_mode = "relay" if mode in ("phone", "whatsapp") else "post"
        self.renderer = whatsapp_renderer() if mode == "whatsapp" else None
        self.edits_in_place = mode == "slack"
        self.clock = clock
        self.speaker: str | None = None
        self.counts = Counts()
        self._shown: set[tuple[str, str]] = set()

    def reaches(self, person: object) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> None:
        key = (recipient, message.ref or "")
        edit = self.edits_in_place and message.ref is not None and key in self._shown and not message.fresh
        seen = key in self._shown
        self._shown.add(key)
        pieces = len(self.renderer.session(message, "es", seen)) if self.renderer is not None else 1
        for piece in range(pieces):
            self.counts.everything.append(Received(self.clock.now(), recipient, message,  # type: ignore[attr-defined]
                                                   reply=recipient == self.speaker, edit=edit, piece=piece))


def whatsapp_renderer() -> Renderer:
    """The renderer of the WhatsApp transport with every template configured (the ids are
    placeholders: only whether one exists changes the rendering)."""
    from flows.texts import t
    from handlers.whatsapp.config import Templates
    from handlers.whatsapp.render import Renderer

    ids = tuple(f"HX{n:032d}" for n in range(1, 6))
    templates = Templates(notice=ids[0], task=ids[1], buttons=(ids[2], ids[3], ids[4]))
    return Renderer(templates, tuple(t("es", key) for key in ("btn_claim", "btn_done", "btn_give_up")))


async def play(script: Path, mode: str = "phone", pace: float = 30.0, database: Path | None = None) -> Counts:
    """Play `script` through a fresh runtime and return what each person received."""
    from bot.runtime import Runtime
    from bot.settings import Settings
    from flows.clock import ManualClock
    from handlers.terminal.inbound import Line, parse
    from handlers.terminal.session import TerminalSession

    with tempfile.TemporaryDirectory() as tmp:
        db = database or Path(tmp) / "bench.db"
        settings = Settings(database_url=f"sqlite+aiosqlite:///{db}",  # type: ignore[call-arg]
                            playbook=ROOT / "playbooks" / "fullpyme_contingencia.yaml",
                            directory=ROOT / "playbooks" / "directory.example.yaml")
        clock = ManualClock(START)
        recorder = Recorder(mode, clock)
        runtime = await Runtime.build(settings, transports={recorder.name: recorder}, clock=clock)  # type: ignore[dict-item]
        session = TerminalSession(runtime, io.StringIO(), echo=False)
        await runtime.start()
        try:
            for raw in script.read_text(encoding="utf-8").splitlines():
                parsed = parse(raw, runtime.directory)
                if parsed is None:
                    continue
                if isinstance(parsed, Line):
                    clock.advance(timedelta(seconds=pace))
                    await runtime.timers.sweep()
                    await runtime.outbox.drain()
                    recorder.speaker = parsed.person.id
                await session.process(raw)
                await runtime.outbox.drain()
                recorder.speaker = None
        finally:
            await runtime.stop()
        return recorder.counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", type=Path, default=ROOT / "examples" / "simulacro.txt")
    parser.add_argument("--mode", choices=("phone", "whatsapp", "terminal", "slack"), default="phone")
    parser.add_argument("--pace", type=float, default=30.0, help="seconds between two chat lines")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.WARNING)
    counts = asyncio.run(play(args.script, args.mode, args.pace))
    figures = counts.figures()
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=1))
        return 0
    print(f"{args.script.name} · mode {args.mode} · pace {args.pace:g} s")
    print(f"messages: {figures['total']}  (edits in place: {figures['edits']}; asking to act: {figures['asks_to_act']}; "
          f"(person, task) pairs asked: {figures['asked_pairs']})")
    print(f"most news one person got in 10 minutes: {figures['max_news_in_10_min']} ({figures['who']}); "
          f"leaving out answers to their own commands: {figures['max_unsolicited_news_in_10_min']} "
          f"({figures['who_unsolicited']})")
    for person, n in sorted(counts.per_person().items(), key=lambda kv: -kv[1]):
        print(f"  {'grupo' if person == GROUP else person:18} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
