"""What people read about a case (issue 12, points 3 and 5): the header every card of a
case carries (the hand-off: id, playbook, fields, what earlier steps recorded, due time),
«estado R-12», and «mis casos»."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows import render
from flows.cases import values
from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.directory import Directory
from flows.playbook import Playbook, StepKind
from flows.texts import t
from flows.world import Turn

ENGINE_FIELDS = ("reiterado", "previos")  # set by the engine from earlier cases (flows/cases/opening.py)


def _when(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%d/%m %H:%M")


def field_lines(case: Crisis, playbook: Playbook, lang: str, tz: ZoneInfo) -> list[str]:
    """«Contrato: 4452211», one per field with a value, in the playbook's order, then the
    engine's «reiterado» and «previos»."""
    lines = []
    for field in playbook.fields:
        if field.id in case.fields:
            lines.append(t(lang, "cases.field_line", label=field.label,
                           value=values.show_value(field, case.fields[field.id], lang, tz)))
    for name in ENGINE_FIELDS:
        if name in case.fields and name not in playbook.fields_by_id:
            lines.append(t(lang, "cases.field_line", label=t(lang, f"cases.field_{name}"),
                           value=values.show_value(None, case.fields[name], lang, tz)))
    return lines


def record_lines(case: Crisis, playbook: Playbook, directory: Directory, lang: str, tz: ZoneInfo) -> list[str]:
    """What earlier steps recorded, oldest first: «✅ 1 Registrar el reclamo — Ana 09:12 ·
    Resuelto: no» (visits of a loop each once; ends and waits left out)."""
    done = [task for task in case.tasks.values() if task.state == TaskState.DONE and task.done_at is not None]
    done.sort(key=lambda task: (task.done_at or case.declared_at, task.visit))
    lines = []
    for task in done:
        step = playbook.step(task.step_id)
        if step.kind in (StepKind.END, StepKind.WAIT):
            continue
        detail = ""
        if task.value is not None:
            field = playbook.fields_by_id.get(step.answer_field)
            shown = task.value
            if step.kind == StepKind.ASK:
                option = next((o for o in step.options if o.value == task.value), None)
                shown = option.label.in_lang(lang) if option is not None else task.value
            elif field is not None and step.answer_field in case.fields:
                shown = values.show_value(field, case.fields[step.answer_field], lang, tz)
            detail = f" · {shown}"
        lines.append(t(lang, "cases.record_line", number=step.number, title=step.title,
                       by=render.who(directory, task.done_by, lang), at=render.clock_time(task.done_at, tz) if task.done_at
                       else "?", detail=detail))
    return lines


def header(case: Crisis, playbook: Playbook, directory: Directory, lang: str, tz: ZoneInfo) -> str:
    """The block on top of every card of a case: «📁 Caso R-12 · Daños reiterados», its
    fields, what earlier steps recorded and the due time (local, `tz`)."""
    lines = [t(lang, "cases.header", id=case.label, name=playbook.name)]
    lines += field_lines(case, playbook, lang, tz)
    records = record_lines(case, playbook, directory, lang, tz)
    if records:
        lines.append(t(lang, "cases.records_head"))
        lines += records
    if case.due_at is not None and case.is_open:
        lines.append(t(lang, "cases.due_line", at=_when(case.due_at, tz)))
    return "\n".join(lines) + "\n"


def _live(case: Crisis) -> list[tuple[str, Task]]:
    return [(k, task) for k, task in case.tasks.items() if "@" not in k and task.state in (TaskState.OPEN, TaskState.CLAIMED)]


def current_line(case: Crisis, playbook: Playbook, directory: Directory, now: datetime, lang: str, tz: ZoneInfo) -> str:
    """Where the case is: «Paso 3 · Visita técnica — Ana lo tiene (hace 2 h)», or closed."""
    if case.state == CrisisState.CLOSED:
        end = playbook.steps_by_id.get(case.outcome or "")
        outcome = (end.outcome or end.title) if end is not None else case.outcome or "-"
        return t(lang, "cases.now_closed", outcome=outcome, at=_when(case.closed_at, tz) if case.closed_at else "?")
    parts = []
    for step_id, task in _live(case):
        step = playbook.step(step_id)
        if step.kind == StepKind.WAIT:
            state = t(lang, "cases.now_waiting")
        elif task.state == TaskState.CLAIMED:
            state = t(lang, "cases.now_claimed", owner=render.who(directory, task.owner, lang))
        else:
            state = t(lang, "cases.now_open", names=render.names(directory, [p.id for p in directory.with_any_role(step.responsibles)]))
        since = render.age(now - (task.activated_at or now), lang)
        parts.append(t(lang, "cases.now_line", number=step.number, title=step.title, state=state, age=since))
    return "\n".join(parts) or t(lang, "cases.now_none")


def status_text(case: Crisis, playbook: Playbook, directory: Directory, now: datetime, lang: str, tz: ZoneInfo) -> str:
    """«estado R-12»: the header (opened by whom, when), where the case is now, overdue or not."""
    lines = [t(lang, "cases.status_head", id=case.label, name=playbook.name, by=render.who(directory, case.declared_by, lang),
               at=_when(case.declared_at, tz), age=render.age(now - case.declared_at, lang))]
    lines += field_lines(case, playbook, lang, tz)
    records = record_lines(case, playbook, directory, lang, tz)
    if records:
        lines.append(t(lang, "cases.records_head"))
        lines += records
    lines.append(current_line(case, playbook, directory, now, lang, tz))
    if case.due_at is not None and case.is_open:
        key = "cases.status_overdue" if now > case.due_at else "cases.due_line"
        lines.append(t(lang, key, at=_when(case.due_at, tz)))
    return "\n".join(lines)


def send_status(turn: Turn, by: str) -> None:
    """«estado R-12» (or the status button on a case's card)."""
    case = turn.out.crisis
    assert case is not None
    turn.log("status", by)
    lang, tz = turn.lang_of(by), turn.tz_of(by)
    turn.send(by, status_text(case, turn.playbook, turn.directory, turn.now, lang, tz), kind="status")


def my_cases(turn: Turn, by: str) -> None:
    """«mis casos»: one line per open case of `world.my_cases` (oldest first) with its
    step, who holds it and its due time; overdue ones marked."""
    cases = turn.world.my_cases
    lang, tz = turn.lang_of(by), turn.tz_of(by)
    if not cases:
        turn.send_key(by, "cases.mine_none")
        return
    lines = [t(lang, "cases.mine_head", n=len(cases))]
    for case in cases:
        playbook = Playbook.from_frozen(case.playbook_json) if case.playbook_json else turn.playbook
        where = current_line(case, playbook, turn.directory, turn.now, lang, tz).replace("\n", "; ")
        due = ""
        if case.due_at is not None:
            due = t(lang, "cases.mine_overdue" if turn.now > case.due_at else "cases.mine_due", at=_when(case.due_at, tz))
        lines.append(t(lang, "cases.mine_line", id=case.label, name=playbook.name, where=where, due=due))
    turn.send(by, "\n".join(lines), kind="status")
