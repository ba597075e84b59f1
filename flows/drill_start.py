"""Reading what follows the drill phrase (issue 14 point 1): a drill now, one announced
ahead, a surprise one, or cancelling the one scheduled.

    SIMULACRO                                   -> Now("")
    SIMULACRO cae el servidor principal         -> Now("cae el servidor principal")
    SIMULACRO el jueves 3/12 a las 10:00 texto  -> Schedule(at, surprise=False, "texto")
    SIMULACRO sorpresa mañana 9:00              -> Schedule(at, surprise=True, "")
    SIMULACRO cancelar                          -> Cancel()

A small strict grammar of our own, in Spanish and English alike (whoever writes it):

    [sorpresa|surprise] [el|on] DATE [a las|at] TIME [description]
    DATE: hoy|today · mañana|tomorrow · a weekday («jueves», «thursday») · D/M · D/M/YYYY
          · YYYY-MM-DD · «3 de diciembre» · «3 December» · «December 3»; a weekday may
          precede any of the dates, and must then agree with it
    TIME: H:MM (24 h, «h»/«hrs» after it allowed); after «a las»/«at» also H alone

Dates and times are the playbook's local time (`tz`). Only a date right after the phrase
(or after «sorpresa») is a schedule, so a description that merely holds numbers stays a
description: a date is read as one when «el»/«on» or «sorpresa» leads, or when a time
follows it («SIMULACRO 24/7 caído» is a description). A date with no year is the nearest
such date to today, this year or the next («10/1» written in December is January's).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flows.playbook import Inject
from flows.texts import CATALOGS

LEADS = frozenset({"el", "on", "para", "for"})
SURPRISE = frozenset({"sorpresa", "surprise"})
CANCEL = frozenset({"cancelar", "cancel", "anular"})
AT = (("a", "las"), ("a", "la"), ("at",))
RELATIVE = {"hoy": 0, "today": 0, "manana": 1, "tomorrow": 1}
HOUR_MARKS = frozenset({"h", "hs", "hrs", "horas", "hours"})
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{1,2})$")
_HM = re.compile(r"^(\d{1,2}):(\d{2})(?:h|hs|hrs)?$")
_H = re.compile(r"^(\d{1,2})(?:h|hs|hrs)?$")
_TRIM = " :;,.-–—"


def _plain(word: str) -> str:
    """'Mañana,' -> 'manana': lower case, no accents, no trailing punctuation."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip(",;:.!¡")


def _names(key: str) -> dict[str, int]:
    """Weekday (0 = Monday) or month (1 = January) names of every language, by plain name."""
    start = 0 if key.endswith("weekdays") else 1
    found: dict[str, int] = {}
    for catalog in CATALOGS.values():
        for index, name in enumerate(catalog[key].split(","), start=start):
            found[_plain(name)] = index
    return found


WEEKDAYS = _names("drill_start.weekdays")
MONTHS = _names("drill_start.months")


class ScheduleState(StrEnum):
    PENDING = "pending"  # waiting for its time
    STARTED = "started"  # the drill began at its time
    SKIPPED = "skipped"  # its time came but it could not begin (a crisis open...): the declarer was told
    CANCELLED = "cancelled"  # «SIMULACRO cancelar»


@dataclass
class ScheduledDrill:
    """A drill announced ahead or kept as a surprise (table `drill_schedule`). Times are
    aware UTC. `told`: the people told of it (everybody, or the declarer alone for a
    surprise), who are told again if it is cancelled. `injects`: a drill file's events
    (None: the playbook's)."""

    id: str
    playbook_id: str
    due_at: datetime
    declared_by: str
    description: str
    surprise: bool
    told: tuple[str, ...]
    created_at: datetime
    injects: tuple[Inject, ...] | None = None
    state: ScheduleState = ScheduleState.PENDING
    done_at: datetime | None = None
    done_by: str | None = None  # who cancelled it


@dataclass(frozen=True)
class Now:
    description: str


