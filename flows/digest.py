"""Fewer, better messages (issue 11, point 5): the latest state once, and one digest per
person for what one command produced.

Three pure steps, each the rule of DESIGN.md «What people in a crisis need from the
conversation» («Several changes at once make one message with the latest state, not a
burst»):

- `latest_timers`: of the reminders of one task due together (a clock jump, a restart),
  only the newest fires; the escalation and the deadline still do (they tell others).
- `coalesce`: within one command's messages, a person gets a task's nudge or card once,
  in its latest state (reminder 1, reminder 2 and the escalation of a task due together
  become the escalation).
- `merge`: several messages for one person become one digest. Applied by the bot only on
  channels that cannot edit a message they sent (bot/compact.py): a rich channel (Slack)
  keeps one message per card, redrawn in place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from flows.buttons import TASK_KINDS, VERB_KEYS
from flows.commands import TimerFired
from flows.messages import ActionKind, Button, OutMessage, TimerKind
from flows.texts import t

COALESCED_KINDS = frozenset({"nudge", "card"})
"""Message kinds shown under a ref whose older copies only the newest replaces."""


def latest_timers(timers: Sequence[TimerFired]) -> list[TimerFired]:
    """The timers to fire, by due time: of several reminders of one task, the one with the
    highest `seq` (the earlier ones would say the same thing again at the same minute)."""
    newest: dict[str, int] = {}
    for timer in timers:
        if timer.kind == TimerKind.REMIND:
            newest[timer.step_id] = max(newest.get(timer.step_id, timer.seq), timer.seq)
    kept = [timer for timer in timers if timer.kind != TimerKind.REMIND or timer.seq == newest[timer.step_id]]
    return sorted(kept, key=lambda timer: timer.due_at)


def coalesce(messages: Sequence[OutMessage]) -> list[OutMessage]:
    """Of the messages a person gets under one ref (a nudge or a card of one task), only the
    last, at the place of the last; it is `fresh` if any of them was (it asks to act now)."""
    last: dict[tuple[str, str], int] = {}
    fresh: dict[tuple[str, str], bool] = {}
    for index, message in enumerate(messages):
        if message.ref is not None and message.kind in COALESCED_KINDS:
            key = (message.to, message.ref)
            last[key] = index
            fresh[key] = fresh.get(key, False) or message.fresh
    kept = []
    for index, message in enumerate(messages):
        key = (message.to, message.ref or "")
        if key not in last:
            kept.append(message)
        elif last[key] == index:
            kept.append(replace(message, fresh=fresh[key]) if fresh[key] != message.fresh else message)
    return kept


_VERB_KEYS = {**VERB_KEYS, ActionKind.CORRECT: "verb_correct"}
"""The typed command word that does what a button does (flows/matching.py reads them)."""
HINTED_KINDS = frozenset(_VERB_KEYS)
"""Buttons a digest of several tasks also gives as typed commands («→ hecho 4»)."""


def _owner(button: Button) -> str | None:
    """The task a button acts on ('<crisis>/<step>'), None for other buttons."""
    return button.action.ref if button.action.kind in TASK_KINDS and button.url is None else None


def merge(parts: Sequence[OutMessage], lang: str, number_of: Callable[[str], str | None]) -> OutMessage:
    """One message for `parts` (all to the same recipient, in reading order).

    The texts follow one another. When buttons of more than one task are in it, each
    such part ends with the commands that answer it by writing («→ hecho 8b · no puedo
    8b») and each button's label names its step («Hecho · 8b»). The buttons go newest part
    first; each keeps its number (flows/buttons.NUMBERS), so a bare number that several
    tasks of the digest offer asks which one, and presses nothing. The digest answers to
    the ref of its newest part with buttons. `number_of(step_id)`: the step's number as people type it (None:
    unknown). Raises ValueError for no parts."""
    if not parts:
        raise ValueError("nothing to merge")
    if len(parts) == 1:
        return parts[0]
    tasks = {owner for part in parts for owner in map(_owner, part.buttons) if owner is not None}
    several = len(tasks) > 1

    def number(owner: str) -> str:
        step_id = owner.partition("/")[2]
        return number_of(step_id) or step_id

    texts = []
    prefix = t(lang, "drill.prefix")
    for index, part in enumerate(parts):
        text = part.text
        if index and part.drill and parts[0].drill and text.startswith(prefix):
            text = text[len(prefix):]  # a drill's digest says it once, at its start
        hints = [t(lang, "digest_command", verb=t(lang, _VERB_KEYS[b.action.kind]), number=number(owner))
                 for b in part.buttons if (owner := _owner(b)) is not None and b.action.kind in _VERB_KEYS]
        if several and hints:
            text += "\n" + t(lang, "digest_hint", commands=" · ".join(dict.fromkeys(hints)))
        texts.append(text)
    buttons: list[Button] = []
    seen: set[str] = set()
    for part in reversed(parts):
        for button in part.buttons:
            key = button.action.encode() + (button.url or "")
            if key in seen:
                continue
            seen.add(key)
            owner = _owner(button)
            label = t(lang, "digest_button", label=button.label, number=number(owner)) if several and owner else button.label
            buttons.append(replace(button, label=label))
    newest = next((part for part in reversed(parts) if part.buttons), parts[-1])
    return OutMessage(to=parts[0].to, text="\n\n".join(texts), buttons=tuple(buttons), ref=newest.ref, kind="digest",
                      fresh=any(part.fresh for part in parts), drill=any(part.drill for part in parts))
