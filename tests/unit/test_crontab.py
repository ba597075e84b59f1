"""Crontab strings mean what crontab(5) says: the trigger that APScheduler fires, built from
the playbook's `cron`, against hand-written expectations and against a matcher written
here, apart, straight from the man page (walk the minutes, match each field's text)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.loading import ConfigError, load_all
from bot.scheduler import cron_trigger
from flows.crontab import Crontab
from tests.support import DIRECTORY, PLAYBOOK

SANTIAGO = ZoneInfo("America/Santiago")
TZ = "America/Santiago"


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SANTIAGO)


# 2026-11-22 is a Sunday, 2026-11-23 a Monday.
EXPECTED = [
    ("0 9 * * 1", local(2026, 11, 22, 12, 0), local(2026, 11, 23, 9, 0)),  # Monday, not Tuesday
    ("0 9 * * 1", local(2026, 11, 23, 9, 0), local(2026, 11, 30, 9, 0)),
    ("0 9 * * 0", local(2026, 11, 23, 10, 0), local(2026, 11, 29, 9, 0)),  # Sunday as 0
    ("0 9 * * 7", local(2026, 11, 23, 10, 0), local(2026, 11, 29, 9, 0)),  # Sunday as 7
    ("30 8 * * 1-5", local(2026, 11, 27, 9, 0), local(2026, 11, 30, 8, 30)),  # Friday after 8:30 -> Monday
    ("30 8 * * 1-5", local(2026, 11, 24, 7, 0), local(2026, 11, 24, 8, 30)),  # Tuesday
    ("0 9 * * 1,3,5", local(2026, 11, 23, 10, 0), local(2026, 11, 25, 9, 0)),  # Wednesday
    ("0 9 * * */2", local(2026, 11, 23, 10, 0), local(2026, 11, 24, 9, 0)),  # 0,2,4,6: Tuesday next
    ("0 9 * * 1-5/2", local(2026, 11, 24, 10, 0), local(2026, 11, 25, 9, 0)),  # 1,3,5: Wednesday
    ("0 9 * * mon-fri", local(2026, 11, 28, 10, 0), local(2026, 11, 30, 9, 0)),  # Saturday -> Monday
    ("0 9 * * SUN", local(2026, 11, 23, 10, 0), local(2026, 11, 29, 9, 0)),
    ("0 9 * * sat,sun", local(2026, 11, 23, 10, 0), local(2026, 11, 28, 9, 0)),
    ("0 9 * * 5-7", local(2026, 11, 23, 10, 0), local(2026, 11, 27, 9, 0)),  # Friday..Sunday
    ("0 10 1 * *", local(2026, 11, 23, 12, 0), local(2026, 12, 1, 10, 0)),  # the Mailchimp reminder
    ("0 9 1 * 1", local(2026, 11, 23, 10, 0), local(2026, 11, 30, 9, 0)),  # day 1 OR Monday: Monday first
    ("0 9 1 * 1", local(2026, 11, 30, 10, 0), local(2026, 12, 1, 9, 0)),  # ... then the 1st, a Tuesday
    ("0 9 1 jan,jul *", local(2026, 11, 23, 10, 0), local(2027, 1, 1, 9, 0)),
    ("*/15 9-10 * * *", local(2026, 11, 23, 10, 50), local(2026, 11, 24, 9, 0)),
    ("@weekly", local(2026, 11, 23, 10, 0), local(2026, 11, 29, 0, 0)),
    ("@daily", local(2026, 11, 23, 10, 0), local(2026, 11, 24, 0, 0)),
    ("0 0 29 2 *", local(2026, 11, 23, 10, 0), local(2028, 2, 29, 0, 0)),
]


@pytest.mark.parametrize(("expression", "after", "expected"), EXPECTED)
def test_the_next_firing_is_the_one_crontab_means(expression: str, after: datetime, expected: datetime) -> None:
    crontab = Crontab.parse(expression)
    trigger = cron_trigger(crontab, TZ)
    assert trigger.get_next_fire_time(None, after + timedelta(seconds=1)) == expected
    assert crontab.next_after(after, SANTIAGO) == expected
    assert crontab.latest_at_or_before(expected, SANTIAGO) == expected
    assert crontab.latest_at_or_before(expected - timedelta(minutes=1), SANTIAGO) != expected


# --- an independent reading of crontab(5), for the walk below ------------------------

NAMES = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
         "nov": 11, "dec": 12, "sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}


def field_matches(text: str, value: int, low: int, high: int) -> bool:
    """Does `value` satisfy one crontab field (items `*`, `a`, `a-b`, each with `/step`)?"""
    for item in text.lower().split(","):
        rng, _, step = item.partition("/")
        if rng == "*":
            a, b = low, high
        elif "-" in rng:
            a, b = (NAMES[x] if x in NAMES else int(x) for x in rng.split("-"))
        else:
            a = b = NAMES[rng] if rng in NAMES else int(rng)
        if a <= value <= b and (value - a) % int(step or 1) == 0:
            return True
    return False


def man_page_matches(expression: str, at: datetime) -> bool:
    minute, hour, dom, month, dow = expression.split()
    sunday_is = at.isoweekday() % 7  # 0..6, Sunday 0; crontab's 7 is Sunday too
    by_dom = field_matches(dom, at.day, 1, 31)
    by_dow = field_matches(dow, sunday_is, 0, 7) or (sunday_is == 0 and field_matches(dow, 7, 0, 7))
    if dom.startswith("*") or dow.startswith("*"):
        day = by_dom and by_dow
    else:  # "If both fields are restricted, the command runs when either field matches."
        day = by_dom or by_dow
    return (field_matches(minute, at.minute, 0, 59) and field_matches(hour, at.hour, 0, 23) and day
            and field_matches(month, at.month, 1, 12))


WALKED = ["0 9 * * 1", "30 8 * * 1-5", "0 9 * * 0", "0 9 * * 7", "5 7 * * 1,3,5", "0 9 * * */2", "0 12 * * 1-5/2",
          "0 9 * * mon-fri", "0 18 * * 5-7", "0 9 1,15 * 1", "0 9 13 * 5", "0 10 1 * *", "*/20 22-23 * * sun",
          "0 9 * 11-12 */3", "15 6 */10 * *"]


@pytest.mark.parametrize("expression", WALKED)
def test_the_trigger_fires_on_every_minute_crontab_names_and_no_other(expression: str) -> None:
    """Five weeks of minutes, walked one by one in Santiago's wall-clock time."""
    trigger = cron_trigger(Crontab.parse(expression), TZ)
    start = local(2026, 11, 20, 0, 0)
    end = start + timedelta(days=35)
    walked = []
    at = start
    while at < end:
        if man_page_matches(expression, at):
            walked.append(at)
        at += timedelta(minutes=1)
    fired: list[datetime] = []
    previous = None
    moment = start - timedelta(seconds=1)
    while True:
        nxt = trigger.get_next_fire_time(previous, moment)
        if nxt is None or nxt >= end:
            break
        fired.append(nxt)
        previous, moment = nxt, nxt + timedelta(seconds=1)
    assert fired == walked and walked


