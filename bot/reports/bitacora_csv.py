"""The bitácora as CSV for the managers: one row per entry, every entry (message
deliveries and read receipts included: this is the only place they are listed).

Made to open as columns in a spreadsheet set to a Spanish locale (issue 11, point 12):
- `;` separates the fields: Excel in a Spanish (or any comma-decimal) locale splits on
  the list separator, which is `;` there; LibreOffice and Google Sheets detect it;
- a UTF-8 BOM, so that Excel reads the accents right. No `sep=;` first line: with it
  Excel ignores the BOM and garbles the accents, and other programs show it as a row;
- dates as `YYYY-MM-DD HH:MM:SS` in the playbook's time zone, which spreadsheets read
  as a date and time in any locale;
- the event as a readable name (`ev.<kind>` texts) and its details as «name: value»
  pairs in the reader's language, never JSON.
A CSV rather than .xlsx: no new dependency, the same file for `crisisbot informe --csv`
and the dashboard's download, readable by any tool."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from flows.directory import Directory
from flows.messages import GROUP, LogEntry
from flows.playbook import Playbook
from flows.render import log_entry_text, who
from flows.texts import CATALOGS, DEFAULT_LANG, t

BOM = "\ufeff"  # so that spreadsheet programs read the accents right
SEPARATOR = ";"
DATETIME = "%Y-%m-%d %H:%M:%S"
COLUMNS = ("at", "person", "channel", "kind", "step", "text", "data")
_PEOPLE_KEYS = frozenset({"owner", "who", "to", "by"})
_INTERNAL_KEYS = frozenset({"outbox", "sid"})  # the outbox row, Twilio's message id: nothing a manager reads


def _known(lang: str, key: str) -> bool:
    return key in CATALOGS.get(lang, {}) or key in CATALOGS[DEFAULT_LANG]


def event_name(kind: str, lang: str) -> str:
    """«Tarea tomada» for `claimed`; a kind without a name reads as its words."""
    return t(lang, f"ev.{kind}") if _known(lang, f"ev.{kind}") else kind.replace("_", " ")


def _value(key: str, value: Any, directory: Directory, lang: str) -> str:
    if isinstance(value, bool):
        return t(lang, "csv.yes" if value else "csv.no")
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, v, directory, lang) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_value(k, v, directory, lang)}" for k, v in value.items())
    if key in _PEOPLE_KEYS and isinstance(value, str) and directory.get(value):
        return directory[value].name
    if key in _PEOPLE_KEYS and value == GROUP:
        return t(lang, "log.to_group")
    return " ".join(str(value).split())


def details(data: dict[str, Any], directory: Directory, lang: str) -> str:
    """The entry's data as «name: value · name: value», leaving out the step (its own
    column), what is empty or false, and internal ids: the outbox row, the platform's
    message id, a process's id under `by` (a person under `by` is named)."""
    parts = []
    for key, value in data.items():
        if key == "step" or key in _INTERNAL_KEYS or value in (None, "", [], {}, False):
            continue
        if key == "by" and not (isinstance(value, str) and directory.get(value)):
            continue
        label = t(lang, f"csvkey.{key}") if _known(lang, f"csvkey.{key}") else key.replace("_", " ")
        parts.append(f"{label}: {_value(key, value, directory, lang)}")
    return " · ".join(parts)


def to_csv(entries: Iterable[LogEntry], directory: Directory, playbook: Playbook, lang: str) -> str:
    tz = ZoneInfo(playbook.timezone)
    numbers = {s.id: s.number for s in playbook.steps}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([t(lang, f"csv.{c}") for c in COLUMNS])
    for entry in entries:
        step = entry.data.get("step")
        writer.writerow([
            entry.at.astimezone(tz).strftime(DATETIME),
            who(directory, entry.person, lang),
            entry.channel or "",
            event_name("drill_started" if entry.kind == "declared" and entry.data.get("drill") else entry.kind, lang),
            numbers.get(step, step) if isinstance(step, str) else "",
            log_entry_text(entry, directory, playbook, lang),
            details(entry.data, directory, lang),
        ])
    return BOM + out.getvalue()
