"""Texts built from state: task cards, the status answer, the bitácora."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flows.contact import DeliveryBoard, next_text
from flows.contact import status_line as contact_line
from flows.credit import is_round, round_credit
from flows.crisis import Crisis, CrisisState, Task, TaskState
from flows.directory import Directory
from flows.messages import GROUP, Action, ActionKind, Button, LogEntry
from flows.playbook import Playbook, Step, StepKind, StepMode
from flows.texts import t, tn


def clock_time(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def age(delta: timedelta, lang: str) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return t(lang, "minutes", n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return t(lang, "hours", h=hours, m=minutes)
    days, hours = divmod(hours, 24)
    return t(lang, "days", d=days, h=hours)


def names(directory: Directory, ids: Iterable[str]) -> str:
    return ", ".join(directory[i].name if directory.get(i) else i for i in ids)


def who(directory: Directory, person_id: str | None, lang: str) -> str:
    if person_id is None:
        return t(lang, "bot")
    person = directory.get(person_id)
    return person.name if person else person_id


def after_numbers(playbook: Playbook, step: Step, tasks: Mapping[str, Task] | None = None) -> str:
    """The numbers of the steps `step` waits for: with the crisis's `tasks`, only those not
    yet done or skipped («espera pasos 3», not 1 to 6: issue 11 point 10); all of them
    without (or when none is left)."""
    waiting = [s for s in step.after if tasks is not None and s in tasks and not tasks[s].satisfied]
    return ", ".join(playbook.step(s).number for s in (waiting or step.after))


def waiting_for(lang: str, playbook: Playbook, step: Step, tasks: Mapping[str, Task] | None = None) -> str:
    """«el paso 4» or «los pasos 3, 4» (`after_numbers`, in `lang`, singular or plural)."""
    numbers = after_numbers(playbook, step, tasks)
    return t(lang, "waiting_many" if "," in numbers else "waiting_one", numbers=numbers)


def is_overdue(task: Task, now: datetime) -> bool:
    return task.deadline_at is not None and not task.finished and now > task.deadline_at


def task_buttons(crisis_id: str, step: Step, task: Task, viewer: str, lang: str) -> tuple[Button, ...]:
    def button(kind: ActionKind, key: str, style: str = "default") -> Button:
        return Button(t(lang, key), Action.for_task(kind, crisis_id, step.id), style)

    if step.kind == StepKind.ASK:  # a case's question: one button per option, in order (flows/cases/ask.py)
        if task.state not in (TaskState.OPEN, TaskState.CLAIMED):
            return ()
        return tuple(Button(o.label.in_lang(lang), Action.for_choice(crisis_id, step.id, o.value)) for o in step.options)
    if step.mode == StepMode.EACH:
        return () if task.finished or viewer in task.acks else (button(ActionKind.ACK, "btn_ack", "primary"),)
    done_key = "btn_sign" if step.checks else "btn_done"
    if task.state == TaskState.OPEN:
        return (
            button(ActionKind.CLAIM, "btn_claim", "primary"),
            button(ActionKind.COMPLETE, done_key),
            button(ActionKind.GIVE_UP, "btn_give_up", "danger"),
        )
    if task.state == TaskState.CLAIMED and task.owner == viewer:
        first = (button(ActionKind.STILL_ON, "btn_still_on", "primary"),) if task.checkin_pending else ()
        return (*first, button(ActionKind.COMPLETE, done_key, "primary"), button(ActionKind.GIVE_UP, "btn_give_up", "danger"))
    return ()


def task_state_line(
    playbook: Playbook, directory: Directory, step: Step, task: Task, viewer: str, lang: str, tz: ZoneInfo, total: int,
    tasks: Mapping[str, Task] | None = None,
) -> str:
    """`tasks`: the crisis's, so a waiting task names only the steps still to do."""
    if task.state == TaskState.WAITING:
        return t(lang, "card_waiting", after=waiting_for(lang, playbook, step, tasks))
    if task.state == TaskState.CANCELLED:
        return t(lang, "card_cancelled")
    if task.state == TaskState.SKIPPED:
        return t(lang, "card_skipped", by=who(directory, task.done_by, lang), reason=task.skip_reason or "-")
    if task.state == TaskState.DONE:
        by = who(directory, task.done_by, lang)
        at = clock_time(task.done_at, tz) if task.done_at else "?"
        if is_round(step, task):
            return t(lang, "card_round_done", credit=round_credit(directory, step, task, lang), at=at)
        if step.input and task.value:
            return t(lang, "card_done_value", by=by, at=at, label=step.input.label, value=task.value)
        return t(lang, "card_done", by=by, at=at)
    if step.mode == StepMode.EACH:
        return tn(lang, "card_each", len(task.acks), total=total)
    if task.state == TaskState.CLAIMED:
        at = clock_time(task.claimed_at, tz) if task.claimed_at else "?"
        if task.owner == viewer:
            return t(lang, "cases.card_choose_you" if step.kind == StepKind.ASK else "card_claimed_you", at=at)
        return t(lang, "card_claimed", owner=who(directory, task.owner, lang), at=at)
    if step.input:
        return t(lang, "card_open_input", label=step.input.label)
    return t(lang, "card_open")