@dataclass(frozen=True)
class Schedule:
    at: datetime  # aware, in the playbook's time zone
    surprise: bool
    description: str


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class Unreadable:
    """A schedule that cannot be taken. `key`: the text that says why («drill_start.
    bad_when», «no_when», «no_time», «past», «mismatch»); `text`: the words read as a date.
    `when`: the moment read, for «past»; `day` and the weekday `given` (0: Monday) that
    does not agree with it, for «mismatch»."""

    key: str
    text: str
    when: datetime | None = None
    day: date | None = None
    given: int | None = None


Request = Now | Schedule | Cancel | Unreadable


class _Bad(Exception):
    def __init__(self, key: str, day: date | None = None, given: int | None = None) -> None:
        self.key, self.day, self.given = key, day, given


@dataclass(frozen=True)
class _Date:
    day: date | None = None  # an exact date (year given, or resolved)
    month_day: tuple[int, int] | None = None  # no year: the nearest such date
    offset: int | None = None  # days from today
    weekday: int | None = None  # named: must agree with the date, or picks the next one


def read_request(rest: str, now: datetime, tz: ZoneInfo) -> Request:
    """What follows the drill phrase, read at `now` (aware) in the playbook's `tz`."""
    words = rest.split()
    plain = [_plain(w) for w in words]
    if plain and plain[0] in CANCEL:
        return Cancel()
    i, surprise = 0, False
    if plain and plain[0] in SURPRISE:
        i, surprise = 1, True
    start = i
    while start < len(plain) and start - i < 2 and plain[start] in LEADS:  # «el», «para el», «on»
        start += 1
    lead = start > i
    # A date or a time right after the phrase is a schedule, never a drill now with it as the
    # description (that would alert everybody at once): «mañana se cae la web» and «31/02 corte»
    # ask for what is missing or wrong. «24/7» is no date (round the clock: «24/7 caído»).
    if not (surprise or lead) and plain[start:start + 1] == ["24/7"]:
        return Now(rest.strip())
    try:
        found = _date(plain, start)
    except _Bad as bad:
        return Unreadable(bad.key, _shown(words, i), day=bad.day, given=bad.given)
    if found is None and _time_follows(plain, start):
        found = _Date(offset=0), start  # «SIMULACRO 10:00 …»: today
    if found is None:
        if surprise:
            return Unreadable("drill_start.bad_when" if start < len(words) else "drill_start.no_when", _shown(words, i))
        return Now(rest.strip())  # «el servidor 3/12 no responde»: a description
    when, j = found
    try:
        hour, k = _time(plain, j)
        at = _resolve(when, hour, now.astimezone(tz), tz)
    except _Bad as bad:
        return Unreadable(bad.key, _shown(words, i), day=bad.day, given=bad.given)
    if at <= now:
        return Unreadable("drill_start.past", _shown(words, i, k), when=at)
    return Schedule(at, surprise, " ".join(words[k:]).strip(_TRIM))


def _shown(words: list[str], i: int, k: int | None = None) -> str:
    """The words read as a date and time (at most six), as written."""
    return " ".join(words[i:k if k is not None else i + 6])


def _date(plain: list[str], i: int) -> tuple[_Date, int] | None:
    """The date at `i` and the index after it; None: no date there; _Bad: a date that is no date."""
    if i >= len(plain):
        return None
    word = plain[i]
    if word in RELATIVE:
        return _Date(offset=RELATIVE[word]), i + 1
    if word == "pasado" and i + 1 < len(plain) and plain[i + 1] == "manana":
        return _Date(offset=2), i + 2
    if word in WEEKDAYS:
        exact = _exact(plain, i + 1)
        if exact is None:
            return _Date(weekday=WEEKDAYS[word]), i + 1
        found, j = exact
        return _Date(day=found.day, month_day=found.month_day, weekday=WEEKDAYS[word]), j
    return _exact(plain, i)


