"""The bitácora as CSV: one row per entry, every entry (message deliveries included)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from flows.directory import Directory
from flows.messages import LogEntry
from flows.playbook import Playbook
from flows.render import log_entry_text, who
from flows.texts import t

BOM = "\ufeff"  # so that spreadsheet programs read the accents right


def to_csv(entries: Iterable[LogEntry], directory: Directory, playbook: Playbook, lang: str) -> str:
    tz = ZoneInfo(playbook.timezone)
    numbers = {s.id: s.number for s in playbook.steps}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(lang, f"csv.{c}") for c in ("at", "person", "channel", "kind", "step", "text", "data")])
    for entry in entries:
        step = entry.data.get("step")
        writer.writerow([
            entry.at.astimezone(tz).isoformat(timespec="seconds"),
            who(directory, entry.person, lang),
            entry.channel or "",
            entry.kind,
            numbers.get(step, step) if isinstance(step, str) else "",
            log_entry_text(entry, directory, playbook, lang),
            json.dumps(entry.data, ensure_ascii=False, sort_keys=True),
        ])
    return BOM + out.getvalue()