def checks_block(crisis: Crisis, playbook: Playbook, directory: Directory, step: Step, lang: str, tz: ZoneInfo) -> str:
    lines = []
    for step_id in step.checks:
        checked = playbook.step(step_id)
        task = crisis.tasks.get(step_id)
        if task is None:
            continue
        icon, detail = status_icon_detail(playbook, directory, checked, task, lang, tz, None, len(task.acks))
        lines.append(t(lang, "check_line", icon=icon, number=checked.number, title=checked.title, detail=detail))
    return t(lang, "card_checks", lines="\n".join(lines))


def card_text(
    crisis: Crisis, playbook: Playbook, directory: Directory, step: Step, task: Task, viewer: str, lang: str, tz: ZoneInfo
) -> str:
    responsibles = directory.with_any_role(step.responsibles)
    instructions = "".join(t(lang, "card_instruction", text=i) for i in step.instructions)
    if step.checks and task.state != TaskState.WAITING:
        instructions += checks_block(crisis, playbook, directory, step, lang, tz)
    state = task_state_line(playbook, directory, step, task, viewer, lang, tz, len(responsibles), crisis.tasks)
    card = t(
        lang, "card", number=step.number, title=step.title, instructions=instructions,
        names=", ".join(p.name for p in responsibles), state=state,
    )
    if crisis.is_case:  # the hand-off: the case's id, fields and what earlier steps recorded
        from flows.cases import status  # flows.cases builds on this module

        return status.header(crisis, playbook, directory, lang, tz) + card
    return card


def status_icon_detail(
    playbook: Playbook, directory: Directory, step: Step, task: Task, lang: str, tz: ZoneInfo,
    now: datetime | None, total: int, tasks: Mapping[str, Task] | None = None,
) -> tuple[str, str]:
    """`tasks`: the crisis's, so a waiting task names only the steps still to do."""
    since = task.activated_at
    if is_round(step, task):
        return "✅", round_credit(directory, step, task, lang)
    if task.state == TaskState.DONE:
        detail = t(lang, "status_done", by=who(directory, task.done_by, lang), at=clock_time(task.done_at, tz) if task.done_at else "?")
        if step.input and task.value and not step.input.broadcast:
            detail += t(lang, "status_label_value", label=step.input.label, value=task.value)
        return "✅", detail
    if task.state == TaskState.CANCELLED:
        return "⛔", t(lang, "status_cancelled")
    if task.state == TaskState.SKIPPED:
        return "➖", t(lang, "status_skipped", by=who(directory, task.done_by, lang), reason=task.skip_reason or "-")
    if task.state == TaskState.WAITING:
        return "⏳", t(lang, "status_waiting", after=waiting_for(lang, playbook, step, tasks))
    elapsed = age(now - since, lang) if now and since else "?"
    if step.mode == StepMode.EACH:
        return "👥", tn(lang, "status_each", len(task.acks), total=total)
    if task.state == TaskState.CLAIMED:
        claimed = age(now - task.claimed_at, lang) if now and task.claimed_at else "?"
        return "🟡", t(lang, "status_claimed", owner=who(directory, task.owner, lang), age=claimed)
    return "⬜", t(lang, "status_open", age=elapsed)


