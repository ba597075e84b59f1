"""The inbox's spool: inbound commands kept on local disk while the database cannot take
them (bot/inbox.py). It must not depend on the database being writable, so it is a file:
append-only JSON lines in a directory, each line written and fsync'd before the webhook
is answered.

Two kinds of line: `{"op": "put", ...}` (a command kept, with what its transport needs to
tell the person) and `{"op": "done", "id": ..., "result": ...}` (committed or given up).
An entry is pending while no "done" line names it. A line cut short by a crash is
skipped. When this process has nothing pending, the file is compacted (rewritten with the
pending entries of every process that shares it, under an exclusive `flock`, then
atomically replaced)."""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flows.commands import Press, Say
from flows.messages import Action

log = logging.getLogger(__name__)

SPOOL_FILE = "spool.jsonl"
LOCK_FILE = "spool.lock"

InboundCommand = Say | Press


@dataclass(frozen=True)
class Entry:
    """One command kept in the spool.

    `received_at`: when the webhook arrived (aware datetime, the runtime's clock, UTC);
    `event_key`: the key that makes it count once (`processed_events`), also when the
    first attempt commits late; `what`: a few words saying what it was (a button's label,
    the line written), for the person's «not taken» message; `context`: what the transport
    needs afterwards (JSON; e.g. the Slack card to redraw)."""

    id: str
    event_key: str
    command: InboundCommand
    received_at: datetime
    what: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"op": "put", "id": self.id, "event_key": self.event_key, "command": encode_command(self.command),
                "received_at": self.received_at.isoformat(), "what": self.what, "context": self.context}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(id=str(data["id"]), event_key=str(data["event_key"]), command=decode_command(data["command"]),
                   received_at=datetime.fromisoformat(str(data["received_at"])), what=str(data.get("what") or ""),
                   context=dict(data.get("context") or {}))


def encode_command(command: InboundCommand) -> dict[str, Any]:
    if isinstance(command, Say):
        return {"type": "say", "person": command.person, "text": command.text, "channel": command.channel,
                "direct": command.direct}
    return {"type": "press", "person": command.person, "action": command.action.encode(),
            "channel": command.channel, "value": command.value}


def decode_command(data: dict[str, Any]) -> InboundCommand:
    """Raises ValueError or KeyError for a line that is not one of ours."""
    if data["type"] == "say":
        return Say(str(data["person"]), str(data["text"]), str(data["channel"]), bool(data["direct"]))
    if data["type"] == "press":
        value = data.get("value")
        return Press(str(data["person"]), Action.decode(str(data["action"])), str(data["channel"]),
                     None if value is None else str(value))
    raise ValueError(f"unknown command type {data['type']!r}")


class Spool:
    """The file store. Every method does blocking file I/O: call it through `asyncio.to_thread`
    (the `a*` methods do), never on the event loop itself."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / SPOOL_FILE
        self._lock = asyncio.Lock()  # one writer of this process at a time

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Across processes sharing the directory (`serve` and `run` on one database)."""
        self.directory.mkdir(parents=True, exist_ok=True)  # made only when first needed
        with open(self.directory / LOCK_FILE, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _append(self, line: dict[str, Any]) -> None:
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        with self._exclusive(), open(self.path, "ab") as spool:
            spool.write(data)
            spool.flush()
            os.fsync(spool.fileno())

    def pending(self) -> list[Entry]:
        """The entries no "done" line names, in the order they were kept."""
        if not self.path.exists():
            return []
        with self._exclusive():
            return self._read_pending()

    def _read_pending(self) -> list[Entry]:
        entries: dict[str, Entry] = {}
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8", errors="replace") as spool:
            for number, raw in enumerate(spool, 1):
                try:
                    line = json.loads(raw)
                    if line["op"] == "put":
                        entries[str(line["id"])] = Entry.from_json(line)
                    elif line["op"] == "done":
                        entries.pop(str(line["id"]), None)
                except (ValueError, KeyError, TypeError):
                    log.warning("inbox spool %s: line %d unreadable (cut short by a crash?); skipped", self.path, number)
        return list(entries.values())

    def _compact(self) -> None:
        with self._exclusive():
            keep = self._read_pending()
            temporary = self.path.with_suffix(".tmp")
            with open(temporary, "wb") as spool:
                spool.writelines((json.dumps(entry.to_json(), ensure_ascii=False) + "\n").encode() for entry in keep)
                spool.flush()
                os.fsync(spool.fileno())
            os.replace(temporary, self.path)

    async def aput(self, entry: Entry) -> None:
        """Keep the entry; returns once it is on disk (fsync'd). Raises OSError."""
        async with self._lock:
            await asyncio.to_thread(self._append, entry.to_json())

    async def adone(self, entry_id: str, result: str, compact: bool) -> None:
        """Mark the entry committed or given up; `compact` when nothing else of this
        process is pending."""
        async with self._lock:
            await asyncio.to_thread(self._append, {"op": "done", "id": entry_id, "result": result})
            if compact:
                await asyncio.to_thread(self._compact)

    async def apending(self) -> list[Entry]:
        async with self._lock:
            return await asyncio.to_thread(self.pending)
