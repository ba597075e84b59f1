"""The public emergency banner: its message, set by a declarer in chat («banner: texto»),
and the steps the bot marks done itself when the banner goes up and comes down.

The banner is up exactly while a crisis is active (from ALERTA ROJA to FIN DE LA CRISIS);
the web part serves it as /banner.json and /banner.js."""

from __future__ import annotations

from collections.abc import Iterable

from flows import render
from flows.crisis import Crisis, CrisisState, Task, TaskEvent
from flows.messages import LogEntry
from flows.playbook import Phase, Playbook, Step
from flows.world import Turn

MAX_LENGTH = 280  # a banner is one or two lines on a phone
SET = "banner_set"


def is_up(crisis: Crisis | None) -> bool:
    """Up while a real crisis is active; never for a drill (issue 14 point 2)."""
    return crisis is not None and crisis.state == CrisisState.ACTIVE and not crisis.drill


def public_message(playbook: Playbook, entries: Iterable[LogEntry]) -> str:
    """The last message a declarer set during the crisis, else the playbook's."""
    message = playbook.banner.message
    for entry in entries:
        if entry.kind == SET:
            message = str(entry.data.get("text", message))
    return message


def is_bot_step(playbook: Playbook, step: Step) -> bool:
    return step.auto is None and step.id in playbook.banner.auto_steps


def mark_done(turn: Turn, step: Step, task: Task) -> None:
    """The bot did the step by putting the banner up (crisis phase) or down (closing)."""
    task.move(TaskEvent.COMPLETE)
    task.done_at, task.done_by = turn.now, None
    drill = turn.out.crisis is not None and turn.out.crisis.drill  # never published: the bitácora says it would have been
    kind = ("banner_would_up" if drill else "banner_up") if step.phase == Phase.CRISIS else ("banner_would_down" if drill else "banner_down")
    turn.log(kind, None, step.id)


def on_say(turn: Turn, by: str, text: str) -> None:
    """«banner: texto» from a declarer sets the public message; «banner» shows it."""
    crisis = turn.out.crisis
    current = public_message(turn.playbook, turn.world.log if crisis else ())
    drill = crisis is not None and crisis.drill and crisis.state == CrisisState.ACTIVE
    if not text:
        key = "banner_drill" if drill else "banner_shown" if is_up(crisis) else "banner_hidden"
        turn.send_key(by, key, text=current)
        return
    if not turn.is_declarer(by):
        turn.send_key(by, "banner_not_declarer", names=render.names(
            turn.directory, [p.id for p in turn.directory.with_any_role(turn.playbook.declarers)]))
        return
    if not is_up(crisis) and not drill:
        turn.send_key(by, "banner_no_crisis", text=current)
        return
    message = " ".join(text.split())[:MAX_LENGTH]
    turn.log(SET, by, text=message)  # in a drill, what the banner would say (the dashboard shows it)
    turn.send_key(by, "banner_drill_set_you" if drill else "banner_set_you", text=message)
