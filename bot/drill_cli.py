"""`crisisbot simulacro <playbook> --como <id> [texto] [--el "AAAA-MM-DD HH:MM"] [--sorpresa]
[--guion archivo.yaml]` (issue 14 point 1): a drill started now or scheduled ahead from the
command line, as a person who may declare.

Refused with one clear line on stderr and exit 1 (nothing recorded, nobody told): an
unknown playbook or person, a person who may not declare, a crisis or drill already open,
a drill already scheduled, a time unreadable or past, a drill file that does not validate
(`file:line: what is wrong`), or no `crisisbot serve`/`run` alive on the database to
deliver the messages. Otherwise the command goes through the service like any other
(flows/drill_ahead.py): this process plans the messages onto the live processes' channels
and writes them to the outbox, and those processes deliver them (and fire the timers,
bot/scheduler.py `LOOK_AGAIN_SECONDS`)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.clock import SystemClock
from bot.playbooks import Playbooks, load_playbooks
from bot.processes import Heartbeat
from bot.routing import Router
from bot.service import CrisisService
from bot.settings import Settings
from flows import render
from flows.commands import ScheduleDrill, StartDrill
from flows.drill_ahead import city, when_text
from flows.playbook import Inject, Playbook
from flows.texts import t
from persistence import drill_schedule as schedule_store
from persistence import repository as repo
from persistence.database import reading
from persistence.startup import open_database

CHANNEL = "cli"


class Refused(Exception):
    """One line for stderr: why nothing was done."""


async def simulacro(settings: Settings, playbook_ref: str, person_id: str, text: str, at_text: str | None,
                    surprise: bool, script: Path | None) -> int:
    """Run `crisisbot simulacro`; 0 when the drill was started or scheduled, 1 when refused."""
    lang = settings.lang
    try:
        loaded = load_playbooks(settings)
        playbook = _playbook(loaded, playbook_ref, lang)
        tz = ZoneInfo(playbook.timezone)
        now = SystemClock().now()
        _declarer(loaded, playbook, person_id, settings, lang)
        at = _when(at_text, surprise, tz, now, lang)
        injects = _script(script, playbook, loaded, lang)
        return await _record(settings, loaded, playbook, person_id, text, at, surprise, injects)
    except Refused as refused:
        print(str(refused), file=sys.stderr)
        return 1


def _playbook(loaded: Playbooks, ref: str, lang: str) -> Playbook:
    """The crisis playbook by its id or its file (a case playbook's drill is refused: a
    drill rehearses the crisis plan)."""
    for playbook_id, path in loaded.paths.items():
        if ref in (playbook_id, str(path)) or Path(ref).resolve() == path.resolve():
            if playbook_id != loaded.crisis.id:
                raise Refused(t(lang, "drill_start.cli_case_playbook", name=ref, crisis=loaded.crisis.id))
            return loaded.crisis
    raise Refused(t(lang, "drill_start.cli_unknown_playbook", name=ref, names=", ".join(loaded.all)))


def _declarer(loaded: Playbooks, playbook: Playbook, person_id: str, settings: Settings, lang: str) -> None:
    person = loaded.directory.get(person_id)
    if person is None:
        raise Refused(t(lang, "drill_start.cli_unknown_person", id=person_id, file=settings.directory))
    declarers = loaded.directory.with_any_role(playbook.declarers)
    if all(p.id != person_id for p in declarers):
        raise Refused(t(lang, "drill_start.cli_not_declarer", id=person_id, name=person.name,
                        names=", ".join(f"{p.name} ({p.id})" for p in declarers)))


def _when(at_text: str | None, surprise: bool, tz: ZoneInfo, now: datetime, lang: str) -> datetime | None:
    """`--el` read as the playbook's local time; None: now."""
    if at_text is None:
        if surprise:
            raise Refused(t(lang, "drill_start.cli_surprise_alone"))
        return None
    try:
        at = datetime.strptime(" ".join(at_text.split()), "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    except ValueError:
        raise Refused(t(lang, "drill_start.cli_bad_when", text=at_text, city=city(tz))) from None
    if at <= now:
        raise Refused(t(lang, "drill_start.cli_past", text=at_text, now=f"{now.astimezone(tz):%Y-%m-%d %H:%M}",
                        city=city(tz)))
    return at


def _script(script: Path | None, playbook: Playbook, loaded: Playbooks, lang: str) -> tuple[Inject, ...] | None:
    """The drill file's injects, checked against the playbook and the directory."""
    if script is None:
        return None
    from bot.drill_script import ScriptProblem, check_script

    try:
        text = script.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Refused(t(lang, "drill_start.cli_no_file", file=script, error=exc.strerror
                        if isinstance(exc, OSError) and exc.strerror else exc)) from None
    try:
        return check_script(text, str(script), playbook, loaded.directory, lang=lang)
    except ScriptProblem as problem:
        raise Refused(str(problem)) from None


async def _record(settings: Settings, loaded: Playbooks, playbook: Playbook, person_id: str, text: str,
                  at: datetime | None, surprise: bool, injects: tuple[Inject, ...] | None) -> int:
    lang, tz = settings.lang, ZoneInfo(playbook.timezone)
    db = await open_database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms,
                             retry_seconds=settings.database_startup_retry_seconds, lang=lang)
    try:
        clock = SystemClock()
        async with reading(db) as conn:
            crisis_id = await repo.open_crisis_id(conn, playbook.id)
            crisis = await repo.load_crisis(conn, crisis_id) if crisis_id else None
            waiting = await schedule_store.pending(conn, playbook.id)
            vias = await repo.live_vias(conn, Heartbeat.from_settings(settings).alive_since())
        if crisis is not None:
            kind = t(lang, "drill_start.cli_kind_drill" if crisis.drill else "drill_start.cli_kind_real")
            raise Refused(t(lang, "drill_start.cli_crisis_open", kind=kind, id=crisis.id,
                            at=f"{crisis.declared_at.astimezone(tz):%Y-%m-%d %H:%M}"))
        if at is not None and waiting:
            phrase = playbook.drill.phrase
            raise Refused(t(lang, "drill_start.cli_already", when=when_text(waiting[0].due_at, lang, tz, clock.now()),
                            by=render.who(loaded.directory, waiting[0].declared_by, lang),
                            phrase=phrase.in_lang(lang) if hasattr(phrase, "in_lang") else phrase))
        if not vias:
            raise Refused(t(lang, "drill_start.cli_nobody_delivers"))
        router = Router(loaded.directory, {}, peers=lambda: vias)
        service = CrisisService(db, playbook, loaded.directory, clock, router, group_lang=lang, cases=loaded.cases,
                                relay=True)
        command = (StartDrill(person_id, text, CHANNEL, injects) if at is None
                   else ScheduleDrill(person_id, at, text, CHANNEL, surprise, injects))
        outcome = await service.handle(command)
    finally:
        await db.dispose()
    name, channels = loaded.directory[person_id].name, ", ".join(sorted(vias))
    if outcome is not None and at is None and outcome.crisis is not None and outcome.crisis.drill:
        print(t(lang, "drill_start.cli_started", id=outcome.crisis.id, name=name, vias=channels))
        return 0
    if outcome is not None and at is not None and outcome.drill_schedule:
        note = t(lang, "drill_start.cli_surprise", name=name) if surprise else ""
        print(t(lang, "drill_start.cli_scheduled", when=when_text(at, lang, tz, clock.now()), name=name, surprise=note,
                vias=channels))
        return 0
    said = [m.text for m in (outcome.messages if outcome else []) if m.to == person_id]
    raise Refused(t(lang, "drill_start.cli_refused", text=" ".join(said) or "-"))
