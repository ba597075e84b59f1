"""How the report writes times, durations, people and outcomes, in the reader's language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flows.credit import is_round, round_credit
from flows.crisis import TaskState
from flows.directory import Directory
from flows.playbook import StepMode
from flows.render import age, who
from flows.report import Outcome, Report, TaskFigures
from flows.texts import t, tn


def duration(delta: timedelta | None, lang: str) -> str:
    if delta is None:
        return t(lang, "rep.none")
    if delta < timedelta(minutes=1):
        return t(lang, "rep.seconds", n=max(0, int(delta.total_seconds())))
    return age(delta, lang)


def when(at: datetime | None, tz: ZoneInfo, lang: str) -> str:
    return at.astimezone(tz).strftime(t(lang, "rep.datetime")) if at else t(lang, "rep.none")


def clock(at: datetime | None, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M") if at else "?"


def person(directory: Directory, person_id: str | None, lang: str) -> str:
    return who(directory, person_id, lang)


def people(directory: Directory, ids: tuple[str, ...] | list[str], lang: str) -> str:
    return ", ".join(who(directory, i, lang) for i in ids) or t(lang, "rep.none")


def taken_by(figures: TaskFigures, directory: Directory, lang: str) -> str:
    """The «Quién la hizo» cell: who took the task and who did it («Riveros (la tomó) →
    Martínez (la hizo)»; one name when the same person did both), a round's credit
    («Dado por cumplido por Jaime · 4/9 confirmaron · faltan: …»), or how many
    acknowledged a round still open."""
    if is_round(figures.step, figures.task):
        return round_credit(directory, figures.step, figures.task, lang)
    if figures.step.mode == StepMode.EACH:
        return tn(lang, "rep.acked", len(figures.taken_by), total=len(figures.responsibles))
    if figures.outcome == Outcome.AUTOMATIC:
        return t(lang, "rep.by_bot") if figures.task.done_by is None else person(directory, figures.task.done_by, lang)
    names = [who(directory, i, lang) for i in figures.taken_by]
    did = figures.task.done_by if figures.task.state == TaskState.DONE else None
    if did and len(names) > 1 and figures.taken_by[-1] == did:  # «Riveros (la tomó) → Martínez (firmó)»
        return t(lang, "rep.took_signed" if figures.step.checks else "rep.took_did", took=" → ".join(names[:-1]),
                 did=names[-1])
    return " → ".join(names) or t(lang, "rep.none")


def outcome(figures: TaskFigures, lang: str) -> str:
    return t(lang, f"rep.outcome_{figures.outcome.value}")


def on_time_share(report: Report, lang: str) -> str:
    share = report.on_time_share
    if share is None:
        return t(lang, "rep.none")
    return t(lang, "rep.on_time_value", pct=round(share * 100), on_time=report.on_time, counted=report.counted)


def all_done(report: Report, lang: str) -> str:
    if report.time_to_all_done is None:
        return t(lang, "rep.all_done_missing", missing=report.crisis_tasks_missing)
    return duration(report.time_to_all_done, lang)