def status_text(
    crisis: Crisis, playbook: Playbook, directory: Directory, now: datetime, lang: str, tz: ZoneInfo,
    delivery: DeliveryBoard | None = None,
) -> str:
    """`delivery`: who can be reached and the next timer per task (one line, and «próximo aviso» per task)."""
    if crisis.state == CrisisState.ACTIVE:
        phase = t(lang, "status_active")
    elif crisis.state == CrisisState.CLOSING:
        at = clock_time(crisis.closing_at, tz) if crisis.closing_at else "?"
        phase = t(lang, "status_closing", at=at, by=who(directory, crisis.closing_by, lang))
    else:
        phase = t(lang, "status_closed")
    lines = [
        t(lang, "status_head", id=crisis.id, phase=phase, by=who(directory, crisis.declared_by, lang),
          at=clock_time(crisis.declared_at, tz), age=age(now - crisis.declared_at, lang))
    ]
    if crisis.description:
        lines.append(t(lang, "status_description", text=crisis.description))
    counts = {"done": 0, "claimed": 0, "open": 0, "waiting": 0, "overdue": 0}
    for step in playbook.steps:
        task = crisis.tasks.get(step.id)
        if task is None:
            continue
        total = len(directory.with_any_role(step.responsibles))
        icon, detail = status_icon_detail(playbook, directory, step, task, lang, tz, now, total, crisis.tasks)
        if is_overdue(task, now):
            detail += t(lang, "status_overdue")
            counts["overdue"] += 1
        upcoming = delivery.next_timers.get(step.id) if delivery is not None else None
        if upcoming is not None and task.state in (TaskState.OPEN, TaskState.CLAIMED):
            detail += " · " + next_text(upcoming, tz, lang)
        lines.append(t(lang, "status_line", icon=icon, number=step.number, title=step.title, detail=detail))
        key = {TaskState.DONE: "done", TaskState.CLAIMED: "claimed", TaskState.OPEN: "open", TaskState.WAITING: "waiting"}.get(task.state)
        if key:
            counts[key] += 1
    lines.append(t(lang, "status_totals", claimed=counts["claimed"], open=counts["open"], waiting=counts["waiting"],
                   done=tn(lang, "n.done", counts["done"]), overdue=tn(lang, "n.overdue", counts["overdue"])))
    if delivery is not None and delivery.people:
        lines.append(contact_line(delivery, directory, lang))
    return "\n".join(lines)


def summary_text(crisis: Crisis, now: datetime, lang: str) -> str:
    done = open_ = overdue = 0  # one pass: the summary is drawn after every change
    for task in crisis.tasks.values():
        done += task.state == TaskState.DONE
        open_ += task.state in (TaskState.OPEN, TaskState.CLAIMED)
        overdue += is_overdue(task, now)
    label = t(lang, f"phase_{crisis.state.value}")
    return t(lang, "summary", id=crisis.id, state=label, done=tn(lang, "n.done_of", done, total=len(crisis.tasks)),
             open=tn(lang, "n.open", open_), overdue=tn(lang, "n.overdue", overdue))


def log_entry_text(entry: LogEntry, directory: Directory, playbook: Playbook | None, lang: str) -> str:
    data = dict(entry.data)
    if "step" in data and playbook is not None:
        try:
            step = playbook.step(data["step"])
            data["step"] = f"{step.number} ({step.title.in_lang(lang)})"
        except KeyError:
            pass
    for key in ("owner", "who", "to"):
        if isinstance(data.get(key), str) and directory.get(data[key]):
            data[key] = directory[data[key]].name
        elif data.get(key) == GROUP:
            data[key] = t(lang, "log.to_group")
    kind = "drill_started" if entry.kind == "declared" and data.get("drill") else entry.kind  # issue 14
    text = t(lang, f"log.{kind}", **data)
    if data.get("on_behalf"):
        text += t(lang, "log.on_behalf")
    return text


RECEIPTS = frozenset({"delivered", "whatsapp_delivered", "whatsapp_read"})
"""Log kinds that only say a message reached someone: left out of the bitácora shown in
chat (and of the report), listed only in the bitácora's CSV (bot/reports/bitacora_csv.py)."""


def log_lines(
    entries: Iterable[LogEntry], directory: Directory, playbook: Playbook | None, lang: str, tz: ZoneInfo,
    skip_kinds: frozenset[str] = frozenset(),
) -> list[str]:
    return [
        t(lang, "log_line", at=entry.at.astimezone(tz).strftime("%d/%m %H:%M"), who=who(directory, entry.person, lang),
          channel=entry.channel or "-", text=log_entry_text(entry, directory, playbook, lang))
        for entry in entries
        if entry.kind not in skip_kinds
    ]
