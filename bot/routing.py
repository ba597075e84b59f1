"""Which channel carries each message: decided when the outbox row is written, so each
row is one delivery on one channel and is retried on its own.

The channels are those of every live process on the database, not only this one's: a
row for a channel this process lacks is delivered by the process that has it (its sender
leases only rows of its own transports, bot/outbox.py). Other processes' channels are
learnt from their heartbeat rows (`peers`, refreshed at each heartbeat); whether such a
channel reaches a person is judged from the directory by a static rule per transport
name (`REMOTE_REACH`), and its group mode from `REMOTE_GROUP_MODE`. A channel no live
process has is never planned, so no row waits for a sender that does not exist."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace

from bot.outbox import Transport
from flows.directory import Directory, Person
from flows.messages import GROUP, POSTED, OutMessage
from flows.playbook import ALL_STAFF

REMOTE_REACH: dict[str, Callable[[Person], bool]] = {
    "slack": lambda p: bool(p.slack_id or p.email),  # resolved by id, or looked up by e-mail
    "whatsapp": lambda p: bool(p.whatsapp),
    "sms": lambda p: bool(p.whatsapp),  # the directory's one phone number
    "terminal": lambda p: True,
}
"""Whether another process's transport reaches a person, judged from the directory alone
(the local transport's own `reaches` is finer: Slack knows whom it resolved)."""
REMOTE_GROUP_MODE = {"slack": "post", "terminal": "post", "whatsapp": "relay", "sms": "relay"}
"""Each transport's `group_mode` (bot/outbox.py) as its handlers set it."""
SENDS_ANEW = frozenset({"whatsapp", "sms", "terminal"})
"""Transports that cannot edit a message they sent: a redraw would be a new message
(bot/compact.py). A transport may say otherwise with its `edits_in_place` attribute."""
NOT_COMPACTED: frozenset[str] = frozenset()
"""Channels that send anew but are not folded (`compacts`), seen from another process: none
(WhatsApp folds too since issue 11 point 5: handlers/whatsapp/render.py renders a digest)."""
LAST_RESORT = frozenset({"sms"})
"""Transports tried after every chat channel, whatever a person prefers (handlers/sms)."""


@dataclass(frozen=True)
class Delivery:
    recipient: str  # a person id, or GROUP for a transport that posts to the group itself
    via: str  # the transport's name
    message: OutMessage


class Router:
    """`transports`: this process's; `peers`: returns the transport names of the other
    live processes (bot/outbox.py refreshes them at each heartbeat; unknown names are
    ignored, since nothing tells whom they reach)."""

    def __init__(self, directory: Directory, transports: Mapping[str, Transport],
                 peers: Callable[[], Collection[str]] = frozenset) -> None:
        self.directory = directory
        self.transports = dict(transports)
        self.peers = peers

    def channels(self) -> list[str]:
        """This process's transports, then those only other live processes have."""
        remote = sorted(name for name in self.peers() if name in REMOTE_REACH and name not in self.transports)
        return [*self.transports, *remote]

    def _last_resort(self, name: str) -> bool:
        transport = self.transports.get(name)
        return bool(getattr(transport, "last_resort", False)) if transport is not None else name in LAST_RESORT

    def reaches(self, name: str, person: Person) -> bool:
        transport = self.transports.get(name)
        if transport is not None:
            return transport.reaches(person)
        rule = REMOTE_REACH.get(name)
        return rule is not None and name in self.peers() and rule(person)

    def edits_in_place(self, name: str) -> bool:
        """Whether the channel redraws a card in place (Slack), rather than sending it anew."""
        return bool(getattr(self.transports.get(name), "edits_in_place", name not in SENDS_ANEW))

    def compacts(self, name: str) -> bool:
        """Whether bot/compact.py folds this channel's messages: one that cannot edit in place,
        unless its transport says `compact = False`."""
        if self.edits_in_place(name):
            return False
        return bool(getattr(self.transports.get(name), "compact", name not in NOT_COMPACTED))

    def group_mode(self, name: str) -> str:
        transport = self.transports.get(name)
        return transport.group_mode if transport is not None else REMOTE_GROUP_MODE.get(name, "none")

    def order(self, person: Person) -> list[str]:
        """The channels to try for a person: those they prefer, then the others; the
        terminal after those unless preferred (it reaches everyone, so it would take
        everybody's messages from a chat platform open beside it); a transport marked
        `last_resort` (SMS) after all of them, whatever they prefer."""
        names = self.channels()
        order = [*(n for n in person.prefer if n in names), *(n for n in names if n not in person.prefer)]
        return sorted(order, key=lambda n: (self._last_resort(n), n == "terminal" and n not in person.prefer))

    def channel_for(self, person: Person) -> str | None:
        """The first channel the person prefers that reaches them, else any that does."""
        return next((name for name in self.order(person) if self.reaches(name, person)), None)

    def plan(self, message: OutMessage) -> list[Delivery]:
        if message.to != GROUP:
            person = self.directory.get(message.to)
            via = self.channel_for(person) if person else None
            return [Delivery(message.to, via, message)] if via else []
        deliveries = []
        for name in self.channels():
            mode = self.group_mode(name)
            if mode == "post" and (message.kind != "summary" or self.edits_in_place(name)):
                # the live summary only where it is updated in place, not as a new line each time
                deliveries.append(Delivery(GROUP, name, message))
            elif mode == "relay" and message.kind not in ("summary", POSTED):
                # Stands in for a group the platform cannot post to (WhatsApp): everyone
                # whose channel this is gets the group's messages one by one, except the
                # live summary, which only makes sense where it is updated in place, and what
                # each person also gets in their own message (POSTED).
                deliveries += [Delivery(p.id, name, replace(message, text=message.text_in(p.lang)) if message.langs else message)
                               for p in self.directory.with_role(ALL_STAFF) if self.channel_for(p) == name]
        return deliveries

    def transport(self, via: str) -> Transport:
        return self.transports[via]
