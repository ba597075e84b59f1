"""A task command written without its number («leído», «hecho», «tomo»): the task it
can only mean, or a question listing the ones it could mean (issue 11, point 10)."""

from __future__ import annotations

from flows.crisis import Task, TaskState
from flows.playbook import Step, StepMode
from flows.texts import t
from flows.world import Turn


def candidates(turn: Turn, by: str, verb: str) -> list[tuple[Step, Task]]:
    """The live tasks `verb` could mean for `by`, in playbook order. A task `by` holds
    comes before open ones for «hecho», «no puedo» and «sigo»: if they hold exactly one,
    that is the one."""
    live = [(s, k) for s, k in turn.task_pairs() if k.state in (TaskState.OPEN, TaskState.CLAIMED)]
    owned = [(s, k) for s, k in live if s.mode == StepMode.ANY and k.state == TaskState.CLAIMED and k.owner == by]
    unacked = [(s, k) for s, k in live if s.mode == StepMode.EACH and turn.is_responsible(by, s) and by not in k.acks]
    open_any = [(s, k) for s, k in live if s.mode == StepMode.ANY and k.state == TaskState.OPEN
                and turn.is_responsible(by, s) and by not in k.declined and not s.claimed_by_declarer]
    if verb == "ack":
        return unacked
    if verb == "claim":
        return open_any
    if verb == "still":
        return owned
    if verb in ("done", "cantdo"):
        if len(owned) == 1:
            return owned
        return owned + open_any + (unacked if verb == "done" else [])
    return []


def pick(turn: Turn, by: str, verb: str) -> tuple[Step, Task] | None:
    """The one task `verb` means, or None after telling `by` which ones it could mean
    (or that there is none)."""
    found = candidates(turn, by, verb)
    if len(found) == 1:
        return found[0]
    if not found:
        turn.send_key(by, "which_task_none")
        return None

    def question(lang: str) -> str:
        options = ", ".join(t(lang, "which_task_option", verb=t(lang, f"verb_{verb}"), number=s.number, title=s.title)
                            for s, _ in found)
        return t(lang, "which_task", options=options)

    turn.send(by, question)
    return None
