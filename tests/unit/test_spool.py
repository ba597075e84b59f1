"""The inbox's spool file (persistence/spool.py): what is kept survives a line cut short
by a crash, "done" lines settle entries, and compaction keeps what is still pending,
also entries another process appended."""

from __future__ import annotations

from pathlib import Path

from flows.commands import Press, Say
from flows.messages import Action
from persistence.spool import Entry, Spool
from tests.support import START


def tear(path: Path) -> None:
    with open(path, "ab") as raw:
        raw.write(b'{"op":"put","id":"e4","event_k')  # a crash in the middle of a write


def entry(n: int) -> Entry:
    command = Say("cecilia", f"línea {n}", "slack") if n % 2 else Press("luis", Action.decode("claim:c1/entel"), "whatsapp")
    return Entry(f"e{n}", f"slack:event:{n}", command, START, what=f"qué {n}", context={"card_ref": "card:c1/entel"})


async def test_pending_entries_round_trip_and_a_torn_line_is_skipped(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "inbox")
    for n in (1, 2, 3):
        await spool.aput(entry(n))
    await spool.adone("e2", "committed", compact=False)
    tear(spool.path)
    assert Spool(tmp_path / "inbox").pending() == [entry(1), entry(3)]  # a new process reads the same


async def test_compaction_keeps_what_is_pending_for_any_process(tmp_path: Path) -> None:
    mine, other = Spool(tmp_path / "inbox"), Spool(tmp_path / "inbox")
    await mine.aput(entry(1))
    await other.aput(entry(2))  # another process sharing the directory
    await mine.adone("e1", "committed", compact=True)
    assert mine.path.read_text(encoding="utf-8").count("\n") == 1
    assert mine.pending() == [entry(2)]
    await other.adone("e2", "given_up", compact=True)
    assert mine.pending() == [] and mine.path.read_text(encoding="utf-8") == ""
