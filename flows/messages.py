"""Neutral messages, buttons and effects: what the engine asks the transports to do."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

GROUP = "@group"
"""Recipient meaning the company group (a Slack channel, every WhatsApp number...)."""
POSTED = "posted"
"""The kind of a GROUP message for the channels that post to a group (Slack, the terminal)
only, never relayed to each phone: the same news goes to each person in their own message
(a drill announced ahead, in each reader's time zone), and a phone would get it twice."""


class ActionKind(StrEnum):
    CLAIM = "claim"  # "Lo tomo"
    COMPLETE = "done"  # "Hecho"
    GIVE_UP = "cantdo"  # "No puedo"
    ACK = "ack"  # "Leído"
    STILL_ON = "still"  # "Sigo en esto"
    CONFIRM = "confirm"  # confirm a proposed declaration or closing
    DISMISS = "dismiss"
    STATUS = "status"
    PANEL = "panel"  # a link to the web dashboard (ref: the crisis id, or "-")
    SKIP = "skip"  # «No necesaria»: the task is not needed (value: the reason)
    ASSIGN = "assign"  # take it for someone, or hand it to another responsible (value: the person id)
    CORRECT = "correct"  # correct the value a task recorded (value: the new value)
    NOTE = "note"  # add a note to the bitácora (ref: the crisis id; value: the text)
    CHOOSE = "choose"  # an option of a case's `ask` step (ref: '<case>/<step>=<option value>', flows/cases)


@dataclass(frozen=True)
class Action:
    """A button's meaning. `ref` is '<crisis>/<step>' for tasks, the proposal id otherwise."""

    kind: ActionKind
    ref: str

    def encode(self) -> str:
        return f"{self.kind.value}:{self.ref}"

    @classmethod
    def decode(cls, raw: str) -> Action:
        kind, sep, ref = raw.partition(":")
        if not sep:
            raise ValueError(f"malformed action {raw!r}")
        return cls(ActionKind(kind), ref)

    @classmethod
    def for_task(cls, kind: ActionKind, crisis_id: str, step_id: str) -> Action:
        return cls(kind, f"{crisis_id}/{step_id}")

    def task_ref(self) -> tuple[str, str]:
        crisis_id, _, step_id = self.ref.partition("/")
        return crisis_id, step_id.partition("=")[0]

    @classmethod
    def for_choice(cls, case_id: str, step_id: str, value: str) -> Action:
        """An option of an `ask` step: pressing it answers the question with `value`."""
        return cls(ActionKind.CHOOSE, f"{case_id}/{step_id}={value}")

    def choice(self) -> str:
        """The option value a CHOOSE action carries ('' for any other action)."""
        return self.ref.partition("=")[2] if self.kind == ActionKind.CHOOSE else ""


@dataclass(frozen=True)
class Button:
    label: str
    action: Action
    style: str = "default"  # "primary", "danger": a hint for rich transports
    url: str | None = None  # transports that can open links open it; others press the action


@dataclass(frozen=True)
class OutMessage:
    """One message for one recipient (a person id or GROUP), already in their language.

    `ref` names the thing the message shows (a task card, the announcement); a rich
    transport may update the earlier message with the same ref in place. `fresh`: the
    message asks its recipient to act now (a reminder, an escalation, «mis tareas»), so a
    transport that redraws in place posts it as a new message (edits do not notify) and
    takes the buttons off the older copy under the same ref."""

    to: str
    text: str
    buttons: tuple[Button, ...] = ()
    ref: str | None = None
    kind: str = "info"
    fresh: bool = False
    langs: tuple[tuple[str, str], ...] = ()
    """A GROUP message's text in the other languages of the directory, (lang, text): a
    transport that relays the group to each person (WhatsApp, SMS) gives each their own."""
    drill: bool = False
    """A message of a drill (issue 14): its text already starts with «🧪 SIMULACRO · » in its
    reader's language; a transport that cannot send the text as it is (WhatsApp outside
    the 24-hour window: an approved template) must still say it is a drill."""

    def text_in(self, lang: str) -> str:
        """The text in `lang` when the message has it, else `text`."""
        return dict(self.langs).get(lang, self.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "to": self.to,
            "text": self.text,
            "ref": self.ref,
            "kind": self.kind,
            "buttons": [{"label": b.label, "action": b.action.encode(), "style": b.style, **({"url": b.url} if b.url else {})}
                        for b in self.buttons],
            **({"fresh": True} if self.fresh else {}),
            **({"langs": [list(pair) for pair in self.langs]} if self.langs else {}),
            **({"drill": True} if self.drill else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OutMessage:
        buttons = tuple(Button(b["label"], Action.decode(b["action"]), b.get("style", "default"), b.get("url"))
                        for b in data["buttons"])
        return cls(to=data["to"], text=data["text"], buttons=buttons, ref=data.get("ref"), kind=data.get("kind", "info"),
                   fresh=bool(data.get("fresh", False)),
                   langs=tuple((str(lang), str(text)) for lang, text in data.get("langs", ())),
                   drill=bool(data.get("drill", False)))


class TimerKind(StrEnum):
    REMIND = "remind"  # unclaimed: remind the responsibles
    ESCALATE = "escalate"  # unclaimed: tell the coordinators
    DEADLINE = "deadline"  # claimed: ask the owner "¿sigues en esto?"
    CHECKIN = "checkin"  # the owner did not answer the check-in: escalate
    WAIT = "wait"  # a case's `wait` step is over: the case goes on (flows/cases)
    INJECT = "inject"  # a drill's scripted event is due (issue 14 point 3, flows/drill_injects.py)


@dataclass(frozen=True)
class SetTimer:
    crisis_id: str
    step_id: str
    kind: TimerKind
    due_at: datetime
    seq: int = 0  # which reminder this is (1st, 2nd...)


@dataclass(frozen=True)
class CancelTimers:
    crisis_id: str
    step_id: str


@dataclass(frozen=True)
class LogEntry:
    """One line of the bitácora. `kind` plus `data` are rendered per language later."""

    at: datetime
    kind: str
    person: str | None = None
    channel: str | None = None
    crisis_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
