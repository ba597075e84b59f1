"""The directory file read again while the bot runs: a new hire, a new phone number, without
a restart. On SIGHUP, and when the file's modification time or size changes (looked at
every DIRECTORY_RELOAD_SECONDS). A change is taken only once it validates against the
running playbook, exactly as `crisisbot check` validates it; an invalid one is refused
with its file and line in the log, and the running directory stays.

The playbook is not reloaded: a crisis runs on the playbook frozen into it, and a new one
is read at the next start."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot.loading import ConfigError, load_directory
from flows.directory import Directory
from flows.playbook import Playbook
from flows.texts import t

log = logging.getLogger(__name__)

Apply = Callable[[Directory], Awaitable[None]]
Stamp = tuple[int, int] | None  # the file's mtime (ns) and size; None when it cannot be read


def _stamp(path: Path) -> Stamp:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def changes(old: Directory, new: Directory) -> str:
    """«+ana, ~luis, -pedro»: who arrived, changed and left (person ids)."""
    before, after = old.by_id, new.by_id
    parts = [f"+{pid}" for pid in after if pid not in before]
    parts += [f"~{pid}" for pid, person in after.items() if pid in before and before[pid] != person]
    parts += [f"-{pid}" for pid in before if pid not in after]
    return ", ".join(parts) or "="


class DirectoryReload:
    def __init__(
        self, path: Path, playbook: Playbook, playbook_path: Path, current: Callable[[], Directory], apply: Apply,
        lang: str = "es", interval: float = 5.0, others: Sequence[tuple[Path, Playbook]] = (),
    ) -> None:
        """`current` gives the directory in use, `apply` puts a new one in use.
        `interval`: seconds between two looks at the file; 0: only on SIGHUP. `others`: the
        case playbooks running beside `playbook` (their roles count too)."""
        self.path, self.playbook, self.playbook_path, self.others = path, playbook, playbook_path, list(others)
        self.current, self.apply, self.lang, self.interval = current, apply, lang, interval
        self._seen: Stamp = _stamp(path)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._signal = False
        self._forced = False

    async def check(self, force: bool = False) -> bool:
        """Read the file again if it changed since the last look (or `force`: SIGHUP). True
        when a new directory was put in use. Never raises for a bad file: it is logged."""
        stamp = _stamp(self.path)
        if stamp == self._seen and not force:
            return False
        self._seen = stamp  # a refused version is reported once, not at every look
        try:
            directory = load_directory(self.path, self.playbook, self.playbook_path, self.lang, self.others)
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("%s", t(self.lang, "config.reload.refused", file=self.path, problem=problem))
            return False
        old = self.current()
        if directory == old:
            return False
        await self.apply(directory)
        log.info("%s", t(self.lang, "config.reload.ok", file=self.path, people=len(directory.people),
                             changes=changes(old, directory)))
        return True

    def request(self) -> None:
        """Read the file now (the SIGHUP handler)."""
        self._forced = True
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval if self.interval > 0 else None)
            forced, self._forced = self._forced, False
            self._wake.clear()
            await self.check(force=forced)

    def start(self) -> None:
        """Watch in the background; SIGHUP reads the file at once (where the platform has
        signals and this is the main thread)."""
        self._task = asyncio.get_running_loop().create_task(self._loop())
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.request)
            self._signal = True

    async def stop(self) -> None:
        if self._signal:
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
            self._signal = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
