"""Drills scheduled ahead (issue 14 point 1): «SIMULACRO el 3/12 a las 10:00» announces
the drill now to everybody (the group and each person, in their language and time zone)
and starts it then; «SIMULACRO sorpresa …» tells the declarer alone; «SIMULACRO cancelar»
cancels it, telling whoever was told. One drill waits at a time per playbook.

When it is due the timer sweep sends `StartDrill(channel="programado")` (bot/drill_ahead.py):
the waiting drill is taken in that command's transaction (so it starts once, whatever the
number of replicas), and starts unless a crisis or another drill is open, or its declarer
may no longer declare; then only the declarer is told why.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows import drills, render
from flows.commands import ScheduleDrill, StartDrill
from flows.drill_start import Cancel, Now, ScheduledDrill, ScheduleState, Unreadable, read_request
from flows.messages import GROUP, POSTED
from flows.playbook import ALL_STAFF, Inject
from flows.texts import t
from flows.world import Turn

SCHEDULED_CHANNEL = "programado"
"""The channel of the StartDrill the sweep sends when a scheduled drill is due."""


def on_phrase(turn: Turn, by: str, rest: str) -> None:
    """«SIMULACRO …»: now (what follows is its description), ahead, as a surprise, or cancel."""
    request = read_request(rest, turn.now, turn.tz)
    if isinstance(request, Now):
        drills.start(turn, by, request.description)
        return
    if not turn.is_declarer(by):
        drills.start(turn, by, "")  # says who may
        return
    if isinstance(request, Cancel):
        cancel(turn, by)
    elif isinstance(request, Unreadable):
        turn.send(by, unreadable_text(turn, turn.lang_of(by), request))
    else:
        schedule(turn, ScheduleDrill(by, request.at, request.description, turn.channel, request.surprise))


def unreadable_text(turn: Turn, lang: str, request: Unreadable) -> str:
    """Why a schedule cannot be taken, with an example of what works."""
    when = when_text(request.when, lang, turn.tz, turn.now) if request.when is not None else ""
    extra: dict[str, str] = {}
    if request.day is not None and request.given is not None:
        names = t(lang, "drill_start.weekdays").split(",")
        extra = {"date": f"{request.day:%d/%m/%Y}", "actual": names[request.day.weekday()], "given": names[request.given]}
    return t(lang, request.key, text=request.text, when=when, example=example(turn, lang), **extra)


def schedule(turn: Turn, cmd: ScheduleDrill) -> None:
    """Record a drill for `cmd.at` and tell everybody (or the declarer alone, `surprise`).
    Refused with a message to the declarer: not a declarer, a crisis or drill open, a time
    past, another drill already waiting."""
    by = cmd.person
    if not turn.is_declarer(by) or turn.world.crisis is not None:
        drills.start(turn, by, "")  # tells who may, or what is open (nothing starts)
        return
    lang = turn.lang_of(by)
    if cmd.at <= turn.now:
        turn.send(by, t(lang, "drill_start.past", when=when_text(cmd.at, lang, turn.tz, turn.now),
                        example=example(turn, lang)))
        return
    waiting = pending(turn)
    if waiting is not None:
        turn.send(by, t(lang, "drill_start.already", when=when_text(waiting.due_at, lang, turn.tz_of(by), turn.now),
                        zone=zone(lang, turn.tz_of(by), turn.tz), by=turn.person(waiting.declared_by).name,
                        phrase=phrase(turn, lang)))
        return
    staff = [p.id for p in turn.directory.with_role(ALL_STAFF)]
    told = (by,) if cmd.surprise else tuple(dict.fromkeys([by, *staff]))
    row = ScheduledDrill(id=turn.world.new_id(), playbook_id=turn.world.playbook.id, due_at=cmd.at,
                         declared_by=by, description=cmd.description, surprise=cmd.surprise, told=told,
                         created_at=turn.now, injects=cmd.injects)
    turn.out.drill_schedule.append(row)
    reader_tz = turn.tz_of(by)
    confirm = "drill_start.scheduled_surprise" if cmd.surprise else "drill_start.scheduled"
    if not cmd.surprise:
        _announce(turn, row)
    turn.send(by, t(lang, confirm, when=when_text(cmd.at, lang, reader_tz, turn.now), zone=zone(lang, reader_tz, turn.tz),
                    count=len(told), phrase=phrase(turn, lang)))


def _announce(turn: Turn, row: ScheduledDrill) -> None:
    """«🧪 Simulacro programado para el jueves 3 de diciembre a las 10:00 …» to the group
    (the playbook's time) and to each person but the declarer (their language, their time)."""
    by = turn.person(row.declared_by).name

    def text(lang: str, tz: ZoneInfo) -> str:
        description = t(lang, "drill_start.description", text=row.description) if row.description else ""
        return t(lang, "drill_start.announced", when=when_text(row.due_at, lang, tz, turn.now),
                 zone=zone(lang, tz, turn.tz), by=by, description=description)

    turn.send(GROUP, lambda lang: text(lang, turn.tz), kind=POSTED)  # phones get their own copy below
    for person in row.told:
        if person != row.declared_by:
            turn.send(person, text(turn.lang_of(person), turn.tz_of(person)))


def cancel(turn: Turn, by: str) -> None:
    """«SIMULACRO cancelar» (a declarer): the waiting drill will not take place; those told
    of it are told (and the group, when it was announced)."""
    row = pending(turn)
    if row is None:
        running = turn.out.crisis is not None and turn.out.crisis.drill
        turn.send_key(by, "drill_start.nothing_to_cancel_running" if running else "drill_start.nothing_to_cancel")
        return
    row.state, row.done_at, row.done_by = ScheduleState.CANCELLED, turn.now, by
    turn.out.drill_schedule.append(row)
    name = turn.person(by).name
    if not row.surprise:
        turn.send(GROUP, lambda lang: t(lang, "drill_start.cancelled", when=when_text(row.due_at, lang, turn.tz, turn.now),
                                        zone="", by=name), kind=POSTED)
    for person in dict.fromkeys([*row.told, by]):
        if turn.directory.get(person) is None:
            continue  # left the directory since
        lang, tz = turn.lang_of(person), turn.tz_of(person)
        turn.send(person, t(lang, "drill_start.cancelled", when=when_text(row.due_at, lang, tz, turn.now),
                            zone=zone(lang, tz, turn.tz), by=name))


def start_scheduled(turn: Turn, cmd: StartDrill) -> None:
    """The sweep's StartDrill for the waiting drill now due: taken here (started, or skipped
    with the declarer told why); nothing when none is due (another replica took it)."""
    row = pending(turn)
    if row is None or row.due_at > turn.now:
        return
    turn.out.drill_schedule.append(row)
    row.done_at = turn.now
    by = row.declared_by
    lang, at = turn.lang_of(by), render.clock_time(row.due_at, turn.tz_of(by))
    crisis = turn.world.crisis
    if crisis is not None:
        row.state = ScheduleState.SKIPPED
        key = "drill_start.skipped_drill" if crisis.drill else "drill_start.skipped_crisis"
        with drills.unmarked(turn):
            turn.send(by, t(lang, key, time=at, at=render.clock_time(crisis.declared_at, turn.tz_of(by))))
            _called_off(turn, row)
        return
    if not turn.is_declarer(by):
        row.state = ScheduleState.SKIPPED
        turn.send(by, t(lang, "drill_start.skipped_not_declarer", time=at))
        _called_off(turn, row)
        return
    row.state = ScheduleState.STARTED
    injects: tuple[Inject, ...] | None = cmd.injects if cmd.injects is not None else row.injects
    drills.start(turn, by, cmd.description or row.description, injects)


def _called_off(turn: Turn, row: ScheduledDrill) -> None:
    """Those told the drill was coming are told it will not (else, in a real crisis, they may
    take it for the drill): each person but its declarer, who was told why."""
    if row.surprise:
        return
    turn.send(GROUP, lambda lang: t(lang, "drill_start.called_off", when=when_text(row.due_at, lang, turn.tz, turn.now),
                                    zone=""), kind=POSTED)  # the group was told too; phones get their own below
    for person in row.told:
        if person != row.declared_by and turn.directory.get(person) is not None:
            lang, tz = turn.lang_of(person), turn.tz_of(person)
            turn.send(person, t(lang, "drill_start.called_off", when=when_text(row.due_at, lang, tz, turn.now),
                                zone=zone(lang, tz, turn.tz)))


def status_note(turn: Turn, by: str) -> bool:
    """«estado» with no crisis open: «No hay ninguna crisis abierta.» and the drill announced
    ahead, if one waits (never a surprise one). False when there is none to mention."""
    row = pending(turn)
    if row is None or row.surprise:
        return False
    lang, tz = turn.lang_of(by), turn.tz_of(by)
    turn.send(by, t(lang, "no_open_crisis") + "\n" + t(lang, "drill_start.status_ahead",
                                                      when=when_text(row.due_at, lang, tz, turn.now),
                                                      zone=zone(lang, tz, turn.tz)))
    return True


def pending(turn: Turn) -> ScheduledDrill | None:
    """The drill of this playbook waiting for its time, if any (one at a time)."""
    waiting = [d for d in turn.world.drill_schedule if d.state == ScheduleState.PENDING]
    return min(waiting, key=lambda d: d.due_at) if waiting else None


def when_text(at: datetime, lang: str, tz: ZoneInfo, now: datetime) -> str:
    """«jueves 3 de diciembre a las 10:00» in `tz` (the year too when it is not this one's)."""
    local = at.astimezone(tz)
    weekday = t(lang, "drill_start.weekdays").split(",")[local.weekday()]
    month = t(lang, "drill_start.months").split(",")[local.month - 1]
    key = "drill_start.when" if local.year == now.astimezone(tz).year else "drill_start.when_year"
    return t(lang, key, weekday=weekday, day=local.day, month=month, year=local.year, time=f"{local:%H:%M}")


def zone(lang: str, reader: ZoneInfo, playbook: ZoneInfo) -> str:
    """« (hora de La Paz)» for a reader in another time zone than the playbook's, else nothing."""
    return "" if reader.key == playbook.key else t(lang, "drill_start.zone", city=city(reader))


def city(tz: ZoneInfo) -> str:
    """«America/La_Paz» -> «La Paz»."""
    return tz.key.rsplit("/", 1)[-1].replace("_", " ")


def phrase(turn: Turn, lang: str) -> str:
    """The drill phrase in `lang` («SIMULACRO», «DRILL»)."""
    value = turn.world.playbook.drill.phrase
    return value.in_lang(lang) if hasattr(value, "in_lang") else str(value)


def example(turn: Turn, lang: str) -> str:
    return t(lang, "drill_start.example", phrase=phrase(turn, lang), city=city(turn.tz))
