"""What `crisisbot doctor` prints: one line per check, its verdict, and what to do.

A check yields `Line`s; `Report` collects them, hides every secret the settings hold
(tokens appear only as «configurado»: no line ever carries their value) and decides the
exit code: 1 when any line is a ❌ (something a crisis needs is missing), else 0."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TextIO

from flows.texts import t

log = logging.getLogger(__name__)


class Verdict(enum.Enum):
    OK = "✅"
    WARN = "⚠️"
    FAIL = "❌"
    OFF = "➖"  # not configured, and not needed


@dataclass(frozen=True)
class Line:
    verdict: Verdict
    text: str
    fix: str | None = None  # the command or console place that fixes it

    def render(self) -> str:
        return f"{self.verdict.value} {self.text}" + (f" → {self.fix}" if self.fix else "")


def ok(text: str) -> Line:
    return Line(Verdict.OK, text)


def warn(text: str, fix: str | None = None) -> Line:
    return Line(Verdict.WARN, text, fix)


def fail(text: str, fix: str | None = None) -> Line:
    return Line(Verdict.FAIL, text, fix)


def off(text: str) -> Line:
    return Line(Verdict.OFF, text)


@dataclass
class Report:
    """The lines printed so far; `secrets` are replaced by «***» in anything printed."""

    out: TextIO
    lang: str
    secrets: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def hide(self, text: str) -> str:
        for value in self.secrets:
            if value:
                text = text.replace(value, "***")
        return text

    def add(self, lines: Iterable[Line]) -> None:
        for line in lines:
            self.lines.append(line)
            print(self.hide(line.render()), file=self.out, flush=True)

    def count(self, verdict: Verdict) -> int:
        return sum(1 for line in self.lines if line.verdict is verdict)

    def finish(self) -> int:
        """Print the summary; the exit code (1 if anything failed)."""
        problems, warnings = self.count(Verdict.FAIL), self.count(Verdict.WARN)
        key = "doctor.summary_fail" if problems else "doctor.summary_ok"
        print(self.hide(t(self.lang, key, problems=problems, warnings=warnings)), file=self.out, flush=True)
        return 1 if problems else 0


def _network_errors() -> tuple[type[BaseException], ...]:
    import aiohttp
    import httpx
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

    from bot.outbox import TransientError

    return (OSError, TimeoutError, aiohttp.ClientError, httpx.HTTPError, TransientError, OperationalError,
            InterfaceError, DBAPIError)


NETWORK_ERRORS = _network_errors()  # unreachable, refused, timed out: the platform or the database is not there


def reason(exc: BaseException, lang: str, timeout: float) -> str:
    """A failure in one short phrase, never a traceback."""
    if isinstance(exc, TimeoutError):
        return t(lang, "doctor.timeout", seconds=f"{timeout:g}")
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    return f"{name}: {text[:200]}" if text else name


async def bounded(check: Callable[[], Awaitable[list[Line]]], timeout: float,
                  on_error: Callable[[str], Line], lang: str) -> list[Line]:
    """Run one check within `timeout` seconds. A network failure or a timeout becomes the
    one ❌ line `on_error(reason)`; any other error a ❌ line saying the check could not be
    completed (its traceback only in the debug log): doctor reports, it never crashes."""
    try:
        return await asyncio.wait_for(check(), timeout)
    except NETWORK_ERRORS as exc:
        return [on_error(reason(exc, lang, timeout))]
    except Exception as exc:  # an unexpected answer is still one line, with its reason
        log.debug("doctor check failed", exc_info=True)
        return [fail(t(lang, "doctor.check_failed", reason=reason(exc, lang, timeout)))]
