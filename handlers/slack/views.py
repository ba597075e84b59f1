"""Slack surfaces other than messages: the modal that takes a task's value (the crisis
description, the Entel ticket) and the App Home tab."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flows import render
from flows.crisis import Crisis, TaskState
from flows.directory import Directory
from flows.messages import Action, ActionKind
from flows.playbook import Playbook, Step, StepMode
from flows.texts import t
from handlers.drillmark import marked
from handlers.slack.blocks import Blocks, actions_block, escape, sections

INPUT_CALLBACK = "crisis_input"
INPUT_BLOCK = "value"
INPUT_ACTION = "value"
HOME_BLOCKS = 100


def input_modal(crisis_id: str, step: Step, lang: str, card_ref: str | None = None, drill: bool = False) -> dict[str, Any]:
    """Asks for the value a step records; submitting it is "Hecho" with that value. A
    drill's says so at the start of its first block (the title has room for 24 characters)."""
    assert step.input is not None
    describing = step.claimed_by_declarer
    title = t(lang, "slack.modal_title_description") if describing else t(lang, "slack.modal_title_input", number=step.number)
    label = step.input.label.in_lang(lang)[:1].upper() + step.input.label.in_lang(lang)[1:]
    step_line = marked(t(lang, "slack.modal_step", number=step.number, title=escape(step.title.in_lang(lang))), lang, drill)
    blocks: Blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": step_line}}]
    if step.input.prompt:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(step.input.prompt.in_lang(lang))}]})
    blocks.append({
        "type": "input", "block_id": INPUT_BLOCK, "label": {"type": "plain_text", "text": label[:2000]},
        "element": {"type": "plain_text_input", "action_id": INPUT_ACTION, "multiline": describing, "max_length": 2000},
    })
    metadata = {"action": Action.for_task(ActionKind.COMPLETE, crisis_id, step.id).encode(), "ref": card_ref,
                "label": step.input.label}
    return {
        "type": "modal", "callback_id": INPUT_CALLBACK, "private_metadata": json.dumps(metadata),
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": t(lang, "slack.modal_submit")[:24]},
        "close": {"type": "plain_text", "text": t(lang, "slack.modal_cancel")[:24]},
        "blocks": blocks,
    }


@dataclass(frozen=True)
class Submission:
    action: Action  # "Hecho" on the task
    card_ref: str | None  # the card the modal was opened from
    label: str  # what was asked ("el número de ticket de Entel")
    value: str


def submitted(view: dict[str, Any]) -> Submission:
    """What a submitted input modal says."""
    metadata = json.loads(view.get("private_metadata") or "{}")
    state = ((view.get("state") or {}).get("values") or {}).get(INPUT_BLOCK) or {}
    value = str((state.get(INPUT_ACTION) or {}).get("value") or "")
    return Submission(Action.decode(metadata["action"]), metadata.get("ref"), str(metadata.get("label") or ""), value)


def open_tasks_of(crisis: Crisis, playbook: Playbook, directory: Directory, person_id: str) -> list[Step]:
    """The person's tasks that still wait for them (as the engine's «mis tareas» lists them)."""
    mine = []
    for step in playbook.steps:
        task = crisis.tasks.get(step.id)
        responsible = any(p.id == person_id for p in directory.with_any_role(step.responsibles))
        if task is None or not responsible or task.state not in (TaskState.OPEN, TaskState.CLAIMED):
            continue
        if step.mode == StepMode.ANY and task.owner in (None, person_id) or step.mode == StepMode.EACH and person_id not in task.acks:
            mine.append(step)
    return mine


def home_view(
    crisis: Crisis | None, directory: Directory, person_id: str, now: datetime, lang: str, tz: ZoneInfo
) -> dict[str, Any]:
    """The viewer's App Home: the crisis status, then each of their open tasks with its
    buttons; during a drill its title, status and cards start with «🧪 SIMULACRO · »."""
    drill = crisis is not None and crisis.drill
    title = marked(t(lang, "slack.home_title"), lang, drill)
    blocks: Blocks = [{"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}}]
    if crisis is None:
        blocks += sections(t(lang, "slack.home_no_crisis"))
    else:
        playbook = Playbook.from_frozen(crisis.playbook_json)
        blocks += sections(marked(render.status_text(crisis, playbook, directory, now, lang, tz), lang, drill))
        blocks.append({"type": "divider"})
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": t(lang, "slack.home_your_tasks")}})
        steps = open_tasks_of(crisis, playbook, directory, person_id)
        if not steps:
            blocks += sections(t(lang, "slack.home_no_tasks"))
        for step in steps:
            task = crisis.tasks[step.id]
            card = sections(marked(render.card_text(crisis, playbook, directory, step, task, person_id, lang, tz), lang, drill),
                            bold_first_line=True)
            buttons = render.task_buttons(crisis.id, step, task, person_id, lang)
            if len(blocks) + len(card) + 3 > HOME_BLOCKS:
                break
            blocks += card
            if buttons:
                blocks.append(actions_block(buttons, f"card:{crisis.id}/{step.id}", "card"))
    footer = f"{t(lang, 'slack.home_updated', at=render.clock_time(now, tz))} {t(lang, 'slack.usage')}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape(footer)[:3000]}]})
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}


def notice_view(text: str) -> dict[str, Any]:
    """A Home tab that only says something (to someone not in the directory)."""
    return {"type": "home", "blocks": sections(text)}
