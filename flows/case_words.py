"""What a chat line says about cases, before any case is loaded (issue 12, point 5).

Read by the service to route a line: «/caso <playbook> …» or a case playbook's open phrase
opens a case; «mis casos» lists one's cases; a short id anywhere («estado R-12», «hecho R-12»)
names a case, and the rest of the line is what to do with it. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from flows.matching import after_phrase, keyword_forms, normalize
from flows.playbook import Playbook

_SLASH = re.compile(r"^\s*/(?:caso|case)\b\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
_SHORT_ID = re.compile(r"(?<![\w-])(?P<prefix>[A-Za-z]{1,3})-(?P<number>\d{1,7})(?![\w-])")
MY_CASES_WORDS = frozenset({"mis casos", "casos", "my cases", "cases"})


class CaseIntent(StrEnum):
    OPEN = "open"  # `playbook` and `rest` (the fields)
    UNKNOWN_PLAYBOOK = "unknown_playbook"  # «/caso» alone or naming no case playbook: `rest` as written
    MY_CASES = "my_cases"
    NAMED = "named"  # `short_id` («R-12», upper-cased) and `rest` (the line without it)
    NONE = "none"


@dataclass(frozen=True)
class CaseWords:
    intent: CaseIntent
    playbook: str = ""
    rest: str = ""
    short_id: str = ""


def read_case_words(text: str, playbooks: Iterable[Playbook]) -> CaseWords:
    """`playbooks`: the case playbooks running. A playbook is named in «/caso» by its id, by a
    unique start of it, or by its prefix («/caso r …»)."""
    cases = [p for p in playbooks if p.case is not None]
    slash = _SLASH.match(text)
    if slash:
        words = slash.group("rest").split(maxsplit=1)
        wanted = normalize(words[0]).replace(" ", "_") if words else ""
        found = _named_playbook(wanted, cases) if wanted else None
        if found is None:
            return CaseWords(CaseIntent.UNKNOWN_PLAYBOOK, rest=slash.group("rest").strip())
        return CaseWords(CaseIntent.OPEN, playbook=found.id, rest=words[1].strip() if len(words) > 1 else "")
    for playbook in cases:
        assert playbook.case is not None
        if playbook.case.open_phrase is None:
            continue
        for phrase in keyword_forms(playbook.case.open_phrase):
            rest = after_phrase(text, phrase)
            if rest is not None and "?" not in text:
                return CaseWords(CaseIntent.OPEN, playbook=playbook.id, rest=rest)
    if normalize(text) in MY_CASES_WORDS:
        return CaseWords(CaseIntent.MY_CASES)
    prefixes = {p.case.prefix for p in cases if p.case is not None}
    for match in _SHORT_ID.finditer(text):
        if match.group("prefix").upper() in prefixes:
            rest = (text[:match.start()] + " " + text[match.end():]).strip(" :;,.-")
            return CaseWords(CaseIntent.NAMED, short_id=f"{match.group('prefix').upper()}-{int(match.group('number'))}",
                             rest=" ".join(rest.split()))
    return CaseWords(CaseIntent.NONE)


def _named_playbook(wanted: str, cases: list[Playbook]) -> Playbook | None:
    exact = [p for p in cases if p.id == wanted or (p.case is not None and p.case.prefix.lower() == wanted)]
    if exact:
        return exact[0]
    starts = [p for p in cases if p.id.startswith(wanted) or wanted in p.id.split("_")]
    return starts[0] if len(starts) == 1 else None
