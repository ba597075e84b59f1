"""Crontab expressions as crontab(5) reads them, pure: parsed into the sets of minutes,
hours, days, months and weekdays they name.

Why not hand the string to APScheduler: `CronTrigger.from_crontab` in APScheduler 3 reads
day-of-week 0 as Monday (crontab: Sunday), refuses 7 (crontab: Sunday too) and ANDs a
restricted day-of-month with a restricted day-of-week (crontab: either matches). The
scheduler (bot/scheduler.py) fires when `next_after` says instead, which also keeps cron(8)'s
rule across daylight-saving changes (man7.org/linux/man-pages/man8/cron.8.html): a time the
clocks skip fires at the instant they jump to, a time they repeat fires once (the first).

Source of the rules: crontab(5) of cronie / Vixie cron (man7.org/linux/man-pages/man5/crontab.5.html):
five fields `minute hour day-of-month month day-of-week`; each a list of `*`, `N`, `N-M`,
each optionally `/step`; month and weekday names (`jan`, `mon`, three letters, any case);
weekday 0 and 7 are Sunday; when both day fields are restricted (neither starts with `*`)
a day matches if either matches; the macros `@yearly`, `@annually`, `@monthly`, `@weekly`,
`@daily`, `@midnight`, `@hourly`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbers: sun=0 (and 7)

MACROS = {
    "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
}

_FIELDS = (  # name (as the error says it), lowest, highest, names
    ("minuto", 0, 59, ()),
    ("hora", 0, 23, ()),
    ("día del mes", 1, 31, ()),
    ("mes", 1, 12, MONTHS),
    ("día de la semana", 0, 7, WEEKDAYS),
)

SEARCH_DAYS = 366 * 9
"""How far the next or previous firing is looked for: the rarest expression crontab
accepts (29 February) recurs within 8 years (2096 -> 2104)."""


class CrontabError(ValueError):
    """The expression is not valid crontab; the message says why (Spanish, for `check`)."""


@dataclass(frozen=True)
class Crontab:
    """A parsed expression. `weekdays` uses crontab's numbers with Sunday as 0 (7 folded
    into 0). `day_or`: both day fields are restricted, so a day matches if either does."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    day_or: bool
    days_restricted: bool
    weekdays_restricted: bool

    @classmethod
    def parse(cls, expression: str) -> Crontab:
        """Raise CrontabError (a ValueError) when crontab would refuse the expression, or
        when it names a date that never comes (`0 0 30 2 *`)."""
        text = " ".join(expression.split()).lower()
        text = MACROS.get(text, text)
        if text.startswith("@"):
            raise CrontabError(f"macro desconocida {expression.strip()!r} (válidas: {', '.join(sorted(MACROS))})")
        parts = text.split(" ")
        if len(parts) != 5:
            raise CrontabError(f"se esperan 5 campos (minuto hora día-del-mes mes día-de-la-semana), hay {len(parts)}")
        sets = [_field(part, *spec) for part, spec in zip(parts, _FIELDS, strict=True)]
        weekdays = frozenset(d % 7 for d in sets[4])
        days_restricted, weekdays_restricted = not parts[2].startswith("*"), not parts[4].startswith("*")
        parsed = cls(expression, sets[0], sets[1], sets[2], sets[3], weekdays,
                     day_or=days_restricted and weekdays_restricted,
                     days_restricted=days_restricted, weekdays_restricted=weekdays_restricted)
        if parsed.next_after(datetime(2000, 1, 1, tzinfo=UTC), ZoneInfo("UTC")) is None:
            raise CrontabError("la fecha que describe no existe nunca (p. ej. 30 de febrero)")
        return parsed

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        by_day = day.day in self.days
        by_weekday = day.isoweekday() % 7 in self.weekdays
        return (by_day or by_weekday) if self.day_or else (by_day and by_weekday)

    def matches(self, at: datetime) -> bool:
        """Whether a wall-clock time (its minute) is a firing time."""
        return at.minute in self.minutes and at.hour in self.hours and self.matches_day(at.date())

    def latest_at_or_before(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """The last firing at or before `moment` (aware), in UTC, reading the expression in
        `tz`; None if there is none within SEARCH_DAYS."""
        local = moment.astimezone(tz)
        times = sorted(((h, m) for h in self.hours for m in self.minutes), reverse=True)
        for back in range(SEARCH_DAYS):
            day = local.date() - timedelta(days=back)
            if not self.matches_day(day):
                continue
            for hour, minute in times:
                candidate = datetime.combine(day, time(hour, minute), tzinfo=tz)
                if candidate <= moment:
                    return candidate.astimezone(UTC)
        return None

    def next_after(self, moment: datetime, tz: ZoneInfo) -> datetime | None:
        """The first firing strictly after `moment` (aware), in UTC; None within SEARCH_DAYS.
        A wall-clock time that does not exist that day (skipped by a daylight-saving jump)
        is read with the offset before the jump (`fold=0`): the instant the clocks jump to;
        one that happens twice is its first occurrence only."""
        local = moment.astimezone(tz)
        times = sorted((h, m) for h in self.hours for m in self.minutes)
        for ahead in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=ahead)
            if not self.matches_day(day):
                continue
            for hour, minute in times:
                candidate = datetime.combine(day, time(hour, minute), tzinfo=tz)
                if candidate > moment:
                    return candidate.astimezone(UTC)
        return None


def _value(token: str, low: int, high: int, names: tuple[str, ...], field: str) -> int:
    if token in names:
        return names.index(token) + (1 if field == "mes" else 0)
    if not token.isdigit():
        raise CrontabError(f"{field}: {token!r} no es un número" + (f" ni un nombre ({', '.join(names)})" if names else ""))
    value = int(token)
    if not low <= value <= high:
        raise CrontabError(f"{field}: {value} está fuera de {low}-{high}")
    return value


def _field(text: str, field: str, low: int, high: int, names: tuple[str, ...]) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        if not item:
            raise CrontabError(f"{field}: lista con un elemento vacío en {text!r}")
        span, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CrontabError(f"{field}: paso no válido {step_text!r} en {item!r}")
            step = int(step_text)
        if span == "*":
            first, last = low, high
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _value(start, low, high, names, field), _value(end, low, high, names, field)
            if first > last:
                hint = f" (el domingo también es 7: '{first}-7')" if names is WEEKDAYS and last == 0 else ""
                raise CrontabError(f"{field}: rango al revés {span!r}{hint}")
        elif slash:
            # cronie reads `N/step` as `N-last/step`; Vixie refuses it. Ambiguous: refused.
            raise CrontabError(f"{field}: {item!r} no es válido; use un rango con paso como '{span}-{high}/{step}'")
        else:
            first = last = _value(span, low, high, names, field)
        values.update(range(first, last + 1, step))
    return frozenset(values)