MALFORMED = [
    ("0 9 * *", "5 campos"),
    ("0 9 * * * *", "5 campos"),
    ("60 9 * * *", "minuto: 60"),
    ("0 24 * * *", "hora: 24"),
    ("0 9 0 * *", "día del mes: 0"),
    ("0 9 * 13 *", "mes: 13"),
    ("0 9 * * 8", "día de la semana: 8"),
    ("0 9 * * 5-1", "al revés"),
    ("0 18 * * fri-sun", "5-7"),  # no wrap-around ranges in crontab: Sunday as 7
    ("0 9 * * mon-", "no es un número"),
    ("0 9 * * funday", "'funday'"),
    ("*/0 * * * *", "paso"),
    ("1,,2 * * * *", "vacío"),
    ("0 9 30 2 *", "no existe"),
    ("@reboot", "@reboot"),
    ("0 9 5/2 * *", "rango con paso"),
]


@pytest.mark.parametrize(("expression", "reason"), MALFORMED)
def test_check_refuses_a_malformed_cron_with_file_line_and_reason(tmp_path: Path, expression: str, reason: str) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace('cron: "0 10 1 * *"', f'cron: "{expression}"')
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "cron:" in row)
    with pytest.raises(ConfigError) as caught:
        load_all(playbook, DIRECTORY)
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{playbook}:{line}: ")
    assert "cron no válido" in problem.message and reason in problem.message


def test_a_valid_cron_loads(tmp_path: Path) -> None:
    text = PLAYBOOK.read_text(encoding="utf-8").replace('cron: "0 10 1 * *"', 'cron: "0 9 * * MON-FRI"')
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(text, encoding="utf-8")
    loaded, _ = load_all(playbook, DIRECTORY)
    assert loaded.recurring[0].crontab.weekdays == {1, 2, 3, 4, 5}


def test_latest_slot_reads_the_wall_clock_of_the_time_zone() -> None:
    """The Monday 09:00 slot seen from a UTC moment on Monday afternoon."""
    crontab = Crontab.parse("0 9 * * 1")
    assert crontab.latest_at_or_before(datetime(2026, 11, 23, 15, 0, tzinfo=UTC), SANTIAGO) == \
        datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
