"""Test harness: a real runtime on a real SQLite file, a manual clock, and a recording
transport, driven like a chat (errbot style): say a line, read what each person got,
press a button by its label, move the clock."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine

from bot.choices import read_choice
from bot.runtime import Runtime
from bot.settings import Settings
from flows.clock import ManualClock
from flows.commands import Press, Say
from flows.crisis import Crisis
from flows.directory import Person
from flows.messages import GROUP, OutMessage
from flows.playbook import parse_duration
from persistence import repository as repo
from persistence.database import reading, upgrade_to_head

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "fullpyme_contingencia.yaml"
# Seed 000's people as they were before the COMTECO people joined the example directory
# (issue 12): its conversations keep their counts («1 de 9»). The shipped directory, with
# everybody, is checked by tests/unit/test_loading.py and played by the case tests.
DIRECTORY = ROOT / "tests" / "fixtures" / "directory_fullpyme.yaml"
SHIPPED_DIRECTORY = ROOT / "playbooks" / "directory.example.yaml"
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # 09:00 in Santiago


@dataclass
class RecordingTransport:
    """Speaks the outbox's transport protocol and keeps what it was given."""

    name: str = "test"
    group_mode: str = "post"
    edits_in_place: bool = True  # like Slack: every redraw arrives (False: a phone, bot/compact.py)
    sent: list[tuple[str, OutMessage]] = field(default_factory=list)

    def reaches(self, person: Person) -> bool:
        return True

    async def deliver(self, recipient: str, message: OutMessage) -> str | None:
        self.sent.append((recipient, message))
        return None


_TEMPLATE: list[Path] = []


def migrated_copy(path: Path) -> None:
    """A SQLite file already at the schema's head, copied from one migrated once per test
    process: hundreds of tests open a fresh bot, and migrating each from nothing costs about
    0.1 s. The bot's start-up still runs the migrations (it finds them done). Never replaces
    an existing file (a test that restarts the bot on the same database)."""
    if path.exists():
        return
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="crisisbot-template-")) / "template.db"
        engine = create_engine(f"sqlite:///{template}")
        with engine.begin() as conn:
            upgrade_to_head(conn)
        engine.dispose()
        _TEMPLATE.append(template)
    shutil.copyfile(_TEMPLATE[0], path)


def settings_for(tmp_path: Path, **overrides: object) -> Settings:
    if "database_url" not in overrides:
        migrated_copy(tmp_path / "crisis.db")
    values: dict[str, object] = {
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'crisis.db'}",
        "playbook": PLAYBOOK,
        "directory": DIRECTORY,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def cases_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Every shipped playbook (the crisis plan and the case procedures of issue 12) with the
    shipped directory, where everybody is."""
    values: dict[str, object] = {"playbooks": str(ROOT / "playbooks" / "*.yaml"), "directory": SHIPPED_DIRECTORY}
    return settings_for(tmp_path, **{**values, **overrides})


def directory_with(tmp_path: Path, extra: dict[str, str]) -> Path:
    """The test directory with lines added to people, by name: `directory_with(tmp_path,
    {"Luis": "lang: en"})` (several lines joined by a new line); written into `tmp_path`."""
    text = DIRECTORY.read_text(encoding="utf-8")
    for name, lines in extra.items():
        added = "".join(f"    {line}\n" for line in lines.splitlines())
        assert f"    name: {name}\n" in text, name
        text = text.replace(f"    name: {name}\n", f"    name: {name}\n{added}")
    path = tmp_path / "dir.yaml"
    path.write_text(text, encoding="utf-8")
    return path


class Chat:
    """A whole conversation against the real runtime."""

    def __init__(self, runtime: Runtime, transport: RecordingTransport, clock: ManualClock) -> None:
        self.rt = runtime
        self.transport = transport
        self.clock = clock
        self._read = 0

    @classmethod
    async def open(cls, settings: Settings, clock: ManualClock | None = None,
                   transport: RecordingTransport | None = None) -> Chat:
        transport = transport or RecordingTransport()
        clock = clock or ManualClock(START)
        runtime = await Runtime.build(settings, transports={transport.name: transport}, clock=clock)
        await runtime.start()
        return cls(runtime, transport, clock)

    async def close(self) -> None:
        await self.rt.stop()

    def pid(self, name: str) -> str:
        people = self.rt.directory.find(name)
        assert len(people) == 1, f"{name!r} matches {people}"
        return people[0].id

    async def say(self, name: str, text: str) -> None:
        await self.rt.service.handle(Say(self.pid(name), text, "test"))
        await self.rt.outbox.drain()

    async def type(self, name: str, text: str) -> None:
        """A line typed as in the terminal: a bare number («3») or a button word presses the
        button it names (bot/choices.py), anything else is said."""
        person = self.rt.directory.get(self.pid(name))
        assert person is not None
        choice = await read_choice(self.rt, person, self.transport.name, text)
        if isinstance(choice, Press):
            await self.rt.service.handle(choice)
        elif isinstance(choice, str):  # the bot asks which, or says what they can type
            self.transport.sent.append((person.id, OutMessage(to=person.id, text=choice)))
        else:
            await self.rt.service.handle(Say(person.id, text, self.transport.name, direct=True))
        await self.rt.outbox.drain()

    def latest_with_buttons(self, name: str) -> OutMessage:
        pid = self.pid(name)
        for recipient, message in reversed(self.transport.sent):
            if recipient == pid and message.buttons:
                return message
        raise AssertionError(f"{name} has no message with buttons")

    async def press(self, name: str, label: str, containing: str | None = None) -> None:
        """Press the button `label` on the newest message to `name` that has it (and,
        if given, whose text contains `containing`)."""
        pid = self.pid(name)
        for recipient, message in reversed(self.transport.sent):
            if recipient != pid or (containing and containing not in message.text):
                continue
            for button in message.buttons:
                if button.label == label:
                    await self.rt.service.handle(Press(pid, button.action, "test"))
                    await self.rt.outbox.drain()
                    return
        raise AssertionError(f"{name} has no button {label!r}" + (f" on a message with {containing!r}" if containing else ""))

    async def advance(self, duration: str) -> None:
        self.clock.advance(parse_duration(duration))
        await self.rt.timers.sweep()
        await self.rt.outbox.drain()

    def inbox(self, name: str) -> list[OutMessage]:
        """Everything `name` received so far."""
        pid = GROUP if name == "grupo" else self.pid(name)
        return [m for r, m in self.transport.sent if r == pid]

    def new(self) -> list[tuple[str, OutMessage]]:
        """Messages sent since the previous call."""
        fresh = self.transport.sent[self._read:]
        self._read = len(self.transport.sent)
        return fresh

    def texts(self, name: str, since_mark: bool = False) -> list[str]:
        return [m.text for m in self.inbox(name)]

    def received(self, name: str, fragment: str) -> list[OutMessage]:
        return [m for m in self.inbox(name) if fragment in m.text]

    async def open_crisis(self) -> Crisis | None:
        """The crisis playbook's open crisis (or drill) as the database holds it."""
        async with reading(self.rt.db) as conn:
            crisis_id = await repo.open_crisis_id(conn, self.rt.playbook.id)
            return await repo.load_crisis(conn, crisis_id) if crisis_id else None

    async def settle_contact(self) -> None:
        """What the contact watcher found after the last drain is handled, and its messages sent."""
        await self.rt.contact.settle()
        await self.rt.outbox.drain()
        await self.rt.contact.settle()


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)
