"""Reading the terminal's input without holding up Ctrl-C.

`asyncio.to_thread(stdin.readline)` leaves a worker thread blocked in `readline` that
`asyncio.run` joins on the way out, so Ctrl-C waited for the next line (forever on an
open pipe or an idle keyboard). Here a daemon thread reads the file descriptor itself
(`os.read`, which holds no lock of `sys.stdin` that the interpreter's exit would need)
and hands whole lines to the loop; leaving never waits for it."""

from __future__ import annotations

import asyncio
import codecs
import io
import os
import threading
from typing import TextIO

EOF_MARK = ""


class LineReader:
    """`await readline()`: the next line with its newline, "" at the end of the input.
    A stream without a file descriptor (a StringIO in tests) is read directly."""

    def __init__(self, stdin: TextIO) -> None:
        self.stdin = stdin
        self._queue: asyncio.Queue[str] | None = None
        try:
            self._fd: int | None = stdin.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            self._fd = None

    async def readline(self) -> str:
        if self._fd is None:
            return self.stdin.readline()
        if self._queue is None:
            self._queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            encoding = getattr(self.stdin, "encoding", None) or "utf-8"
            threading.Thread(target=_pump, args=(self._fd, encoding, loop, self._queue), name="terminal-input",
                             daemon=True).start()
        return await self._queue.get()


def _pump(fd: int, encoding: str, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str]) -> None:
    """Read `fd` until its end, putting each line (then "" once) on `queue`; stops quietly
    when the loop is gone (the session ended)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    pending = ""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            chunk = b""
        pending += decoder.decode(chunk, final=not chunk)
        *complete, pending = pending.split("\n")
        lines = [line + "\n" for line in complete]
        if not chunk:
            lines += [pending, EOF_MARK] if pending else [EOF_MARK]
        try:
            for line in lines:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except RuntimeError:  # the loop is closed: nobody reads any more
            return
        if not chunk:
            return
