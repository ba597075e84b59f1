"""Fewer messages on channels that cannot edit what they sent (WhatsApp, SMS, the
terminal): applied to one transaction's outbox rows before they are written
(persistence/writes.py `PendingWrites.compact`).

- A card redrawn only to show somebody else's progress (no buttons, not asking to act)
  is left out there: it would be a new message saying what the person need not act on.
  A channel that edits in place (Slack) still gets it, as an edit.
- What one transaction has for one person on such a channel becomes one message
  (flows/digest.py `merge`): an announcement, the cards it opened and a question arrive
  as one digest that still carries every button.

The live summary is not planned for those channels at all (bot/routing.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.routing import Delivery, Router
from flows import digest
from flows.messages import GROUP, OutMessage
from flows.playbook import Playbook
from persistence.repository import Deliverable


def redraw_only(message: OutMessage) -> bool:
    """A card that asks nothing of its reader: a redraw after somebody else's take or done."""
    return message.kind == "card" and not message.buttons and not message.fresh


class Compactor:
    """`compact(deliveries)`: the rows to write, in the same places (None: left out or
    merged into an earlier one)."""

    def __init__(self, router: Router, playbook: Playbook, group_lang: str = "es") -> None:
        self.router = router
        self.playbook = playbook
        self.group_lang = group_lang

    def number_of(self, step_id: str) -> str | None:
        try:
            return self.playbook.step(step_id).number
        except KeyError:
            return None

    def lang_of(self, recipient: str) -> str:
        person = self.router.directory.get(recipient) if recipient != GROUP else None
        return person.lang if person is not None else self.group_lang

    def __call__(self, deliveries: Sequence[Deliverable]) -> list[Deliverable | None]:
        out: list[Deliverable | None] = list(deliveries)
        together: dict[tuple[str, str], list[int]] = {}
        for index, delivery in enumerate(deliveries):
            if not self.router.compacts(delivery.via):
                continue
            if redraw_only(delivery.message):
                out[index] = None
                continue
            together.setdefault((delivery.recipient, delivery.via), []).append(index)
        for (recipient, via), indexes in together.items():
            if len(indexes) < 2:
                continue
            parts = [deliveries[i].message for i in indexes]
            out[indexes[0]] = Delivery(recipient, via, digest.merge(parts, self.lang_of(recipient), self.number_of))
            for index in indexes[1:]:
                out[index] = None
        return out
