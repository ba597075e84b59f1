"""Who gets the credit for an all-staff round (StepMode.EACH, step 3).

A round is done either because every responsible confirmed it («Leído»), or because a
coordinator or declarer closed it for everyone («Dar por cumplido»). The second is not
«hecha por» the coordinator, nor the first «hecha por» the last reader: status, cards,
step 7's checklist, the dashboard and the report say which it was, with the count and who
is missing (issue 11, point 7). Pure."""

from __future__ import annotations

from flows.crisis import Task, TaskState
from flows.directory import Directory
from flows.playbook import Step, StepMode
from flows.texts import t, tn


def is_round(step: Step, task: Task) -> bool:
    """A finished all-staff round: its credit is told by `round_credit`, not «hecha por»."""
    return step.mode == StepMode.EACH and task.state == TaskState.DONE


def round_credit(directory: Directory, step: Step, task: Task, lang: str) -> str:
    """«Confirmado por todos (9/9)», or «Dado por cumplido por Jaime · 4/9 confirmaron ·
    faltan: Luis, Valeria, ...» (the responsibles as the directory lists them now). The one
    who closed it counts as having read it: never among those missing (flows/tasks.py
    records his «Leído» when he closes it; a crisis stored before that is read the same)."""
    people = directory.with_any_role(step.responsibles)
    missing = [p.name for p in people if p.id not in task.acks and p.id != task.done_by]
    total = len(people)
    if not missing:
        return t(lang, "credit_all", total=total)
    by = directory.get(task.done_by) if task.done_by else None
    text = tn(lang, "credit_round_closed", total - len(missing), by=by.name if by else (task.done_by or t(lang, "bot")),
              total=total)
    return text + t(lang, "credit_missing", names=", ".join(missing))
