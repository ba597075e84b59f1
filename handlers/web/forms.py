"""What a person may do from the dashboard, as forms (issue 11, point 13).

The forms mirror the rights of chat (flows/tasks.py `may_act`, flows/manage.py,
flows/inputs.py `may_correct`): declarers and coordinators act on any task; a
responsible acts on their own. The engine checks again when the form arrives, so a form
shown by mistake is refused in words, never obeyed."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.crisis import Crisis, TaskState
from flows.directory import Directory
from flows.playbook import Playbook, StepKind, StepMode
from flows.texts import t

ACTIONS = frozenset({"assign", "done", "skip", "correct", "note", "choose"})  # ActionKind values a form may send


@dataclass(frozen=True)
class TaskForm:
    assign: tuple[tuple[str, str], ...] = ()  # (person id, name) it may be handed to
    done: str = ""  # the «done» button's label; "" when not offered
    value_label: str | None = None  # the value the task records, asked with «done»
    done_other: str | None = None  # «La tiene Valeria: quedará hecha por ti»
    skip: bool = False
    correct: str | None = None  # the label of the «correct» field, for a recorded value
    holder: str = ""  # who held the task when the form was drawn ("": nobody); a form sent after it changed is refused
    options: tuple[tuple[str, str], ...] = ()  # a case question (`ask` step): (value, label) per option, one button each

    def __bool__(self) -> bool:
        return bool(self.assign or self.done or self.skip or self.correct or self.options)


@dataclass(frozen=True)
class Forms:
    csrf: str
    crisis_id: str
    tasks: dict[str, TaskForm] = field(default_factory=dict)


def forms_for(crisis: Crisis, playbook: Playbook, directory: Directory, viewer: str, lang: str, csrf: str) -> Forms:
    """The forms `viewer` sees on each task card of the open crisis."""
    people = {p.id for p in directory.with_any_role([*playbook.declarers, *playbook.coordinators])}
    manager = viewer in people
    me = directory.get(viewer)
    forms: dict[str, TaskForm] = {}
    for step in playbook.steps:
        task = crisis.tasks.get(step.id)
        if task is None:
            continue
        responsibles = directory.with_any_role(step.responsibles)
        mine = any(p.id == viewer for p in responsibles)
        if task.state == TaskState.DONE:
            if step.input and task.value is not None and (manager or task.done_by == viewer):
                forms[step.id] = TaskForm(correct=t(lang, "web.act_correct", label=step.input.label))
            continue
        if task.state not in (TaskState.OPEN, TaskState.CLAIMED) or not (manager or mine):
            continue
        holder = task.owner if task.state == TaskState.CLAIMED else None
        if step.kind == StepKind.ASK:  # one button per option, in order, each posting its CHOOSE action
            forms[step.id] = TaskForm(options=tuple((o.value, o.label.in_lang(lang)) for o in step.options),
                                      holder=holder or "")
            continue
        if step.mode == StepMode.EACH:
            if manager:
                forms[step.id] = TaskForm(done=t(lang, "web.act_close_round_btn"), skip=True)
            continue
        if manager:
            assign = tuple((p.id, p.name) for p in responsibles if p.id != holder)
        elif holder is None:
            assign = ((viewer, t(lang, "web.act_me", name=me.name if me else viewer)),)
        elif holder == viewer:
            assign = tuple((p.id, p.name) for p in responsibles if p.id != viewer)
        else:
            assign = ()
        owner = directory.get(holder) if holder else None
        forms[step.id] = TaskForm(
            assign=assign, done=t(lang, "web.act_done_btn"),
            value_label=step.input.label if step.input else None,
            done_other=t(lang, "web.act_done_other", owner=owner.name, you=me.name if me else viewer)
            if owner is not None and holder != viewer else None,
            skip=manager or holder in (None, viewer), holder=holder or "",
        )
    return Forms(csrf=csrf, crisis_id=crisis.id, tasks={k: v for k, v in forms.items() if v})
