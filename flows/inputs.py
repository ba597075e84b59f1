"""Values a task records (the Entel ticket): what a valid answer looks like, and
correcting a value once recorded (issue 11, point 8).

A playbook input may declare `pattern` (a regular expression) and `example`. An answer
is accepted when the pattern matches all of it, or exactly one part of it: «ticket
4455-ABC» records «4455-ABC». An answer that does not fit, or that holds several
candidates («4455 o 4456»), is asked again with the example and nothing is recorded.
Without a pattern any non-blank answer is accepted, as written (trimmed).
"""

from __future__ import annotations

import re
from functools import lru_cache

from flows import render
from flows.case_help import how_to_open
from flows.crisis import Task, TaskState
from flows.matching import Intent
from flows.messages import GROUP
from flows.playbook import Input, Step
from flows.texts import t
from flows.world import Turn


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def accept(spec: Input, text: str) -> str | None:
    """The value to record for `text`, or None when it does not fit `spec.pattern`
    (rule: issue 11 point 8; whole match first, else a single matching part)."""
    value = " ".join(text.split())
    if not value:
        return None
    if spec.pattern is None:
        return value
    regex = _compiled(spec.pattern)
    if regex.fullmatch(value):
        return value
    found = {m.group(0).strip() for m in regex.finditer(value) if m.group(0).strip()}
    return found.pop() if len(found) == 1 else None


def refuse(turn: Turn, by: str, step: Step, text: str) -> None:
    """Tell `by` that `text` is not a valid value for the step: ask again, with the example."""
    assert step.input is not None
    if not text.strip():
        turn.send_key(by, "input_empty", label=step.input.label)
    elif step.input.example:
        turn.send_key(by, "input_invalid_example", label=step.input.label, example=step.input.example)
    else:
        turn.send_key(by, "input_invalid", label=step.input.label)


def may_correct(turn: Turn, by: str, task: Task) -> bool:
    """Who recorded the value, declarers and coordinators may correct it (issue 11 point 8)."""
    return by == task.done_by or turn.is_declarer(by) or turn.is_coordinator(by)


def ask_correction(turn: Turn, by: str, step: Step, task: Task) -> None:
    """«corregir 2» without a value: ask for the new one (the next line answers it)."""
    if not _correctable(turn, by, step, task):
        return
    assert step.input is not None
    task.asking, task.asked_at = by, turn.now
    key = "correct_ask_example" if step.input.example else "correct_ask"
    turn.send_key(by, key, number=step.number, label=step.input.label, value=task.value or "-",
                  prompt=step.input.prompt, example=step.input.example or "")


def correct(turn: Turn, by: str, step: Step, task: Task, value: str) -> None:
    """Replace the value a done task recorded with `value`, validated like an answer.

    Logs kind "corrected" (data: label, old, new), updates `task.value` and, for a
    broadcast input, the crisis description (the group is told). Tells `by`, and the
    person who recorded it when someone else corrects it. Refusals (no value recorded,
    no right to correct, a value that does not fit) are told to `by`; nothing changes.
    """
    if not _correctable(turn, by, step, task):
        return
    assert step.input is not None
    accepted = accept(step.input, value)
    if accepted is None:
        refuse(turn, by, step, value)
        if turn.channel != "panel":  # in chat, the next line may bring it
            task.asking, task.asked_at = by, turn.now
        return
    task.asking, task.asked_at = None, None
    old = task.value or ""
    if accepted == old:
        turn.send_key(by, "correct_same", number=step.number, value=old)
        return
    task.value = accepted
    turn.log("corrected", by, step.id, label=step.input.label, old=old, new=accepted)
    turn.send_key(by, "corrected_you", number=step.number, label=step.input.label, old=old, new=accepted)
    if task.done_by and task.done_by != by:
        turn.send_key(task.done_by, "corrected_other", who=turn.person(by).name, number=step.number,
                      label=step.input.label, old=old, new=accepted)
    crisis = turn.out.crisis
    if step.input.broadcast and crisis is not None:
        lines = (crisis.description or "").split("\n")
        crisis.description = "\n".join(accepted if line == old else line for line in lines) if old in lines else accepted
        turn.send_key(GROUP, "description_corrected", who=turn.person(by).name, text=accepted)


def _correctable(turn: Turn, by: str, step: Step, task: Task) -> bool:
    """Whether `by` may correct this task's value now; tells them why not otherwise."""
    if step.input is None or task.state != TaskState.DONE or task.value is None:
        turn.send_key(by, "correct_nothing", number=step.number)
        return False
    if not may_correct(turn, by, task):
        turn.send_key(by, "correct_not_allowed", number=step.number,
                      by=render.who(turn.directory, task.done_by, turn.lang_of(by)))
        return False
    return True


def send_help(turn: Turn, by: str) -> None:
    """What a person can write, with the playbook's keywords in their language. «nota: …»
    is listed once the chat understands it (Intent.NOTE)."""
    lang = turn.lang_of(by)
    extra = t(lang, "help_note") if hasattr(Intent, "NOTE") else ""
    opening = how_to_open(turn.world.case_playbooks, lang)
    if opening:  # case procedures run beside the crisis (issue 12): how to open one, and their words
        extra += t(lang, "case_help.help_cases", lines=opening)
    turn.send(by, t(lang, "help_full", declare=turn.playbook.declare_phrase.in_lang(lang),
                    close=turn.playbook.close_phrase.in_lang(lang), extra=extra))


def ask(turn: Turn, by: str, step: Step) -> None:
    """Ask `by` for the step's value with the playbook's own prompt (every transport;
    Slack's modal shows the same prompt), and its example when it has one."""
    spec = step.input
    assert spec is not None

    def question(lang: str) -> str:
        text = t(lang, "ask_input", label=spec.label, number=step.number, title=step.title, prompt=spec.prompt)
        return text + (t(lang, "input_example_suffix", example=spec.example) if spec.example else "")

    turn.send(by, question)