def _exact(plain: list[str], i: int) -> tuple[_Date, int] | None:
    """D/M, D/M/Y, Y-M-D, «3 de diciembre», «3 December», «December 3»."""
    if i >= len(plain):
        return None
    word = plain[i]
    if m := _DMY.match(word):
        day, month, year = int(m[1]), int(m[2]), m[3]
        if year is None:
            return _checked(None, month, day), i + 1
        return _checked(int(year) + (2000 if len(year) == 2 else 0), month, day), i + 1
    if m := _ISO.match(word):
        return _checked(int(m[1]), int(m[2]), int(m[3])), i + 1
    if _DAY.match(word):
        j = i + 2 if i + 2 < len(plain) and plain[i + 1] == "de" else i + 1
        if j < len(plain) and plain[j] in MONTHS:
            return _with_year(plain, j + 1, MONTHS[plain[j]], int(word))
        return None
    if word in MONTHS and i + 1 < len(plain) and _DAY.match(plain[i + 1]):
        return _with_year(plain, i + 2, MONTHS[word], int(plain[i + 1]))
    return None


def _with_year(plain: list[str], j: int, month: int, day: int) -> tuple[_Date, int]:
    """A named month's date, with «de 2026» or «2026» after it when given."""
    k = j + 1 if j < len(plain) and plain[j] == "de" else j
    if k < len(plain) and re.fullmatch(r"\d{4}", plain[k]):
        return _checked(int(plain[k]), month, day), k + 1
    return _checked(None, month, day), j


def _checked(year: int | None, month: int, day: int) -> _Date:
    try:
        date(year or 2024, month, day)  # 2024: a leap year, so 29/2 without a year is a date
    except ValueError:
        raise _Bad("drill_start.bad_when") from None
    return _Date(day=date(year, month, day)) if year is not None else _Date(month_day=(month, day))


def _time_follows(plain: list[str], j: int) -> bool:
    """Whether a time (or «a las»/«at») comes right after the date: then it is a schedule."""
    if _at(plain, j) > j:
        return True
    return j < len(plain) and bool(_HM.match(plain[j]))


def _at(plain: list[str], j: int) -> int:
    """The index after «a las»/«a la»/«at» at `j` (or `j` when none)."""
    for words in AT:
        if tuple(plain[j:j + len(words)]) == words:
            return j + len(words)
    return j


def _time(plain: list[str], j: int) -> tuple[time, int]:
    k = _at(plain, j)
    if k >= len(plain):
        raise _Bad("drill_start.no_time")
    m = _HM.match(plain[k]) or (_H.match(plain[k]) if k > j else None)
    if m is None:
        raise _Bad("drill_start.no_time" if k == j and not any(c.isdigit() for c in plain[k]) else "drill_start.bad_when")
    hour, minute = int(m[1]), int(m[2]) if m.lastindex and m.lastindex >= 2 else 0
    if hour > 23 or minute > 59:
        raise _Bad("drill_start.bad_when")
    k += 1
    if k < len(plain) and plain[k] in HOUR_MARKS:
        k += 1
    return time(hour, minute), k


def _resolve(when: _Date, hour: time, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment meant, in `tz` (`now` already in it)."""
    today = now.date()

    def at(day: date) -> datetime:
        return datetime.combine(day, hour, tzinfo=tz)

    if when.offset is not None:
        return at(today + timedelta(days=when.offset))
    if when.day is None and when.month_day is None:  # a weekday alone: the next one still ahead
        assert when.weekday is not None
        day = today + timedelta(days=(when.weekday - today.weekday()) % 7)
        return at(day if at(day) > now else day + timedelta(days=7))
    day = when.day or _nearest(today, *when.month_day)  # type: ignore[misc]
    if when.weekday is not None and day.weekday() != when.weekday:
        raise _Bad("drill_start.mismatch", day=day, given=when.weekday)
    return at(day)


def _nearest(today: date, month: int, day: int) -> date:
    """This year's or next year's such date, whichever is nearer to today (29/2: the next leap year's)."""
    candidates = []
    for year in range(today.year - 1, today.year + 5):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    return min(candidates[:3] if len(candidates) >= 3 else candidates, key=lambda d: (abs((d - today).days), d < today))
