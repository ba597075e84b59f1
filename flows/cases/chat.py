"""A line written about a case («R-12 hecho 3», «estado R-12», the answer to its question).
The service routes a line to a case only when it names it or answers what the case asked,
so only the case's own commands are read here; the crisis's (ALERTA ROJA, FIN, banner,
bitácora...) are not understood on a case."""

from __future__ import annotations

import re

from flows import describe, manage, tasks, which
from flows.cases import ask, status
from flows.commands import Say
from flows.crisis import CrisisState
from flows.localtext import LocalText
from flows.matching import Intent, read
from flows.messages import ActionKind
from flows.playbook import Step, StepKind
from flows.world import Turn

_BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.)]?\s*$")  # «R-12 2»: a button of the case's card, as under it


def strip_label(text: str, label: str) -> str:
    """The line without the case's id where it leads or ends («R-12 hecho 3», «estado R-12»)."""
    pattern = re.compile(rf"(^\s*{re.escape(label)}\b[\s:,.-]*|[\s:,.-]*\b{re.escape(label)}\s*$)", re.IGNORECASE)
    return pattern.sub("", text, count=1).strip() or text.strip()


def on_say(turn: Turn, cmd: Say) -> None:
    """Handle `cmd` on the case in `turn.out.crisis` (module docstring)."""
    by, case = cmd.person, turn.out.crisis
    if case is None:
        if cmd.direct:
            turn.send_key(by, "not_understood")
        return
    text = strip_label(cmd.text, case.label)
    reading = read(text, turn.playbook.declare_phrase, turn.playbook.close_phrase)
    if describe.take_answer(turn, by, text, reading, cmd.direct):
        return  # the value a task of the case asked them for (seed 000's rules: checked, expires, never a command)
    if reading.intent == Intent.STATUS:
        status.send_status(turn, by)
    elif reading.intent == Intent.NOTE:
        manage.note(turn, by, reading.rest)
    elif reading.intent == Intent.TASK and not reading.step:
        picked = which.pick(turn, by, reading.verb)
        if picked is not None:
            tasks.TASK_ACTIONS[ActionKind(reading.verb)](turn, by, *picked)
    elif reading.intent in (Intent.TASK, Intent.CORRECT):
        if not tasks.act_on_step(turn, by, reading):
            turn.send_key(by, "case_chat.unknown_step", id=case.label, number=reading.step)
    elif reading.intent == Intent.MY_TASKS:
        tasks.my_tasks(turn, by)
    elif reading.intent == Intent.OTHER and case.state == CrisisState.CLOSED:
        turn.send_key(by, "case_chat.closed", id=case.label, outcome=_outcome(turn))
    elif reading.intent == Intent.OTHER and (question := ask.open_question(turn, by)) is not None:
        ask.choose(turn, by, *question, text)
    elif reading.intent == Intent.OTHER and (number := _BARE_NUMBER.match(text)) is not None:
        _press_number(turn, by, int(number.group(1)))
    elif cmd.direct:
        turn.send_key(by, "not_understood")


def _press_number(turn: Turn, by: str, number: int) -> None:
    """«R-12 2» on a case whose current step is a task: the button with that number on its
    card (flows/buttons.py: 1 Lo tomo / Sigo en esto, 2 Hecho, 3 No puedo), as «2» typed
    under the card does; the case's id is named, so no other card is meant. Told what to
    write when the number is no button of a task `by` may act on."""
    assert turn.out.crisis is not None
    label = turn.out.crisis.label
    verbs = {1: "still" if _task_candidates(turn, by, "still") else "claim", 2: "done", 3: "cantdo"}
    verb = verbs.get(number)
    if verb is None or not _task_candidates(turn, by, verb):
        turn.send_key(by, "case_chat.no_option", id=label)
        return
    picked = which.pick(turn, by, verb)
    if picked is not None:
        tasks.TASK_ACTIONS[ActionKind(verb)](turn, by, *picked)


def _task_candidates(turn: Turn, by: str, verb: str) -> list[Step]:
    return [s for s, _ in which.candidates(turn, by, verb) if s.kind != StepKind.ASK]


def _outcome(turn: Turn) -> LocalText | str:
    """The outcome of the closed case's `end` step (its title when it has none)."""
    assert turn.out.crisis is not None
    end = turn.playbook.steps_by_id.get(turn.out.crisis.outcome or "")
    return (end.outcome or end.title) if end is not None else turn.out.crisis.outcome or "-"
